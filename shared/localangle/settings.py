"""Environment configuration of the functions, validated once at cold start."""

from __future__ import annotations

import ipaddress
import os
from functools import cache

from pydantic import ConfigDict, Field, ValidationError, field_validator

from localangle.models.base import Model


class Settings(Model):
    """The environment variables template.yaml gives every function (see Globals.Function.Environment)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    archive_bucket: str = Field(alias="ARCHIVE_BUCKET")
    feeds_table: str = Field(alias="FEEDS_TABLE")
    articles_table: str = Field(alias="ARTICLES_TABLE")
    ledger_table: str = Field(alias="LEDGER_TABLE")
    alerts_table: str = Field(alias="ALERTS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    digest_table: str = Field(alias="DIGEST_TABLE")
    feed_queue_url: str = Field(alias="FEED_QUEUE_URL")
    article_queue_url: str = Field(alias="ARTICLE_QUEUE_URL")
    ledger_queue_url: str = Field(alias="LEDGER_QUEUE_URL")
    alert_queue_url: str = Field(alias="ALERT_QUEUE_URL")
    email_topic_arn: str = Field(alias="EMAIL_TOPIC_ARN")
    sender_email: str = Field(default="", alias="SENDER_EMAIL")
    slack_webhook_parameter: str = Field(alias="SLACK_WEBHOOK_PARAMETER")
    config_prefix: str = Field(default="config/", alias="CONFIG_PREFIX")
    # Local runs only: read configuration from a folder instead of the archive bucket.
    config_dir: str | None = Field(default=None, alias="LOCALANGLE_CONFIG_DIR")
    http_connect_timeout: float = Field(default=5.0, alias="LOCALANGLE_HTTP_CONNECT_TIMEOUT", gt=0)
    http_read_timeout: float = Field(default=15.0, alias="LOCALANGLE_HTTP_READ_TIMEOUT", gt=0)
    http_max_bytes: int = Field(default=5_000_000, alias="LOCALANGLE_HTTP_MAX_BYTES", gt=0)
    http_host_interval: float = Field(default=0.25, alias="LOCALANGLE_HTTP_HOST_INTERVAL", ge=0)
    # Local runs and tests only: "127.0.0.1:8080,..." exact address:port pairs the address guard lets
    # through (the local feed server). Empty in AWS, where nothing but public addresses is fetched.
    http_allow: str = Field(default="", alias="LOCALANGLE_HTTP_ALLOW")
    # How long a new alert waits in the queue, so syndicated copies fetched in the same run are listed in it.
    alert_delay_seconds: int = Field(default=120, alias="LOCALANGLE_ALERT_DELAY_SECONDS", ge=0, le=900)
    # How long a Slack post may wait for an answer; a post that times out is not repeated within the call.
    slack_timeout: int = Field(default=10, alias="LOCALANGLE_SLACK_TIMEOUT_SECONDS", ge=1, le=60)
    # The schedule's rate (template parameter ScheduleMinutes): a feed polled at least this often needs no
    # write when a poll changed nothing, as the next run finds it due anyway.
    schedule_minutes: int = Field(default=15, alias="LOCALANGLE_SCHEDULE_MINUTES", ge=5, le=1440)
    # Consecutive failed polls of a feed before its newsrooms' operations channel is told.
    feed_failures_before_notice: int = Field(default=3, alias="LOCALANGLE_FEED_FAILURES_BEFORE_NOTICE", ge=1)

    @field_validator("http_allow")
    @classmethod
    def _pairs(cls, value: str) -> str:
        _address_pairs(value)  # raises on the first item that is not one
        return value

    def allowed_addresses(self) -> list[tuple[str, int]]:
        return _address_pairs(self.http_allow)


def _address_pairs(value: str) -> list[tuple[str, int]]:
    """ "127.0.0.1:8080, [::1]:9000" as (address, port) pairs; ValueError naming the first bad item."""
    pairs = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        address, _, port = item.rpartition(":")
        try:
            ipaddress.ip_address(address.strip("[]"))
            valid = port.isdigit() and 0 < int(port) < 65536
        except ValueError:
            valid = False
        if not valid:
            raise ValueError(f"{item!r} is not an address:port pair such as 127.0.0.1:8080")
        pairs.append((address.strip("[]"), int(port)))
    return pairs


class SettingsError(RuntimeError):
    pass


@cache
def settings() -> Settings:
    try:
        return Settings.model_validate(dict(os.environ))
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"function environment is incomplete: {problems}") from exc
