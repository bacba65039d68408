"""SendAlert: deliver one alert to every newsroom it concerns, each channel exactly once."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from localangle.adapters import email, slack
from localangle.adapters.aws import client
from localangle.adapters.secrets import secret
from localangle.adapters.storage import AlertRecords
from localangle.core.gazetteer import load_gazetteer
from localangle.models.alert import Alert
from localangle.models.messages import AlertMessage
from localangle.observability import logger, metrics
from localangle.pipeline import runtime
from localangle.render import view
from localangle.routing import audiences
from localangle.settings import settings

DELIVERY_MEMORY_SECONDS = 30 * 24 * 3600


class Delivery(BaseModel):
    target: str  # "<alert key>|<newsroom>|<channel>": the idempotency key
    channel: Literal["slack", "email"]
    newsroom: str
    alert: Alert
    webhook_parameter: str | None = None
    recipients: list[str] = []


_idempotency = IdempotencyConfig(event_key_jmespath="target", expires_after_seconds=DELIVERY_MEMORY_SECONDS)


@cache
def _deliver_once(table_name: str) -> Any:
    """The delivery function wrapped in Powertools idempotency, built once per table (once per container)."""
    store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client("dynamodb"))

    @idempotent_function(data_keyword_argument="delivery", config=_idempotency, persistence_store=store)
    def deliver(delivery: Delivery) -> dict[str, str]:
        s = settings()
        rendered = view(delivery.alert)
        if delivery.channel == "slack":
            slack.post(secret(delivery.webhook_parameter or s.slack_webhook_parameter), rendered)
        elif s.sender_email:
            email.send_ses(s.sender_email, delivery.recipients, rendered)
        else:
            email.send_sns(s.email_topic_arn, rendered)
        return {"target": delivery.target}

    return deliver


def register_context(context: LambdaContext) -> None:
    _idempotency.register_lambda_context(context)


def send_alert(message: AlertMessage) -> int:
    """How many deliveries are confirmed; a repeat of an earlier one is confirmed without resending."""
    alert = message.alert
    s = settings()
    rooms = audiences(runtime.config().newsrooms, alert, load_gazetteer())
    if not rooms:
        logger.info("no newsroom follows this alert", extra={"alert_key": alert.key})
    records = AlertRecords(s.alerts_table)
    deliver = _deliver_once(s.idempotency_table)
    made = 0
    for room in rooms:
        targets: list[Delivery] = []
        if room.slack:
            targets.append(
                Delivery(
                    target=f"{alert.key}|{room.id}|slack",
                    channel="slack",
                    newsroom=room.id,
                    alert=alert,
                    webhook_parameter=room.slack.webhook_parameter,
                )
            )
        if room.email:
            targets.append(
                Delivery(
                    target=f"{alert.key}|{room.id}|email",
                    channel="email",
                    newsroom=room.id,
                    alert=alert,
                    recipients=room.email,
                )
            )
        for delivery in targets:
            deliver(delivery=delivery)
            records.mark_delivered(alert.key, f"{room.id}:{delivery.channel}")
            made += 1
            logger.info(
                "alert delivered",
                extra={
                    "alert_key": alert.key,
                    "newsroom": room.id,
                    "channel": delivery.channel,
                    "operation_id": alert.operation,
                },
            )
    metrics.add_metric(name="AlertsDelivered", unit="Count", value=made)
    return made
