"""A report built on the last one, with only the changed articles read again, is the report a whole read of
the ledger gives: same cells, same claims in the same order, whatever the articles did meanwhile."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from localangle.models.alert import Claim, Source
from localangle.models.operation import Operation
from localangle.report import Cell, Published, as_json, cells, updated

SCOPES = ["uk", "region:north-west", "cheshire", "cheshire/warrington", "devon-and-cornwall"]


def _claims(rng: random.Random, operation: Operation, article: str) -> list[Claim]:
    """An article's claims about the operation, as the ledger keeps them: the article's order, repeats of a
    value in one place included (the report shows each once)."""
    metrics = list(operation.metrics)
    out = []
    for n in range(rng.randrange(0, 6)):
        low = rng.choice([9, 21, 22, 660])
        out.append(
            Claim(
                metric=rng.choice(metrics),
                scope=rng.choice(SCOPES),
                low=low,
                high=low if rng.random() < 0.8 else None,
                text=str(low),
                sentence=f"{article} sentence {n} says {low}.",
                origin=Source(article_id=article, outlet=f"Outlet {article}"),
            )
        )
    return out


def _whole(operation: Operation, ledger: dict[str, list[Claim]]) -> list[Cell]:
    """What the whole read gives: metric by metric, each partition in its key order (place, article,
    position in the article)."""
    rows = sorted(
        (list(operation.metrics).index(c.metric), c.scope, article, n, c)
        for article, claims in ledger.items()
        for n, c in enumerate(claims)
        if c.metric in operation.metrics
    )
    return cells(operation, [c for *_, c in rows])


def test_a_report_built_on_the_last_matches_a_whole_read_through_random_changes(
    operations: list[Operation],
) -> None:
    operation = operations[0]
    now = datetime(2014, 7, 16, 12, tzinfo=UTC)
    for seed in range(40):
        rng = random.Random(seed)
        ledger: dict[str, list[Claim]] = {}
        report = Published(cells=_whole(operation, ledger), version=0)
        for version in range(1, 25):
            changed: dict[str, list[Claim]] = {}
            for _ in range(rng.randrange(1, 4)):
                article = f"{rng.randrange(12):02x}" * 8
                if article in ledger and rng.random() < 0.25:
                    del ledger[article]  # undone, or no longer about the operation
                else:
                    ledger[article] = _claims(rng, operation, article)
                changed[article] = ledger.get(article, [])
            built = updated(operation, report.cells, changed)
            assert built == _whole(operation, ledger), (seed, version)
            # ... and what the next report starts from is the published JSON read back
            report = Published.parse(as_json(operation, built, now, version, now))
            assert report.cells == built and report.version == version


def test_a_changed_article_that_now_says_nothing_leaves_the_report(operations: list[Operation]) -> None:
    operation = operations[0]
    rng = random.Random(7)
    ledger = {a: _claims(rng, operation, a) for a in ("a1", "b2", "c3")}
    while not ledger["b2"]:
        ledger["b2"] = _claims(rng, operation, "b2")
    base = _whole(operation, ledger)
    built = updated(operation, base, {"b2": []})
    assert all(c.origin.article_id != "b2" for cell in built for c in cell.claims)
    assert built == _whole(operation, {a: c for a, c in ledger.items() if a != "b2"})


def test_a_report_from_before_versions_were_kept_says_so() -> None:
    old = '{"operation": "x", "name": "X", "generated_at": "2014-07-16T12:00:00+00:00", "cells": []}'
    published = Published.parse(old)
    assert (published.version, published.metrics, published.read_whole_at) == (None, [], None)
