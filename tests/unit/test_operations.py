"""A second kind of operation, defined only as data, is matched and read; each keeps to its own articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from localangle.articles import read_article_file
from localangle.core.analysis import Reader
from tests.conftest import ARTICLES

TEST_ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
SCEPTRE = "sceptre-2023-11-knife-crime"
NCA = "nca-2014-online-child-abuse"


def matched(reader: Reader, path: Path) -> list[str]:
    return [m.operation for m in reader.analyse(read_article_file(path)).matches]


def figures(reader: Reader, path: Path) -> set[tuple[str, int | None, int | None, str]]:
    return {(f.metric, f.low, f.high, f.scope) for f in reader.analyse(read_article_file(path)).figures}


def test_both_operations_are_loaded(reader: Reader) -> None:
    assert set(reader.operations) == {NCA, SCEPTRE}


@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.txt")), ids=lambda p: p.name)
def test_the_seed_articles_match_only_their_operation(reader: Reader, path: Path) -> None:
    assert matched(reader, path) == [NCA]


@pytest.mark.parametrize("path", sorted((TEST_ARTICLES / "sceptre").glob("*.txt")), ids=lambda p: p.name)
def test_knife_crime_articles_match_only_sceptre(reader: Reader, path: Path) -> None:
    assert matched(reader, path) == [SCEPTRE]


@pytest.mark.parametrize("path", sorted((TEST_ARTICLES / "negative").glob("*.txt")), ids=lambda p: p.name)
def test_other_stories_match_nothing(reader: Reader, path: Path) -> None:
    # a single court case, the same agency's drugs operation, the same kind of operation a year later
    assert matched(reader, path) == []


def test_the_knife_crime_figures_are_read(reader: Reader) -> None:
    assert figures(reader, TEST_ARTICLES / "sceptre" / "merseyside.txt") >= {
        ("arrests", 45, 45, "merseyside"),
        ("knives_seized", 67, 67, "merseyside"),
        ("weapons_sweeps", 38, 38, "merseyside"),  # "across Liverpool and Knowsley": the force holds both
        ("knives_surrendered", 112, 112, "merseyside"),
    }
    assert figures(reader, TEST_ARTICLES / "sceptre" / "leicester.txt") >= {
        ("knives_surrendered", 301, None, "leicestershire"),
        ("arrests", 19, 19, "leicestershire"),
        ("test_purchases", 14, 14, "leicestershire"),  # "in Leicester, Loughborough and Hinckley"
        ("knives_seized", 1800, 1999, "uk"),  # "Nationally, forces seized almost 2,000 knives"
    }
