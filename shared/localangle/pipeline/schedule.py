"""ScheduleFeeds: one FeedQueue message per feed that is due."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from localangle.adapters.queues import send_many
from localangle.adapters.storage import FeedState
from localangle.models.config import FeedConfig
from localangle.models.messages import FeedMessage
from localangle.observability import logger, metrics
from localangle.pipeline import runtime
from localangle.settings import settings

SLACK = timedelta(minutes=1)  # a schedule that fires a little early still polls a 15-minute feed


def _due(feed: FeedConfig, state: dict[str, Any], now: datetime) -> bool:
    """Due when its poll interval has passed and it is not backing off (Retry-After, repeated failures)."""
    retry_at = state.get("retry_at")
    if retry_at and now < datetime.fromisoformat(str(retry_at)):
        return False
    last = state.get("last_polled")
    if not last:
        return True
    return now - datetime.fromisoformat(str(last)) >= _interval(feed)


def _interval(feed: FeedConfig) -> timedelta:
    """How long after a poll the feed is due again: its poll interval, less SLACK."""
    return timedelta(minutes=feed.poll_minutes) - SLACK


def due_at_every_run(feed: FeedConfig, schedule_minutes: int) -> bool:
    """Whether every scheduled run finds the feed due, however recently it was polled: its interval is no
    longer than the schedule's rate, give or take SLACK. Such a feed's poll need not be written down."""
    return _interval(feed) <= timedelta(minutes=schedule_minutes)


def schedule_feeds(now: datetime) -> int:
    s = settings()
    feeds = runtime.config().feeds
    states = FeedState(s.feeds_table).get_many([f.id for f in feeds])
    due = [f for f in feeds if _due(f, states.get(f.id, {}), now)]
    messages = [FeedMessage(feed_id=f.id, scheduled_at=now, state=_plain(states.get(f.id, {}))) for f in due]
    send_many(s.feed_queue_url, messages)
    logger.info("feeds scheduled", extra={"due": len(due), "feeds": len(feeds)})
    metrics.add_metric(name="FeedsScheduled", unit="Count", value=len(due))
    # a gauge, once per run: the FeedsFailing alarm in template.yaml watches it
    failing = [f.id for f in feeds if _failing(states.get(f.id, {}), s.feed_failures_before_notice)]
    metrics.add_metric(name="FeedsFailing", unit="Count", value=len(failing))
    if failing:
        logger.warning("feeds failing", extra={"feed_ids": failing})
    return len(due)


def _plain(state: dict[str, Any]) -> dict[str, str | int | bool]:
    """The state item as JSON can carry it (DynamoDB's numbers arrive as Decimal)."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in state.items() if k != "feed_id"}


def _failing(state: dict[str, Any], threshold: int) -> bool:
    """Failed as many polls in a row as it takes to tell the newsrooms."""
    return int(state.get("failures", 0) or 0) >= threshold
