"""SQS: hand a message to the next stage. FIFO messages carry their group and deduplication ids."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from localangle.adapters.aws import client


def send(
    queue_url: str,
    message: BaseModel,
    *,
    group: str | None = None,
    dedup: str | None = None,
    delay_seconds: int = 0,
) -> str:
    kwargs: dict[str, str | int] = {"QueueUrl": queue_url, "MessageBody": message.model_dump_json()}
    if delay_seconds:
        kwargs["DelaySeconds"] = min(delay_seconds, 900)  # standard queues only; SQS's maximum
    if group is not None:
        kwargs["MessageGroupId"] = group
        kwargs["MessageDeduplicationId"] = (dedup or "")[:128]
    return str(client("sqs").send_message(**kwargs)["MessageId"])


BATCH_BYTES = 250_000  # SendMessageBatch takes at most 256 KiB of bodies in all (and ten messages)


def send_many(queue_url: str, messages: Sequence[BaseModel]) -> int:
    """Send ten to a request (the SQS maximum), fewer when their bodies would pass the batch's size limit;
    raises if any message is refused, so nothing is lost."""
    sqs = client("sqs")
    batches: list[list[str]] = []
    size = 0
    for body in (m.model_dump_json() for m in messages):
        length = len(body.encode())
        if not batches or len(batches[-1]) == 10 or size + length > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(body)
        size += length
    for batch in batches:
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)]
        reply = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if reply.get("Failed"):
            failed = reply["Failed"][0]
            raise RuntimeError(f"SQS refused {len(reply['Failed'])} messages: {failed.get('Message')}")
    return sum(len(b) for b in batches)
