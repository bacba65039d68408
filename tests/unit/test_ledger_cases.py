"""The ledger judged case by case (tests/data/ledger-cases.yaml): values that agree and that do not, nested
scopes, breakdowns, explanations, superseded figures and follow-ups, in memory."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from localangle.core.gazetteer import load_gazetteer
from localangle.core.ledger import Ledger
from localangle.models.alert import Alert, Source
from localangle.models.figure import Figure
from localangle.models.operation import Operation
from tests.fakes import MemoryLedgerStore

CASES = yaml.safe_load((Path(__file__).parents[1] / "data" / "ledger-cases.yaml").read_text(encoding="utf-8"))


def figure(operation: str, spec: str | dict[str, str]) -> Figure:
    """'arrests cheshire 21', '... >400', '... ~400', '... 31-66', '... 200+', '... 7 outside'."""
    text, sentence = (spec["f"], spec["sentence"]) if isinstance(spec, dict) else (spec, "")
    metric, scope, value, *flags = text.split()
    if value.startswith(">="):
        low, high, qualifier = int(value[2:]), None, "at least"
    elif value.startswith(">"):
        low, high, qualifier = int(value[1:]) + 1, None, "more than"
    elif value.startswith("<"):
        low, high, qualifier = None, int(value[1:]) - 1, "fewer than"
    elif value.startswith("~"):
        n = int(value[1:])
        low, high, qualifier = n - n // 10, n + n // 10, "around"
    elif value.endswith("+"):
        low, high, qualifier = int(value[:-1]), None, "hundreds"
    elif "-" in value:
        a, b = value.split("-")
        low, high, qualifier = int(a), int(b), "range"
    else:
        low, high, qualifier = int(value), int(value), "exact"
    return Figure(
        operation=operation,
        metric=metric,
        low=low,
        high=high,
        qualifier=qualifier,
        scope=scope,
        part_of_operation="outside" not in flags,
        text=value,
        sentence=sentence or f"{value} {metric} in {scope}.",
    )


def run(operation: Operation, articles: list[dict[str, Any]]) -> list[Alert]:
    store = MemoryLedgerStore()
    for n, spec in enumerate(articles):
        origin = Source(
            article_id=str(spec.get("id", f"article-{n}")),
            outlet=spec.get("outlet"),
            title=spec.get("title", ""),
            published=datetime.fromisoformat(spec["published"].replace("Z", "+00:00"))
            if spec.get("published")
            else None,
        )
        figures = [figure(operation.id, f) for f in spec.get("figures", [])]
        update = Ledger(operation, load_gazetteer(), store).judge(
            origin, spec.get("regions", []), figures, catch_up=bool(spec.get("catch_up"))
        )
        store.apply(operation.id, origin.article_id, update)
    return store.sent


def shape(kind: str, place: str | None, values: list[int | None], follow_up: bool) -> tuple[Any, ...]:
    return (kind, place, tuple(sorted(v or 0 for v in values)), follow_up)


def alert_shape(a: Alert) -> tuple[Any, ...]:
    claims = a.figures if a.kind == "new_regional_angle" else a.claims
    return shape(a.kind, a.region or a.scope, [c.low for c in claims], a.follow_up_of is not None)


def expected_shape(e: dict[str, Any]) -> tuple[Any, ...]:
    return shape(e["kind"], e.get("region") or e.get("scope"), e.get("values", []), bool(e.get("follow_up")))


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_ledger_case(case: dict[str, Any], operations: list[Operation]) -> None:
    operation = next(
        op for op in operations if "arrests" in op.metrics and "registered_sex_offenders" in op.metrics
    )
    sent = run(operation, case["articles"])
    assert Counter(alert_shape(a) for a in sent) == Counter(expected_shape(e) for e in case["alerts"]), [
        a.headline for a in sent
    ]
    for want in case["alerts"]:
        alert = next(a for a in sent if alert_shape(a) == expected_shape(want))
        if "explains" in want:
            assert want["explains"] in alert.explanation
        if "severity" in want:
            assert alert.severity == want["severity"]
        assert alert.catch_up == bool(want.get("catch_up"))
    assert len({a.key for a in sent}) == len(sent)
