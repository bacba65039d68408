"""DynamoDB's BatchWriteItem: tables mixed in one request, twenty-five items a request, and the items it
leaves unprocessed (throttled) sent again until none is left."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from localangle.adapters import storage


class FakeClient:
    """Answers each request with the items it is told to leave unprocessed."""

    def __init__(self, leave: list[int]) -> None:
        self.leave = leave  # per request: how many of its items come back unprocessed
        self.requests: list[dict[str, list[dict[str, Any]]]] = []

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        self.requests.append(RequestItems)
        n = self.leave.pop(0) if self.leave else 0
        flat = [(name, r) for name, rs in RequestItems.items() for r in rs][:n]
        unprocessed: dict[str, list[dict[str, Any]]] = {}
        for name, r in flat:
            unprocessed.setdefault(name, []).append(r)
        return {"UnprocessedItems": unprocessed}


def _table(name: str, client: FakeClient) -> Any:
    return SimpleNamespace(name=name, meta=SimpleNamespace(client=client))


def test_items_go_twenty_five_to_a_request_and_the_unprocessed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(storage.time, "sleep", pauses.append)
    client = FakeClient(leave=[3, 1, 0, 0])
    entries, feeds = _table("entries", client), _table("feeds", client)
    puts = [(entries, {"entry_id": f"e{n}"}) for n in range(30)] + [(feeds, {"feed_id": "f"})]
    storage._batch_put(puts)
    sizes = [sum(len(v) for v in r.values()) for r in client.requests]
    assert sizes == [25, 3, 1, 6]  # 25; its 3 unprocessed; of those, 1 again; then the last 6
    assert client.requests[-1]["feeds"] == [{"PutRequest": {"Item": {"feed_id": "f"}}}]
    assert len(pauses) == 2 and pauses[0] < pauses[1]  # backing off before each resend


def test_items_never_processed_are_an_error_not_a_silent_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage.time, "sleep", lambda s: None)
    client = FakeClient(leave=[1] * 200)
    with pytest.raises(RuntimeError, match="left 1 items unprocessed"):
        storage._batch_put([(_table("entries", client), {"entry_id": "e"})])
