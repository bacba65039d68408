"""The bench's meter counts what the functions ask of AWS, per function and per attempt; the end-to-end run
processes every article of its corpus and prices what it used."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from localangle import bench, corpus
from localangle.adapters import aws
from localangle.local.world import World
from localangle.meter import OUTSIDE, AwsMeter
from tests.conftest import ROOT
from tests.faults import AwsFaults


@contextmanager
def _feeds_with_one_item(tmp_path: Path, size: int) -> Iterator[tuple[World, AwsMeter, str, Any]]:
    """A metered world whose feeds table holds one item, "a", of about `size` bytes, put unmetered."""
    with World(ROOT, [], [], tmp_path / "flow.log") as world, AwsMeter(world.flow) as meter:
        feeds = world.cloud.env["FEEDS_TABLE"]
        dynamodb = aws.client("dynamodb")
        dynamodb.put_item(TableName=feeds, Item={"feed_id": {"S": "a"}, "blob": {"S": "x" * size}})
        yield world, meter, feeds, dynamodb


def test_every_request_is_charged_to_the_function_that_made_it(tmp_path: Path) -> None:
    with World(ROOT, [], [], tmp_path / "flow.log") as world, AwsMeter(world.flow) as meter:
        feeds = world.cloud.env["FEEDS_TABLE"]
        dynamodb = aws.client("dynamodb")
        world.flow.current = "fetch_feed"
        dynamodb.put_item(TableName=feeds, Item={"feed_id": {"S": "a"}, "blob": {"S": "x" * 3000}})
        dynamodb.get_item(TableName=feeds, Key={"feed_id": {"S": "a"}}, ConsistentRead=True)
        dynamodb.get_item(TableName=feeds, Key={"feed_id": {"S": "a"}})
        world.flow.current = None
        dynamodb.get_item(TableName=feeds, Key={"feed_id": {"S": "a"}})
    assert meter.calls["fetch_feed"] == {"dynamodb.PutItem": 1, "dynamodb.GetItem": 2}
    assert meter.calls[OUTSIDE] == {"dynamodb.GetItem": 1}
    assert meter.function_calls() == {"fetch_feed": meter.calls["fetch_feed"]}
    assert meter.dynamodb_write_units == 3  # a 3 kB item is three 1 kB write units
    assert meter.dynamodb_read_units == 1.5  # one consistent read and one eventually consistent


def test_a_retried_request_is_counted_again(tmp_path: Path) -> None:
    with (
        World(ROOT, [], [], tmp_path / "flow.log") as world,
        AwsFaults() as faults,
        AwsMeter(world.flow) as meter,
    ):
        faults.fail("dynamodb.GetItem", "ProvisionedThroughputExceededException", times=2)
        world.flow.current = "update_ledger"
        aws.client("dynamodb").get_item(TableName=world.cloud.env["FEEDS_TABLE"], Key={"feed_id": {"S": "a"}})
    assert meter.calls["update_ledger"]["dynamodb.GetItem"] == 3


def test_the_end_to_end_run_processes_every_article_and_prices_it() -> None:
    outlets = corpus.build([], 24, hours=1)
    result = bench.end_to_end(ROOT, outlets)
    assert result["e2e_articles"] == 24
    assert result["alerts"] > 0
    by_function = result["requests_per_article_by_function"]
    assert {"fetch_feed", "process_article", "update_ledger", "send_alert"} <= set(by_function)
    assert 0 < result["aws_requests_per_article"] < 100
    assert (
        result["usd_per_million_by_item"]["s3"] > 0
        and result["usd_per_million_by_item"]["lambda_duration"] > 0
    )
    # the cost by function is the same money, split by who spent it
    by_cost = result["usd_per_million_by_function"]
    assert {"fetch_feed", "process_article", "update_ledger", "send_alert"} <= set(by_cost)
    assert abs(sum(by_cost.values()) - result["usd_per_million_articles"]) < 0.01 * len(by_cost)
    assert list(by_cost.values()) == sorted(by_cost.values(), reverse=True)


def test_a_squeezed_day_brings_the_same_articles_in_fewer_runs() -> None:
    outlets = corpus.build([], 24, hours=2)
    day, busy = bench.end_to_end(ROOT, outlets), bench.end_to_end(ROOT, outlets, squeeze=1 / 8)
    assert day["e2e_articles"] == busy["e2e_articles"] == 24
    assert busy["runs"] < day["runs"] and busy["articles_per_run"] > day["articles_per_run"]
    assert busy["alerts"] > 0


def test_billed_quantities_are_charged_to_the_function_that_asked(tmp_path: Path) -> None:
    with World(ROOT, [], [], tmp_path / "flow.log") as world, AwsMeter(world.flow) as meter:
        s3 = aws.client("s3")
        bucket = world.cloud.env["ARCHIVE_BUCKET"]
        world.flow.current = "process_article"
        s3.put_object(Bucket=bucket, Key="a", Body=b"x")
        s3.get_object(Bucket=bucket, Key="a")
        world.flow.current = "roundup"
        s3.get_object(Bucket=bucket, Key="a")
        world.flow.current = None
        s3.get_object(Bucket=bucket, Key="a")  # the driver's own: not billed
    assert meter.billed["process_article"] == {"s3_put": 1, "s3_get": 1}
    assert meter.billed["roundup"] == {"s3_get": 1}
    assert OUTSIDE not in meter.billed


def test_log_bytes_are_charged_to_the_function_that_wrote_them(tmp_path: Path) -> None:
    log = tmp_path / "flow.log"
    before = b"not counted\n"
    lines = [
        b'{"function_name": "localangle-fetch_feed", "message": "x"}\n',
        b'{"function_name": "localangle-fetch_feed", "message": "yy"}\n',
        b'{"message": "the driver"}\n',
        b"not json\n",
    ]
    log.write_bytes(before + b"".join(lines))
    out, cut_short = bench._read_log(log, len(before))
    assert out == {"fetch_feed": len(lines[0]) + len(lines[1]), OUTSIDE: len(lines[2]) + len(lines[3])}
    assert cut_short == 0


def test_a_write_costs_the_larger_of_the_item_before_and_after(tmp_path: Path) -> None:
    with _feeds_with_one_item(tmp_path, 3000) as (world, meter, feeds, dynamodb):
        world.flow.current = "fetch_feed"
        dynamodb.update_item(
            TableName=feeds,
            Key={"feed_id": {"S": "a"}},
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "1"}},
        )
        dynamodb.put_item(TableName=feeds, Item={"feed_id": {"S": "a"}})  # replaces 3 kB with a few bytes
        dynamodb.delete_item(TableName=feeds, Key={"feed_id": {"S": "a"}})  # a tiny item: one unit
    assert meter.write_units == {"fetch_feed": 3 + 3 + 1}
    assert meter.dynamodb_write_units == 7
    assert meter.calls["fetch_feed"] == {
        "dynamodb.UpdateItem": 1,
        "dynamodb.PutItem": 1,
        "dynamodb.DeleteItem": 1,
    }


def test_an_item_is_sized_as_dynamodb_bills_it_not_as_its_json() -> None:
    from decimal import Decimal

    from localangle.meter import _size

    # names and values in UTF-8 bytes; numbers a byte per two digits and one; lists and maps 3 bytes and a
    # byte per element; booleans and nulls a byte
    assert _size({"pk": {"S": "abc"}}) == 2 + 3
    assert _size({"n": {"N": "12345"}, "ok": {"BOOL": True}, "z": {"NULL": True}}) == (1 + 4) + (2 + 1) + (
        1 + 1
    )
    assert _size({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert _size({"m": {"M": {"k": {"S": "é"}}}}) == 1 + 3 + (1 + 1 + 2)
    assert _size({"b": {"B": "AAEC"}}) == 1 + 3  # base64 of three bytes
    # the same item as plain values (a resource's reply) is the same size
    assert _size({"pk": "abc", "n": Decimal("12345"), "l": ["ab", 1]}) == (2 + 3) + (1 + 4) + (1 + 3 + 3 + 3)
    # a kilobyte of text is a kilobyte, whatever the JSON around it
    assert _size({"feed_id": {"S": "a"}, "blob": {"S": "x" * 1000}}) == 7 + 1 + 4 + 1000


def test_a_batch_read_costs_every_key_asked_found_or_not(tmp_path: Path) -> None:
    with _feeds_with_one_item(tmp_path, 5000) as (world, meter, feeds, dynamodb):
        world.flow.current = "schedule_feeds"
        keys = [{"feed_id": {"S": f}} for f in ("a", "b", "c")]
        dynamodb.batch_get_item(RequestItems={feeds: {"Keys": keys, "ConsistentRead": True}})
        dynamodb.batch_get_item(RequestItems={feeds: {"Keys": keys}})
    # a 5 kB item is two 4 kB units, each missing key one: 4 consistent, then half that eventually consistent
    assert meter.dynamodb_read_units == 4 + 2
    assert meter.read_units == {"schedule_feeds": 6}
