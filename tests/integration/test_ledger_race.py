"""Two conflicting articles judged at the same moment, in two threads, against one operation's ledger."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from localangle.adapters import aws
from localangle.adapters.storage import AlertRecords, LedgerTable
from localangle.articles import read_article_file
from localangle.core.analysis import Reader
from localangle.core.ledger import Ledger, LedgerUpdate
from localangle.local.world import World
from localangle.models.alert import Source
from localangle.models.messages import LedgerMessage
from localangle.pipeline.ledger import update_ledger
from tests.conftest import ARTICLES


def _message(reader: Reader, path: Path, outlet: str) -> LedgerMessage:
    article = read_article_file(path)
    analysis = reader.analyse(article)
    (match,) = analysis.matches
    return LedgerMessage(
        operation=match.operation,
        origin=Source(article_id=article.id, outlet=outlet, title=article.title, source=path.name),
        match=match,
        regions=analysis.regions,
        figures=analysis.figures,
        evidence=analysis.evidence,
    )


def test_two_conflicting_articles_at_the_same_moment_still_conflict_once(
    world: World, reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.upload_config()
    # Given the force's breakdown (9 in Warrington) and the paper's 21 for the town, judged at once
    force = _message(reader, ARTICLES / "000_98b505946a0e415d.txt", "Cheshire Constabulary")
    paper = _message(reader, ARTICLES / "001_bc18daddbc62a9cf.txt", "Warrington Guardian")
    # ... and both made to read the ledger, then judge, before either records anything: the worst case
    read_together, judged_together = threading.Barrier(2, timeout=20), threading.Barrier(2, timeout=20)
    first_call: dict[tuple[str, int], bool] = {}
    reads: list[int] = []

    def once_per_thread(name: str, barrier: threading.Barrier) -> None:
        if (name, threading.get_ident()) not in first_call:
            first_call[(name, threading.get_ident())] = True
            barrier.wait()

    real_version, real_judge = LedgerTable.version, Ledger.judge

    def version(self: LedgerTable, operation: str) -> int:
        seen = real_version(self, operation)
        reads.append(seen)
        once_per_thread("version", read_together)
        return seen

    def judge(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        update = real_judge(self, *args, **kwargs)
        once_per_thread("judge", judged_together)
        return update

    monkeypatch.setattr(LedgerTable, "version", version)
    monkeypatch.setattr(Ledger, "judge", judge)
    for name in ("LEDGER_TABLE", "ALERTS_TABLE"):  # boto3 resources are made once, before the threads
        aws.table(world.cloud.env[name])
    aws.client("sqs")
    errors: list[BaseException] = []

    def run(message: LedgerMessage) -> None:
        try:
            update_ledger(message)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in (force, paper)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    # Then one of them lost the race and judged again, seeing the other's figures
    assert reads.count(0) == 2 and len(reads) >= 3
    world.flow.drain()
    conflicts = [a for a in world.alerts() if a["kind"] == "conflicting_figure"]
    assert [(a["scope"], sorted(c["low"] for c in a["claims"])) for a in conflicts] == [
        ("cheshire/warrington", [9, 21])
    ]
    assert "county-wide total" in conflicts[0]["explanation"]
    angles = [a["region"] for a in world.alerts() if a["kind"] == "new_regional_angle"]
    assert angles == ["cheshire"]
    assert len(world.slack.messages) == len(world.alerts())


def test_undoing_an_uncommitted_update_keeps_what_another_committed_meanwhile(world: World) -> None:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    key = {"pk": "op#areas#arrests", "sk": "cheshire"}
    table.table.put_item(Item={**key, "low": 10})
    table.table.put_item(Item={"pk": "op#areas#arrests", "sk": "devon-and-cornwall", "low": 22})
    # Given update A lowering Cheshire to 5 and Devon and Cornwall to 20, not yet committed
    undo_a = table.apply(
        "op", "article-a", LedgerUpdate(area_lows={"arrests": {"cheshire": 5, "devon-and-cornwall": 20}})
    )
    # and update B lowering Cheshire to 3, committed meanwhile
    table.apply("op", "article-b", LedgerUpdate(area_lows={"arrests": {"cheshire": 3}}))
    # When A cannot commit and is undone
    table.undo("op", undo_a)
    # Then B's 3 stays, and what only A changed is put back
    assert table.area_lows("op", "arrests") == {"cheshire": 3, "devon-and-cornwall": 22}


def test_an_alert_raised_again_by_a_later_article_costs_no_record_write(
    world: World, reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A total still exceeded is found again by every later article that touches it: the ledger remembers
    the alert it raised, so the later article neither writes its record again nor queues it again."""
    world.upload_config()
    force = _message(reader, ARTICLES / "000_98b505946a0e415d.txt", "Cheshire Constabulary")
    paper = _message(reader, ARTICLES / "001_bc18daddbc62a9cf.txt", "Warrington Guardian")
    real_judge = Ledger.judge
    again: list[Any] = []

    def judge(self: Ledger, *args: Any, **kwargs: Any) -> LedgerUpdate:
        update = real_judge(self, *args, **kwargs)
        if args[0].article_id == force.origin.article_id:
            again[:] = update.alerts  # the first article's alerts, found again by the second
        else:
            update.alerts.extend(again)
        return update

    monkeypatch.setattr(Ledger, "judge", judge)
    creates: list[str] = []
    real_create = AlertRecords.create
    monkeypatch.setattr(AlertRecords, "create", lambda self, a: creates.append(a.key) or real_create(self, a))
    first = update_ledger(force)
    assert first and creates == first
    # A redelivery before SendAlert has run finds the records pending and queues the alerts again...
    assert update_ledger(force) == first
    world.flow.drain()
    # ...and SendAlert's idempotency delivers each once (the national desk: one Slack channel)
    assert len(world.slack.messages) == len(first)
    creates.clear()
    second = update_ledger(paper)
    assert not set(second) & set(first)  # nothing of the first article's queued again
    assert not set(creates) & set(first)  # nor its records written again
    # and a redelivery of the first article still finds its own alerts recorded and delivered, queuing none
    creates.clear()
    assert update_ledger(force) == []
    assert sorted(creates) == sorted(first)  # each through the conditional create, found delivered
