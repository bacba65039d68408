"""The one HTTP client for feeds and pages: timeouts, a body cap, redirects checked hop by hop.

urllib3 (already a dependency of botocore) does the wire work; this module decides what is allowed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3

from localangle import __version__

USER_AGENT = f"localangle/{__version__} (newsroom feed monitor; +https://github.com/localangle)"
REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A fetch that did not produce a usable response; str() says why in one line."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class HttpClient:
    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        total_timeout: float = 30.0,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.total_timeout = total_timeout
        self.pool = urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout), maxsize=4
        )

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> HttpResponse:
        """GET a URL; a 304 comes back with an empty body. Raises FetchError for anything unusable."""
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.total_timeout
        for _hop in range(self.max_redirects + 1):
            self._check_url(url)
            try:
                response = self.pool.request(
                    "GET", url, headers=headers, redirect=False, preload_content=False, decode_content=True
                )
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            try:
                if response.status in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"{url}: redirect {response.status} without a Location")
                    url = urljoin(url, location)
                    continue
                body = self._read(response, url, deadline)
                lowered = {k.lower(): v for k, v in response.headers.items()}
                return HttpResponse(response.status, url, body, lowered)
            finally:
                response.release_conn()
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    @staticmethod
    def _check_url(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https are fetched")
        if not parts.hostname:
            raise FetchError(f"{url}: no host")

    def _read(self, response: urllib3.BaseHTTPResponse, url: str, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: body of {declared} bytes is over the {self.max_bytes}-byte cap")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream(65536, decode_content=True):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: body is over the {self.max_bytes}-byte cap")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: took longer than {self.total_timeout:.0f} s")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
        return b"".join(chunks)
