"""The one HTTP client for feeds and pages: what may be fetched, from where, how much and how often.

urllib3 (already a dependency of botocore) does the wire work; this module decides what is allowed:

- http and https only, at most `max_redirects` hops, every hop checked again;
- never an address that is not globally routable (loopback, private, link-local and so the cloud metadata
  service, carrier-grade NAT, multicast, reserved), checked on the address the socket actually connects to,
  so a name that resolves to a public address once and a private one the next time (DNS rebinding) gets
  nowhere; `allow` lists exact (address, port) pairs let through anyway, for a test server on 127.0.0.1;
- connect and read timeouts and a deadline for the whole fetch, so a server that trickles is cut off too;
- a cap on the bytes read from the wire and on the bytes they decompress to, read a bounded chunk at a time,
  so neither an endless body nor a gzip bomb grows memory past the cap;
- politeness: at most one request per `host_interval` seconds to a host, and a host that answered 429 or
  503 with Retry-After is not asked again before then.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from localangle import __version__

USER_AGENT = f"localangle/{__version__} (newsroom feed monitor; +https://github.com/localangle)"
REDIRECTS = {301, 302, 303, 307, 308}
READ_CHUNK = 65536
MAX_RETRY_AFTER = 24 * 3600.0  # a Retry-After further out than a day is read as a day
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d, deprecated but still routed by some stacks
_SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # ::ffff:0:a.b.c.d
# Judged the same on every Python version (3.11's is_global and 3.13's differ on some of these).
_IPV6_NEVER = [ipaddress.ip_network(n) for n in ("fec0::/10", "64:ff9b:1::/48", "fc00::/7", "fe80::/10")]


class FetchError(Exception):
    """A fetch that did not produce a usable response; str() says why in one line.

    `retry_after` is set (seconds from now) when the server or an earlier answer from the host asked us to
    wait; `transient` when trying again later may well succeed (timeouts, 429, 5xx, refused connections).
    """

    def __init__(self, message: str, *, retry_after: float | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.transient = transient or retry_after is not None


class AddressRefused(FetchError):
    """The URL leads to an address the client must not connect to."""


def refusal(address: str, port: int, allow: frozenset[tuple[str, int]] = frozenset()) -> str | None:
    """Why the client must not connect to this address and port, or None if it may."""
    if (address, port) in allow:
        return None
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _IPV6_NEVER):
            return f"{address} is not a globally routable address"
        embedded = ip.ipv4_mapped or ip.sixtofour
        compatible = ip in _IPV4_COMPATIBLE and int(ip) > 0xFFFF  # ::a.b.c.d, but not :: or ::1
        if embedded is None and (ip in _NAT64 or compatible or ip in _SIIT):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    if ip.is_global and not ip.is_multicast:
        return None
    if ip.is_loopback:
        kind = "a loopback address"
    elif ip.is_link_local:
        kind = "a link-local address (where cloud metadata lives)"
    elif ip.is_private:
        kind = "a private address"
    else:
        kind = "not a globally routable address"
    return f"{address} is {kind}"


class _Guarded:
    """Connects only to addresses `refusal` allows, and checks the peer the socket is connected to."""

    allow: frozenset[tuple[str, int]] = frozenset()
    host: str
    port: int
    timeout: float | None
    source_address: tuple[str, int] | None
    socket_options: list[tuple[int, int, int | bytes]] | None

    def _new_conn(self) -> socket.socket:
        host = getattr(self, "_dns_host", self.host)
        try:
            candidates = socket.getaddrinfo(host, self.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: a label IDNA cannot encode
            raise NameResolutionError(self.host, self, socket.gaierror(str(exc))) from exc  # type: ignore[arg-type]
        reasons = []
        failure: Exception | None = None
        for family, kind, proto, _name, sockaddr in candidates:
            reason = refusal(str(sockaddr[0]), self.port, self.allow)
            if reason:
                reasons.append(reason)
                continue
            sock = socket.socket(family, kind, proto)
            try:
                for option in self.socket_options or []:
                    sock.setsockopt(*option)
                sock.settimeout(self.timeout)
                sock.connect(sockaddr)
                peer = sock.getpeername()[0]
                if why := refusal(str(peer), self.port, self.allow):
                    raise AddressRefused(f"refused after connecting: {why}")
            except AddressRefused:
                sock.close()
                raise
            except TimeoutError as exc:  # the next address the name resolves to may answer
                sock.close()
                failure = ConnectTimeoutError(self, f"connecting to {self.host} timed out")
                failure.__cause__ = exc
                continue
            except OSError as exc:
                sock.close()
                failure = NewConnectionError(self, f"failed to connect to {self.host}: {exc}")  # type: ignore[arg-type]
                failure.__cause__ = exc
                continue
            return sock
        if failure is not None:
            raise failure
        raise AddressRefused("refused: " + "; ".join(dict.fromkeys(reasons)))


class _GuardedHTTP(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPS(_Guarded, HTTPSConnection):
    pass


@dataclass(frozen=True)
class HttpResponse:
    status: int
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def retry_after(self, now: float | None = None) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"), now)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return min(max(0.0, when.timestamp() - current), MAX_RETRY_AFTER)


class HttpClient:
    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        total_timeout: float = 30.0,
        host_interval: float = 0.25,
        allow: Iterable[tuple[str, int]] = (),
    ) -> None:
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.host_interval = host_interval
        allowed = frozenset((str(ipaddress.ip_address(a)), int(p)) for a, p in allow)
        self._lock = threading.Lock()
        self._next_at: dict[str, float] = {}  # host → monotonic time of the earliest next request
        self._wait_until: dict[str, float] = {}  # host → wall-clock time it asked us to wait until
        # up to ten connections kept to a host: FetchFeed's threads (a batch's feeds at once) may poll several
        # feeds of one outlet together
        self.pool = urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout), maxsize=10
        )
        # Pool classes of this client's own, whose connections carry its allow list.
        guarded_http = type("GuardedHTTP", (_GuardedHTTP,), {"allow": allowed})
        guarded_https = type("GuardedHTTPS", (_GuardedHTTPS,), {"allow": allowed})
        self.pool.pool_classes_by_scheme = {
            "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": guarded_http}),
            "https": type("Pool", (HTTPSConnectionPool,), {"ConnectionCls": guarded_https}),
        }

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> HttpResponse:
        """GET a URL; a 304 comes back with an empty body. Raises FetchError for anything unusable.

        Statuses other than redirects come back as responses, the body read under the same caps, and a 429
        or 503 with Retry-After also makes later requests to that host fail fast until the time has passed.
        """
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.total_timeout
        for _hop in range(self.max_redirects + 1):
            host = self._check_url(url)
            self._wait_turn(host, url)
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchError(f"{url}: took longer than {self.total_timeout:g} s", transient=True)
            # every hop, connecting and waiting for headers included, within what is left of the deadline
            timeout = urllib3.Timeout(
                connect=min(self.connect_timeout, left), read=min(self.read_timeout, left)
            )
            try:
                response = self.pool.request(
                    "GET",
                    url,
                    headers=headers,
                    redirect=False,
                    preload_content=False,
                    decode_content=True,
                    timeout=timeout,
                )
            except AddressRefused as exc:
                raise AddressRefused(f"{url}: {exc}") from exc
            except (ValueError, UnicodeError) as exc:  # urllib3's LocationValueError is a ValueError too
                raise FetchError(f"{url}: not a URL that can be fetched ({exc})") from exc
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError(f"{url}: {_describe(exc)}", transient=True) from exc
            complete = False  # a connection whose body was not read to the end is closed, never reused
            try:
                if response.status in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"{url}: redirect {response.status} without a Location")
                    try:
                        url = urljoin(url, location.strip())
                    except ValueError as exc:
                        raise FetchError(f"{url}: redirect to {location[:100]!r}, not a URL") from exc
                    # the validators stay: they belong to where the feed really lives, at the end of the hops
                    continue
                body = self._read(response, url, deadline)
                complete = True
                lowered = {k.lower(): v for k, v in response.headers.items()}
                answer = HttpResponse(response.status, url, body, lowered)
                if answer.status in (429, 503) and (wait := answer.retry_after()) is not None:
                    with self._lock:
                        self._wait_until[host] = time.time() + wait
                return answer
            finally:
                if not complete:
                    response.close()
                response.release_conn()
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    @staticmethod
    def _check_url(url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise FetchError(f"{url}: not a URL that can be fetched ({exc})") from exc
        if parts.scheme not in ("http", "https"):
            raise AddressRefused(f"{url}: only http and https are fetched")
        try:
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError as exc:
            raise FetchError(f"{url}: {exc}") from exc
        if not host:
            raise FetchError(f"{url}: no host")
        return host

    def _wait_turn(self, host: str, url: str) -> None:
        """Politeness: honour a host's Retry-After and keep `host_interval` between requests to it."""
        with self._lock:
            until = self._wait_until.get(host, 0.0)
            if until > time.time():
                wait = until - time.time()
                raise FetchError(f"{url}: {host} asked us to wait {wait:.0f} s more", retry_after=wait)
            now = time.monotonic()
            start = max(now, self._next_at.get(host, 0.0))
            self._next_at[host] = start + self.host_interval
        if start > now:
            time.sleep(start - now)  # a rate limit, not a wait for a condition

    def _read(self, response: urllib3.BaseHTTPResponse, url: str, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: body of {declared} bytes is over the {self.max_bytes}-byte cap")
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                # read1: one read from the socket, at most READ_CHUNK bytes once decompressed; so the
                # deadline is checked between reads however slowly the server trickles
                chunk = response.read1(READ_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes or response.tell() > self.max_bytes:
                    raise FetchError(f"{url}: body is over the {self.max_bytes}-byte cap")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: took longer than {self.total_timeout:g} s", transient=True)
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"{url}: {_describe(exc)}", transient=True) from exc
        return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "the server stopped sending (read timeout)"
    if isinstance(exc, ConnectTimeoutError):
        return "connecting timed out"
    if isinstance(exc, NameResolutionError):
        return "the host name does not resolve"
    if isinstance(exc, NewConnectionError):
        return "the connection was refused"
    return f"{type(exc).__name__}: {exc}"
