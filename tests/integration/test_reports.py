"""The ledger report Roundup publishes, brought up to date from the articles changed since the last one, is
the report a full read of the ledger gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localangle.adapters.storage import Archive, LedgerTable, Undo
from localangle.articles import read_article_file
from localangle.config import load_dir
from localangle.local.world import World
from localangle.models.operation import Operation
from localangle.report import Cell, cells, from_json, report_key
from tests.conftest import ARTICLES, ROOT, SEEDS, operation_texts

T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)
CONFIG = load_dir(SEEDS)
OPERATION = next(op for op in CONFIG.operations if op.id == "nca-2014-online-child-abuse")
READ_IN_FULL = LedgerTable.operation_claims  # what Roundup reads when it reads the whole ledger
FEEDS = {
    "000_98b505946a0e415d.txt": "cheshire-news",
    "001_bc18daddbc62a9cf.txt": "warrington-guardian",
    "002_07ae43b2fee9f68a.txt": "devon-cornwall-news",
    "003_a9380d374fd3a241.txt": "nottinghamshire-news",
}


def _publish(world: World, name: str, when: datetime, edit: tuple[str, str] | None = None) -> None:
    feed = FEEDS[name]
    outlet = next(f.outlet for f in CONFIG.feeds if f.id == feed)
    article = read_article_file(ARTICLES / name)
    text = article.text.replace(*edit) if edit else article.text
    article = article.model_copy(update={"outlet": outlet, "published": when, "text": text})
    world.publish(feed, article, None, Path(name).stem)


def _published(world: World, operation: Operation) -> list[Cell]:
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    return from_json(archive.get_text(report_key(operation.id, "ledger.json")))


def _in_full(world: World, operation: Operation) -> list[Cell]:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    return cells(operation, READ_IN_FULL(table, operation.id, list(operation.metrics)))


def test_a_report_brought_up_to_date_run_by_run_is_the_report_of_the_whole_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_in_full: list[str] = []

    def counted(self: LedgerTable, operation: str, metrics: list[str]) -> Any:
        read_in_full.append(operation)
        return READ_IN_FULL(self, operation, metrics)

    with World(ROOT, operation_texts(), CONFIG.newsrooms, tmp_path / "flow.log") as world:
        for feed in CONFIG.feeds:
            world.add_outlet(feed)
        world.upload_config()
        _publish(world, "000_98b505946a0e415d.txt", T0)
        world.tick(T0)
        monkeypatch.setattr(LedgerTable, "operation_claims", counted)
        first = _published(world, OPERATION)
        assert first == _in_full(world, OPERATION) and first
        # When more stories come, run after run, and one is edited (21 arrests become 24)
        runs = [
            ["001_bc18daddbc62a9cf.txt"],
            ["002_07ae43b2fee9f68a.txt", "003_a9380d374fd3a241.txt"],
        ]
        when = T0
        for names in runs:
            when += timedelta(minutes=15)
            for name in names:
                _publish(world, name, when)
            world.tick(when)
            assert _published(world, OPERATION) == _in_full(world, OPERATION)
        before = _published(world, OPERATION)
        when += timedelta(minutes=15)
        _publish(world, "001_bc18daddbc62a9cf.txt", when, ("21", "24"))
        world.tick(when)
        # Then each report is the whole ledger's, though none of them read it in full
        after = _published(world, OPERATION)
        assert after == _in_full(world, OPERATION) and after != before
        values = {(c.scope, c.low) for cell in after for c in cell.claims if c.metric == "arrests"}
        assert ("cheshire/warrington", 24) in values and ("cheshire/warrington", 21) not in values
        assert read_in_full == []


def test_an_undone_update_makes_the_next_report_a_full_read(world: World) -> None:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    op, metrics = OPERATION.id, list(OPERATION.metrics)
    table.undo(op, Undo(article_id="article-z", claim_rows={}, new_keys=set()))  # before any report
    first = table.report_state(op)
    assert (first.reported, first.stale) == (-1, 1) and not first.incremental(metrics)
    assert table.mark_reported(op, first, metrics)
    table.commit(op, 0, _update(), "article-a")
    state = table.report_state(op)
    assert state.changed == {"article-a@1"} and state.articles == ["article-a"]
    assert state.incremental(metrics)
    assert not state.incremental([*metrics, "knives_seized"])  # another set of metrics: read in full
    # When an update is undone while that report is being made
    table.undo(op, Undo(article_id="article-b", claim_rows={}, new_keys=set()))
    # Then the report is not marked as up to date, its changes are kept, and the next is read in full
    assert not table.mark_reported(op, state, metrics)
    later = table.report_state(op)
    assert later.changed == {"article-a@1"} and not later.incremental(metrics)
    assert table.mark_reported(op, later, metrics)
    assert table.report_state(op).changed == set()


def test_an_article_changed_again_while_its_report_is_made_stays_for_the_next(world: World) -> None:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    op, metrics = OPERATION.id, list(OPERATION.metrics)
    table.commit(op, 0, _update(), "article-a")
    state = table.report_state(op)
    table.commit(op, 1, _update(), "article-a")  # after the report read it
    assert table.mark_reported(op, state, metrics)
    later = table.report_state(op)
    assert later.changed == {"article-a@2"} and later.version == 2 and later.reported == 1


def _update() -> Any:
    from localangle.core.ledger import LedgerUpdate

    return LedgerUpdate()
