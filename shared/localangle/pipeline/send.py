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
from pydantic import Field

from localangle.adapters import email, secrets
from localangle.adapters.aws import client
from localangle.adapters.storage import AlertRecords, HeldAlerts, LedgerTable
from localangle.core.gazetteer import load_gazetteer
from localangle.models.alert import Alert, Source
from localangle.models.base import Model
from localangle.models.config import Newsroom, OpsChannel
from localangle.models.messages import AlertMessage
from localangle.models.notice import FeedNotice
from localangle.observability import log_keys, logger, metrics
from localangle.pipeline import runtime
from localangle.render import AlertView, notice_view, view, with_carriers
from localangle.routing import audiences, notice_audiences
from localangle.settings import settings

DELIVERY_MEMORY_SECONDS = 30 * 24 * 3600
# Why an alert is held for a newsroom: a backlog's catch-up summary, its digest, or (its email only) the one
# email its next scheduled run sends with the other alerts held since the last
CATCH_UP, DIGEST, EMAIL = "catch-up", "digest", "email"


class DeliveryFailed(RuntimeError):
    """Some of an alert's deliveries failed (the rest went out); the message comes back for those."""


class Delivery(Model):
    target: str  # "<what>|<newsroom>|<channel>": the idempotency key
    channel: Literal["slack", "email"]
    newsroom: str
    view: AlertView
    webhook_parameter: str | None = None
    recipients: list[str] = Field(default_factory=list)
    more: list[AlertView] = Field(default_factory=list)  # an email's further alerts, after `view`


_idempotency = IdempotencyConfig(event_key_jmespath="target", expires_after_seconds=DELIVERY_MEMORY_SECONDS)


@cache
def _deliver_once(table_name: str, dynamodb: Any) -> Any:
    """The delivery function wrapped in Powertools idempotency, built once per table and client (once per
    container; again only when the cached AWS clients are replaced)."""
    store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb)

    @idempotent_function(data_keyword_argument="delivery", config=_idempotency, persistence_store=store)
    def deliver(delivery: Delivery) -> dict[str, str]:
        s = settings()
        if delivery.channel == "slack":
            # slack_sdk is loaded by the first Slack delivery, not at every cold start: an email-only
            # deployment never loads it, nor does an invocation that only holds alerts for a digest
            from localangle.adapters import slack

            slack.post(
                secrets.secret(delivery.webhook_parameter or s.slack_webhook_parameter),
                delivery.view,
                timeout=s.slack_timeout,
            )
        elif s.sender_email:
            email.send_ses(s.sender_email, delivery.recipients, [delivery.view, *delivery.more])
        else:
            email.send_sns(s.email_topic_arn, [delivery.view, *delivery.more])
        return {"target": delivery.target}

    return deliver


def register_context(context: LambdaContext) -> None:
    _idempotency.register_lambda_context(context)


def deliveries(
    room: Newsroom, what: str, rendered: AlertView, channels: OpsChannel | None = None
) -> list[Delivery]:
    """One delivery per channel the newsroom has (or, given, its operations channels), each keyed apart."""
    via: Newsroom | OpsChannel = channels or room
    newsroom = room.id
    out = []
    if via.slack:
        out.append(
            Delivery(
                target=f"{what}|{newsroom}|slack",
                channel="slack",
                newsroom=newsroom,
                view=rendered,
                webhook_parameter=via.slack.webhook_parameter,
            )
        )
    if via.email:
        # Without an SES sender every email goes to the one SNS topic and its subscribers: once per alert,
        # however many newsrooms it concerns, or each subscriber would get it once per newsroom
        mailbox = newsroom if settings().sender_email else "email-topic"
        out.append(
            Delivery(
                target=f"{what}|{mailbox}|email",
                channel="email",
                newsroom=newsroom,
                view=rendered,
                recipients=via.email,
            )
        )
    return out


def emails_by_run(room: Newsroom) -> bool:
    """Whether the newsroom's alert emails wait for its next scheduled run, to go out in one email. Only
    through SES: the SNS topic's subscribers get each alert once whichever newsrooms it concerns, which a
    newsroom's batch cannot keep to."""
    return bool(room.email) and room.email_every == "run" and bool(settings().sender_email)


def deliver(delivery: Delivery) -> None:
    """Send once: a repeat of a confirmed delivery (same target) is confirmed without sending again."""
    _deliver_once(settings().idempotency_table, client("dynamodb"))(delivery=delivery)


def _message_keys(message: AlertMessage) -> dict[str, str | None]:
    if message.notice is not None:
        return {"feed_id": message.notice.feed_id}
    assert message.alert is not None
    return {"alert_key": message.alert.key, "operation_id": message.alert.operation}


@log_keys(_message_keys)
def send_message(message: AlertMessage) -> int:
    """Deliver what an AlertQueue message carries: an alert, or a notice about a feed."""
    if message.notice is not None:
        return send_notice(message.notice)
    return send_alert(message)


