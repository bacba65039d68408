"""Real HTTP servers on 127.0.0.1: outlets' feeds and pages, and a Slack webhook receiver."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Listener(ThreadingHTTPServer):
    # the standard library's backlog of 5 drops FetchFeed's ten connections at once, and each dropped one
    # connects a second later, when the kernel sends its SYN again
    request_queue_size = 64


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _Listener(("127.0.0.1", 0), handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Any:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _SiteHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        site: Site = self.server.owner  # type: ignore[attr-defined]
        site.requests.append(self.path)
        with site.lock:
            route = site.routes.get(self.path)
            queued = site.answers.get(self.path)
            answer = queued.pop(0) if queued else None
        if answer is not None:  # a one-off answer queued by a test: an outage, a 429, an error page
            status, answer_body, answer_type, headers = answer
            self.send_response(status)
            self.send_header("Content-Type", answer_type)
            self.send_header("Content-Length", str(len(answer_body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer_body)
            return
        if route is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        body, content_type, modified = route
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            encoding = "gzip"
        else:
            encoding = ""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(modified, usegmt=True))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Site(_Server):
    """Serves fixed documents by path, with ETag/If-None-Match (304) and gzip like a real web server."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str, float]] = {}
        self.answers: dict[str, list[tuple[int, bytes, str, dict[str, str]]]] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        super().__init__(_SiteHandler)

    def answer_next(
        self,
        path: str,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests for `path` like this, then serve the route again."""
        with self.lock:
            self.answers.setdefault(path, []).extend([(status, body, content_type, headers or {})] * times)

    def publish(self, path: str, body: bytes, content_type: str, modified: float = 0.0) -> str:
        with self.lock:
            self.routes[path] = (body, content_type, modified)
        return self.url + path


class _SlackHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        receiver: SlackReceiver = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        with receiver.lock:
            answer = receiver.refuse.pop(0) if receiver.refuse else 200
            if answer == 200:
                receiver.messages.append((self.path, payload))
            else:
                receiver.refused.append((self.path, answer))
        if answer == "stall":  # no answer until the poster gives up (or the receiver closes)
            receiver.released.wait(60)
            self.close_connection = True
            return
        self.send_response(int(answer))
        self.send_header("Content-Type", "text/plain")
        if answer == 429:
            self.send_header("Retry-After", receiver.retry_after)
        self.end_headers()
        self.wfile.write(b"ok" if answer == 200 else b"rate_limited" if answer == 429 else b"error")


class SlackReceiver(_Server):
    """Records what a Slack incoming webhook would receive, per path (one path per newsroom)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        # How to answer the next requests, one each, before answering 200 again: a status (not posted), or
        # "stall" (not posted, no answer at all, as when Slack hangs)
        self.refuse: list[int | str] = []
        self.refused: list[tuple[str, int | str]] = []
        self.retry_after = "0"  # what a 429 says
        self.released = threading.Event()
        self.lock = threading.Lock()
        super().__init__(_SlackHandler)

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        super().__exit__(*exc)
