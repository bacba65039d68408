"""The command line's contracts: analyse's JSON lines, and one-line errors with a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localangle.cli import main
from tests.conftest import ARTICLES


def test_analyse_prints_one_json_object_per_article(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    article = tmp_path / "warrington.txt"
    article.write_text(
        "OUTLET: Warrington Guardian\nDATE: 2014-07-16\nURL: https://example.org/a\nTITLE: Arrests\n\n"
        + (ARTICLES / "001_bc18daddbc62a9cf.txt").read_text(encoding="utf-8")
    )
    assert main(["analyse", str(article), str(ARTICLES / "004_c86c2c98dea43fb0.txt")]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    doc = lines[0]
    assert set(doc) == {"source", "url", "title", "outlet", "published", "matches", "regions", "figures"}
    assert (doc["outlet"], doc["published"], doc["title"]) == (
        "Warrington Guardian",
        "2014-07-16T00:00:00Z",
        "Arrests",
    )
    assert doc["matches"][0]["operation"] == "nca-2014-online-child-abuse" and doc["matches"][0]["reasons"]
    figure = next(f for f in doc["figures"] if f["scope"] == "cheshire/warrington")
    assert {
        "operation",
        "metric",
        "low",
        "high",
        "qualifier",
        "scope",
        "part_of_operation",
        "text",
        "sentence",
    } <= set(figure)


def test_an_article_about_nothing_tracked_has_no_matches_and_no_figures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "council.txt"
    other.write_text("Council approves budget\n\nThe council approved 21 new homes and 45 parking spaces.\n")
    assert main(["analyse", str(other)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["matches"] == [] and doc["figures"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyse", "no-such-file.txt"], "no-such-file.txt: no such file or folder"),
        (
            ["analyse", "--operation", "missing.yaml", "x.txt"],
            "missing.yaml: no such operation file or folder",
        ),
        (["replay", "pyproject.toml"], "pyproject.toml: not an article file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_a_bad_operation_file_names_the_file_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: knife-week\nname: Knife crime week\nlead_agencies: [NPCC]\nmetrics: {arrests: {kind: lots}}\n"
    )
    assert main(["analyse", "--operation", str(bad), str(ARTICLES)]) == 2
    assert f"{bad}: metrics.arrests.kind:" in capsys.readouterr().err
