"""The ledger's judgement on the seeds, in memory: the same alerts whatever the arrival order."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from localangle.articles import read_article_file
from localangle.core.analysis import Reader
from localangle.core.ledger import Ledger
from localangle.models.alert import Alert, Source
from tests.conftest import GOLD
from tests.fakes import MemoryLedgerStore

_ANALYSED: dict[Path, tuple[Any, Any]] = {}


def run(reader: Reader, files: list[Path]) -> list[tuple[Alert, str]]:
    op = next(iter(reader.operations.values()))
    store = MemoryLedgerStore()
    sent: list[tuple[Alert, str]] = []
    for path in files:
        if path not in _ANALYSED:
            article = read_article_file(path)
            _ANALYSED[path] = (article, reader.analyse(article))
        article, analysis = _ANALYSED[path]
        origin = Source(article_id=article.id, outlet=path.name, source=str(path))
        update = Ledger(op, reader.gazetteer, store).judge(
            origin, analysis.regions, analysis.figures, evidence=analysis.evidence
        )
        sent += [(a, path.name) for a in store.apply(op.id, article.id, update)]
    return sent


def summary(alert: Alert) -> tuple[str, str, tuple[int | None, ...]]:
    values = tuple(sorted(c.low or 0 for c in alert.claims))
    return (alert.kind, alert.region or alert.scope or "", values)


def test_file_order_gives_the_gold_alerts(reader: Reader, seed_files: list[Path]) -> None:
    sent = run(reader, seed_files)
    expected = GOLD["alerts_in_file_order"]
    assert len(sent) == len(expected)
    for (alert, source), gold in zip(sent, expected, strict=True):
        assert alert.kind == gold["kind"]
        assert source == gold["from"]
        if gold["kind"] == "new_regional_angle":
            assert alert.region == gold["region"]
        else:
            assert (alert.metric, alert.scope) == (gold["metric"], gold["scope"])
            assert sorted(c.low for c in alert.claims) == gold["values"]
            assert "county-wide total" in alert.explanation and "9" in alert.explanation


def test_every_arrival_order_gives_the_same_alerts_once(reader: Reader, seed_files: list[Path]) -> None:
    want = sorted(summary(a) for a, _ in run(reader, seed_files))
    orders = list(itertools.permutations(seed_files))
    assert len(orders) == 120
    for order in orders:
        sent = run(reader, list(order))
        assert sorted(summary(a) for a, _ in sent) == want, [p.name for p in order]
        assert len({a.key for a, _ in sent}) == len(sent)
        (conflict,) = [a for a, _ in sent if a.kind == "conflicting_figure"]
        assert "equals Cheshire's county-wide total" in conflict.explanation


def test_replaying_an_article_changes_nothing(reader: Reader, seed_files: list[Path]) -> None:
    # Given the ledger after all five seeds, When one article is judged again, Then no alert is new
    sent = run(reader, [*seed_files, seed_files[1], seed_files[0]])
    assert len(sent) == len(GOLD["alerts_in_file_order"])
