"""The one HTTP client against a real, misbehaving server on 127.0.0.1.

The address guard refuses loopback; each client here lets through exactly the test server's own address
and port, as the local world does, so everything else on 127.0.0.1 stays refused.
"""

from __future__ import annotations

import itertools
import re
import socket
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from localangle.adapters.http import AddressRefused, FetchError, HttpClient, parse_retry_after, refusal
from tests.hostile_server import HostileServer, endless, fixed, gzip_bomb, redirect, send, stall, trickle

CAP = 1_000_000
# Peak traced memory allowed during a capped fetch: the cap, plus a fixed allowance for socket and zlib
# buffers (and the server thread's compressor, which tracemalloc counts too). Never proportional to the body.
ALLOWANCE = 1_000_000
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as s:
        yield s


def client(server: HostileServer, **options: Any) -> HttpClient:
    settings: dict[str, Any] = {
        "connect_timeout": 2.0,
        "read_timeout": 0.5,
        "max_bytes": CAP,
        "total_timeout": 2.0,
        "host_interval": 0.0,
        "allow": [server.address],
    }
    return HttpClient(**(settings | options))


def test_a_stalled_server_is_cut_off_by_the_read_timeout(server: HostileServer) -> None:
    server.routes["/stall"] = stall(server.released)
    with pytest.raises(FetchError, match="read timeout") as caught:
        client(server).get(server.url("/stall"))
    assert caught.value.transient


def test_a_server_trickling_inside_the_read_timeout_is_cut_off_by_the_deadline(server: HostileServer) -> None:
    server.routes["/trickle"] = trickle(server.released)
    with pytest.raises(FetchError, match="took longer than 1 s"):
        client(server, total_timeout=1.0).get(server.url("/trickle"))


def _peak_while(fetch: Any) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    error = None
    try:
        fetch()
    except FetchError as exc:
        error = exc
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, error


def test_an_endless_body_stops_at_the_cap_without_memory_growing_past_it(server: HostileServer) -> None:
    server.routes["/endless"] = endless(server.released)
    peak, error = _peak_while(lambda: client(server, total_timeout=30).get(server.url("/endless")))
    assert error is not None and "over the 1000000-byte cap" in str(error)
    assert peak < CAP + ALLOWANCE, f"peak {peak:,} bytes"


def test_a_gzip_bomb_stops_at_the_cap_without_memory_growing_past_it(server: HostileServer) -> None:
    server.routes["/bomb"] = gzip_bomb(decompressed_mb=2048)  # ~2 MB on the wire, 2 GB inflated
    peak, error = _peak_while(lambda: client(server, total_timeout=30).get(server.url("/bomb")))
    assert error is not None and "over the 1000000-byte cap" in str(error)
    assert peak < CAP + ALLOWANCE, f"peak {peak:,} bytes"


def test_a_declared_length_over_the_cap_is_refused_before_reading(server: HostileServer) -> None:
    server.routes["/big"] = fixed(200, b"x" * (CAP + 1), "application/rss+xml")
    with pytest.raises(FetchError, match="body of 1000001 bytes is over"):
        client(server).get(server.url("/big"))


