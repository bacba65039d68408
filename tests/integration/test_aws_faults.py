"""AWS misbehaving under the whole flow: throttling and 5xx from DynamoDB, S3, SQS, SES, SNS and SSM.

Each troubled run is compared whole with a plain run of the same seeds: the same alerts, every Slack post and
email exactly as often, the same ledger. Faults within botocore's retries change nothing; a call that fails
past them fails its message, and the next delivery does the work once; an outage longer than the receive
count leaves the messages intact in their DLQ, the ledger untouched, until `localangle redrive`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from localangle.adapters import aws
from localangle.cli import main
from localangle.local.world import SENDER, World
from tests.faults import AwsFaults
from tests.flows import GOLD_ALERTS, Outcome, ledger_rows, outcome, run_seeds

# the first attempt and botocore's retries (adapters/aws.py): a fault this many times in a row fails a call
ATTEMPTS = 1 + aws.CONFIG.retries["max_attempts"]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """The seeds through an untroubled world, emails by SES and by the SNS topic."""
    runs = {
        "ses": run_seeds(tmp_path_factory.mktemp("plain-ses")),
        "sns": run_seeds(tmp_path_factory.mktemp("plain-sns"), sender=""),
    }
    for run in runs.values():
        assert run.alerts == GOLD_ALERTS and run.slack and run.emails and run.ledger
        assert len(set(run.slack)) == len(run.slack) and len(set(run.emails)) == len(run.emails)
    return runs


# Every call of these operations fails twice before it succeeds: what AWS does under load.
BURSTS = {
    "dynamodb": [
        ("dynamodb.UpdateItem", "ProvisionedThroughputExceededException", 400),
        ("dynamodb.TransactWriteItems", "ThrottlingException", 400),
        ("dynamodb.BatchGetItem", "InternalServerError", 500),
        ("dynamodb.PutItem", "RequestLimitExceeded", 400),
        ("dynamodb.Query", "ServiceUnavailable", 503),
    ],
    # (no GetObject: the seeds' pages travel in the messages, so the run reads nothing back from S3)
    "s3": [("s3.PutObject", "SlowDown", 503), ("s3.PutObject", "InternalError", 500)],
    "sqs": [("sqs.SendMessage", "ThrottlingException", 400), ("sqs.SendMessageBatch", "InternalError", 500)],
    "ses": [("ses.SendEmail", "Throttling", 400), ("ssm.GetParameter", "ThrottlingException", 400)],
    "sns": [("sns.Publish", "Throttling", 400)],
}


@pytest.mark.parametrize("service", list(BURSTS))
def test_throttling_and_5xx_within_botocores_retries_change_nothing(
    service: str, plain: dict[str, Outcome], tmp_path: Path
) -> None:
    faults = AwsFaults()
    armed = [faults.fail(op, code, status, times=2) for op, code, status in BURSTS[service]]
    run = run_seeds(tmp_path, faults=faults, sender="" if service == "sns" else SENDER)
    assert [f.fired for f in armed] == [2] * len(armed)  # every fault happened
    assert len(faults.sleeps) >= 2 * len(armed) and all(s > 0 for s in faults.sleeps)  # backed off
    assert run == plain["sns" if service == "sns" else "ses"]
    assert not any(run.failures.values()) and not any(run.dead.values())


# A call that fails all its attempts, once, in the run after seed n: 1 is where the Warrington conflict is
# judged (a commit that opens a conflict is a transaction) and sent; 0 is Cheshire's breakdown, which opens
# none (its commit is a conditional UpdateItem on the version). The hand-over to the ledger is the only
# request to the LedgerQueue, only ProcessArticle writes articles/, and only FetchFeed writes a feed's state
# (after its hand-over, which the next delivery makes again).
PAST_ATTEMPTS = [
    ("dynamodb.TransactWriteItems", "InternalServerError", 500, "update_ledger", "", 1),
    ("dynamodb.UpdateItem", "InternalServerError", 500, "update_ledger", "SET version = :next", 0),
    ("dynamodb.PutItem", "InternalServerError", 500, "fetch_feed", "FeedsTable", 1),
    ("s3.PutObject", "InternalError", 500, "process_article", "/articles/", 1),
    ("sqs.SendMessageBatch", "ServiceUnavailable", 503, "process_article", "LedgerQueue", 1),
]


@pytest.mark.parametrize(("operation", "code", "status", "function", "where", "seed"), PAST_ATTEMPTS)
def test_a_call_failing_past_its_retries_fails_its_message_and_the_next_delivery_does_it_once(
    operation: str,
    code: str,
    status: int,
    function: str,
    where: str,
    seed: int,
    plain: dict[str, Outcome],
    tmp_path: Path,
) -> None:
    faults = AwsFaults()

    def arm(world: World, n: int) -> None:
        if n == seed:
            faults.fail(operation, code, status, times=ATTEMPTS, where=where)

    run = run_seeds(tmp_path, faults=faults, before_tick=arm)
    assert [f.fired for f in faults.faults] == [ATTEMPTS]
    assert run.failures[function] >= 1  # the message failed and came back
    assert run == plain["ses"]  # and nothing was lost, repeated or recorded twice
    assert not any(run.dead.values())


def test_an_email_refused_past_its_retries_goes_out_whole_at_the_next_run_and_once(
    plain: dict[str, Outcome], tmp_path: Path
) -> None:
    faults = AwsFaults()

    def arm(world: World, n: int) -> None:
        if n == 1:  # the run that emails the Warrington conflict to the national desk
            faults.fail("ses.SendEmail", "Throttling", 400, times=ATTEMPTS)

    run = run_seeds(tmp_path, faults=faults, before_tick=arm)
    assert [f.fired for f in faults.faults] == [ATTEMPTS]
    assert run == plain["ses"]  # the same alerts emailed, each once: nothing lost or repeated
    assert run.messages == plain["ses"].messages  # and in the same emails: the failed one went whole


@pytest.mark.parametrize(
    ("operation", "code", "status", "dlq", "where"),
    [
        ("sqs.SendMessageBatch", "ServiceUnavailable", 503, "FeedDLQ", "ArticleQueue"),  # the hand-over
        ("dynamodb.TransactWriteItems", "InternalServerError", 500, "LedgerDLQ", ""),
    ],
)
def test_an_outage_past_the_receive_count_waits_in_the_dlq_until_redriven(
    operation: str,
    code: str,
    status: int,
    dlq: str,
    where: str,
    plain: dict[str, Outcome],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults = AwsFaults()
    before: dict[str, object] = {}

    def outage(world: World, n: int) -> None:
        if n == 1:  # an outage for the whole run that should judge the Warrington conflict
            before["ledger"], before["alerts"] = ledger_rows(world), outcome(world).alerts
            faults.fail(operation, code, status, times=-1, where=where)
        elif n == 2:
            # Then the messages wait in the DLQ, and nothing of them reached the ledger or anyone
            dead = world.flow.dead_letters()
            assert dead[dlq] >= 1 and sum(dead.values()) == dead[dlq]
            assert ledger_rows(world) == before["ledger"]
            assert outcome(world).alerts == before["alerts"]
            # When AWS recovers and an operator redrives the DLQ
            faults.clear()
            assert main(["redrive", world.cloud.queue_url(dlq)]) == 0
            assert f"{dead[dlq]} messages sent back to " in capsys.readouterr().out
            world.flow.drain()

    run = run_seeds(tmp_path, faults=faults, before_tick=outage)
    # Then the run ends as if nothing had happened: everything sent once, the same ledger
    assert run == plain["ses"]
    assert not any(run.dead.values())
