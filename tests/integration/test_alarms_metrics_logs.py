"""What operators see: alarms on every DLQ, every function and failing feeds, sent to the operations topic;
metrics for articles, figures, alerts and feeds failing; log lines carrying the ids of what they are about."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from localangle.adapters import slack
from localangle.articles import read_article_file
from localangle.config import load_dir
from localangle.local.cloud import load_template
from localangle.local.world import World
from tests.conftest import ARTICLES, ROOT, operation_texts
from tests.flows import T0

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def _alarms() -> dict[str, dict[str, Any]]:
    return {lid: r["Properties"] for lid, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def _watched(alarm: dict[str, Any]) -> Any:
    [dimension] = alarm["Dimensions"]
    return dimension["Value"]


def test_every_dlq_and_every_function_has_an_alarm_to_the_operations_topic() -> None:
    alarms = _alarms()
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": "OperationsTopic"}]
        assert alarm["OKActions"] == [{"Ref": "OperationsTopic"}]
        assert alarm["TreatMissingData"] == "notBreaching"
    depth = [a for a in alarms.values() if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
    dlqs = [lid for lid, r in RESOURCES.items() if r["Type"] == "AWS::SQS::Queue" and lid.endswith("DLQ")]
    assert sorted(_watched(a)["Fn::GetAtt"][0] for a in depth) == sorted(dlqs)
    assert all(a["Threshold"] == 0 and a["ComparisonOperator"] == "GreaterThanThreshold" for a in depth)
    errors = [a for a in alarms.values() if a["Namespace"] == "AWS/Lambda" and a["MetricName"] == "Errors"]
    functions = [lid for lid, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"]
    assert sorted(_watched(a)["Ref"] for a in errors) == sorted(functions)
    namespace = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    for ours in ("FeedsFailing", "SummaryFailures"):  # gauges the functions publish, by Powertools' service
        [alarm] = [a for a in alarms.values() if a["MetricName"] == ours]
        assert alarm["Namespace"] == namespace and _watched(alarm) == "localangle"


def test_every_function_logs_to_a_group_with_the_retention_set() -> None:
    groups = {
        r["Properties"]["LogGroupName"]["Fn::Sub"]: r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    for lid, r in RESOURCES.items():
        if r["Type"] == "AWS::Serverless::Function":
            assert groups[f"/aws/lambda/${{{lid}}}"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def _emf(text: str) -> dict[str, list[float]]:
    """Metric name → every value the functions published, from the EMF lines they printed."""
    values: dict[str, list[float]] = defaultdict(list)
    for line in text.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "localangle"
            names = [m["Name"] for m in directive["Metrics"]]
            if names != ["ColdStart"]:  # Powertools' own, by function: ours are by service, as the alarm says
                assert directive["Dimensions"] == [["service"]] and record["service"] == "localangle"
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                values[metric["Name"]].extend(value if isinstance(value, list) else [value])
    return values


def test_metrics_and_structured_logs_of_a_run_with_a_failing_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack, "BACKOFF_SECONDS", 0.0)
    from localangle.observability import metrics as buffered

    buffered.clear_metrics()  # what earlier tests' functions added with metrics off was never flushed
    config = load_dir(ROOT / "seeds")
    log = tmp_path / "flow.log"
    with World(ROOT, operation_texts(), config.newsrooms, log, metrics=True) as world:
        for feed in config.feeds:
            world.add_outlet(feed)
        world.upload_config()
        broken, working = list(world.outlets)[:2]
        world.site.answer_next(world.feed_path(broken), 503, b"<title>Down</title>", "text/html", times=10)
        world.publish(working, read_article_file(ARTICLES / "001_bc18daddbc62a9cf.txt"), None, "warrington")
        world.slack.refuse = [500] * (
            1 + slack.RETRIES
        )  # one delivery fails: its warning carries the ids too
        for n in range(4):  # the broken feed fails four polls in a row (backing off, but due every two hours)
            world.tick(T0 + timedelta(hours=n * 2))
        assert world.notices() and world.notices()[0]["kind"] == "feed_failing"
    lines = log.read_text(encoding="utf-8")
    metrics = _emf(lines)
    assert sum(metrics["ArticlesProcessed"]) >= 1 and sum(metrics["FiguresRead"]) >= 2
    assert sum(metrics["AlertsDelivered"]) >= 1 and sum(metrics["FeedFailures"]) == 4
    # one gauge per scheduled run (the priming run first), counted before that run's polls: failing from
    # the run after the third failure in a row, the threshold for telling newsrooms
    assert metrics["FeedsFailing"] == [0, 0, 0, 0, 1]

    records = [json.loads(line) for line in lines.splitlines() if line.startswith('{"level"')]
    needs = {
        "localangle-fetch_feed": {"feed_id"},
        "localangle-process_article": {"article_id", "feed_id"},
        "localangle-update_ledger": {"operation_id", "article_id"},
    }
    seen = defaultdict(int)
    for record in records:
        function = record.get("function_name")
        # every line says which function and invocation wrote it, not what the log group already says
        assert {"function_name", "function_request_id"} <= record.keys(), record
        assert not {"function_arn", "function_memory_size"} & record.keys(), record
        if function in needs and record["message"] == "articles archived":  # per batch: its articles
            assert record["article_ids"] and record["archive_key"].startswith("articles/"), record
        elif function in needs and record["message"] == "feeds polled":  # per batch: its feeds, by outcome
            polled = [f for status in ("fetched", "not_modified", "failed") for f in record.get(status, [])]
            assert polled and set(polled) <= set(world.outlets), record
            seen["polled"] += int(broken in record.get("failed", []))
        elif function in needs and record["message"] != "Processing batch":  # Powertools' own, per batch
            assert needs[function] <= record.keys(), record
            seen[function] += 1
        if function == "localangle-send_alert" and record["message"].startswith("alert"):
            assert {"alert_key", "operation_id"} <= record.keys(), record
            seen[function] += 1
    assert all(seen[f] for f in [*needs, "localangle-send_alert"]), seen
    assert seen["polled"] == 4  # the broken feed's four failed polls, each told in its batch's line
    failing = [r for r in records if r["message"] == "feeds failing"]
    assert failing and failing[-1]["feed_ids"] == [broken]
