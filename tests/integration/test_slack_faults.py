"""A Slack webhook that rate-limits, fails, hangs or is unreachable (a real local server): what is safe to
retry is retried within the post, the rest fails the message back to its queue, and every newsroom gets the
alert exactly once in the end."""

from __future__ import annotations

import json
import socket
from http.client import RemoteDisconnected
from types import SimpleNamespace
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState

from localangle.adapters import aws, slack
from localangle.batch import BatchFailed
from localangle.local.driver import FakeContext
from localangle.local.world import World
from localangle.pipeline import runtime
from tests.conftest import ROOT

HOOKS = ["/hooks/cheshire-desk", "/hooks/national-desk"]  # the sample conflict concerns these two newsrooms


def _send_alert(world: World) -> dict[str, Any]:
    event = json.loads((ROOT / "events" / "send_alert-sqs.json").read_text(encoding="utf-8"))
    result: dict[str, Any] = world.flow.handlers["send_alert"](event, FakeContext("send-alert"))
    return result


def _posted(world: World) -> list[str]:
    return sorted(path for path, _ in world.slack.messages)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """What the adapter waits for Slack's Retry-After, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(slack, "time", SimpleNamespace(sleep=recorded.append))
    return recorded


def test_a_429_is_waited_out_as_slack_asks_and_posted_within_the_same_call(
    seed_world: World, waits: list[float]
) -> None:
    seed_world.slack.refuse, seed_world.slack.retry_after = [429], "7"
    assert _send_alert(seed_world) == {"batchItemFailures": []}
    assert waits == [7.0]
    assert [status for _, status in seed_world.slack.refused] == [429]
    assert _posted(seed_world) == HOOKS


def test_a_retry_after_longer_than_a_function_should_wait_fails_the_message_for_later(
    seed_world: World, waits: list[float]
) -> None:
    seed_world.slack.refuse, seed_world.slack.retry_after = [429], "120"
    with pytest.raises(BatchFailed):
        _send_alert(seed_world)
    assert waits == [] and [status for _, status in seed_world.slack.refused] == [429]
    # the message comes back after its visibility timeout: every newsroom once, the refused one included
    assert _send_alert(seed_world) == {"batchItemFailures": []}
    assert _posted(seed_world) == HOOKS


def test_server_errors_are_retried_with_backoff_within_the_call(seed_world: World) -> None:
    seed_world.slack.refuse = [500, 503]
    assert _send_alert(seed_world) == {"batchItemFailures": []}
    assert [status for _, status in seed_world.slack.refused] == [500, 503]
    assert _posted(seed_world) == HOOKS


def test_a_hanging_webhook_is_not_posted_again_within_the_call_but_the_message_comes_back(
    seed_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Slack taking the first post and never answering: it may have been posted, so no quick repeat
    monkeypatch.setenv("LOCALANGLE_SLACK_TIMEOUT_SECONDS", "1")
    runtime.forget()
    seed_world.slack.refuse = ["stall"]
    with pytest.raises(BatchFailed):
        _send_alert(seed_world)
    [(hung, _)] = seed_world.slack.refused  # once, not retried
    assert _posted(seed_world) == [h for h in HOOKS if h != hung]  # the other newsroom was not held up
    # When the message comes back, Then the one left out gets it, and the other not twice
    assert _send_alert(seed_world) == {"batchItemFailures": []}
    assert _posted(seed_world) == HOOKS


def test_an_unreachable_webhook_fails_the_message_without_naming_its_url(
    seed_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    ssm, name = aws.client("ssm"), "/localangle/slack/cheshire-desk"
    real = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    ssm.put_parameter(Name=name, Value=f"http://127.0.0.1:{port}/hooks/secret-token", Overwrite=True)
    runtime.forget()
    with pytest.raises(BatchFailed):
        _send_alert(seed_world)
    assert "Slack webhook unreachable" in caplog.text and "secret-token" not in caplog.text
    assert _posted(seed_world) == ["/hooks/national-desk"]
    ssm.put_parameter(Name=name, Value=real, Overwrite=True)
    assert _send_alert(seed_world) == {"batchItemFailures": []}
    assert _posted(seed_world) == HOOKS


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (URLError(ConnectionRefusedError(111, "Connection refused")), True),  # nothing was sent
        (URLError(TimeoutError("timed out")), True),  # connecting timed out: nothing was sent
        (TimeoutError("The read operation timed out"), False),  # sent; Slack may have posted it
        (RemoteDisconnected("Remote end closed connection without response"), False),  # likewise
        (ConnectionResetError(104, "Connection reset by peer"), False),
    ],
)
def test_only_errors_before_the_request_went_out_are_retried(error: Exception, retried: bool) -> None:
    request = HttpRequest(method="POST", url="https://hooks.slack.invalid/x", headers={}, data=b"{}")
    verdicts = [h.can_retry(state=RetryState(), request=request, error=error) for h in slack.retry_handlers()]
    assert any(verdicts) is retried
