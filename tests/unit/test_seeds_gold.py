"""The reader against what an editor makes of the seed articles (tests/data/seeds-gold.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localangle.articles import read_article_file
from localangle.core.analysis import Reader
from localangle.models.figure import Figure
from tests.conftest import ARTICLES, GOLD

Key = tuple[str, int | None, int | None, str, bool]


def gold_key(f: dict[str, Any]) -> Key:
    low = f.get("low", f.get("value"))
    high = f.get("high", f.get("value"))
    return (f["metric"], low, high, f["scope"], f.get("part_of_operation", True))


def found_key(f: Figure) -> Key:
    return (f.metric, f.low, f.high, f.scope, f.part_of_operation)


def score(reader: Reader) -> tuple[float, float, list[str]]:
    correct = found = required = hit = 0
    problems: list[str] = []
    for article in GOLD["articles"]:
        analysis = reader.analyse(read_article_file(ARTICLES / article["file"]))
        got = {found_key(f) for f in analysis.figures}
        wanted = {gold_key(f) for f in article["figures"]}
        acceptable = wanted | {gold_key(f) for f in article.get("also_acceptable", [])}
        required += len(wanted)
        hit += len(wanted & got)
        found += len(got)
        correct += len(got & acceptable)
        problems += [f"{article['file']}: missed {k}" for k in sorted(wanted - got, key=str)]
        problems += [f"{article['file']}: extra {k}" for k in sorted(got - acceptable, key=str)]
    return hit / required, correct / found, problems


def test_figures_recall_and_precision(reader: Reader) -> None:
    # Given the five seeds, When analysed, Then every required figure is found and few others
    recall, precision, problems = score(reader)
    print(f"\nseed figures: recall {recall:.3f}, precision {precision:.3f}")
    for p in problems:
        print("  ", p)
    assert recall == 1.0, problems
    assert precision >= 0.9, problems


@pytest.mark.parametrize("article", GOLD["articles"], ids=lambda a: a["file"])
def test_matches_regions_and_non_figures(reader: Reader, article: dict[str, Any]) -> None:
    path: Path = ARTICLES / article["file"]
    analysis = reader.analyse(read_article_file(path))
    assert bool(analysis.matches) is article["matches"]
    assert all(m.reasons for m in analysis.matches), "every match says why"
    assert sorted(analysis.regions) == sorted(article["regions"])
    for number in article.get("not_figures", []):
        assert not any(number in f.text for f in analysis.figures), f"{number} read as a figure"


def test_every_figure_explains_its_scope(reader: Reader) -> None:
    for article in GOLD["articles"]:
        for figure in reader.analyse(read_article_file(ARTICLES / article["file"])).figures:
            assert figure.scope_reason, figure
