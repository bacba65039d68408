"""The seed articles through the whole local flow, and what came out of it, in a form two runs can compare."""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from localangle.adapters import aws
from localangle.adapters.storage import _unpack
from localangle.articles import read_article_file
from localangle.local.world import SENDER, World
from tests.conftest import GOLD, ROOT, operation_texts
from tests.faults import AwsFaults

T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)
SEED_FILES = sorted((ROOT / "seeds" / "articles").glob("*.txt"))


def summary(alert: dict[str, Any]) -> tuple[str, str, tuple[int, ...]]:
    values = tuple(sorted(c["low"] for c in alert.get("claims", [])))
    return (alert["kind"], alert.get("region") or alert.get("scope"), values)


def gold_summary(gold: dict[str, Any]) -> tuple[str, str, tuple[int, ...]]:
    return (gold["kind"], gold.get("region") or gold.get("scope"), tuple(sorted(gold.get("values", []))))


GOLD_ALERTS = sorted(gold_summary(g) for g in GOLD["alerts_in_file_order"])


def ledger_rows(world: World) -> set[tuple[str, ...]]:
    """The ledger's contents, without the version counter, the articles changed at each version, alert
    timestamps and the article that raised each alert, which differ run to run."""
    dynamodb = aws.client("dynamodb")
    # article ids come from URLs, which carry the local server's port: name articles by their path instead
    names = {
        item["article_id"]["S"]: item["url"]["S"].removeprefix(world.site.url)
        for item in dynamodb.scan(TableName=world.cloud.env["ARTICLES_TABLE"])["Items"]
    }
    rows: set[tuple[str, ...]] = set()
    for item in dynamodb.scan(TableName=world.cloud.env["LEDGER_TABLE"])["Items"]:
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if pk.endswith(("#head", "#changed")):
            continue
        keep = ("claim", "claims", "outside", "revised", "article_id", "low", "status", "in_operation")
        if pk.endswith("#raised"):
            keep = ()  # which of two conflicting articles raised the conflict is the order they were read in
        row = "\x1f".join([pk, sk, *(json.dumps(_text(item[k]), sort_keys=True) for k in keep if k in item)])
        for article_id, name in names.items():
            row = row.replace(article_id, name)
        rows.add(tuple(row.replace(world.site.url, "").split("\x1f")))
    return rows


def _text(value: dict[str, Any]) -> dict[str, Any]:
    """A stored value, a compressed text (Binary) as its text: rows compare by what they say."""
    return {"S": _unpack(value["B"])} if "B" in value else value


def emails_sent(world: World) -> list[str]:
    """Each alert's title and the recipients, for every alert of every email SES accepted in this moto world,
    in order (an email of a run's alerts counts each); without an SES sender, the subject of every message
    published to the email topic."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    if not world.sender:
        topic = sns_backends[DEFAULT_ACCOUNT_ID][aws.region()].topics[world.cloud.env["EMAIL_TOPIC_ARN"]]
        return [f"{subject} → topic" for _, _, subject, *_ in topic.sent_notifications]
    return [alert for mail in emails_by_message(world) for alert in mail.split(" + ")]


def ses_sent() -> list[Any]:
    """Every email moto's SES accepted, in order (subject, destinations, body: the HTML part)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][aws.region()].sent_messages)


def emails_by_message(world: World) -> list[str]:
    """Every email SES accepted, in order: the titles of the alerts in it, joined by " + ", then the
    recipients."""
    to = " → {}".format
    return [
        " + ".join(
            html.unescape(title) + to(",".join(m.destinations["ToAddresses"]))
            for title in re.findall(r"<h2>(.*?)</h2>", m.body, re.S)
        )
        for m in ses_sent()
    ]


@dataclass
class Outcome:
    """What a run of the seeds produced: two runs are equal when they alerted, sent and recorded the same."""

    alerts: list[tuple[str, str, tuple[int, ...]]]  # each alert once, sorted
    slack: list[str]  # every Slack post, "path title", sorted: a repeat shows twice
    emails: list[str]  # every email SES accepted, sorted: a repeat shows twice
    ledger: set[tuple[str, ...]]
    dead: dict[str, int] = field(default_factory=dict, compare=False)  # messages left in each DLQ
    failures: dict[str, int] = field(default_factory=dict, compare=False)  # messages each function failed
    # each email's alerts, sorted: which alerts went together (a run's), compared only where asked
    messages: list[str] = field(default_factory=list, compare=False)


def outcome(world: World) -> Outcome:
    return Outcome(
        alerts=sorted(summary(a) for a in world.alerts()),
        slack=sorted(f"{path} {payload['text']}" for path, payload in world.slack.messages),
        emails=sorted(emails_sent(world)),
        ledger=ledger_rows(world),
        dead=world.flow.dead_letters(),
        failures=dict(world.flow.failures),
        messages=sorted(emails_by_message(world)) if world.sender else [],
    )


def publish_seeds(world: World, before_tick: Callable[[World, int], None] | None = None) -> None:
    """Each seed published by the next outlet, fifteen minutes apart, each followed by a scheduled run."""
    outlets = list(world.outlets)
    for n, path in enumerate(SEED_FILES):
        world.publish(outlets[n % len(outlets)], read_article_file(path), None, path.stem)
        if before_tick:
            before_tick(world, n)
        world.tick(T0 + timedelta(minutes=15 * n))


def run_seeds(
    tmp_path: Path,
    deliver: Any = None,
    faults: AwsFaults | None = None,
    before_tick: Callable[[World, int], None] | None = None,
    sender: str = SENDER,
    operations: list[tuple[str, str]] | None = None,
) -> Outcome:
    """The seeds through a fresh world configured from seeds/. Faults (armed before or during the run) apply
    once the world is configured; `before_tick(world, n)` runs before the scheduled run after seed n."""
    from localangle.config import load_dir

    config = load_dir(ROOT / "seeds")
    with World(
        ROOT, operations or operation_texts(), config.newsrooms, tmp_path / "flow.log", sender
    ) as world:
        for feed in config.feeds:
            world.add_outlet(feed)
        world.upload_config()
        world.flow.deliver = deliver
        with faults or contextlib.nullcontext():
            publish_seeds(world, before_tick)
            world.flow.drain()
            return outcome(world)
