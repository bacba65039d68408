"""SQS: hand a message to the next stage. FIFO messages carry their group and deduplication ids."""

from __future__ import annotations

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


def send_many(queue_url: str, messages: list[BaseModel]) -> int:
    """Send in batches of ten (the SQS maximum); raises if any message is refused, so nothing is lost."""
    sqs = client("sqs")
    sent = 0
    for start in range(0, len(messages), 10):
        batch = messages[start : start + 10]
        entries = [{"Id": str(i), "MessageBody": m.model_dump_json()} for i, m in enumerate(batch)]
        reply = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if reply.get("Failed"):
            failed = reply["Failed"][0]
            raise RuntimeError(f"SQS refused {len(reply['Failed'])} messages: {failed.get('Message')}")
        sent += len(batch)
    return sent
