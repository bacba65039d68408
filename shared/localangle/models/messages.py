"""The bodies of the messages between stages (one per queue)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from localangle.models.alert import Alert, Source
from localangle.models.article import FeedEntry
from localangle.models.figure import Figure, Match
from localangle.models.notice import FeedNotice


class FeedMessage(BaseModel):
    """FeedQueue: poll this feed now."""

    model_config = ConfigDict(extra="forbid")

    feed_id: str
    scheduled_at: AwareDatetime
    state: dict[str, str | int | bool] | None = Field(
        default=None,
        description="the feed's state as ScheduleFeeds read it (validators, health), so FetchFeed need not "
        "read it again; None: FetchFeed reads it",
    )


class ArticleMessage(BaseModel):
    """ArticleQueue: a new or changed entry, its page archived under raw_key when it could be fetched."""

    model_config = ConfigDict(extra="forbid")

    article_id: str
    feed_id: str
    outlet: str
    patch: list[str] = Field(default_factory=list)
    entry: FeedEntry
    fingerprint: str
    raw_key: str | None = None
    page_note: str = ""
    catch_up: bool = Field(default=False, description="found on the feed's first poll: backlog, summarised")
    handed_before: bool = Field(
        default=True,
        description="an earlier version of the entry was handed on, so the article may be stored already: "
        "ProcessArticle compares its text with the stored one; False (never handed on) spares that read",
    )


class LedgerMessage(BaseModel):
    """LedgerQueue (FIFO, grouped by operation): one article's figures for one operation."""

    model_config = ConfigDict(extra="forbid")

    operation: str
    origin: Source
    match: Match
    regions: list[str]
    figures: list[Figure]
    evidence: dict[str, str] = Field(default_factory=dict)
    catch_up: bool = Field(
        default=False, description="backlog (a feed's first poll, an archive backfill): record, summarise"
    )
    sketch: list[int] = Field(
        default_factory=list, description="MinHash sketch of the text, to recognise syndicated copies"
    )


class AlertMessage(BaseModel):
    """AlertQueue: an alert decided once by the ledger, to deliver to every newsroom it concerns; or a
    notice about a feed, for the operations channel of the newsrooms that read it."""

    model_config = ConfigDict(extra="forbid")

    alert: Alert | None = None
    notice: FeedNotice | None = None

    @model_validator(mode="after")
    def _one(self) -> AlertMessage:
        if (self.alert is None) == (self.notice is None):
            raise ValueError("an alert message carries exactly one of alert and notice")
        return self
