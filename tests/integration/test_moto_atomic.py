"""The local world's DynamoDB runs each item operation alone, as DynamoDB does, whatever the threads."""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.models.table import Table

from localangle.adapters import aws
from localangle.local import atomic
from localangle.local.world import World


def test_each_dynamodb_operation_runs_under_the_one_lock(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: dict[str, bool] = {}

    def spied(name: str) -> Any:
        real = getattr(Table, name)

        def spy(self: Table, *args: Any, **kwargs: Any) -> Any:
            held[name] = held.get(name, True) and atomic._lock._is_owned()  # type: ignore[attr-defined]
            return real(self, *args, **kwargs)

        return spy

    for name in ("get_item", "put_item", "delete_item", "query", "scan"):
        monkeypatch.setattr(Table, name, spied(name))
    table = aws.table(world.cloud.env["LEDGER_TABLE"])
    table.put_item(Item={"pk": "op#head", "sk": "version", "version": 0})
    # a conditional update: read, check and write must be one step, or two threads can both pass the check
    table.update_item(
        Key={"pk": "op#head", "sk": "version"},
        UpdateExpression="SET version = :next",
        ConditionExpression="version = :read",
        ExpressionAttributeValues={":read": 0, ":next": 1},
    )
    table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "op#head"})
    table.scan()
    # a transaction: a failed one puts back the tables as they were when it began: nothing may write between
    aws.client("dynamodb").transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table.name, "Item": {"pk": {"S": "op#a"}, "sk": {"S": "1"}}}},
            {"Delete": {"TableName": table.name, "Key": {"pk": {"S": "op#b"}, "sk": {"S": "1"}}}},
        ]
    )
    table.delete_item(Key={"pk": "op#a", "sk": "1"})
    assert held == {"get_item": True, "put_item": True, "delete_item": True, "query": True, "scan": True}
    assert not atomic._lock._is_owned()  # type: ignore[attr-defined]


def test_installing_twice_wraps_once() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    atomic.install()
    before = {name: getattr(DynamoDBBackend, name) for name in atomic.OPERATIONS}
    atomic.install()
    assert {name: getattr(DynamoDBBackend, name) for name in atomic.OPERATIONS} == before
    assert all(hasattr(before[name], "__wrapped__") for name in atomic.OPERATIONS)
