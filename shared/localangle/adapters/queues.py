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


# SendMessageBatch takes ten messages and at most the queue's MaximumMessageSize of bodies in all: 1 MiB for
# the queues this sends to (template.yaml), a little under it here for the request's own fields.
BATCH_BYTES = 1_000_000


def send_many(
    queue_url: str, messages: Sequence[BaseModel], *, fifo_ids: Sequence[tuple[str, str]] | None = None
) -> int:
    """Send ten to a request (the SQS maximum), fewer when their bodies would pass the batch's size limit;
    raises if any message is refused, so nothing is lost. On a FIFO queue `fifo_ids` gives each message's
    group and deduplication id."""
    if fifo_ids is not None and len(fifo_ids) != len(messages):
        raise ValueError(f"{len(messages)} messages but {len(fifo_ids)} group and deduplication ids")
    sqs = client("sqs")
    batches: list[list[dict[str, str]]] = []
    size = 0
    for n, message in enumerate(messages):
        entry = {"MessageBody": message.model_dump_json()}
        if fifo_ids is not None:
            entry["MessageGroupId"], dedup = fifo_ids[n]
            entry["MessageDeduplicationId"] = dedup[:128]
        length = len(entry["MessageBody"].encode())
        if not batches or len(batches[-1]) == 10 or size + length > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(entry)
        size += length
    for batch in batches:
        entries = [{"Id": str(i), **entry} for i, entry in enumerate(batch)]
        reply = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if reply.get("Failed"):
            failed = reply["Failed"][0]
            raise RuntimeError(f"SQS refused {len(reply['Failed'])} messages: {failed.get('Message')}")
    return sum(len(b) for b in batches)
