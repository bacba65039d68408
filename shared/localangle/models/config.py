"""Configuration records: the outlets' feeds and the newsrooms that receive alerts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, HttpUrl, field_validator

from localangle.models.base import Model
from localangle.models.operation import Operation, Slug

# an address as a mail header can carry it: no spaces or line breaks (a header injection), one @, a dot after
EmailAddress = Annotated[str, Field(pattern=r"^[^@\s\r\n]+@[^@\s\r\n]+\.[^@\s\r\n]+$")]


class FeedConfig(Model):
    """An outlet's feed and the patch it covers."""

    id: Slug
    outlet: str
    url: HttpUrl
    patch: list[str] = Field(default_factory=list, description="scopes the outlet covers, e.g. ['cheshire']")
    poll_minutes: Annotated[int, Field(ge=5, le=1440)] = 15

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: HttpUrl) -> HttpUrl:
        if value.scheme not in {"http", "https"}:
            raise ValueError("only http and https feeds are fetched")
        return value


class SlackChannel(Model):
    webhook_parameter: str = Field(
        pattern=r"^/[A-Za-z0-9_./-]+$", description="SSM SecureString parameter holding the webhook URL"
    )


class OpsChannel(Model):
    """Where a newsroom hears about the service itself (a feed failing); its alert channels if unset."""

    slack: SlackChannel | None = None
    email: list[EmailAddress] = Field(default_factory=list)


class Newsroom(Model):
    """A newsroom: its patch, the operations it follows and where its alerts go."""

    id: Slug
    name: str
    patch: list[str] = Field(description="scopes the newsroom covers; ['uk'] for a national desk")
    operations: list[str] = Field(default_factory=list, description="operation ids; empty means all")
    slack: SlackChannel | None = None
    email: list[EmailAddress] = Field(default_factory=list)
    email_every: Literal["run", "alert"] = Field(
        default="run",
        description="'run': one email a scheduled run with the alerts raised since the last, each in full; "
        "'alert': an email for each alert as it comes. Slack is never held. Email through the SNS topic "
        "goes alert by alert.",
    )
    digest: Literal["hourly", "daily"] | None = Field(
        default=None, description="hold alerts and send them together, hourly or daily, instead of one by one"
    )
    ops: OpsChannel | None = Field(
        default=None, description="operations channel for feed failures; the alert channels when unset"
    )
    digest_at: str = Field(
        default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="daily digest time, HH:MM UTC"
    )


class Config(Model):
    """Everything the flow is configured with, validated as a whole."""

    operations: list[Operation]
    feeds: list[FeedConfig] = Field(default_factory=list)
    newsrooms: list[Newsroom] = Field(default_factory=list)

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.id == operation_id:
                return op
        raise KeyError(operation_id)

    def feed(self, feed_id: str) -> FeedConfig:
        for feed in self.feeds:
            if feed.id == feed_id:
                return feed
        raise KeyError(feed_id)
