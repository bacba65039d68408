"""Delivery paths: email through SNS when no SES sender is set, and a Slack webhook that refuses at first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from localangle.adapters import aws, email, slack
from localangle.batch import BatchFailed
from localangle.local.driver import FakeContext
from localangle.local.world import World
from localangle.models.messages import AlertMessage
from localangle.render import view
from tests.conftest import ROOT


def _sample_alert_event() -> dict[str, Any]:
    return json.loads((ROOT / "events" / "send_alert-sqs.json").read_text(encoding="utf-8"))


def test_email_goes_through_the_sns_topic_with_a_one_line_subject(monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    with mock_aws():
        aws.reset()
        arn = aws.client("sns").create_topic(Name="alerts")["TopicArn"]
        alert = AlertMessage.model_validate_json(_sample_alert_event()["Records"][0]["body"]).alert
        email.send_sns(arn, [view(alert)])
        [(_, message, subject, *_)] = (
            sns_backends[DEFAULT_ACCOUNT_ID]["eu-west-2"].topics[arn].sent_notifications
        )
        assert subject == "[localangle] Conflicting figure: arrests in Warrington"
        assert "9 vs 21" in message and "Warrington Guardian" in message
    aws.reset()


def test_a_slack_refusal_fails_the_message_and_the_retry_sends_it_once(seed_world: World) -> None:
    # Given a Slack webhook that answers 429 to the first post it gets, and to both retries of it
    seed_world.slack.refuse = [429] * (1 + slack.RETRIES)
    handler = seed_world.flow.handlers["send_alert"]
    event = _sample_alert_event()
    # When SendAlert handles the conflict, Then the batch fails (Lambda leaves the message for SQS to retry)
    with pytest.raises(BatchFailed):
        handler(event, FakeContext("a"))
    assert [status for _, status in seed_world.slack.refused] == [429] * (1 + slack.RETRIES)
    # And when it comes again, every newsroom's Slack gets it exactly once, including the one refused before
    assert handler(event, FakeContext("a")) == {"batchItemFailures": []}
    paths = sorted(path for path, _ in seed_world.slack.messages)
    assert paths == ["/hooks/cheshire-desk", "/hooks/national-desk"]