def send_notice(notice: FeedNotice) -> int:
    """A feed's failure or recovery, to the operations channel of each newsroom that reads the feed."""
    made = 0
    rendered = notice_view(notice)
    for room in notice_audiences(runtime.config().newsrooms, notice, load_gazetteer()):
        for delivery in deliveries(room, notice.key, rendered, channels=room.ops):
            deliver(delivery)
            made += 1
            logger.info(
                "feed notice delivered",
                extra={"feed_id": notice.feed_id, "kind": notice.kind, "newsroom": room.id},
            )
    metrics.add_metric(name="FeedNoticesDelivered", unit="Count", value=made)
    return made


def carriers(table: LedgerTable, alert: Alert) -> list[list[Source]]:
    """For each story behind the alert's figures that ran in more than one outlet (syndicated copies),
    every source that ran it, as of now; one list per story, never merged across stories."""
    return carriers_of(table, [alert])[0]


def carriers_of(table: LedgerTable, alerts: list[Alert]) -> list[list[list[Source]]]:
    """`carriers` of each alert, its stories read in one request per operation (for an email of a run's
    alerts, not one per alert)."""
    wanted: list[dict[str, None]] = []
    by_operation: dict[str, dict[str, None]] = {}
    for alert in alerts:
        ids = dict.fromkeys(c.origin.article_id for c in [*alert.claims, *alert.figures])
        ids.setdefault(alert.trigger.article_id)
        wanted.append(ids)
        by_operation.setdefault(alert.operation, {}).update(ids)
    stories = {op: table.story_sources(op, list(ids)) for op, ids in by_operation.items()}
    return [
        [stories[alert.operation][a] for a in ids if len(stories[alert.operation].get(a, [])) > 1]
        for alert, ids in zip(alerts, wanted, strict=True)
    ]


def send_alert(message: AlertMessage) -> int:
    """How many deliveries (or holds for a digest) are confirmed; a repeat is confirmed without resending.

    An alert raised while catching up on a backlog is held for that newsroom's catch-up summary, and one for
    a newsroom that takes a digest is held for it. Otherwise Slack gets it now, and email now or (by default)
    with the newsroom's other alerts in one email at the next scheduled run. The Roundup function sends what
    is held."""
    alert = message.alert
    assert alert is not None, "send_message routes notices elsewhere"
    s = settings()
    rooms = audiences(runtime.config().newsrooms, alert, load_gazetteer())
    if not rooms:
        logger.info("no newsroom follows this alert", extra={"alert_key": alert.key})
    records = AlertRecords(s.alerts_table)
    held = HeldAlerts(s.digest_table)
    rendered = view(alert)
    if rooms:  # the outlets that ran the story, read when it goes out: copies judged since are included
        rendered = with_carriers(rendered, carriers(LedgerTable(s.ledger_table), alert))
    # Holds first, marked at once: once Roundup has summarised a held alert, a repeat of this message must
    # find the mark, or the alert would be held, and summarised, again
    held_for: set[str] = set()
    direct: list[Newsroom] = []  # the newsrooms that get the alert now, not in a summary
    summarised: set[str] | None = None
    for room in rooms:
        reason = CATCH_UP if alert.catch_up else DIGEST if room.digest else None
        if reason is None:
            direct.append(room)
            if not emails_by_run(room):
                continue
            reason = EMAIL  # the mark `<newsroom>:email` is the one a direct email would leave
        if summarised is None:
            summarised = records.delivered(alert.key)
        if f"{room.id}:{reason}" not in summarised:
            held.hold(room.id, reason, alert)
        held_for.add(f"{room.id}:{reason}")
        logger.info("alert held", extra={"alert_key": alert.key, "newsroom": room.id, "reason": reason})
    if held_for - (summarised or set()):
        records.mark_delivered(alert.key, held_for)
    # newsroom:channel delivered by this call, marked in one write after the deliveries (the holds were
    # marked in one of their own before them)
    sent: set[str] = set()
    failed: list[tuple[str, Exception]] = []
    for room in direct:
        for delivery in deliveries(room, alert.key, rendered):
            if delivery.channel == "email" and emails_by_run(room):
                continue  # held above
            try:
                deliver(delivery)
            except Exception as exc:  # the others still go now; this one when the message comes back
                failed.append((delivery.target, exc))
                if delivery.channel == "slack":
                    secrets.forget()  # a webhook rotated after a refusal is read afresh for the retry
                logger.warning(
                    "alert not delivered; it will be retried",
                    extra={
                        "alert_key": alert.key,
                        "newsroom": room.id,
                        "channel": delivery.channel,
                        "error": str(exc),
                    },
                )
                continue
            sent.add(f"{room.id}:{delivery.channel}")
            logger.info(
                "alert delivered",
                extra={
                    "alert_key": alert.key,
                    "newsroom": room.id,
                    "channel": delivery.channel,
                    "operation_id": alert.operation,
                },
            )
    if sent:  # a crash before this repeats the deliveries, which idempotency confirms without sending
        records.mark_delivered(alert.key, sent)
    made = len(held_for) + len(sent)
    metrics.add_metric(name="AlertsDelivered", unit="Count", value=made)
    if failed:
        target, first = failed[0]
        raise DeliveryFailed(f"{len(failed)} deliveries failed, first {target}: {first}") from first
    return made
