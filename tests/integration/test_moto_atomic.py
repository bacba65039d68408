"""The local world's DynamoDB answers one request at a time, as DynamoDB does each atomically."""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.models.table import Table

from localangle.adapters import aws
from localangle.local import atomic
from localangle.local.world import World


def test_each_dynamodb_request_is_answered_in_one_hold_of_the_lock(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, set[int]] = {}

    def spied(name: str) -> Any:
        real = getattr(Table, name)

        def spy(self: Table, *args: Any, **kwargs: Any) -> Any:
            # under the lock, and in which hold of it
            seen.setdefault(name, set()).add(atomic.holds if atomic._lock._is_owned() else -1)  # type: ignore[attr-defined]
            return real(self, *args, **kwargs)

        return spy

    for name in ("get_item", "put_item", "delete_item", "query", "scan"):
        monkeypatch.setattr(Table, name, spied(name))
    table = aws.table(world.cloud.env["LEDGER_TABLE"])
    key = {"pk": "op#head", "sk": "version"}

    def request(call: Any) -> set[int]:
        seen.clear()
        before = atomic.holds
        call()
        assert atomic.holds == before + 1  # one request, one hold
        return set().union(*seen.values())

    # a put that returns the item it replaced reads it and writes in the one hold
    assert request(lambda: table.put_item(Item={**key, "version": 0}, ReturnValues="ALL_OLD")) == {
        atomic.holds
    }
    assert set(seen) == {"get_item", "put_item"}
    # a conditional update: read, check and write in one, or two threads can both pass the check
    update = {
        "Key": key,
        "UpdateExpression": "SET version = :next",
        "ConditionExpression": "version = :read",
        "ExpressionAttributeValues": {":read": 0, ":next": 1},
    }
    assert request(lambda: table.update_item(**update)) == {atomic.holds}
    assert request(
        lambda: table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "op#head"})
    ) == {atomic.holds}
    assert request(table.scan) == {atomic.holds}
    # a transaction that fails puts back the tables as they were when it began: nothing may write in between
    items = [
        {"Put": {"TableName": table.name, "Item": {"pk": {"S": "op#a"}, "sk": {"S": "1"}}}},
        {
            "Delete": {
                "TableName": table.name,
                "Key": {"pk": {"S": "op#head"}, "sk": {"S": "version"}},
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": "0"}},
            }
        },
    ]

    def failing() -> None:
        with pytest.raises(aws.client("dynamodb").exceptions.TransactionCanceledException):
            aws.client("dynamodb").transact_write_items(TransactItems=items)

    assert request(failing) == {atomic.holds}
    assert table.get_item(Key={"pk": "op#a", "sk": "1"}).get("Item") is None  # rolled back
    assert not atomic._lock._is_owned()  # type: ignore[attr-defined]


def test_installing_twice_wraps_once() -> None:
    from moto.dynamodb.responses import DynamoHandler

    atomic.install()
    wrapped = DynamoHandler.call_action
    atomic.install()
    assert DynamoHandler.call_action is wrapped and getattr(wrapped, "one_at_a_time", False)
