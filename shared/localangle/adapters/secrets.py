"""Secrets from SSM Parameter Store SecureString, cached for five minutes; values are never logged."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities import parameters

from localangle.adapters.aws import client


@cache
def _provider(ssm: Any) -> parameters.SSMProvider:
    """One provider per client, so its cache lives as long as the warm function (a new client, as after
    aws.reset() in tests, starts afresh)."""
    return parameters.SSMProvider(boto3_client=ssm)


def secret(name: str) -> str:
    return str(_provider(client("ssm")).get(name, decrypt=True, max_age=300))


def forget() -> None:
    """Read every secret afresh on next use (a webhook rotated, or refused)."""
    _provider.cache_clear()
