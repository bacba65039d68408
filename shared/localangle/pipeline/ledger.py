"""UpdateLedger: judge an article's figures against the operation's ledger, record them, raise alerts once."""

from __future__ import annotations

from localangle.adapters.queues import send
from localangle.adapters.storage import AlertRecords, LedgerTable, Undo
from localangle.core.gazetteer import load_gazetteer
from localangle.core.ledger import Ledger, LedgerUpdate, canonical_scope
from localangle.models.messages import AlertMessage, LedgerMessage
from localangle.models.operation import Operation
from localangle.observability import log_keys, logger, metrics
from localangle.pipeline import runtime
from localangle.settings import settings

ATTEMPTS = 8


class LedgerBusy(RuntimeError):
    """Another update of the same operation kept landing first; SQS will redeliver the message."""


@log_keys(lambda m: {"operation_id": m.operation, "article_id": m.origin.article_id})
def update_ledger(message: LedgerMessage) -> list[str]:
    """Returns the keys of the alerts handed to SendAlert by this call."""
    s = settings()
    try:
        operation = runtime.config().operation(message.operation)
    except KeyError:
        logger.warning("operation is no longer tracked", extra={"operation_id": message.operation})
        return []
    table = LedgerTable(s.ledger_table, runtime.replica(operation.id))
    try:
        version = table.sync(operation.id)
        story = table.story_of(message.operation, message.sketch) if message.sketch else None
        update = _judge_and_record(table, operation, _without_carried_figures(table, message, story), version)
        _record_story(table, message, story)  # once the judgement is committed: a failure leaves no trace
    except Exception:
        runtime.forget_replica(operation.id)  # what the copy holds now is not known to be the ledger
        raise
    records = AlertRecords(s.alerts_table)
    article_id = message.origin.article_id
    raised = table.raised(operation.id) if update.alerts else {}
    queued, known, new = [], [], 0
    for alert in update.alerts:
        if raised.get(alert.key, article_id) != article_id:
            continue  # raised before, by another article (a total still exceeded): its record exists
        status = records.create(alert)
        known.append(alert.key)
        new += status == "new"
        if status not in ("new", "pending"):
            continue  # delivered already, after an earlier delivery of this message
        # held back a little, so syndicated copies polled in the same run are listed when it goes out
        # its record stays pending until SendAlert delivers it: should this message come back meanwhile, the
        # alert is queued again, and SendAlert's idempotency sends nothing twice
        send(s.alert_queue_url, AlertMessage(alert=alert), delay_seconds=s.alert_delay_seconds)
        queued.append(alert.key)
        logger.info(
            "alert raised",
            extra={
                "operation_id": operation.id,
                "article_id": article_id,
                "alert_key": alert.key,
                "kind": alert.kind,
                "catch_up": alert.catch_up,
            },
        )
    # after the records: a crash before this leaves them to this article's redelivery, which creates none
    # twice (the records are conditional); later articles skip them without a write
    table.mark_raised(operation.id, [k for k in known if k not in raised], article_id)
    table.resolve(operation.id, update.resolved)  # after the follow-ups are safely queued
    metrics.add_metric(name="AlertsRaised", unit="Count", value=new)  # not the re-queued, counted once
    return queued


def _record_story(table: LedgerTable, message: LedgerMessage, story: str | None) -> None:
    """The article begins a story (findable by its sketch) or joins the one it is a copy of."""
    if not message.sketch or story == message.origin.article_id:
        return
    if story is None:
        table.found_story(message.operation, message.sketch, message.origin)
    else:
        table.join_story(message.operation, story, message.origin)


def _without_carried_figures(table: LedgerTable, message: LedgerMessage, story: str | None) -> LedgerMessage:
    """A syndicated copy (the same wire story as an article already in the ledger) is one more source of
    that story; the figures it shares with the story are the story's, not a second voice saying the same,
    so only what the outlet added (a local paragraph) is judged as its own."""
    origin = message.origin
    if story is None or story == origin.article_id:
        return message
    first = table.article_claims(message.operation, story)
    carried = {
        (c.metric, canonical_scope(c.scope), c.low, c.high)
        for c in [*first.claims, *first.outside, *first.revised]
    }
    own = [f for f in message.figures if (f.metric, canonical_scope(f.scope), f.low, f.high) not in carried]
    logger.info(
        "syndicated copy",
        extra={
            "operation_id": message.operation,
            "article_id": origin.article_id,
            "story": story,
            "figures_carried": len(message.figures) - len(own),
        },
    )
    return message.model_copy(update={"figures": own})


def _judge_and_record(
    table: LedgerTable, operation: Operation, message: LedgerMessage, version: int
) -> LedgerUpdate:
    """Judge against the ledger as it is, record, and commit only if nobody changed it meanwhile; else judge
    again with their figures in view. One operation's updates thus never miss each other, even if two run at
    the same moment (the FIFO queue grouped by operation is meant to prevent that; this makes it certain)."""
    ledger = Ledger(operation, load_gazetteer(), table)
    for attempt in range(ATTEMPTS):
        if attempt:
            version = table.sync(operation.id)
        update = ledger.judge(
            message.origin,
            message.regions,
            message.figures,
            evidence=message.evidence,
            catch_up=message.catch_up,
        )
        table.note_change(operation.id, version + 1, message.origin.article_id)  # before any row changes
        undo = table.apply(operation.id, message.origin.article_id, update)
        try:
            committed = table.commit(operation.id, version, update)
        except Exception:
            _undo(table, operation.id, undo)  # the message fails and comes back: nothing of it may stay
            raise
        if committed:
            return update
        _undo(table, operation.id, undo)  # judged again below from the ledger as it was
        logger.info("ledger moved on while judging; judging again", extra={"attempt": attempt + 1})
    raise LedgerBusy(f"{operation.id}: ledger changed under {ATTEMPTS} attempts in a row")


def _undo(table: LedgerTable, operation: str, undo: Undo) -> None:
    try:
        table.undo(operation, undo)
    except Exception:  # DynamoDB down altogether: the redelivery overwrites the same rows anyway
        logger.exception("could not undo an uncommitted ledger update", extra={"article_id": undo.article_id})
