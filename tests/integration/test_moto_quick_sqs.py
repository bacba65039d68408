"""The local world's SQS receive does not count the whole queue for each message it returns, and still drops
messages past the queue's retention period, as moto and SQS do."""

from __future__ import annotations

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import Queue, sqs_backends

from localangle.adapters import aws
from localangle.local.world import World


def _queue(world: World) -> tuple[str, Queue]:
    url = world.cloud.queue_url("ArticleQueue")
    name = url.rsplit("/", 1)[-1]
    return url, sqs_backends[DEFAULT_ACCOUNT_ID][aws.region()].get_queue(name)


def test_a_receive_does_not_count_the_queue_for_each_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = _queue(world)
    sqs = aws.client("sqs")
    for i in range(30):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    counted = 0
    real = Queue.attributes

    def counting(self: Queue) -> object:
        nonlocal counted
        counted += 1
        return real.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(Queue, "attributes", property(counting))
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 10
    assert counted == 0  # moto's own check counted the queue for each message it looked at: 30 times


def test_a_message_past_the_retention_period_is_not_returned(world: World) -> None:
    url, queue = _queue(world)
    sqs = aws.client("sqs")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
    sqs.send_message(QueueUrl=url, MessageBody="old")
    next(m for m in queue._messages if m.body == "old").sent_timestamp -= 61_000
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["new"]
