"""A real HTTP server on 127.0.0.1 that misbehaves on purpose: stalls, trickles, endless bodies, gzip bombs,
redirects to places the client must not go, 429s. Each route is a function writing to the socket."""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]
_ZEROS = bytes(1 << 16)  # allocated once, so a memory test of the client does not count the server's


class HostileServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.released = threading.Event()  # set at exit: stalled handlers give up
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                owner.hits[path] = owner.hits.get(path, 0) + 1
                route = owner.routes.get(path)
                if route is None:
                    send(self, 404, b"not found", "text/plain")
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)  # the client may hang up, as it should on a hostile body

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    def url(self, path: str) -> str:
        host, port = self.address
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def fixed(status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, status, body, content_type, headers)


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", "text/plain", {"Location": location})


def stall(released: threading.Event) -> Route:
    """Read the request, then say nothing at all until the test is over."""

    def route(h: BaseHTTPRequestHandler) -> None:
        released.wait(60)
        h.close_connection = True

    return route


def trickle(released: threading.Event, every: float = 0.05) -> Route:
    """Headers at once, then a byte at a time, each well inside the read timeout: never done."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", "1000000")
        h.end_headers()
        while not released.wait(every):
            h.wfile.write(b" ")
            h.wfile.flush()

    return route


def endless(released: threading.Event) -> Route:
    """A body with no length that never ends."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        block = b"<item>" + b"x" * 65530
        while not released.is_set():
            h.wfile.write(block)

    return route


def gzip_bomb(decompressed_mb: int) -> Route:
    """A small gzip stream that inflates to `decompressed_mb` megabytes of zeros, made without ever
    holding them: each megabyte is compressed as it is sent."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        for _ in range(decompressed_mb * 16):
            h.wfile.write(packer.compress(_ZEROS))
        h.wfile.write(packer.flush())

    return route
