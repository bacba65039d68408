"""The figure reader, sentence by sentence, on the cases in tests/data/sentences.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from localangle.core.analysis import Reader
from localangle.models.article import Article

DATA = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "sentences.yaml").read_text(encoding="utf-8")
)
CASES: list[dict[str, Any]] = DATA["cases"]


def _bound(value: str) -> int | None:
    return None if value == "-" else int(value)


def expected(case: dict[str, Any]) -> set[tuple[str, int | None, int | None, str, bool]]:
    out = set()
    for item in case["want"]:
        metric, low, high, scope, *flag = item.split()
        out.add((metric, _bound(low), _bound(high), scope, flag != ["outside"]))
    return out


def read(reader: Reader, case: dict[str, Any]) -> set[tuple[str, int | None, int | None, str, bool]]:
    text = f"{case['ctx']}\n\n{case['s']}" if case.get("ctx") else case["s"]
    article = Article(id="case", title="", text=text, content_hash="case", patch=case.get("patch", []))
    sentence_figures = [
        f for f in reader.figures_for(article, DATA[case.get("op", "nca")]) if f.sentence == case["s"]
    ]
    return {(f.metric, f.low, f.high, f.scope, f.part_of_operation) for f in sentence_figures}


def test_there_are_at_least_150_cases() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", CASES, ids=[c["s"][:60] for c in CASES])
def test_sentence(reader: Reader, case: dict[str, Any]) -> None:
    assert read(reader, case) == expected(case)
