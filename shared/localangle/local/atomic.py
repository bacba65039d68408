"""moto's DynamoDB made atomic across threads, as DynamoDB is.

DynamoDB checks a conditional write's condition and writes as one step, and a transaction's writes all land or
none, whatever else is writing. moto, answering in the caller's thread, does neither across threads: it reads
the item, checks, then writes, so two threads can both pass `version = :read` and both commit; and a
transaction that fails puts back a copy of each table it took before it began, over whatever other threads
wrote meanwhile. FetchFeed runs a batch's feeds in threads, and the ledger's race test runs two commits at
once, so the local world runs each of moto's DynamoDB item operations alone, under one lock.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

# Every item operation the backend has: batch operations and PartiQL go through these, item by item.
OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "transact_write_items")

_lock = threading.RLock()  # a transaction calls the item operations under it
_installed = False


def _alone(operation: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(operation)
    def alone(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return operation(*args, **kwargs)

    return alone


def install() -> None:
    """Serialise moto's DynamoDB item operations, once per process (a no-op after the first call)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in OPERATIONS:
        setattr(DynamoDBBackend, name, _alone(getattr(DynamoDBBackend, name)))
    _installed = True
