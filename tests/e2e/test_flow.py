"""The whole offline flow through the real handlers, feeds and pages from a real local HTTP server."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localangle.adapters import aws
from localangle.articles import read_article_file
from localangle.local.demo import run_demo
from localangle.local.replay import replay
from localangle.local.world import World
from tests.conftest import GOLD, ROOT, operation_texts
from tests.flows import GOLD_ALERTS, gold_summary, run_seeds, summary

T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)


def test_replay_in_file_order_prints_exactly_the_gold_alerts(seed_files: list[Path]) -> None:
    out = io.StringIO()
    replay(ROOT, operation_texts(), [str(p) for p in seed_files], out)
    alerts = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [summary(a) for a in alerts] == [gold_summary(g) for g in GOLD["alerts_in_file_order"]]
    conflict = alerts[1]
    assert [Path(c["source"]).name for c in conflict["claims"]] == [
        "000_98b505946a0e415d.txt",
        "001_bc18daddbc62a9cf.txt",
    ]
    assert "equals Cheshire's county-wide total" in conflict["explanation"]
    assert all(c["sentence"] for c in conflict["claims"])
    angle = alerts[0]
    assert {(f["metric"], f["scope"], f["low"]) for f in angle["figures"]} >= {
        ("arrests", "cheshire", 21),
        ("arrests", "cheshire/warrington", 9),
    }


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_replay_in_shuffled_orders_finds_the_same_alerts_once_each(seed_files: list[Path], seed: int) -> None:
    order = random.Random(seed).sample(seed_files, len(seed_files))
    out = io.StringIO()
    replay(ROOT, operation_texts(), [str(p) for p in order], out)
    alerts = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(summary(a) for a in alerts) == sorted(gold_summary(g) for g in GOLD["alerts_in_file_order"])


def test_replay_from_the_command_line(seed_files: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "localangle", "replay", *map(str, seed_files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kinds = [json.loads(line)["kind"] for line in done.stdout.splitlines()]
    assert kinds == [g["kind"] for g in GOLD["alerts_in_file_order"]]


def _stored(world: World) -> dict[str, int]:
    """How much the flow has stored and sent: objects, table items, Slack posts, emails."""
    counts = {
        "s3": len(
            aws.client("s3").list_objects_v2(Bucket=world.cloud.env["ARCHIVE_BUCKET"]).get("Contents", [])
        )
    }
    for key in ("FEEDS_TABLE", "ARTICLES_TABLE", "LEDGER_TABLE", "ALERTS_TABLE", "IDEMPOTENCY_TABLE"):
        counts[key] = aws.client("dynamodb").scan(TableName=world.cloud.env[key], Select="COUNT")["Count"]
    counts["slack"] = len(world.slack.messages)
    counts["email"] = sum(
        int(p.get("DeliveryAttempts", 0)) for p in aws.client("ses").get_send_statistics()["SendDataPoints"]
    )
    return counts


def _publish_seeds(world: World, seed_files: list[Path]) -> None:
    outlets = list(world.outlets)
    for n, path in enumerate(seed_files):
        article = read_article_file(path)
        world.publish(outlets[n % len(outlets)], article, None, path.stem)


def test_a_second_run_over_unchanged_feeds_stores_and_sends_nothing(
    seed_world: World, seed_files: list[Path]
) -> None:
    # Given every seed published and the flow run once
    _publish_seeds(seed_world, seed_files)
    seed_world.tick(T0)
    first = _stored(seed_world)
    assert first["slack"] > 0 and first["email"] > 0
    # When the schedule fires again over the same feeds
    seed_world.tick(T0 + timedelta(minutes=15))
    # Then nothing new is stored or sent, and the feeds answered 304
    assert _stored(seed_world) == first
    assert not any(seed_world.flow.dead_letters().values())


def test_every_message_delivered_three_times_out_of_order_still_alerts_once(tmp_path: Path) -> None:
    # Given SQS's at-least-once delivery at its worst: every batch handed over three times, shuffled
    shuffle = random.Random(3)

    def thrice(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return shuffle.sample(batch * 3, len(batch) * 3)

    plain = run_seeds(tmp_path / "plain")
    troubled = run_seeds(tmp_path / "thrice", thrice)
    # Then the same alerts reach each channel once, and the ledger ends up the same
    assert troubled == plain
    assert plain.alerts == GOLD_ALERTS and plain.slack and plain.emails
    assert len(set(plain.slack)) == len(plain.slack) and len(set(plain.emails)) == len(plain.emails)
    assert not any(troubled.dead.values())


def test_demo_prints_the_seed_alerts_as_an_editor_reads_them(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_demo(ROOT, tmp_path, out) == len(GOLD["alerts_in_file_order"])
    text = out.getvalue()
    titles = [
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith(("New regional angle:", "Conflicting figure:", "Breakdown"))
    ]
    assert titles == [
        "New regional angle: Cheshire",
        "Conflicting figure: arrests in Warrington",
        "New regional angle: Devon and Cornwall",
        "New regional angle: Nottinghamshire",
    ]
    assert "Sources disagree on arrests in Warrington: 9 vs 21." in text
    assert "Why: 21 for Warrington equals Cheshire's county-wide total" in text
    assert "Warrington Guardian" in text and "Cheshire News (demo outlet)" in text
    assert "scheduled run over unchanged feeds: 0 articles processed, 0 alerts sent" in text
    assert (tmp_path / "ledger-nca-2014-online-child-abuse.txt").read_text().count("CONFLICT") == 1
