"""The bodies of the messages between stages (one per queue)."""

from __future__ import annotations

import base64
import zlib

from pydantic import AwareDatetime, Field, model_validator

from localangle.models.alert import Alert, Source
from localangle.models.article import FeedEntry
from localangle.models.base import Model
from localangle.models.figure import Figure, Match
from localangle.models.notice import FeedNotice


class FeedMessage(Model):
    """FeedQueue: poll this feed now."""

    feed_id: str
    scheduled_at: AwareDatetime
    state: dict[str, str | int | bool] | None = Field(
        default=None,
        description="the feed's state as ScheduleFeeds read it (validators, health), so FetchFeed need not "
        "read it again; None: FetchFeed reads it",
    )


# A page travels with its message, packed, up to this size (about 1 MB of HTML; outlets' pages are mostly
# 50-300 kB, 10-60 kB packed). SQS takes messages of up to 1 MiB (the queues' MaximumMessageSize) and bills
# each 64 KB of a payload as one request, sent and received: a page of 256 kB costs 8 requests, $3.20 a
# million, against $5.72 for an S3 PUT and GET of its own. Bigger pages are archived under raw/ by FetchFeed.
PAGE_CARRIED_BYTES = 256_000
MESSAGE_BYTES = 1_000_000  # what a message may come to with its page: the queues' 1 MiB, less a margin


class ArticleMessage(Model):
    """ArticleQueue: a new or changed entry and its page, when it could be fetched: carried along in `page`,
    packed (ProcessArticle archives it with the batch's other pages), or, too big for that, archived under
    raw_key by FetchFeed."""

    article_id: str
    feed_id: str
    outlet: str
    patch: list[str] = Field(default_factory=list)
    entry: FeedEntry
    fingerprint: str
    raw_key: str | None = None
    page: str | None = Field(
        default=None,
        description="the page, zlib-compressed and base64-encoded, when it is small enough to travel with "
        "the message; ProcessArticle archives it",
    )
    page_note: str = ""
    catch_up: bool = Field(default=False, description="found on the feed's first poll: backlog, summarised")
    handed_before: bool = Field(
        default=True,
        description="an earlier version of the entry was handed on, so the article may be stored already: "
        "ProcessArticle compares its text with the stored one; False (never handed on) spares that read",
    )

    def page_bytes(self) -> bytes | None:
        """The page carried along, as fetched; None when it was not, or does not decode (the article is then
        read from the feed's text)."""
        if not self.page:
            return None
        try:
            return zlib.decompress(base64.b64decode(self.page, validate=True))
        except (ValueError, zlib.error):  # binascii.Error is a ValueError
            return None

    def carry_page(self, body: bytes) -> bool:
        """Carry the page along if, packed, it stays under PAGE_CARRIED_BYTES and the whole message under
        MESSAGE_BYTES (a feed may give an entry's full text too); whether it does."""
        packed = base64.b64encode(zlib.compress(body, 6)).decode("ascii")
        self.page = packed if len(packed) <= PAGE_CARRIED_BYTES else None
        if self.page is not None and len(self.model_dump_json().encode()) > MESSAGE_BYTES:
            self.page = None
        return self.page is not None


class LedgerMessage(Model):
    """LedgerQueue (FIFO, grouped by operation): one article's figures for one operation."""

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


class AlertMessage(Model):
    """AlertQueue: an alert decided once by the ledger, to deliver to every newsroom it concerns; or a
    notice about a feed, for the operations channel of the newsrooms that read it."""

    alert: Alert | None = None
    notice: FeedNotice | None = None

    @model_validator(mode="after")
    def _one(self) -> AlertMessage:
        if (self.alert is None) == (self.notice is None):
            raise ValueError("an alert message carries exactly one of alert and notice")
        return self
