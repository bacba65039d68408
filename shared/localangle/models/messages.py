"""The bodies of the messages between stages (one per queue)."""

from __future__ import annotations

import base64
import zlib

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


# Ten articles of a feed go in one SendMessageBatch request of at most 256 KiB: pages up to this size
# still let most batches hold ten (and each 64 KB of a payload is billed as one more request).
PAGE_CARRIED_BYTES = 20_000


class ArticleMessage(BaseModel):
    """ArticleQueue: a new or changed entry, its page archived under raw_key when it could be fetched (and
    carried along in `page` when small enough)."""

    model_config = ConfigDict(extra="forbid")

    article_id: str
    feed_id: str
    outlet: str
    patch: list[str] = Field(default_factory=list)
    entry: FeedEntry
    fingerprint: str
    raw_key: str | None = None
    page: str | None = Field(
        default=None,
        description="the page archived under raw_key, zlib-compressed and base64-encoded, when it is small "
        "enough to travel with the message: ProcessArticle then need not read the archive",
    )
    page_note: str = ""
    catch_up: bool = Field(default=False, description="found on the feed's first poll: backlog, summarised")
    handed_before: bool = Field(
        default=True,
        description="an earlier version of the entry was handed on, so the article may be stored already: "
        "ProcessArticle compares its text with the stored one; False (never handed on) spares that read",
    )

    def page_bytes(self) -> bytes | None:
        """The page carried along, as fetched; None when it was not, or does not decode (the archive under
        raw_key holds it all the same)."""
        if not self.page:
            return None
        try:
            return zlib.decompress(base64.b64decode(self.page, validate=True))
        except (ValueError, zlib.error):  # binascii.Error is a ValueError
            return None

    def carry_page(self, body: bytes) -> None:
        """Carry the page along if, compressed, it stays under PAGE_CARRIED_BYTES (most outlet pages do:
        25 to 55 kB of HTML is 7 to 15 kB so); a bigger one is read from the archive."""
        packed = base64.b64encode(zlib.compress(body, 6)).decode("ascii")
        self.page = packed if len(packed) <= PAGE_CARRIED_BYTES else None


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