@pytest.mark.parametrize(
    "target, reason",
    [
        ("http://127.0.0.1:{other}/feed", "127.0.0.1 is a loopback address"),
        ("http://localhost:{other}/feed", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/feed", "10.0.0.1 is a private address"),
        ("http://10.255.255.254:8080/", "10.255.255.254 is a private address"),
        ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254 is a link-local address"),
        ("http://[::ffff:169.254.169.254]/latest/", "is a link-local address"),
        ("http://[::1]:{port}/feed", "::1 is a loopback address"),
        ("file:///etc/passwd", "only http and https are fetched"),
        ("gopher://127.0.0.1:6379/_INFO", "only http and https are fetched"),
    ],
)
def test_redirects_to_private_addresses_and_other_schemes_are_refused(
    server: HostileServer, target: str, reason: str
) -> None:
    with socket.socket() as other:  # a real listener on loopback that the guard must still refuse
        other.bind(("127.0.0.1", 0))
        other.listen()
        location = target.format(other=other.getsockname()[1], port=server.address[1])
        server.routes["/moved"] = redirect(location)
        server.routes["/feed"] = fixed(200, FEED, "application/rss+xml")
        http = client(server)
        assert http.get(server.url("/feed")).status == 200  # the test server itself is let through
        with pytest.raises(AddressRefused, match=re.escape(reason)):
            http.get(server.url("/moved"))


def test_every_hop_is_checked_and_the_number_of_hops_is_limited(server: HostileServer) -> None:
    for hop in range(8):
        server.routes[f"/hop{hop}"] = redirect(f"/hop{hop + 1}", status=301 if hop % 2 else 307)
    server.routes["/hop8"] = fixed(200, FEED, "application/rss+xml")
    assert client(server, max_redirects=8).get(server.url("/hop0")).url == server.url("/hop8")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        client(server, max_redirects=5).get(server.url("/hop0"))


def test_a_name_that_resolves_to_a_private_address_is_refused_however_it_resolved(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the guard judges the address the socket would connect to, not the name."""
    real = socket.getaddrinfo

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "news.example":
            return real("10.20.30.40", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(AddressRefused, match=re.escape("10.20.30.40 is a private address")):
        client(server).get("http://news.example/feed")


def test_429_with_retry_after_is_returned_and_the_host_is_left_alone_until_then(
    server: HostileServer,
) -> None:
    server.routes["/busy"] = fixed(429, b"slow down", "text/plain", {"Retry-After": "120"})
    server.routes["/feed"] = fixed(200, FEED, "application/rss+xml")
    http = client(server)
    answer = http.get(server.url("/busy"))
    assert answer.status == 429 and answer.retry_after() == 120
    with pytest.raises(FetchError, match="asked us to wait") as caught:
        http.get(server.url("/feed"))  # the same host: not asked again before its time
    assert caught.value.retry_after is not None and 110 < caught.value.retry_after <= 120
    assert server.hits.get("/feed") is None


def test_conditional_get_sends_the_validators(server: HostileServer) -> None:
    seen: dict[str, str | None] = {}

    def route(h: Any) -> None:
        seen.update({"etag": h.headers.get("If-None-Match"), "since": h.headers.get("If-Modified-Since")})
        h.send_response(304)
        h.send_header("Content-Length", "0")
        h.end_headers()

    server.routes["/feed"] = route
    answer = client(server).get(
        server.url("/feed"), etag='"abc"', last_modified="Wed, 16 Jul 2014 08:00:00 GMT"
    )
    assert answer.status == 304 and answer.body == b""
    assert seen == {"etag": '"abc"', "since": "Wed, 16 Jul 2014 08:00:00 GMT"}


def test_retry_after_reads_seconds_and_dates() -> None:
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412420.0) == 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412540.0) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert parse_retry_after("99999999") == 24 * 3600


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",
        "::ffff:0:127.0.0.1",
        "fec0::1",
        "64:ff9b:1::a00:1",
        "127.0.0.2",
        "10.1.1.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
        "224.0.0.251",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refusal(address, 80) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "151.101.0.81", "2a04:4e42::81"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(address, 443) is None


def test_the_allow_list_is_exact_address_and_port() -> None:
    allow = frozenset({("127.0.0.1", 8080)})
    assert refusal("127.0.0.1", 8080, allow) is None
    assert refusal("127.0.0.1", 8081, allow) is not None
    assert refusal("127.0.0.2", 8080, allow) is not None


def test_requests_to_one_host_are_spaced_by_the_politeness_interval(server: HostileServer) -> None:
    arrivals: list[float] = []

    def route(h: Any) -> None:
        arrivals.append(time.monotonic())
        send(h, 200, FEED, "application/rss+xml")

    server.routes["/feed"] = route
    http = client(server, host_interval=0.2)
    for _ in range(3):
        http.get(server.url("/feed"))
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(gaps) == 2 and all(gap >= 0.19 for gap in gaps), gaps


@pytest.mark.parametrize(
    "location", ["http://[::1", "http://[oops]/", "http://" + "a" * 70 + ".example/story", "http://:80/"]
)
def test_a_url_that_cannot_be_fetched_is_a_fetch_error_not_a_crash(
    server: HostileServer, location: str
) -> None:
    server.routes["/moved"] = redirect(location)
    http = client(server)
    for url in (location, server.url("/moved")):
        with pytest.raises(FetchError):
            http.get(url)


def test_conditional_get_survives_a_redirect(server: HostileServer) -> None:
    def route(h: Any) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            send(h, 200, FEED, "application/rss+xml", {"ETag": '"v1"'})

    server.routes["/old-feed"] = redirect("/feed", status=301)
    server.routes["/feed"] = route
    http = client(server)
    first = http.get(server.url("/old-feed"))
    assert first.status == 200 and first.headers["etag"] == '"v1"'
    assert http.get(server.url("/old-feed"), etag='"v1"').status == 304


def test_the_deadline_covers_waiting_for_headers(server: HostileServer) -> None:
    server.routes["/stall"] = stall(server.released)
    started = time.monotonic()
    with pytest.raises(FetchError):
        client(server, read_timeout=10.0, total_timeout=1.0).get(server.url("/stall"))
    assert time.monotonic() - started < 5.0  # cut off at the 1 s deadline, not the 10 s read timeout


@pytest.mark.parametrize(
    "value", ["999.1.1.1:80", "127.0.0.1:0", "127.0.0.1:99999", "localhost:80", "127.0.0.1"]
)
def test_the_allow_list_setting_refuses_what_is_not_an_address_and_port(value: str) -> None:
    from pydantic import ValidationError

    from localangle.settings import Settings

    required = {name: "x" for name in Settings.model_json_schema(by_alias=True)["required"]}
    with pytest.raises(ValidationError, match="not an address:port pair"):
        Settings.model_validate({**required, "LOCALANGLE_HTTP_ALLOW": value})
    assert Settings.model_validate({**required, "LOCALANGLE_HTTP_ALLOW": "127.0.0.1:8080, [::1]:9000"})
