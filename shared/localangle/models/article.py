"""Articles as they come from a feed and as they are stored once normalised."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from localangle.models.base import Model


class FeedEntry(Model):
    """One entry of a feed, normalised by the feed adapter; not yet an article."""

    guid: str | None = None
    url: str | None = None
    title: str = ""
    published: AwareDatetime | None = None
    text: str = Field(default="", description="the feed's own summary or content, as plain text")


class Article(Model):
    """A normalised article: what is archived in S3 and DynamoDB and what the editorial core reads."""

    id: str = Field(description="stable id from the canonical URL, else the GUID, else the content hash")
    url: str | None = None
    title: str = ""
    outlet: str | None = None
    published: AwareDatetime | None = None
    text: str = Field(default="", description="clean body text, paragraphs separated by blank lines")
    content_hash: str
    feed_id: str | None = None
    patch: list[str] = Field(default_factory=list, description="the outlet's home patch (scopes)")
    source: str | None = Field(default=None, description="a file path when the article came from disk")


def utc_iso(moment: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC, the form every output uses."""
    if moment is None:
        return None
    from datetime import UTC

    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
