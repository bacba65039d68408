"""Roundup (on the schedule): publish changed ledger reports; send catch-up summaries, due digests, and each
newsroom's email of the alerts raised since the last run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from time import monotonic

from aws_lambda_powertools.utilities.typing import LambdaContext

from localangle.adapters.storage import Archive, Held, HeldAlerts, LedgerTable
from localangle.core.gazetteer import load_gazetteer
from localangle.models.alert import Alert
from localangle.models.config import Newsroom
from localangle.models.operation import Operation
from localangle.observability import logger, metrics
from localangle.pipeline import runtime
from localangle.pipeline import send as sending
from localangle.render import AlertView, summary_view, view, with_carriers
from localangle.report import Cell, Published, as_html, as_json, cells, report_key, updated
from localangle.settings import settings

CATCH_UP, DIGEST, EMAIL = sending.CATCH_UP, sending.DIGEST, sending.EMAIL
EARLY = timedelta(minutes=1)  # a schedule that fires a little early still sends an hourly digest
# A report is rebuilt from the whole ledger at least this often, changed or not, whatever its changes say:
# whatever a report got wrong (an update undone while it was read) lasts a day at most.
READ_WHOLE_EVERY = timedelta(days=1)
# Of a run's time, what is kept back: once less is left, the run starts no delivery (a message to one channel)
# and no report, and leaves them to the next run. A run cut off by its timeout after a message went out and
# before its delivery was recorded would send it again at the next run. A slow delivery fits in it (Slack's
# timeout and retries take up to about 30 s); the worst case does not (SES's call retried five times at the
# AWS client's 25 s limits), and then a message can still go out twice.
SEND_MARGIN_SECONDS = 40


@dataclass(frozen=True)
class Deadline:
    """When a run stops starting reports and messages (on time.monotonic()); `at` None: never."""

    at: float | None = None

    @classmethod
    def within(cls, remaining_ms: int | None) -> Deadline:
        """The deadline of a run with this much of its time left (the Lambda context's remaining time)."""
        return cls() if remaining_ms is None else cls(monotonic() + remaining_ms / 1000 - SEND_MARGIN_SECONDS)

    def passed(self) -> bool:
        return self.at is not None and monotonic() >= self.at


class OutOfTime(Exception):
    """The run's deadline passed before a message was started; what is held stays held for the next run."""

    def __init__(self, sent: int) -> None:
        super().__init__(f"out of time after {sent} messages")
        self.sent = sent


def register_context(context: LambdaContext) -> None:
    sending.register_context(context)


def publish_reports(now: datetime, deadline: Deadline = Deadline()) -> list[str]:
    """Rewrite `ledger/<operation>/index.html` and `ledger.json` for every operation whose ledger changed
    since its last report, and every operation's once a day from the whole ledger. The cost is per changed
    operation per run: the last report is read back and only the articles changed since are read from the
    ledger (the whole ledger once a day, or when the last report cannot be built on). Past the deadline no
    report is started: those left are not marked, and the next run writes them."""
    s = settings()
    table, archive = LedgerTable(s.ledger_table), Archive(s.archive_bucket)
    written = []
    operations = runtime.config().operations
    for n, operation in enumerate(operations):
        if deadline.passed():
            logger.warning(
                "out of time: ledger reports left for the next run",
                extra={"operations_left": len(operations) - n},
            )
            break
        version, reported, read_whole_at = table.versions(operation.id)
        fresh = read_whole_at is not None and now - read_whole_at < READ_WHOLE_EVERY
        if version == reported and fresh:
            continue
        base, etag = _published(archive, operation.id)
        # A mark above the version read (the mark is read with it, and versions only grow) or no mark at all:
        # the ledger was reset or emptied, and a report of what it held is no base for one of what it holds.
        reset = reported > version or reported < 0
        if not reset and base is not None and base.version is not None and base.version > version:
            if table.version(operation.id) >= base.version:
                continue  # a Roundup that read the ledger later published a newer report, and will mark it
            reset = True  # the ledger is behind its report: reset below it
        rows, read_whole_at, changed = _rows(operation, table, None if reset else base, version, now)
        # only over the report read: two Roundups at once (a schedule delivered twice) never put an older
        # report over a newer one; the one that finds the report replaced leaves it to the other
        if not archive.put_if(
            report_key(operation.id, "ledger.json"),
            as_json(operation, rows, now, version, read_whole_at).encode(),
            "application/json",
            etag,
        ):
            logger.info(
                "ledger report published meanwhile by another run",
                extra={"operation_id": operation.id, "version": version},
            )
            continue
        # The page is written after the report, so a run held up between the two could put its page over a
        # later run's: each page keeps its version, and is not written over a later one. A page of a version
        # the ledger has not reached (read after the page is looked at) is from before a reset: versions
        # only grow otherwise, whether or not this run saw the reset (its report may have been written by
        # a run that stopped before the page).
        page = archive.put_unless_later(
            report_key(operation.id),
            as_html(operation, rows, load_gazetteer(), now).encode(),
            "text/html; charset=utf-8",
            version,
            stale_above=partial(table.version, operation.id),
        )
        # Neither counts as published (ReportsPublished counts reports marked, page and all).
        if page == "later":  # that run marks its version (after a reset, this one's mark would undo it)
            logger.info(
                "ledger page of a later version published meanwhile by another run",
                extra={"operation_id": operation.id, "version": version},
            )
            continue
        if page == "contended":  # not marked reported: the next run writes the report and its page again
            logger.warning(
                "ledger page not written: other runs kept replacing it",
                extra={"operation_id": operation.id, "version": version},
            )
            continue
        table.mark_reported(operation.id, version, read_whole_at, reset=reset)
        written.append(report_key(operation.id))
        logger.info(
            "ledger report published",
            extra={
                "operation_id": operation.id,
                "version": version,
                "articles_read": "all" if changed is None else changed,
                "cells": len(rows),
                "conflicts": sum(r.conflict for r in rows),
            },
        )
    metrics.add_metric(name="ReportsPublished", unit="Count", value=len(written))
    return written


def _rows(
    operation: Operation, table: LedgerTable, base: Published | None, version: int, now: datetime
) -> tuple[list[Cell], datetime, int | None]:
    """The report's cells at `version` (or later), when the ledger was last read whole for them, and how
    many articles were read (None: the whole ledger). The last report is built on when it shows this
    operation's metrics, was read whole within READ_WHOLE_EVERY, and every version since it lists its
    changes; else the ledger is read whole."""
    if (
        base is not None
        and base.version is not None
        and base.version <= version
        and base.metrics == list(operation.metrics)
        and base.read_whole_at is not None
        and now - base.read_whole_at < READ_WHOLE_EVERY
    ):
        changed = table.changes(operation.id, base.version, version)
        if changed is not None:
            now_saying = table.now_saying(operation.id, changed)
            return updated(operation, base.cells, now_saying), base.read_whole_at, len(changed)
    return cells(operation, table.operation_claims(operation.id, list(operation.metrics))), now, None


def _published(archive: Archive, operation_id: str) -> tuple[Published | None, str | None]:
    """The operation's last report, if there is one that can be read, and its ETag (None: no report)."""
    found = archive.get_tagged(report_key(operation_id, "ledger.json"))
    if found is None:
        return None, None
    body, etag = found
    try:
        return Published.parse(body.decode("utf-8")), etag
    except Exception as exc:  # one this code cannot read: the ledger is read whole, and the report replaced
        logger.warning(
            "last report unreadable; reading the ledger whole",
            extra={"operation_id": operation_id, "error": str(exc)},
        )
        return None, etag


def digest_due(room: Newsroom, last: datetime | None, now: datetime) -> bool:
    if room.digest == "hourly":
        return last is None or now - last >= timedelta(hours=1) - EARLY
    if room.digest == "daily":
        hour, minute = (int(x) for x in room.digest_at.split(":"))
        today = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
        return now >= today - EARLY and (last is None or last < today - EARLY)
    return False


Send = Callable[[str, list[Alert]], list[sending.Delivery]]


def _summary(room: Newsroom, reason: str, title: str, summary: str) -> Send:
    """A summary of the alerts, one line each, to each of the newsroom's channels."""

    def deliveries(what: str, alerts: list[Alert]) -> list[sending.Delivery]:
        n = len(alerts)
        footer = f"localangle · {reason} · {n} alerts · {what}"
        heading = title.format(n=n, s="s" if n != 1 else "")
        return sending.deliveries(room, what, summary_view(heading, summary, alerts, footer))

    return deliveries


def _email(room: Newsroom) -> Send:
    """One email of the alerts, each in full as it would have gone alone, with the outlets that ran each
    story as of now."""

    def deliveries(what: str, alerts: list[Alert]) -> list[sending.Delivery]:
        stories = sending.carriers_of(LedgerTable(settings().ledger_table), alerts)
        views: list[AlertView] = [with_carriers(view(a), s) for a, s in zip(alerts, stories, strict=True)]
        mail = [d for d in sending.deliveries(room, what, views[0]) if d.channel == "email"]
        return [d.model_copy(update={"more": views[1:]}) for d in mail]

    return deliveries


SEVERITY_FIRST = {"critical": 0, "warning": 1, "info": 2}
# The most alerts one message carries. An email gives each in full (some 5 kB) and SES refuses a message over
# 10 MB; a digest or catch-up summary gives a line each, but the batch's keys are kept in one DynamoDB item,
# at most 400 KB (some 80 bytes a key). Held alerts beyond this (a backfill, a day of outage) go in as many
# messages as they need, in the same run.
BATCH_MAX = {EMAIL: 200, DIGEST: 2_000, CATCH_UP: 2_000}


def _in_order(alert: Alert) -> tuple[datetime, int, str, str]:
    """A batch's alerts as their stories were published; of one moment's, the most severe first. Not the
    order they were raised in: the feeds of a run are read at once, so that order is chance."""
    published = alert.trigger.published or alert.created_at
    return (published.astimezone(UTC), SEVERITY_FIRST.get(alert.severity, 3), alert.headline, alert.key)


def _flush(
    room: Newsroom,
    reason: str,
    store: HeldAlerts,
    held: Held,
    send: Send,
    rest: bool = True,
    deadline: Deadline = Deadline(),
) -> int:
    """Send what is held for a newsroom for the reason in one message a channel (one per BATCH_MAX alerts,
    the earliest first), then release it; how many batches were sent. The batch is fixed before sending, so
    a run that fails half way (Slack sent, SES refused) sends the same batch next time, and the channels that
    already had it are skipped by the delivery's idempotency key. That run then sends what was held since, in
    messages of their own, unless not `rest` (a digest whose batch failed in its hour, sent now, while the
    rest waits for its next time, which for a daily digest failing past midnight is the next day's).
    OutOfTime when the deadline passes before a message is started: the rest stays held."""
    pending = dict(held.pending(reason))
    keys = held.batch(reason)
    in_order = sorted(pending, key=lambda k: _in_order(pending[k]))
    sent = 0
    while keys is not None or pending:
        if deadline.passed():
            raise OutOfTime(sent)
        if keys is None:
            # the earliest of what is held, at most BATCH_MAX; the rest in the next message, in this run
            keys = sorted([k for k in in_order if k in pending][: BATCH_MAX.get(reason, BATCH_MAX[EMAIL])])
            store.start_batch(room.id, reason, keys)
        alerts = sorted((pending.pop(k) for k in keys if k in pending), key=_in_order)
        if alerts:
            what = f"{reason}:" + hashlib.sha256("\n".join(keys).encode()).hexdigest()[:20]
            for n, delivery in enumerate(send(what, alerts)):
                # between a batch's channels too: the batch stays open, and the next run sends it again,
                # skipping the channels that had it by their deliveries' idempotency keys
                if n and deadline.passed():
                    raise OutOfTime(sent)
                sending.deliver(delivery)
            sent += 1
            logger.info(
                "held alerts sent", extra={"newsroom": room.id, "reason": reason, "alerts": len(alerts)}
            )
        store.finish_batch(room.id, reason, keys)
        keys = None
        if not rest:
            break
    return sent


def send_summaries(now: datetime, deadline: Deadline = Deadline()) -> int:
    """Per newsroom, a catch-up summary of a backlog held, each digest that is due, and an email of the alerts
    held for it since the last run (each in as many messages as BATCH_MAX makes it); how many messages. Each
    is tried on its own: one that fails (a revoked webhook, SES refusing) is logged and retried on the next
    run, and holds up no other. Past the deadline no message is started, and what is held waits for the next
    run (a digest cut short is not marked sent, so that run sends its rest)."""
    s = settings()
    store = HeldAlerts(s.digest_table)
    sent = failed = 0
    left: str | None = None  # the newsroom the run ran out of time at
    for room in runtime.config().newsrooms:
        if deadline.passed():
            left = room.id
            break
        try:
            held = store.read(room.id)
        except Exception:
            failed += 1
            logger.exception("held alerts not read; retried on the next run", extra={"newsroom": room.id})
            continue
        for reason, step in _steps(room, store, held, now, deadline):
            try:
                sent += step()
            except OutOfTime as stop:
                sent += stop.sent
                left = room.id
                break
            except Exception:  # one broken channel must not silence the others
                failed += 1
                logger.exception(
                    "summary failed; retried on the next run", extra={"newsroom": room.id, "reason": reason}
                )
        if left is not None:
            break
    if left is not None:
        logger.warning(
            "out of time: held alerts left for the next run", extra={"newsroom": left, "sent": sent}
        )
    metrics.add_metric(name="SummariesSent", unit="Count", value=sent)
    metrics.add_metric(name="SummaryFailures", unit="Count", value=failed)
    return sent


def _steps(
    room: Newsroom, store: HeldAlerts, held: Held, now: datetime, deadline: Deadline = Deadline()
) -> list[tuple[str, Callable[[], int]]]:
    """What a run may send a newsroom: its catch-up summary, its digest when due (or one under way), and the
    email of what was held for it since the last run, whatever its settings are now."""
    catch_up = _summary(
        room,
        CATCH_UP,
        "Catching up: {n} alert{s} from earlier reports",
        "These come from reports already published when localangle began watching (a new feed's "
        "backlog, or an archive read for a newly tracked story). Their figures are in the ledger; "
        "here they are in one message rather than one each.",
    )
    steps: list[tuple[str, Callable[[], int]]] = [
        (CATCH_UP, lambda: _flush(room, CATCH_UP, store, held, catch_up, deadline=deadline))
    ]
    due = digest_due(room, held.last_sent(DIGEST), now)
    if room.digest and (held.batch(DIGEST) is not None or due):
        digest = _summary(
            room,
            DIGEST,
            f"{room.digest.title()} digest for {room.name}: {{n}} alert{{s}}",
            f"Everything localangle found for {room.name} since the last digest.",
        )

        def send_digest() -> int:
            made = _flush(room, DIGEST, store, held, digest, rest=due, deadline=deadline)
            if due:
                store.mark_sent(room.id, DIGEST, now)
            return made

        steps.append((DIGEST, send_digest))
    steps.append((EMAIL, lambda: _flush(room, EMAIL, store, held, _email(room), deadline=deadline)))
    return steps


def roundup(now: datetime, remaining_ms: int | None = None) -> dict[str, int]:
    """What the scheduled roundup did: summaries, digests and emails sent, then reports published (an editor
    waits for the messages; a report left by a run short of time is written by the next). With
    `remaining_ms` (the invocation's time left), nothing is started in its last SEND_MARGIN_SECONDS."""
    deadline = Deadline.within(remaining_ms)
    summaries = send_summaries(now, deadline)
    return {"reports": len(publish_reports(now, deadline)), "summaries": summaries}
