"""FetchFeed: conditional GET of one feed, parse, skip what was already handed on, fetch and archive pages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC

from localangle.adapters.feeds import looks_like_html_page, parse_feed
from localangle.adapters.http import FetchError
from localangle.adapters.queues import send
from localangle.adapters.storage import Archive, FeedState, SeenEntries
from localangle.identity import article_id
from localangle.models.article import FeedEntry
from localangle.models.messages import ArticleMessage, FeedMessage
from localangle.observability import logger, metrics
from localangle.pipeline import runtime
from localangle.settings import settings


@dataclass
class FeedOutcome:
    status: str  # fetched | not-modified | failed | unknown-feed
    new: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str | None = None


def fingerprint(entry: FeedEntry) -> str:
    """What, if it changes, makes an entry worth reading again."""
    basis = "\x1f".join([entry.url or "", entry.title, entry.text])
    return hashlib.sha256(basis.encode()).hexdigest()


def fetch_feed(message: FeedMessage) -> FeedOutcome:
    s = settings()
    config = runtime.config()
    try:
        feed = config.feed(message.feed_id)
    except KeyError:
        logger.warning("feed is no longer configured", extra={"feed_id": message.feed_id})
        return FeedOutcome("unknown-feed")
    state_table = FeedState(s.feeds_table)
    state = state_table.get(feed.id)
    polled = message.scheduled_at.astimezone(UTC).isoformat()
    http = runtime.http()
    try:
        response = http.get(str(feed.url), etag=state.get("etag"), last_modified=state.get("last_modified"))
    except FetchError as exc:
        return _failed(state_table, feed.id, state, polled, str(exc))
    if response.status == 304:
        state_table.record(feed.id, last_polled=polled, failures=0, last_success=polled)
        logger.info("feed not modified", extra={"feed_id": feed.id})
        return FeedOutcome("not-modified")
    if response.status != 200:
        return _failed(state_table, feed.id, state, polled, f"HTTP {response.status}")
    parsed = parse_feed(response.body, response.url, response.content_type)
    if parsed.error:
        return _failed(state_table, feed.id, state, polled, parsed.error)
    seen = SeenEntries(s.entries_table)
    archive = Archive(s.archive_bucket)
    outcome = FeedOutcome("fetched", skipped=list(parsed.skipped))
    # The first successful poll of a feed shows its backlog: recorded and summarised, not alerted one by one.
    backlog = not state.get("last_success")
    for entry in parsed.entries:
        entry_print = fingerprint(entry)
        entry_id = article_id(entry.url, entry.guid, entry_print)
        if seen.fingerprint(entry_id) == entry_print:
            outcome.unchanged += 1
            continue
        raw_key, note = None, "feed text only: the entry has no link"
        if entry.url:
            raw_key, note = _archive_page(archive, entry_id, entry.url)
        article = ArticleMessage(
            article_id=entry_id,
            feed_id=feed.id,
            outlet=feed.outlet,
            patch=feed.patch,
            entry=entry,
            fingerprint=entry_print,
            raw_key=raw_key,
            page_note=note,
            catch_up=backlog,
        )
        send(s.article_queue_url, article)
        seen.remember(
            entry_id, entry_print, feed.id
        )  # only after the hand-over: a crash before it retries the entry
        outcome.new += 1
    state_table.record(
        feed.id,
        last_polled=polled,
        last_success=polled,
        failures=0,
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
    )
    logger.info(
        "feed fetched",
        extra={
            "feed_id": feed.id,
            "new": outcome.new,
            "unchanged": outcome.unchanged,
            "skipped": len(outcome.skipped),
            "warning": parsed.warning,
        },
    )
    metrics.add_metric(name="ArticlesFound", unit="Count", value=outcome.new)
    return outcome


def _archive_page(archive: Archive, entry_id: str, url: str) -> tuple[str | None, str]:
    try:
        page = runtime.http().get(url)
    except FetchError as exc:
        return None, f"feed text only: {exc}"
    if page.status != 200:
        return None, f"feed text only: the page answered HTTP {page.status}"
    if not looks_like_html_page(page.body, page.content_type) and "html" not in page.content_type:
        return None, f"feed text only: the page is {page.content_type or 'not HTML'}"
    return archive.put_raw(entry_id, page.body, page.content_type), "page fetched"


def _failed(table: FeedState, feed_id: str, state: dict[str, object], polled: str, error: str) -> FeedOutcome:
    failures = int(str(state.get("failures", 0) or 0)) + 1
    table.record(feed_id, last_polled=polled, failures=failures, last_error=error, last_error_at=polled)
    logger.warning("feed failed", extra={"feed_id": feed_id, "error": error, "failures": failures})
    metrics.add_metric(name="FeedFailures", unit="Count", value=1)
    return FeedOutcome("failed", error=error)
