"""Roundup (on the schedule): publish changed ledger reports; send catch-up summaries and due digests."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta

from aws_lambda_powertools.utilities.typing import LambdaContext

from localangle.adapters.storage import Archive, HeldAlerts, LedgerTable
from localangle.core.gazetteer import load_gazetteer
from localangle.models.alert import Alert
from localangle.models.config import Newsroom
from localangle.observability import logger, metrics
from localangle.pipeline import runtime
from localangle.pipeline import send as sending
from localangle.render import summary_view
from localangle.report import as_html, as_json, cells, report_key
from localangle.settings import settings

CATCH_UP, DIGEST = "catch-up", "digest"
EARLY = timedelta(minutes=1)  # a schedule that fires a little early still sends an hourly digest


def register_context(context: LambdaContext) -> None:
    sending.register_context(context)


def publish_reports(now: datetime) -> list[str]:
    """Rewrite `ledger/<operation>/index.html` and `ledger.json` for every operation whose ledger changed
    since its last report. The cost is per changed operation per run, not per article."""
    s = settings()
    table, archive = LedgerTable(s.ledger_table), Archive(s.archive_bucket)
    written = []
    for operation in runtime.config().operations:
        version = table.version(operation.id)
        if version == table.reported_version(operation.id):
            continue
        rows = cells(operation, table.operation_claims(operation.id, list(operation.metrics)))
        archive.put(
            report_key(operation.id),
            as_html(operation, rows, load_gazetteer(), now).encode(),
            "text/html; charset=utf-8",
        )
        archive.put(
            report_key(operation.id, "ledger.json"),
            as_json(operation, rows, now).encode(),
            "application/json",
        )
        table.mark_reported(operation.id, version)
        written.append(report_key(operation.id))
        logger.info(
            "ledger report published",
            extra={
                "operation_id": operation.id,
                "cells": len(rows),
                "conflicts": sum(r.conflict for r in rows),
            },
        )
    metrics.add_metric(name="ReportsPublished", unit="Count", value=len(written))
    return written


def digest_due(room: Newsroom, last: datetime | None, now: datetime) -> bool:
    if room.digest == "hourly":
        return last is None or now - last >= timedelta(hours=1) - EARLY
    if room.digest == "daily":
        hour, minute = (int(x) for x in room.digest_at.split(":"))
        today = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
        return now >= today - EARLY and (last is None or last < today - EARLY)
    return False


def _send_summary(
    room: Newsroom, reason: str, held: list[tuple[str, Alert]], title: str, summary: str
) -> None:
    alerts = sorted((a for _, a in held), key=lambda a: (a.created_at, a.key))
    what = f"{reason}:" + hashlib.sha256("\n".join(sorted(k for k, _ in held)).encode()).hexdigest()[:20]
    footer = f"localangle · {reason} · {len(alerts)} alerts · {what}"
    for delivery in sending.deliveries(room, what, summary_view(title, summary, alerts, footer)):
        sending.deliver(delivery)
    logger.info("summary sent", extra={"newsroom": room.id, "reason": reason, "alerts": len(alerts)})


def send_summaries(now: datetime) -> int:
    """One catch-up summary per newsroom with a backlog held, and each digest that is due."""
    s = settings()
    store = HeldAlerts(s.digest_table)
    sent = 0
    for room in runtime.config().newsrooms:
        backlog = store.pending(room.id, CATCH_UP)
        if backlog:
            n = len(backlog)
            _send_summary(
                room,
                CATCH_UP,
                backlog,
                f"Catching up: {n} alert{'s' if n != 1 else ''} from earlier reports",
                "These come from reports already published when localangle began watching (a new feed's "
                "backlog, or an archive read for a newly tracked story). Their figures are in the ledger; "
                "here they are in one message rather than one each.",
            )
            store.release(room.id, [k for k, _ in backlog])
            sent += 1
        if room.digest and digest_due(room, store.last_sent(room.id, DIGEST), now):
            items = store.pending(room.id, DIGEST)
            if items:
                n = len(items)
                _send_summary(
                    room,
                    DIGEST,
                    items,
                    f"{room.digest.title()} digest for {room.name}: {n} alert{'s' if n != 1 else ''}",
                    f"Everything localangle found for {room.name} since the last digest.",
                )
                store.release(room.id, [k for k, _ in items])
                sent += 1
            store.mark_sent(room.id, DIGEST, now)
    metrics.add_metric(name="SummariesSent", unit="Count", value=sent)
    return sent


def roundup(now: datetime) -> dict[str, int]:
    """What the scheduled roundup did: reports published, summaries and digests sent."""
    return {"reports": len(publish_reports(now)), "summaries": send_summaries(now)}
