"""FetchFeed: conditional GET of one feed, parse, skip what was already handed on, fetch and archive pages.

A feed's health is kept with its state: consecutive failures, when it began failing, the last error and
the last success that changed the state (a healthy feed polled at every run writes nothing on a 304, so its
`last_success` and `last_polled` may be days old while it is fine), and `retry_at`, before which
ScheduleFeeds leaves it alone (the server's Retry-After, else an exponential backoff). After
`feed_failures_before_notice` failures in a row the newsrooms that read the feed get one notice in their
operations channel, and one more when it recovers.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from localangle.adapters.feeds import describe_html_page, looks_like_html_page, parse_feed
from localangle.adapters.http import FetchError
from localangle.adapters.queues import send, send_many
from localangle.adapters.storage import Archive, Articles, FeedState
from localangle.batch import BatchResponse, process_batch
from localangle.identity import article_id, canonical_url
from localangle.models.article import FeedEntry
from localangle.models.base import build
from localangle.models.config import FeedConfig
from localangle.models.messages import AlertMessage, ArticleMessage, FeedMessage
from localangle.models.notice import FeedNotice
from localangle.observability import log_keys, logger, metrics
from localangle.pipeline import runtime
from localangle.pipeline.schedule import due_at_every_run
from localangle.settings import settings

# A batch's feeds are polled in threads at once (batch.py): the invocation waits for its slowest outlet, not
# for the sum of them. As many as the template's BatchSize, so that every feed of a batch starts at once (they
# share one page deadline, `prepare`).
FEEDS_AT_ONCE = 10
# ... but parsed one at a time: parsing is CPU-bound, so threads would not make it faster (the interpreter
# runs one at a time anyway), and a 5 MB feed peaks at about 93 MB while parsed: ten at once would not fit
# in the function's 256 MB.
_parsing = threading.Lock()
MAX_BACKOFF = timedelta(hours=6)
MAX_DEFERRALS = 3  # polls an entry waits for its page before it goes on with the feed's own text
# Seconds of page fetching per invocation (FetchFeed's timeout is 60): entries beyond wait for the next poll.
PAGE_BUDGET_SECONDS = 35.0
# What a successful poll's state keeps of the state before it (the rest it replaces): the last failure, for
# anyone asking why a feed was backing off yesterday, and the entries it last listed and kept back (a 304
# lists none): a poll that read the feed replaces those two.
KEPT_AFTER_SUCCESS = ("last_error", "last_error_at", "recent", "deferred")
# A feed's state keeps a token for each entry its last document listed and the poll handed on or found
# unchanged, so that the next poll looks up only the entries not in it (DynamoDB bills a read for each entry
# looked up, found or not). A feed of more than about 250 entries keeps that many, those it handed on first.
RECENT_MAX_CHARS = 2750
TOKEN_CHARS = 10


@dataclass
class FeedOutcome:
    status: str  # fetched | not-modified | failed | unknown-feed
    new: int = 0
    unchanged: int = 0
    deferred: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str | None = None


def fingerprint(entry: FeedEntry) -> str:
    """What, if it changes, makes an entry worth reading again: not its GUID, not tracking parameters."""
    basis = "\x1f".join([canonical_url(entry.url) if entry.url else "", entry.title, entry.text])
    return hashlib.sha256(basis.encode()).hexdigest()


def recent_token(article: ArticleMessage) -> str:
    """A short token of an entry as handed on: its id and its content. Ten hex digits: a new entry taken for
    one of a feed's few hundred recent ones is a chance of about one in 10^9."""
    return hashlib.sha256(f"{article.article_id}\x1f{article.fingerprint}".encode()).hexdigest()[:TOKEN_CHARS]


def entry_message(feed: FeedConfig, entry: FeedEntry, *, catch_up: bool = False) -> ArticleMessage:
    """The ArticleQueue message for a feed entry, before its page is fetched."""
    entry_print = fingerprint(entry)
    return ArticleMessage(
        article_id=article_id(entry.url, entry.guid, entry_print),
        feed_id=feed.id,
        outlet=feed.outlet,
        patch=feed.patch,
        entry=entry,
        fingerprint=entry_print,
        page_note="feed text only: the entry has no link",
        catch_up=catch_up,
    )


def prepare() -> float:
    """Before a batch's feeds are polled at once: the models they validate are built in this thread, and the
    time by which every feed of the batch stops fetching pages is set (returned), so that a feed that waited
    for the parse lock does not get a budget of its own past the function's timeout."""
    build(FeedMessage, ArticleMessage, FeedEntry, FeedConfig, AlertMessage, FeedNotice)
    return time.monotonic() + PAGE_BUDGET_SECONDS


