"""Poison messages reach their dead-letter queue after the configured receive count, and `localangle redrive`
sends a DLQ's messages back: after an outage, nothing lost and nothing sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from localangle.adapters import aws, slack
from localangle.articles import read_article_file
from localangle.cli import main
from localangle.local.world import World
from tests.conftest import ARTICLES
from tests.flows import emails_sent

T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)


def _depth(world: World, queue: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=world.cloud.queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_a_poison_message_reaches_the_dlq_after_the_configured_receive_count(world: World) -> None:
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=world.cloud.queue_url("FeedQueue"), MessageBody='{"feed_id": ')  # cut short
    world.flow.drain()
    receives = world.cloud.template["Resources"]["FeedQueue"]["Properties"]["RedrivePolicy"][
        "maxReceiveCount"
    ]
    assert world.flow.failures["fetch_feed"] == receives
    dead = sqs.receive_message(
        QueueUrl=world.cloud.queue_url("FeedDLQ"), AttributeNames=["ApproximateReceiveCount"]
    )["Messages"]
    assert [m["Body"] for m in dead] == ['{"feed_id": ']  # intact


def test_alerts_refused_by_slack_wait_in_the_dlq_and_redrive_sends_each_once(
    seed_world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack, "BACKOFF_SECONDS", 0.0)  # hundreds of refused posts: retry them at once
    article = read_article_file(ARTICLES / "001_bc18daddbc62a9cf.txt").model_copy(
        update={"outlet": "Warrington Guardian"}
    )
    seed_world.publish("warrington-guardian", article, None, "warrington-story")
    seed_world.slack.refuse = [500] * 100  # Slack is down for the whole run
    seed_world.tick(T0)
    stuck = _depth(seed_world, "AlertDLQ")
    assert stuck >= 1 and seed_world.slack.messages == []
    email_first = len(seed_world.flow.delivered)

    seed_world.slack.refuse = []  # Slack is back
    assert main(["redrive", seed_world.cloud.queue_url("AlertDLQ")]) == 0
    assert capsys.readouterr().out.strip().startswith(f"{stuck} messages sent back to ")
    assert _depth(seed_world, "AlertDLQ") == 0
    seed_world.flow.drain()
    posted = [(path, payload["text"]) for path, payload in seed_world.slack.messages]
    assert len(posted) == len(set(posted)) and posted  # each alert once per newsroom, none lost
    assert not any(seed_world.flow.dead_letters().values())
    assert len(seed_world.flow.delivered) == email_first + stuck
    seed_world.flow.roundup(T0 + timedelta(minutes=15))  # the next run's emails
    emails = emails_sent(seed_world)
    assert emails and len(emails) == len(set(emails))  # and no alert was emailed twice


def test_redrive_says_what_is_wrong_in_one_line(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["redrive", "no-such-queue"]) == 2
    assert capsys.readouterr().err.startswith("localangle: error: no queue named 'no-such-queue'")
    assert main(["redrive", world.cloud.queue_url("FeedQueue")]) == 2  # not anyone's dead-letter queue
    assert "no queue use it as a dead-letter queue" in capsys.readouterr().err


def test_a_fifo_dlq_keeps_each_message_in_its_group(world: World, tmp_path: Path) -> None:
    sqs = aws.client("sqs")
    dlq = world.cloud.queue_url("LedgerDLQ")
    for n in range(3):
        sqs.send_message(
            QueueUrl=dlq, MessageBody=f"m{n}", MessageGroupId=f"op{n % 2}", MessageDeduplicationId=f"d{n}"
        )
    assert main(["redrive", dlq]) == 0
    back = sqs.receive_message(
        QueueUrl=world.cloud.queue_url("LedgerQueue"), MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    assert sorted((m["Body"], m["Attributes"]["MessageGroupId"]) for m in back) == [
        ("m0", "op0"), ("m1", "op1"), ("m2", "op0"),
    ]  # fmt: skip
