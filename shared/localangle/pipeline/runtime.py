"""What a warm function keeps between invocations: settings, configuration (refreshed) and the reader."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from localangle.adapters import secrets
from localangle.adapters.http import HttpClient
from localangle.adapters.storage import Archive, Replica
from localangle.config import load_dir, load_listing
from localangle.core.analysis import Reader
from localangle.models.config import Config
from localangle.observability import logger
from localangle.settings import Settings, settings

CONFIG_TTL_SECONDS = 300


@dataclass
class _Cached:
    config: Config
    reader: Reader | None
    loaded: float
    signature: str
    listing: dict[str, str] | None = None  # the configuration's objects and their ETags, as read


_cache: dict[str, _Cached] = {}
# FetchFeed handles a batch's feeds in threads at once (batch.py): the first to need the configuration or the
# HTTP client makes it while the others wait, rather than each reading the configuration again.
_making = threading.RLock()


def config_listing(s: Settings) -> dict[str, str] | None:
    """The configuration's objects in S3 and their ETags, which change when their content does; None for a
    local folder, read again every time."""
    return None if s.config_dir else Archive(s.archive_bucket).tags(s.config_prefix)


def load_config(s: Settings, listing: dict[str, str] | None = None) -> Config:
    """The configuration, from the folder or from the objects listed (listed now when not given)."""
    if s.config_dir:
        return load_dir(Path(s.config_dir))
    archive = Archive(s.archive_bucket)
    names = list(listing) if listing is not None else archive.list(s.config_prefix)
    return load_listing(names, archive.get_text, s.config_prefix, f"s3://{s.archive_bucket}/")


def _current() -> _Cached:
    entry = _cache.get("config")
    if entry is None or time.monotonic() - entry.loaded > CONFIG_TTL_SECONDS:
        with _making:
            return _load(_cache.get("config"))
    return entry


def _load(entry: _Cached | None) -> _Cached:
    if entry is None or time.monotonic() - entry.loaded > CONFIG_TTL_SECONDS:
        # unchanged objects are not read or parsed again: at 10,000 feeds feeds.yaml is 1.5 MB, over a second
        listing = config_listing(settings())
        if entry is not None and listing is not None and listing == entry.listing:
            entry.loaded = time.monotonic()
            return entry
        config = load_config(settings(), listing)
        signature = "".join(op.model_dump_json() for op in config.operations)
        reader = entry.reader if entry and entry.signature == signature else None
        entry = _Cached(config, reader, time.monotonic(), signature, listing)
        _cache["config"] = entry
        logger.debug(
            "configuration loaded", extra={"operations": len(config.operations), "feeds": len(config.feeds)}
        )
    return entry


def config() -> Config:
    return _current().config


def reader() -> Reader:
    entry = _current()
    if entry.reader is None:
        entry.reader = Reader(entry.config.operations)
    return entry.reader


REPLICA_SECONDS = 900  # a warm copy of a ledger is read afresh at least this often, whatever its version

# Each warm function (each thread, locally) keeps a copy of the ledgers it judged, by operation: the FIFO
# queue hands one operation's messages to one function at a time, so the next message usually finds the
# ledger as this function left it, and reads nothing of it but the version.
_local = threading.local()


def _replicas() -> dict[str, tuple[float, Replica]]:
    replicas: dict[str, tuple[float, Replica]] = _local.__dict__.setdefault("replicas", {})
    return replicas


def replica(operation: str) -> Replica:
    replicas = _replicas()
    now = time.monotonic()
    for name, (made, _) in list(replicas.items()):
        if now - made > REPLICA_SECONDS:
            del replicas[name]
    if operation not in replicas:
        replicas[operation] = (now, Replica())
    return replicas[operation][1]


def forget_replica(operation: str) -> None:
    _replicas().pop(operation, None)


def forget() -> None:
    """Drop cached configuration, ledger copies and secrets (tests, and the local driver between worlds)."""
    _replicas().clear()
    _cache.clear()
    settings.cache_clear()
    forget_http()
    secrets.forget()


def http() -> HttpClient:
    with _making:
        return _http()


def forget_http() -> None:
    """A fresh HTTP client next time: what it remembers of hosts (Retry-After) is forgotten."""
    _http.cache_clear()


@cache
def _http() -> HttpClient:
    s = settings()
    return HttpClient(
        connect_timeout=s.http_connect_timeout,
        read_timeout=s.http_read_timeout,
        max_bytes=s.http_max_bytes,
        host_interval=s.http_host_interval,
        allow=s.allowed_addresses(),
    )