def poll_batch(event: Mapping[str, Any]) -> BatchResponse:
    """FetchFeed's batch: its feeds polled at once, and one log line that tells how each went (a quiet feed's
    304 is most polls: a line each would be most of the service's log bill)."""
    pages_until = prepare()
    polled: list[tuple[str, FeedOutcome]] = []

    def poll(body: str) -> None:
        message = FeedMessage.model_validate_json(body)
        polled.append((message.feed_id, fetch_feed(message, pages_until)))  # list.append is atomic

    try:
        return process_batch(event, poll, workers=FEEDS_AT_ONCE)
    finally:
        by_status: dict[str, list[str]] = {}
        for feed_id, outcome in sorted(polled, key=lambda polled_feed: polled_feed[0]):
            by_status.setdefault(outcome.status.replace("-", "_"), []).append(feed_id)
        logger.info(
            "feeds polled",
            extra={**by_status, "new": sum(outcome.new for _, outcome in polled)},
        )


@log_keys(lambda m: {"feed_id": m.feed_id})
def fetch_feed(message: FeedMessage, pages_until: float | None = None) -> FeedOutcome:
    """Poll one feed; `pages_until` (time.monotonic()) is when it stops fetching pages, else the page
    budget from now."""
    s = settings()
    config = runtime.config()
    try:
        feed = config.feed(message.feed_id)
    except KeyError:
        logger.warning("feed is no longer configured", extra={"feed_id": message.feed_id})
        return FeedOutcome("unknown-feed")
    health = _Health(FeedState(s.feeds_table), feed, message.scheduled_at.astimezone(UTC), message.state)
    state = health.state
    try:
        response = runtime.http().get(
            str(feed.url), etag=state.get("etag"), last_modified=state.get("last_modified")
        )
    except FetchError as exc:
        return health.failed(str(exc), exc.retry_after)
    if response.status == 304:
        health.succeeded()  # told in the batch's "feeds polled" line
        return FeedOutcome("not-modified")
    if response.status != 200:
        error = f"HTTP {response.status}"
        if looks_like_html_page(response.body, response.content_type):
            error = describe_html_page(response.body, error)
        return health.failed(error, response.retry_after())
    with _parsing:
        parsed = parse_feed(response.body, response.url, response.content_type)
    if parsed.error:
        return health.failed(parsed.error)
    archive = Archive(s.archive_bucket)
    outcome = FeedOutcome("fetched", skipped=list(parsed.skipped))
    # The first successful poll of a feed shows its backlog: recorded and summarised, not alerted one by one.
    backlog = not state.get("last_success")
    budget_ends = pages_until if pages_until is not None else time.monotonic() + PAGE_BUDGET_SECONDS
    messages = [entry_message(feed, entry) for entry in parsed.entries]
    tokens = [recent_token(m) for m in messages]
    recent = set(str(state.get("recent", "")).split())
    # only the entries the last poll did not list are looked up: one request per hundred of them
    unknown = [m.article_id for m, token in zip(messages, tokens, strict=True) if token not in recent]
    seen_before = Articles(s.articles_table).known(unknown) if unknown else {}
    waited_before = _deferrals(state)  # the entries whose pages could not be had at the last poll
    waiting_now: dict[str, tuple[int, bool]] = {}
    handed: list[ArticleMessage] = []  # to go in the next request
    fresh: set[str] = set()  # the tokens of all this poll hands on
    listed: list[str] = []  # the tokens of the entries handed on or unchanged: the next poll's `recent`
    waiting: set[str] = set()  # ... but for those deferred: one link twice in the feed may be both
    cut: list[str] = []  # what was cut from the entries handed on, too big to carry whole
    for n, (entry, article, token) in enumerate(zip(parsed.entries, messages, tokens, strict=True)):
        known = seen_before.get(article.article_id, {})
        if token in recent or known.get("fingerprint") == article.fingerprint:
            outcome.unchanged += 1
            listed.append(token)
            continue
        # the same article twice in one feed (one link under two GUIDs): the first one counts
        seen_before[article.article_id] = {"fingerprint": article.fingerprint}
        waited, was_backlog = waited_before.get(article.article_id, (0, False))
        article.catch_up = backlog or was_backlog
        article.handed_before = bool(known)  # read before (a row), or earlier in this very feed
        if entry.url and time.monotonic() > budget_ends:
            outcome.deferred += 1  # no time left in this invocation: the next poll fetches its page
            waiting.add(token)  # (a wait that is not the page's fault: not counted)
            waiting_now[article.article_id] = (waited, article.catch_up)
            continue
        if entry.url:
            try:
                article.raw_key, article.page_note = _archive_page(archive, article, entry.url)
            except FetchError as exc:
                # The page is there but not now (timeout, 429, 5xx): the entry waits for a later poll,
                # unless it has waited long enough, when it goes on with the feed's own text.
                if waited + 1 < MAX_DEFERRALS:
                    outcome.deferred += 1
                    waiting.add(token)
                    waiting_now[article.article_id] = (waited + 1, article.catch_up)
                    logger.info(
                        "entry deferred",
                        extra={"feed_id": feed.id, "article_id": article.article_id, "reason": str(exc)},
                    )
                    continue
                article.page_note = f"feed text only: {exc}"
        handed.append(article)
        if n in parsed.cut:
            cut.append(parsed.cut[n])
        fresh.add(token)
        listed.append(token)
        if len(handed) == 10:  # a full request's worth: handed on now, so a timeout loses no more
            outcome.new += _hand_over(handed)
    # the feed's state after the hand-over: a crash before it polls the feed again in full and hands the
    # entries on again, which every later step takes for a repeat
    outcome.new += _hand_over(handed)
    listed_text, deferred = _recent_text(set(listed) - waiting, fresh), _deferred_text(waiting_now)
    if outcome.deferred:
        # entries left for later must be seen again: without the validators the next poll is a full GET,
        # never a 304 that would hide them
        health.succeeded(always=True, etag="", last_modified="", recent=listed_text, deferred=deferred)
    else:
        health.succeeded(
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            recent=listed_text,
            deferred=deferred,
        )
    logger.info(
        "feed fetched",
        extra={
            "feed_id": feed.id,
            "new": outcome.new,
            "unchanged": outcome.unchanged,
            "deferred": outcome.deferred,
            "skipped": len(outcome.skipped),
            "warning": parsed.warning,
        },
    )
    if cut:
        logger.warning("entries too big to carry were cut", extra={"feed_id": feed.id, "cut": cut})
    metrics.add_metric(name="ArticlesFound", unit="Count", value=outcome.new)
    return outcome


