"""Place names → scopes: the 45 forces, their areas and towns, English regions, nations and the UK.

Scopes (DESIGN.md): `uk`, `nation:<n>`, `region:<slug>`, `<force>`, `<force>/<place>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from localangle.core.text import normalise
from localangle.yamlsafe import safe_load

FORCE_WORDS = ("police", "constabulary", "police service", "police force")
NATION_FORCES = {"police-scotland": "nation:scotland", "northern-ireland": "nation:northern-ireland"}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(name).replace("'", "").replace("&", "and")).strip("-")


@dataclass(frozen=True, slots=True)
class Place:
    """What a name means: its scope, what kind of name it is, and the force it lies in."""

    scope: str
    kind: str  # force | area | town | common | nation | region | uk
    force: str | None
    name: str


@dataclass
class Force:
    code: str
    name: str
    nation: str
    region: str | None
    display: str
    places: dict[str, str] = field(default_factory=dict)  # place slug → display name
    districts: set[str] = field(default_factory=set)  # place slugs that are council areas (disjoint)


@dataclass
class Gazetteer:
    forces: dict[str, Force]
    names: dict[tuple[str, ...], list[Place]]  # normalised token tuple → places
    case_free: set[tuple[str, ...]]  # names matched whatever their case ("the peninsula")
    longest: int
    _within: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def lookup(self, words: tuple[str, ...]) -> list[Place]:
        return self.names.get(words, [])

    def force_of(self, scope: str) -> str | None:
        head = scope.split("/")[0]
        if head in self.forces:
            return head
        for code, nation_scope in NATION_FORCES.items():
            if scope == nation_scope:
                return code
        return None

    def display(self, scope: str) -> str:
        """The name an editor uses for a scope: 'Warrington', 'Cheshire', 'the UK'."""
        if scope == "uk":
            return "the UK"
        kind, _, rest = scope.partition(":")
        if kind in ("nation", "region") and rest:
            return rest.replace("-", " ").title().replace(" And ", " and ").replace(" The ", " the ")
        head, _, place = scope.partition("/")
        force = self.forces.get(head)
        if force is None:
            return scope
        if place:
            return force.places.get(place) or place.replace("-", " ").title()
        return force.display

    def parent(self, scope: str) -> str | None:
        """The scope a place lies inside: town → force → English region → nation → UK."""
        if scope == "uk":
            return None
        if "/" in scope:
            return scope.split("/")[0]
        force = self.forces.get(scope)
        if force is not None:
            if force.code in NATION_FORCES:
                return "uk"
            return f"region:{force.region}" if force.region else f"nation:{force.nation}"
        if scope.startswith("region:"):
            region = scope.removeprefix("region:")
            nations = {f.nation for f in self.forces.values() if f.region == region}
            return f"nation:{nations.pop()}" if len(nations) == 1 else "uk"
        return "uk"

    def level(self, scope: str) -> str:
        """How fine a place inside a force is: a division, a council district or a town. Places of one level
        do not overlap; a town may lie inside a district or a division, so levels are never added together."""
        head, _, place = scope.partition("/")
        if not place:
            return "area"
        if "division" in place or place.endswith(("-basic-command-unit", "-bcu")):
            return "division"
        force = self.forces.get(head)
        return "district" if force is not None and place in force.districts else "town"

    def ancestors(self, scope: str) -> list[str]:
        """Every scope that contains this one, nearest first: cheshire/warrington → cheshire, …, uk."""
        out: list[str] = []
        current = self.parent(scope)
        while current is not None:
            out.append(current)
            current = self.parent(current)
        return out

    def areas_within(self, scope: str) -> list[str]:
        """The force areas (disjoint, covering the UK) that lie inside a scope: for adding parts up."""
        if scope not in self._within:  # the same few wholes on every article: worked out once
            areas = [NATION_FORCES.get(code, code) for code in self.forces]
            self._within[scope] = [
                a for a in areas if scope == "uk" or (a != scope and scope in self.ancestors(a))
            ]
        return self._within[scope]


def _tokens(name: str) -> tuple[str, ...]:
    from localangle.core.text import tokenize

    return tuple(t.lower for t in tokenize(name))


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped with the package (data/uk-police-forces.yaml and data/gazetteer.yaml)."""
    data = resources.files("localangle") / "data"
    forces_doc = safe_load((data / "uk-police-forces.yaml").read_text(encoding="utf-8"))
    extra = safe_load((data / "gazetteer.yaml").read_text(encoding="utf-8"))
    names: dict[tuple[str, ...], list[Place]] = {}
    case_free: set[tuple[str, ...]] = set()
    forces: dict[str, Force] = {}

    def add(name: str, place: Place) -> None:
        key = _tokens(name)
        bucket = names.setdefault(key, [])
        if place not in bucket:
            bucket.append(place)
        if name[:1].islower():
            case_free.add(key)

    for row in forces_doc["forces"]:
        code = row["code"]
        display = re.sub(r"\s+(Police|Constabulary|Police Service)$", "", row["name"])
        if code == "northern-ireland":
            display = "Northern Ireland"
        if code == "police-scotland":
            display = "Scotland"
        forces[code] = Force(code, row["name"], row["nation"], row.get("region"), display)
        for name in [row["name"], row.get("short"), *row.get("former_names", [])]:
            if name:
                add(name, Place(code, "force", code, name))
        ext = extra["forces"].get(code, {})
        for name in ext.get("aliases", []):
            kind = "force" if any(w in normalise(name) for w in FORCE_WORDS) or name.isupper() else "area"
            add(name, Place(code, kind, code, name))
        for name in ext.get("common", []):
            add(name, Place(code, "common", code, name))
        for name in [*row.get("areas", []), *row.get("former", []), *ext.get("towns", [])]:
            name = re.sub(r"\s*\(.*\)", "", name).strip()
            if normalise(name) in ("scotland", "northern ireland", "greater london"):
                continue
            place_slug = slug(name)
            if place_slug == code or (
                _tokens(name) in names and any(p.scope == code for p in names[_tokens(name)])
            ):
                add(name, Place(code, "area", code, name))
                continue
            forces[code].places.setdefault(place_slug, name)
            if name in [*row.get("areas", []), *row.get("former", [])]:
                forces[code].districts.add(place_slug)
            add(name, Place(f"{code}/{place_slug}", "town", code, name))
    for name in extra["uk"]:
        add(name, Place("uk", "uk", None, name))
    for nation, nation_names in extra["nations"].items():
        for name in nation_names:
            add(name, Place(f"nation:{nation}", "nation", None, name))
    for region, region_names in extra["regions"].items():
        for name in region_names:
            add(name, Place(f"region:{region}", "region", None, name))
    longest = max(len(k) for k in names)
    return Gazetteer(forces, names, case_free, longest)
