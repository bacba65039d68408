"""`localangle redrive QUEUE`: send a dead-letter queue's messages back to the queue they came from.

Each message is sent to its source queue before it is deleted from the dead-letter queue, so an interruption
repeats at most the message in hand (every consumer is idempotent) and loses none. A FIFO message keeps its
group and deduplication id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from localangle.adapters.aws import client


class RedriveError(Exception):
    """The queue cannot be redriven; str() says why in one line."""


@dataclass
class Redriven:
    source: str
    moved: int


def queue_url(name_or_url: str) -> str:
    if name_or_url.startswith(("https://", "http://")):
        return name_or_url
    try:
        return str(client("sqs").get_queue_url(QueueName=name_or_url)["QueueUrl"])
    except ClientError as exc:
        raise RedriveError(
            f"no queue named {name_or_url!r}: {exc.response['Error'].get('Message', exc)}"
        ) from exc


def source_of(dlq_url: str) -> str:
    """The one queue whose redrive policy sends its failures to this dead-letter queue."""
    try:
        sources = client("sqs").list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
    except ClientError as exc:
        raise RedriveError(f"{dlq_url}: {exc.response['Error'].get('Message', exc)}") from exc
    if len(sources) != 1:
        found = "no queue" if not sources else f"{len(sources)} queues"
        raise RedriveError(
            f"{dlq_url}: {found} use it as a dead-letter queue; name the queue to send to with --to"
        )
    return str(sources[0])


def redrive(dlq: str, to: str | None = None, limit: int | None = None) -> Redriven:
    """Move up to `limit` messages (all when None) from the dead-letter queue back to its source."""
    sqs = client("sqs")
    dlq_url = queue_url(dlq)
    target = queue_url(to) if to else source_of(dlq_url)
    fifo = target.endswith(".fifo")
    moved = 0
    try:
        while limit is None or moved < limit:
            reply = sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=min(10, limit - moved) if limit is not None else 10,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=1,
                VisibilityTimeout=60,
            )
            messages = reply.get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.send_message(**_resend(target, message, fifo))
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
    except (ClientError, BotoCoreError) as exc:
        raise RedriveError(f"stopped after {moved} messages: {exc}") from exc
    return Redriven(target, moved)


def _resend(target: str, message: dict[str, Any], fifo: bool) -> dict[str, Any]:
    request: dict[str, Any] = {"QueueUrl": target, "MessageBody": message["Body"]}
    if message.get("MessageAttributes"):
        request["MessageAttributes"] = message["MessageAttributes"]
    if fifo:
        attributes = message.get("Attributes", {})
        request["MessageGroupId"] = attributes.get("MessageGroupId", "redrive")
        request["MessageDeduplicationId"] = attributes.get("MessageDeduplicationId") or message["MessageId"]
    return request
