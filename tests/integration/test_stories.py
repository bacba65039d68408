"""Syndicated stories in the ledger table: found by sketch, joined by copies, kept through edits, and listed
per story in an alert."""

from __future__ import annotations

from datetime import UTC, datetime

from localangle.adapters.storage import LedgerTable
from localangle.local.world import World
from localangle.models.alert import Alert, Claim, Source
from localangle.pipeline.send import carriers, carriers_of
from localangle.render import view, with_carriers

OP = "nca-2014-online-child-abuse"
WIRE = list(range(1000, 1064))  # a sketch: 64 ascending hashes
REWRITE = list(range(5000, 5064))  # an unrelated text


def _source(article_id: str, outlet: str, hour: int = 9) -> Source:
    return Source(article_id=article_id, outlet=outlet, published=datetime(2014, 7, 16, hour, tzinfo=UTC))


def test_a_copy_finds_its_story_and_an_edit_of_the_first_keeps_the_outlets(world: World) -> None:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    assert table.story_of(OP, WIRE) is None
    table.found_story(OP, WIRE, _source("a", "Agency"))
    assert table.story_of(OP, [*WIRE[:60], 9001, 9002, 9003, 9004]) == "a"  # a near copy
    assert table.story_of(OP, REWRITE) is None
    table.join_story(OP, "a", _source("b", "Gazette", 10))
    table.join_story(OP, "a", _source("b", "Gazette", 10))  # redelivered: no change
    table.found_story(OP, REWRITE, _source("a", "Agency"))  # the first article edited beyond recognition
    assert [s.outlet for s in table.story_sources(OP, ["a"])["a"]] == ["Agency", "Gazette"]


def test_an_alert_lists_the_outlets_of_each_story_apart(world: World) -> None:
    table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    table.found_story(OP, WIRE, _source("wire", "Agency"))
    for n in range(3):
        table.join_story(OP, "wire", _source(f"copy{n}", f"Gazette {n}", 10))
    table.found_story(OP, REWRITE, _source("local", "Local Paper"))

    def claim(article: str, outlet: str, value: int) -> Claim:
        return Claim(
            metric="arrests", scope="cumbria", low=value, high=value, text="", sentence="",
            origin=_source(article, outlet),
        )  # fmt: skip

    alert = Alert(
        key="k", kind="conflicting_figure", severity="warning", operation=OP, operation_name="NCA",
        metric="arrests", scope="cumbria",
        claims=[claim("wire", "Agency", 14), claim("local", "Local Paper", 41)],
        headline="h", created_at=datetime(2014, 7, 16, tzinfo=UTC), trigger=_source("local", "Local Paper"),
    )  # fmt: skip
    stories = carriers(table, alert)
    # an email of several alerts reads their stories in one request for the operation
    reads: list[list[str]] = []
    read = table.story_sources
    table.story_sources = lambda op, ids: reads.append(ids) or read(op, ids)  # type: ignore[method-assign]
    other = alert.model_copy(update={"key": "k2", "trigger": _source("copy0", "Gazette 0")})
    assert carriers_of(table, [alert, other]) == [stories, stories]
    assert reads == [["wire", "local", "copy0"]]
    assert [[s.outlet for s in story] for story in stories] == [
        ["Agency", "Gazette 0", "Gazette 1", "Gazette 2"]
    ]
    rendered = with_carriers(view(alert), stories)
    assert [(line, [o.name for o in outlets]) for line, outlets in rendered.carried_lines()] == [
        ("The same story ran in 4 outlets", ["Agency", "Gazette 0", "Gazette 1", "Gazette 2"])
    ]
