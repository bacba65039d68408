"""`localangle backfill`: an operation gains a metric after the news broke; the archive is read again with the
new definition, the ledger gains the figures, and only the alerts they newly cause are sent."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from localangle.cli import main
from localangle.config import load_dir
from localangle.local.world import World
from tests.conftest import ROOT, operation_texts
from tests.flows import GOLD_ALERTS, T0, outcome, publish_seeds, run_seeds

OPERATION = "nca-2014-online-child-abuse"


def _without_arrests() -> list[tuple[str, str]]:
    """The seed operation as first deployed, before anyone thought to count arrests."""
    out = []
    for name, text in operation_texts():
        if f"id: {OPERATION}" in text:
            text = re.sub(r"\n  arrests:\n(    .*\n)+", "\n", text)
            text = text.replace("  - {metric: arrests, value: 660}\n", "")
            assert "arrests:" not in text
        out.append((name, text))
    return out


def test_backfill_after_adding_a_metric_records_its_figures_and_sends_only_new_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_dir(ROOT / "seeds")
    with World(ROOT, _without_arrests(), config.newsrooms, tmp_path / "flow.log") as world:
        for feed in config.feeds:
            world.add_outlet(feed)
        world.upload_config()
        # Given the seeds read while the operation did not count arrests
        publish_seeds(world)
        before = outcome(world)
        assert before.alerts and len(before.alerts) < len(GOLD_ALERTS)
        assert not any(row[0].endswith("#arrests") for row in before.ledger)
        # When arrests are added to the operation and the archive is read again
        world.operations = operation_texts()
        world.upload_config(prime=False)
        capsys.readouterr()
        assert main(["backfill", "--operation", OPERATION, "--since", "2030-01-01"]) == 0
        assert capsys.readouterr().out.startswith(
            "0 archived articles read again, 0 about nca-2014-online-child-abuse sent to its ledger, "
            "5 published before 2030-01-01"
        )
        assert main(["backfill", "--operation", OPERATION]) == 0
        printed = capsys.readouterr()
        world.flow.drain()
        world.flow.roundup(T0 + timedelta(hours=2))  # the next scheduled run emails what backfill raised
        after = outcome(world)
        assert not any(after.dead.values())
    assert printed.out.startswith("5 archived articles read again, 5 about nca-2014-online-child-abuse")
    assert f"backfill {OPERATION}" in printed.err and "5/5" in printed.err  # the progress bar
    # Then the ledger and the alerts are what reading the seeds with arrests counted from the start gives
    plain = run_seeds(tmp_path / "plain")
    assert after.alerts == plain.alerts == GOLD_ALERTS
    assert after.ledger == plain.ledger
    # and each Slack post and email went out once: those sent before were not sent again
    assert after.slack == plain.slack and after.emails == plain.emails
    assert set(before.slack) < set(after.slack)


def test_backfill_errors(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.upload_config()
    assert main(["backfill", "--operation", "no-such-operation"]) == 2
    assert "no tracked operation 'no-such-operation'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["backfill", "--operation", OPERATION, "--since", "16/07/2014"])
    assert "is not a date such as 2014-07-16" in capsys.readouterr().err


def test_the_stack_gives_the_functions_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from botocore.stub import Stubber

    from localangle.adapters import aws
    from localangle.backfill import BackfillError, stack_environment
    from localangle.local.cloud import load_template

    for key, value in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }.items():
        monkeypatch.setenv(key, value)
    aws.reset()
    variables = load_template(ROOT / "template.yaml")["Globals"]["Function"]["Environment"]["Variables"]
    refs = {v["Ref"] for v in variables.values() if isinstance(v, dict)}
    parameters = {"SenderEmail", "SlackWebhookParameter", "ConfigPrefix"}
    resources = [
        {
            "LogicalResourceId": ref,
            "PhysicalResourceId": f"physical-{ref}",
            "ResourceType": "AWS::X::Y",
            "LastUpdatedTimestamp": datetime(2026, 1, 1, tzinfo=UTC),
            "ResourceStatus": "CREATE_COMPLETE",
        }
        for ref in sorted(refs - parameters)
    ]
    stack = {
        "StackName": "news",
        "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
        "StackStatus": "CREATE_COMPLETE",
        "Parameters": [{"ParameterKey": p, "ParameterValue": f"value-{p}"} for p in sorted(parameters)],
    }
    cloudformation = aws.client("cloudformation")
    with Stubber(cloudformation) as stub:
        stub.add_response(
            "list_stack_resources", {"StackResourceSummaries": resources}, {"StackName": "news"}
        )
        stub.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": "news"})
        env = stack_environment("news")
        stub.add_client_error("list_stack_resources", "ValidationError", "Stack with id gone does not exist")
        with pytest.raises(BackfillError, match="cannot read stack 'gone'"):
            stack_environment("gone")
    aws.reset()
    assert env["ARCHIVE_BUCKET"] == "physical-ArchiveBucket"
    assert env["LEDGER_QUEUE_URL"] == "physical-LedgerQueue"
    assert env["SENDER_EMAIL"] == "value-SenderEmail"
    assert env["POWERTOOLS_SERVICE_NAME"] == "localangle"
    assert set(env) == set(variables)


def test_an_archived_page_is_read_from_its_batch_or_its_own_object() -> None:
    from localangle.backfill import _message
    from localangle.models.article import Article

    article = Article(id="a1", title="Arrests", text="21 arrested.", content_hash="h1")
    batches = {"raw/2014/07/16/x.jsonl": {"a0": "other", "a1": "packed page"}}
    from_batch = _message(article, "raw/2014/07/16/x.jsonl", batches.__getitem__)
    assert (from_batch.page, from_batch.raw_key) == ("packed page", None)
    own = _message(article, "raw/a1.html", batches.__getitem__)  # too big to travel: an object of its own
    assert (own.page, own.raw_key) == (None, "raw/a1.html")
    none = _message(article, None, batches.__getitem__)  # no page: the text it had
    assert (none.page, none.raw_key, none.entry.text) == (None, None, "21 arrested.")
