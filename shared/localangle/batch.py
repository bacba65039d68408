"""SQS batches with partial failure: Lambda's `ReportBatchItemFailures` response, built here.

Powertools' batch utility does the same, but importing it (with the data classes of every other event source
and asyncio) cost each handler 60–90 ms of its cold start (`localangle bench`, handler_import_ms), and its
contract is a few lines: every record handled in turn; a failure is reported by message id so that only those
records come back; on a FIFO queue the first failure also returns every record after it, so one message
group is never judged out of order; and when no record succeeded the invocation fails, as Powertools makes it
fail, so Lambda's Errors metric and the alarms on it see a consumer that is failing altogether.

A stage that mostly waits on other servers (FetchFeed: outlets' feeds and pages) hands the records to
`workers` threads at once, so a batch waits for its slowest record rather than for the sum of them; its
handler must then be safe to run concurrently. Failures are reported exactly as when handled in turn.

A stage whose writes are cheaper made together (ten rows in one request, ten articles in one archive object)
hands each record's result to `finish` once the batch is read: if `finish` fails, every record it was given
fails with it and comes back; it must be idempotent, as those records are read and finished again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from localangle.observability import logger

BatchResponse = dict[str, list[dict[str, str]]]
T = TypeVar("T")


class BatchFailed(RuntimeError):
    """Every record of the batch failed; each is returned to its queue."""


def process_batch(
    event: Mapping[str, Any],
    handle: Callable[[str], T],
    *,
    fifo: bool = False,
    finish: Callable[[list[T]], object] | None = None,
    workers: int = 1,
) -> BatchResponse:
    """Hand each record's body to `handle` (in `workers` threads at once, never on a FIFO queue), then the
    results that are not None to `finish`; the response lists the records that failed."""
    if not isinstance(event.get("Records"), list):
        raise ValueError("not an SQS event: it has no Records")
    records = event["Records"]
    failed: list[str] = []
    results: list[tuple[str, T]] = []
    first: Exception | None = None
    # at once: each record's future holds its result or its error, taken below in the batch's order
    threaded = workers > 1 and not fifo and len(records) > 1
    futures = [_pool(workers).submit(_body_to, handle, r) for r in records] if threaded else []
    for n, record in enumerate(records):
        try:
            result = futures[n].result() if threaded else handle(record["body"])
        except Exception as exc:
            # the stage logged its own failure with the message's keys; a body that is not a message at
            # all never reached it, so the message id and the error are logged here for every failure
            logger.warning("record failed", extra={"message_id": record.get("messageId"), "error": str(exc)})
            if first is None:
                first = exc
            if fifo:
                failed.extend(r["messageId"] for r in records[n:])
                break
            failed.append(record["messageId"])
            continue
        if result is not None:
            results.append((record["messageId"], result))
    if finish is not None and results:
        try:
            finish([result for _, result in results])
        except Exception as exc:
            logger.warning("batch failed", extra={"message_ids": [m for m, _ in results], "error": str(exc)})
            if first is None:
                first = exc
            back = {message_id for message_id, _ in results} | set(failed)
            if fifo:  # in order: the first record given to finish, and every record after it
                first_back = next(n for n, r in enumerate(records) if r["messageId"] in back)
                back |= {r["messageId"] for r in records[first_back:]}
            failed = [r["messageId"] for r in records if r["messageId"] in back]
    if records and len(failed) == len(records):
        raise BatchFailed(f"all {len(records)} records failed; the first: {first!r}") from first
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}


def _body_to(handle: Callable[[str], T], record: Mapping[str, Any]) -> T:
    return handle(record["body"])  # in the worker: a record without a body fails there, as in turn


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """One pool per size for the life of the process: a warm function's threads, and what each keeps (its
    own DynamoDB table objects, adapters/aws.py), serve every later invocation."""
    with _pools_lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="record")
        return _pools[workers]
