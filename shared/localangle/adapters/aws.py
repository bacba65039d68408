"""AWS clients, created once per process. The only place boto3 is imported besides the storage adapters."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Standard retry mode: throttling, 5xx and transient network errors are retried by botocore itself, with
# exponential backoff and jitter, up to 5 times after the first attempt.
CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=20)


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-2"


@cache
def client(service: str) -> Any:
    return boto3.client(service, region_name=region(), config=CONFIG)


@cache
def table(name: str) -> Any:
    return boto3.resource("dynamodb", region_name=region(), config=CONFIG).Table(name)


def reset() -> None:
    """Forget cached clients (tests and the local driver start a fresh moto world)."""
    client.cache_clear()
    table.cache_clear()
