"""Secrets from SSM Parameter Store SecureString, cached for five minutes; values are never logged."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters

from localangle.adapters.aws import client


def secret(name: str) -> str:
    provider = parameters.SSMProvider(boto3_client=client("ssm"))
    return str(provider.get(name, decrypt=True, max_age=300))
