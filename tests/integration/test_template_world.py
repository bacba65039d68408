"""The local world is built from template.yaml, and every handler accepts its sample event from events/."""

from __future__ import annotations

import json
from typing import Any

from localangle.adapters import aws
from localangle.local.cloud import load_template
from localangle.local.driver import FakeContext
from localangle.local.world import World
from tests.conftest import ROOT
from tests.flows import emails_sent


def _event(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "events" / name).read_text(encoding="utf-8"))


def _depth(world: World, queue: str) -> int:
    attrs = aws.client("sqs").get_queue_attributes(
        QueueUrl=world.cloud.queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_tables_queues_and_bucket_follow_the_template(world: World) -> None:
    template = load_template(ROOT / "template.yaml")["Resources"]
    dynamodb, sqs = aws.client("dynamodb"), aws.client("sqs")
    tables = {lid: r for lid, r in template.items() if r["Type"] == "AWS::DynamoDB::Table"}
    assert tables, "the template declares the tables"
    for lid, res in tables.items():
        described = dynamodb.describe_table(TableName=world.cloud.physical[lid]["Ref"])["Table"]
        assert described["KeySchema"] == res["Properties"]["KeySchema"]
        ttl = res["Properties"].get("TimeToLiveSpecification")
        if ttl:
            status = dynamodb.describe_time_to_live(TableName=world.cloud.physical[lid]["Ref"])
            assert status["TimeToLiveDescription"]["AttributeName"] == ttl["AttributeName"]
    for lid, res in template.items():
        if res["Type"] != "AWS::SQS::Queue":
            continue
        attrs = sqs.get_queue_attributes(QueueUrl=world.cloud.queue_url(lid), AttributeNames=["All"])[
            "Attributes"
        ]
        props = res["Properties"]
        assert (attrs.get("FifoQueue") == "true") == bool(props.get("FifoQueue")), lid
        if "RedrivePolicy" in props:
            policy = json.loads(attrs["RedrivePolicy"])
            dlq = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert policy["deadLetterTargetArn"] == world.cloud.physical[dlq]["Arn"]
            assert int(attrs["VisibilityTimeout"]) == props["VisibilityTimeout"]
    assert world.cloud.queue_consumers() == {
        "FeedQueue": "fetch_feed",
        "ArticleQueue": "process_article",
        "LedgerQueue": "update_ledger",
        "AlertQueue": "send_alert",
    }
    assert set(world.cloud.env) >= {
        "ARCHIVE_BUCKET",
        "LEDGER_TABLE",
        "LEDGER_QUEUE_URL",
        "SLACK_WEBHOOK_PARAMETER",
    }


def test_every_handler_accepts_its_sample_event(seed_world: World) -> None:
    w = seed_world
    handlers = w.flow.handlers
    # ScheduleFeeds: every configured feed is due on the first run
    assert (
        handlers["schedule_feeds"](_event("schedule_feeds-scheduled.json"), FakeContext("s"))["scheduled"]
        == 5
    )
    # FetchFeed: the Warrington Guardian's feed, with one story in it
    from localangle.articles import read_article_file
    from tests.conftest import ARTICLES

    article = read_article_file(ARTICLES / "001_bc18daddbc62a9cf.txt").model_copy(
        update={"outlet": "Warrington Guardian"}
    )
    w.publish("warrington-guardian", article, None, "warrington-story")
    before = _depth(w, "ArticleQueue")
    assert handlers["fetch_feed"](_event("fetch_feed-sqs.json"), FakeContext("f")) == {
        "batchItemFailures": []
    }
    assert _depth(w, "ArticleQueue") == before + 1
    # ProcessArticle: the sample carries the feed's own text; it matches and goes to the ledger queue
    assert handlers["process_article"](_event("process_article-sqs.json"), FakeContext("p")) == {
        "batchItemFailures": []
    }
    assert _depth(w, "LedgerQueue") == 1
    # UpdateLedger: a first report for Cheshire raises a regional angle
    assert handlers["update_ledger"](_event("update_ledger-sqs.json"), FakeContext("u")) == {
        "batchItemFailures": []
    }
    assert _depth(w, "AlertQueue") >= 1
    # SendAlert: the sample conflict reaches the national desk's and the Cheshire desk's Slack
    assert handlers["send_alert"](_event("send_alert-sqs.json"), FakeContext("a")) == {
        "batchItemFailures": []
    }
    paths = sorted(path for path, _ in w.slack.messages)
    assert paths == ["/hooks/cheshire-desk", "/hooks/national-desk"]
    # SendAlert, a feed notice: the Warrington Guardian's feed is failing; its newsrooms hear of it
    assert handlers["send_alert"](_event("send_alert-feed-notice-sqs.json"), FakeContext("n")) == {
        "batchItemFailures": []
    }
    notices = [(path, p["text"]) for path, p in w.slack.messages if p["text"].startswith("Feed failing")]
    assert sorted(notices) == [
        ("/hooks/cheshire-desk", "Feed failing: Warrington Guardian"),
        ("/hooks/national-desk", "Feed failing: Warrington Guardian"),
    ]
    # Roundup: the ledger changed, so the operation's report is published to the archive bucket (and the
    # other, idle operation's too: its report was last read whole when the world was switched on, over a day
    # ago); and the national desk gets its email of the conflict SendAlert held for this run
    assert handlers["roundup"](_event("roundup-scheduled.json"), FakeContext("r")) == {
        "reports": 2,
        "summaries": 1,
    }
    assert emails_sent(w) == [
        "Feed failing: Warrington Guardian → national.desk@newsroom.example",  # a notice goes at once
        "Conflicting figure: arrests in Warrington → national.desk@newsroom.example",
    ]
    page = aws.client("s3").get_object(
        Bucket=w.cloud.env["ARCHIVE_BUCKET"], Key="ledger/nca-2014-online-child-abuse/index.html"
    )
    assert page["ContentType"].startswith("text/html") and b"Cheshire" in page["Body"].read()


def test_a_malformed_message_is_reported_as_failed_not_lost(seed_world: World) -> None:
    # Given a batch of a good message and a malformed one
    event = _event("process_article-sqs.json")
    bad = dict(event["Records"][0], messageId="bad-message", body='{"not": "an article"}')
    event["Records"].append(bad)
    # When ProcessArticle handles it, Then only the malformed one goes back to the queue (and later its DLQ)
    result = seed_world.flow.handlers["process_article"](event, FakeContext("p"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-message"}]}


def test_fetch_feed_polls_every_feed_of_a_batch_at_once() -> None:
    # the batch's feeds share one page deadline: a feed left waiting for a thread would have less of it
    from localangle.pipeline.fetch import FEEDS_AT_ONCE, PAGE_BUDGET_SECONDS

    function = load_template(ROOT / "template.yaml")["Resources"]["FetchFeedFunction"]["Properties"]
    assert function["Events"]["FeedQueueEvent"]["Properties"]["BatchSize"] <= FEEDS_AT_ONCE
    assert function["Timeout"] > PAGE_BUDGET_SECONDS


def test_the_driver_batches_each_queue_as_its_event_source_does(world: World, monkeypatch: Any) -> None:
    sqs = aws.client("sqs")
    articles, alerts = world.cloud.queue_url("ArticleQueue"), world.cloud.queue_url("AlertQueue")
    for i in range(25):
        sqs.send_message(QueueUrl=articles, MessageBody=json.dumps({"n": i, "pad": "x" * 100}))
    for i in range(3):
        sqs.send_message(QueueUrl=alerts, MessageBody=json.dumps({"n": i}))
    # ProcessArticle's source waits for a batch to fill (BatchSize 100, a window): one invocation gets all 25
    assert world.cloud.batching("ArticleQueue")[0] > 25
    assert len(world.flow._receive_batch("ArticleQueue", articles)) == 25
    # SendAlert's takes one alert at a time
    assert world.cloud.batching("AlertQueue") == (1, 0)
    assert len(world.flow._receive_batch("AlertQueue", alerts)) == 1
    # a batch stops short of the payload limit, and what does not fit waits in the queue for the next one
    for i in range(25):
        sqs.send_message(QueueUrl=articles, MessageBody=json.dumps({"n": i, "pad": "x" * 100}))
    monkeypatch.setattr("localangle.local.driver.PAYLOAD_LIMIT", 1000)
    first = world.flow._receive_batch("ArticleQueue", articles)
    assert 1 < len(first) < 10
    assert sum(len(m["Body"]) for m in first) <= 1000
    rest = []
    while batch := world.flow._receive_batch("ArticleQueue", articles):
        assert sum(len(m["Body"]) for m in batch) <= 1000
        rest += batch
    assert len(first) + len(rest) == 25
    # each received once: what did not fit was not handed back to SQS, which would count it towards the DLQ
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in first + rest} == {"1"}
