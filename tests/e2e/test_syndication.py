"""Twenty outlets run one agency story, each with its own headline, furniture and cuts: one story, one set
of alerts, and every alert lists all twenty outlets. Through the whole offline flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from localangle.adapters.storage import LedgerTable
from localangle.articles import read_article_file
from localangle.core.similarity import resemblance, sketch
from localangle.local.world import World
from localangle.models.article import Article
from localangle.models.config import FeedConfig

WIRE = read_article_file(Path(__file__).resolve().parents[1] / "data" / "articles" / "wire" / "pa-copy.txt")
OPERATION = "nca-2014-online-child-abuse"
T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)
TOWNS = [
    "Kendal", "Penrith", "Workington", "Whitehaven", "Barrow", "Carlisle", "Keswick", "Ulverston", "Preston",
    "Lancaster", "Blackpool", "Burnley", "Blackburn", "Chorley", "Morecambe", "Fleetwood", "Accrington",
    "Ormskirk", "Clitheroe", "Lytham",
]  # fmt: skip


HEADLINES = [
    WIRE.title,
    "Paedophile crackdown: 660 arrested",
    "Hundreds held in online child abuse investigation",
    "National Crime Agency operation leads to 660 arrests",
    "Doctors and teachers among those arrested in child abuse inquiry",
]


def _copy(n: int, outlet: str) -> Article:
    """The agency copy as one outlet ran it: a headline of its own, and its own way with the rest."""
    paragraphs = WIRE.text.split("\n\n")
    if n % 4 == 1:
        paragraphs = paragraphs[:-1]  # cut for length
    if n % 3 == 0:
        paragraphs.insert(3, "Hide Ad")  # page furniture between paragraphs
    if n % 5 == 2:
        paragraphs.append(f"Anyone with information can call {outlet}'s newsdesk.")
    text = "\n\n".join(paragraphs)
    headline = HEADLINES[n % len(HEADLINES)]
    return WIRE.model_copy(update={"title": headline, "outlet": outlet, "text": text})


def _outlets(world: World, count: int, start: int = 0) -> list[str]:
    names = []
    for n in range(start, start + count):
        name = f"{TOWNS[n % len(TOWNS)]} Gazette" + (f" {n}" if n >= len(TOWNS) else "")
        world.add_outlet(
            FeedConfig(id=f"gazette-{n}", outlet=name, url=f"https://gazette-{n}.example/rss", patch=["uk"])
        )
        names.append(name)
    return names


def test_the_copies_are_near_duplicates_and_the_seeds_are_not(seed_files: list[Path]) -> None:
    copies = [sketch(_copy(n, "Outlet").text) for n in range(6)]
    assert all(resemblance(copies[0], other) >= 0.5 for other in copies[1:])
    seeds = [sketch(read_article_file(p).text) for p in seed_files]
    assert all(resemblance(a, b) < 0.5 for i, a in enumerate(seeds) for b in seeds[i + 1 :])
    assert all(resemblance(copies[0], s) < 0.5 for s in seeds)


def test_twenty_outlets_running_one_wire_story_give_one_story_and_one_set_of_alerts(world: World) -> None:
    names = _outlets(world, 21)
    world.upload_config()
    for n, name in enumerate(names[:20]):
        world.publish(f"gazette-{n}", _copy(n, name), None, f"wire-{n}")
    world.tick(T0)

    alerts = world.alerts()
    assert sorted((a["kind"], a.get("region")) for a in alerts) == [
        ("new_regional_angle", "cumbria"),
        ("new_regional_angle", "lancashire"),
    ]
    # one story: the figures are the story's, not twenty voices saying the same thing
    ledger = LedgerTable(world.cloud.env["LEDGER_TABLE"])
    assert len(ledger.claims_at(OPERATION, "arrests", "cumbria")) == 1
    national = ledger.claims_at(OPERATION, "arrests", "uk")
    assert len([c for c in national if c.low == 660]) == 1
    # what an outlet wrote itself ("Hundreds held" in its own headline) is its own claim, and agrees
    assert {(c.low, c.high) for c in national} == {(660, 660), (200, None)}
    stories = ledger.story_sources(OPERATION, [alerts[0]["trigger"]["article_id"]])
    assert sorted(s.outlet or "" for s in next(iter(stories.values()))) == sorted(names[:20])

    # each alert, as the newsroom receives it, lists all twenty outlets
    assert len(world.slack.messages) == 2
    for _path, payload in world.slack.messages:
        text = "\n".join(str(b.get("text", {}).get("text", "")) for b in payload["blocks"])
        assert "The same story ran in 20 outlets" in text
        assert all(name in text for name in names[:20]), text

    # a twenty-first outlet runs it an hour later: one more source, no more alerts
    world.publish("gazette-20", _copy(20, names[20]), None, "wire-20")
    world.tick(T0 + timedelta(hours=1))
    assert len(world.alerts()) == 2 and len(world.slack.messages) == 2
    stories = ledger.story_sources(OPERATION, [alerts[0]["trigger"]["article_id"]])
    assert len(next(iter(stories.values()))) == 21
    assert not any(world.flow.dead_letters().values())
