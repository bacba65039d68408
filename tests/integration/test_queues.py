"""Handing messages on in batches: ten to a request, fewer when pages carried along would pass 1 MiB."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto import mock_aws
from pydantic import BaseModel

from localangle.adapters import aws
from localangle.adapters.queues import BATCH_BYTES, send_many


class Body(BaseModel):
    n: int
    page: str


def test_big_messages_go_fewer_to_a_request_and_all_arrive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    requests: list[int] = []
    with mock_aws():
        aws.reset()
        sqs = aws.client("sqs")
        url = sqs.create_queue(QueueName="articles")["QueueUrl"]

        def count(params: dict[str, Any], **_: Any) -> None:
            requests.append(sum(len(e["MessageBody"].encode()) for e in params["Entries"]))

        sqs.meta.events.register("provide-client-params.sqs.SendMessageBatch", count)
        small = [Body(n=i, page="") for i in range(12)]
        big = [Body(n=100 + i, page="x" * 200_000) for i in range(12)]
        assert send_many(url, small) == 12 and len(requests) == 2  # ten, then two
        assert send_many(url, big) == 12
        assert len(requests) == 2 + 3 and all(size <= BATCH_BYTES for size in requests)  # four a request
        got = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            got += [json.loads(m["Body"])["n"] for m in batch]
            receipts = [{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch]
            sqs.delete_message_batch(QueueUrl=url, Entries=receipts)
        assert sorted(got) == [*range(12), *range(100, 112)]
    aws.reset()
