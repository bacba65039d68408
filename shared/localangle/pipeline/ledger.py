"""UpdateLedger: judge an article's figures against the operation's ledger, record them, raise alerts once."""

from __future__ import annotations

from localangle.adapters.queues import send
from localangle.adapters.storage import AlertRecords, LedgerTable
from localangle.core.gazetteer import load_gazetteer
from localangle.core.ledger import Ledger
from localangle.models.messages import AlertMessage, LedgerMessage
from localangle.observability import logger, metrics
from localangle.pipeline import runtime
from localangle.settings import settings


def update_ledger(message: LedgerMessage) -> list[str]:
    """Returns the keys of the alerts handed to SendAlert by this call."""
    s = settings()
    try:
        operation = runtime.config().operation(message.operation)
    except KeyError:
        logger.warning("operation is no longer tracked", extra={"operation_id": message.operation})
        return []
    table = LedgerTable(s.ledger_table)
    update = Ledger(operation, load_gazetteer(), table).judge(
        message.origin, message.regions, message.figures, evidence=message.evidence
    )
    table.apply(operation.id, message.origin.article_id, update)
    records = AlertRecords(s.alerts_table)
    queued = []
    for alert in update.alerts:
        status = records.create(alert)
        if status not in ("new", "pending"):
            continue  # already queued or delivered by an earlier delivery of this message
        send(s.alert_queue_url, AlertMessage(alert=alert))
        records.mark(alert.key, "queued")
        queued.append(alert.key)
        logger.info(
            "alert raised",
            extra={
                "operation_id": operation.id,
                "article_id": message.origin.article_id,
                "alert_key": alert.key,
                "kind": alert.kind,
            },
        )
    metrics.add_metric(name="AlertsRaised", unit="Count", value=len(queued))
    return queued
