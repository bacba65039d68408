"""AWS clients, created once per process. The only place boto3 is imported besides the storage adapters."""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Standard retry mode: throttling, 5xx and transient network errors are retried by botocore itself, with
# exponential backoff and jitter, up to 5 times after the first attempt.
CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=20)


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-2"


# Clients are safe to share between threads, but making them from one session is not: they are made under a
# lock. A DynamoDB table object (a boto3 resource) is not safe to share: each thread has its own.
_making = threading.Lock()
_local = threading.local()
_generation = 0  # bumped by reset(): every thread's tables are made again


@cache
def client(service: str) -> Any:
    with _making:
        return boto3.client(service, region_name=region(), config=CONFIG)


def table(name: str) -> Any:
    tables: dict[str, Any] | None = getattr(_local, "tables", None)
    if tables is None or getattr(_local, "generation", None) != _generation:
        tables = _local.tables = {}
        _local.generation = _generation
    if name not in tables:
        with _making:
            tables[name] = boto3.resource("dynamodb", region_name=region(), config=CONFIG).Table(name)
    return tables[name]


def reset() -> None:
    """Forget cached clients (tests and the local driver start a fresh moto world)."""
    global _generation
    client.cache_clear()
    _generation += 1