def _hand_over(handed: list[ArticleMessage]) -> int:
    """Send the entries ten to a request; empties `handed` and returns how many went. What was handed on is
    known by the articles' rows (ProcessArticle writes them with each entry's fingerprint) and by the feed's
    `recent` tokens, written after the hand-over."""
    count = send_many(settings().article_queue_url, handed)
    handed.clear()
    return count


def _deferrals(state: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    """The entries a feed's last poll left for later, from its state: article id → (polls it waited for its
    page, whether it was found in the feed's backlog). One short string in the state item, as ScheduleFeeds
    hands the state on in the poll's message."""
    out = {}
    for part in str(state.get("deferred", "")).split():
        article_id, polls, backlog = part.rsplit(":", 2)
        out[article_id] = (int(polls), backlog == "1")
    return out


def _deferred_text(waiting: dict[str, tuple[int, bool]]) -> str:
    """What `_deferrals` reads back, for the entries it has something to say of (a wait counted, or a
    backlog entry), at most RECENT_MAX_CHARS: an entry beyond starts its count again."""
    parts = [f"{a}:{n}:{int(backlog)}" for a, (n, backlog) in sorted(waiting.items()) if n or backlog]
    text = ""
    for part in parts:
        if len(text) + len(part) + 1 > RECENT_MAX_CHARS:
            logger.warning("too many entries kept back to count them all", extra={"kept_back": len(parts)})
            break
        text = f"{text} {part}" if text else part
    return text


def _recent_text(tokens: set[str], fresh: set[str]) -> str:
    """The `recent` tokens to keep, sorted (a feed that only reorders its entries changes nothing to write).
    When they do not all fit in RECENT_MAX_CHARS, the entries handed on in this poll come first: their
    articles may not have been read yet, so no row would tell a later poll they were handed on."""
    room = (RECENT_MAX_CHARS + 1) // (TOKEN_CHARS + 1)
    if len(tokens) > room:
        tokens = set(sorted(tokens, key=lambda t: (t not in fresh, t))[:room])
    return " ".join(sorted(tokens))


def _archive_page(archive: Archive, article: ArticleMessage, url: str) -> tuple[str | None, str]:
    """Carry the article's page in the message, or archive it when too big for that: (raw key or None, note);
    (None, why) when it will never be usable; FetchError when it may be later."""
    try:
        page = runtime.http().get(url)
    except FetchError as exc:
        if exc.transient:
            raise
        return None, f"feed text only: {exc}"
    if page.status == 429 or page.status >= 500:
        raise FetchError(f"{url}: HTTP {page.status}", retry_after=page.retry_after(), transient=True)
    if page.status != 200:
        return None, f"feed text only: the page answered HTTP {page.status}"
    if not looks_like_html_page(page.body, page.content_type) and "html" not in page.content_type:
        return None, f"feed text only: the page is {page.content_type or 'not HTML'}"
    if article.carry_page(page.body):
        return None, "page fetched"  # archived by ProcessArticle, with the batch's other pages
    return archive.put_raw(article.article_id, page.body, page.content_type), "page fetched"


class _Health:
    """A feed's state for this poll: conditional GET validators, failures, backoff and notices."""

    def __init__(
        self, table: FeedState, feed: FeedConfig, polled: datetime, state: dict[str, Any] | None = None
    ) -> None:
        self.table = table
        self.feed = feed
        self.polled = polled
        # A healthy feed's state as ScheduleFeeds read it for this poll (its validators); a failing feed's,
        # whose counts and notices must not go by an old copy, read now.
        healthy = state is not None and not state.get("failures") and not state.get("noticed")
        self.state: dict[str, Any] = dict(state) if state is not None and healthy else table.get(feed.id)

    def failed(self, error: str, retry_after: float | None = None) -> FeedOutcome:
        self.state = self.table.get(self.feed.id)  # counted from the state as it is, not as scheduled
        if self.state.get("last_error_at") == self.polled.isoformat():
            # this poll's failure is already counted: SQS delivered the message again
            logger.info("feed failure already recorded for this poll", extra={"feed_id": self.feed.id})
            return FeedOutcome("failed", error=error)
        failures = int(self.state.get("failures", 0) or 0) + 1
        since = str(self.state.get("failing_since") or self.polled.isoformat())
        if retry_after is not None:
            wait = timedelta(seconds=retry_after)
        else:  # the usual interval after one failure, doubling after each further one
            wait = min(timedelta(minutes=self.feed.poll_minutes) * 2 ** (failures - 1), MAX_BACKOFF)
        retry_at = self.polled + wait  # the schedule's clock: EventBridge's time in AWS, the story's locally
        fields: dict[str, Any] = {
            "last_polled": self.polled.isoformat(),
            "failures": failures,
            "failing_since": since,
            "last_error": error,
            "last_error_at": self.polled.isoformat(),
            "retry_at": retry_at.isoformat(),
        }
        threshold = settings().feed_failures_before_notice
        if failures >= threshold and self.state.get("noticed") != since:
            # The notice goes before the state that says it went: a crash between them sends it again,
            # and SendAlert's idempotency (the notice key names the outage) delivers it once.
            self._notify("feed_failing", failures, error, since)
            fields["noticed"] = since
        self.table.record(self.feed.id, **fields)
        logger.warning(
            "feed failed",
            extra={
                "feed_id": self.feed.id,
                "error": error,
                "failures": failures,
                "retry_at": fields["retry_at"],
            },
        )
        metrics.add_metric(name="FeedFailures", unit="Count", value=1)
        return FeedOutcome("failed", error=error)

    def succeeded(self, always: bool = False, **validators: str) -> None:
        """Write the poll down (validators, listed and kept-back entries, health) unless that would change
        nothing. `always` when the validators are cleared on purpose, as a run that overlapped this one may
        have stored new ones. A feed that had been failing gets its recovery notice first."""
        if not always and self._nothing_to_write(validators):
            return
        noticed = self.state.get("noticed")
        if noticed:
            failures = int(self.state.get("failures", 0) or 0)
            self._notify("feed_recovered", failures, str(self.state.get("last_error", "")), str(noticed))
        item: dict[str, Any] = {k: str(self.state[k]) for k in KEPT_AFTER_SUCCESS if self.state.get(k)}
        item.update(
            feed_id=self.feed.id,
            last_polled=self.polled.isoformat(),
            last_success=self.polled.isoformat(),
            failures=0,
            **validators,
        )
        self.table.put(item)

    def _nothing_to_write(self, validators: dict[str, str]) -> bool:
        """Whether writing this poll down would change nothing a later run reads: a healthy feed polled
        before, the same validators and recent entries, and a poll interval no longer than the schedule's
        rate, so the next run finds the feed due whenever it was last written down. Most polls of a quiet feed
        are such (a 304, or the same document again), and skip a write."""
        state = self.state
        if not state.get("last_success") or state.get("failures"):
            return False
        if any(key in state for key in ("retry_at", "failing_since", "noticed")):
            return False
        if any(str(state.get(key, "")) != value for key, value in validators.items()):
            return False
        return due_at_every_run(self.feed, settings().schedule_minutes)

    def _notify(self, kind: str, failures: int, error: str, since: str) -> None:
        notice = FeedNotice.model_validate(
            {
                "kind": kind,
                "feed_id": self.feed.id,
                "outlet": self.feed.outlet,
                "url": str(self.feed.url),
                "patch": self.feed.patch,
                "failures": failures,
                "last_error": error,
                "failing_since": since,
                "at": self.polled,
            }
        )
        send(settings().alert_queue_url, AlertMessage(notice=notice))
        logger.info("feed notice queued", extra={"feed_id": self.feed.id, "kind": kind})
