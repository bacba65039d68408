"""SQS partial batch responses, and the scheduled functions' event."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from localangle.batch import BatchFailed, process_batch
from localangle.models.events import ScheduledEvent
from localangle.observability import log_keys, logger


def _event(*bodies: str) -> dict:
    return {"Records": [{"messageId": f"m{n}", "body": b} for n, b in enumerate(bodies)]}


def _handle(seen: list[str]) -> Callable[[str], None]:
    def handle(body: str) -> None:
        seen.append(body)
        if body.startswith("bad"):
            raise ValueError(body)

    return handle


def test_only_the_records_that_failed_come_back() -> None:
    seen: list[str] = []
    result = process_batch(_event("a", "bad1", "b", "bad2"), _handle(seen))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}
    assert seen == ["a", "bad1", "b", "bad2"]


def test_on_a_fifo_queue_the_first_failure_returns_every_record_after_it_unhandled() -> None:
    seen: list[str] = []
    result = process_batch(_event("a", "bad1", "b"), _handle(seen), fifo=True)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}
    assert seen == ["a", "bad1"]  # "b" waits behind the failure, in order


def test_a_batch_where_nothing_succeeded_fails_the_invocation() -> None:
    with pytest.raises(BatchFailed, match="all 2 records failed") as caught:
        process_batch(_event("bad1", "bad2"), _handle([]))
    assert isinstance(caught.value.__cause__, ValueError)
    assert process_batch({"Records": []}, _handle([])) == {"batchItemFailures": []}
    with pytest.raises(ValueError, match="not an SQS event"):
        process_batch({"detail-type": "Scheduled Event"}, _handle([]))


def test_the_scheduled_event_is_read_and_anything_else_refused() -> None:
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "time": "2014-07-16T09:00:00Z"}
    assert ScheduledEvent.model_validate(event).time.isoformat() == "2014-07-16T09:00:00+00:00"
    with pytest.raises(ValidationError, match="detail-type"):
        ScheduledEvent.model_validate({**event, "detail-type": "Object Created"})
    with pytest.raises(ValidationError, match="time"):
        ScheduledEvent.model_validate({"detail-type": "Scheduled Event", "source": "aws.events"})


def test_what_the_records_read_is_finished_together_and_a_failed_finish_returns_them_all() -> None:
    finished: list[list[str]] = []

    def handle(body: str) -> str | None:
        if body.startswith("bad"):
            raise ValueError(body)
        return None if body == "same" else body.upper()  # None: nothing to finish

    result = process_batch(_event("a", "bad1", "same", "b"), handle, finish=finished.append)
    assert finished == [["A", "B"]]
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}

    def refuse(results: list[str]) -> None:
        raise OSError("the archive is down")

    # When the finish fails, every record it was given comes back (with those that failed on their own);
    # the record with nothing to finish is done
    result = process_batch(_event("a", "bad1", "same", "b"), handle, finish=refuse)
    assert result == {
        "batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]
    }
    with pytest.raises(BatchFailed, match="all 2 records failed") as caught:
        process_batch(_event("a", "b"), handle, finish=refuse)
    assert isinstance(caught.value.__cause__, OSError)


def test_on_a_fifo_queue_a_failed_finish_returns_every_record_from_the_first_it_was_given() -> None:
    def handle(body: str) -> str | None:
        return None if body == "same" else body

    def refuse(results: list[str]) -> None:
        raise OSError("the archive is down")

    # "same" had nothing to finish, but it comes after "a" in its group: deleting it would judge it first
    result = process_batch(_event("same", "a", "same", "b"), handle, fifo=True, finish=refuse)
    assert result == {
        "batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]
    }


def test_with_workers_the_records_are_handled_at_once_and_failures_come_back_the_same() -> None:
    # each record waits for the other two: handled in turn, the first would wait in vain and fail
    together = threading.Barrier(3, timeout=10)

    def handle(body: str) -> str:
        together.wait()
        if body.startswith("bad"):
            raise ValueError(body)
        return body

    finished: list[list[str]] = []
    result = process_batch(_event("a", "bad1", "b"), handle, workers=3, finish=finished.append)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert finished == [["a", "b"]]  # in the batch's order, whichever finished first
    with pytest.raises(BatchFailed):
        process_batch(_event("bad1", "bad2"), _handle([]), workers=2)


def test_a_fifo_batch_is_handled_in_turn_whatever_the_workers() -> None:
    seen: list[str] = []
    result = process_batch(_event("a", "bad1", "b"), _handle(seen), fifo=True, workers=3)
    assert seen == ["a", "bad1"]
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == ["m1", "m2"]


def test_records_handled_at_once_each_log_with_their_own_keys() -> None:
    together = threading.Barrier(2, timeout=10)

    @log_keys(lambda body: {"feed_id": body})
    def stage(body: str) -> None:
        together.wait()  # both are inside, their keys set, before either logs
        logger.info("polled")

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    try:
        process_batch(_event("feed-a", "feed-b"), stage, workers=2)
    finally:
        logger._logger.removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(line["feed_id"] for line in lines if line["message"] == "polled") == ["feed-a", "feed-b"]
    # and the pool's threads, which serve the next batch, keep none of them
    left: list[list[dict]] = []

    def keys(body: str) -> dict:
        together.wait()  # both threads of the pool, not one twice
        return dict(logger.thread_safe_get_current_keys())

    process_batch(_event("x", "y"), keys, workers=2, finish=left.append)
    assert left == [[{}, {}]]


def test_fetch_feed_builds_its_models_before_its_threads_and_gives_the_batch_one_page_deadline() -> None:
    import time

    from localangle.models.messages import ArticleMessage, FeedMessage
    from localangle.pipeline.fetch import PAGE_BUDGET_SECONDS, prepare

    before = time.monotonic()
    until = prepare()
    assert before + PAGE_BUDGET_SECONDS <= until <= time.monotonic() + PAGE_BUDGET_SECONDS
    for model in (FeedMessage, ArticleMessage):  # built: no thread builds them while another validates
        assert type(model.__pydantic_validator__).__name__ == "SchemaValidator"
