"""Every one of the 45 forces resolves from its full name, its short names and at least two major towns."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from localangle.core.gazetteer import load_gazetteer
from localangle.core.places import PlaceReader
from localangle.core.text import split_sentences

DATA = resources.files("localangle") / "data"
FORCES = yaml.safe_load((DATA / "uk-police-forces.yaml").read_text(encoding="utf-8"))["forces"]
EXTRA = yaml.safe_load((DATA / "gazetteer.yaml").read_text(encoding="utf-8"))["forces"]
READER = PlaceReader(load_gazetteer())


def scopes_in(sentence: str) -> list[str]:
    [parsed] = split_sentences(sentence)
    return [m.scope for m in READER.explicit(parsed) if m.kind not in ("agency",)]


def test_all_45_forces_are_known() -> None:
    assert len(FORCES) == 45
    assert set(EXTRA) == {f["code"] for f in FORCES}


@pytest.mark.parametrize("force", FORCES, ids=lambda f: f["code"])
def test_full_name(force: dict[str, str]) -> None:
    assert scopes_in(f"Officers from {force['name']} made the arrests.") == [force["code"]]


@pytest.mark.parametrize("force", FORCES, ids=lambda f: f["code"])
def test_short_names(force: dict[str, str]) -> None:
    names = [n for n in [force.get("short"), *EXTRA[force["code"]].get("aliases", [])] if n]
    assert names, "every force has at least one short name"
    for name in names:
        assert scopes_in(f"The arrests were made by {name} this week.") == [force["code"]], name


@pytest.mark.parametrize("force", FORCES, ids=lambda f: f["code"])
def test_two_major_towns(force: dict[str, str]) -> None:
    towns = EXTRA[force["code"]]["towns"][:2]
    assert len(towns) == 2
    for town in towns:
        found = scopes_in(f"Two men were arrested in {town} on Tuesday.")
        assert len(found) == 1 and found[0].split("/")[0] == force["code"], (town, found)
