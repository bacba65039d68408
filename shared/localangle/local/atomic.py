"""moto's DynamoDB made atomic across threads, as DynamoDB is.

DynamoDB checks a conditional write's condition and writes as one step, and a transaction's writes all land or
none, whatever else is writing. moto, answering in the caller's thread, does neither across threads: it reads
the item, checks, then writes, so two threads can both pass `version = :read` and both commit; a write that
returns the old item reads it before writing; and a transaction that fails puts back a copy of each table it
took before it began, over whatever other threads wrote meanwhile. FetchFeed runs a batch's feeds in threads,
and the ledger's race test runs two commits at once, so the local world answers one DynamoDB request at a
time: each, from carrying out its action to writing its answer, under one lock.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.RLock()
_depth = 0  # how deep the thread holding the lock is in it (only that thread changes it)
holds = 0  # how often the lock was taken from outside it: once a request


def _alone(answer: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(answer)
    def alone(*args: Any, **kwargs: Any) -> Any:
        global _depth, holds
        with _lock:
            holds += _depth == 0
            _depth += 1
            try:
                return answer(*args, **kwargs)
            finally:
                _depth -= 1

    alone.one_at_a_time = True  # type: ignore[attr-defined]
    return alone


def install() -> None:
    """Answer moto's DynamoDB requests one at a time, from now on in this process (once: later calls do
    nothing)."""
    from moto.dynamodb.responses import DynamoHandler

    if not getattr(DynamoHandler.call_action, "one_at_a_time", False):
        DynamoHandler.call_action = _alone(DynamoHandler.call_action)  # type: ignore[method-assign]
