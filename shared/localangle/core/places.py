"""Where a figure applies: place mentions in sentences, the article's home area, and scope resolution.

A scope is resolved from the sentence (a place attached to the number, then one the sentence opens with, then
the agency or force it is attributed to), then the article (the area the preceding sentences were about, then
the area the article is mostly about), then the outlet's home patch, then the operation's own scope. Every
decision carries its reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from localangle.core.gazetteer import NATION_FORCES, Gazetteer, Place, slug
from localangle.core.lexicon import OPERATION_NOUNS
from localangle.core.numbers import Quantity
from localangle.core.text import Sentence, Token

LOCATIVE = {"in", "across", "throughout", "within", "on", "at", "around", "from", "for", "inside", "covering"}
BOUNDARIES = {",", ";", ":", "(", ")", "—", "–", "while", "whereas", "but"}
AGENT_VERBS = {
    "said",
    "says",
    "say",
    "confirmed",
    "confirms",
    "estimate",
    "estimates",
    "estimated",
    "arrested",
    "made",
    "executed",
    "revealed",
    "reveals",
    "announced",
    "stressed",
    "added",
    "told",
    "delivered",
    "took",
    "has",
    "have",
    "had",
    "is",
    "was",
    "were",
    "are",
    "led",
    "coordinated",
    "co-ordinated",
    "carried",
    "searched",
    "charged",
    "working",
    "worked",
    "reported",
    "reports",
    "released",
    "published",
    "urged",
    "warned",
    "detained",
    "safeguarded",
    "identified",
    "seized",
    "launched",
    "believes",
    "stated",
    "explained",
}
NEWSPAPER_WORDS = {
    "guardian",
    "echo",
    "evening",
    "news",
    "post",
    "times",
    "mail",
    "herald",
    "chronicle",
    "gazette",
    "mercury",
    "star",
    "argus",
    "standard",
    "observer",
    "express",
    "telegraph",
    "advertiser",
    "journal",
    "live",
    "press",
    "courier",
    "sentinel",
    "examiner",
    "citizen",
    "bugle",
    "world",
    "today",
    "recorder",
    "reporter",
    "weekly",
}
COMPASS = {
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "north",
    "south",
    "east",
    "west",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
}
FORCE_ANAPHORS = {("the", "constabulary"), ("the", "force")}
AREA_ANAPHORS = {("the", "county"), ("the", "force", "area"), ("the", "region"), ("the", "area")}
TOWN_ANAPHORS = {("the", "town"), ("the", "city"), ("the", "borough"), ("the", "district")}
NATIONAL_AGENCIES = (
    "National Crime Agency",
    "NCA",
    "Home Office",
    "National Police Chiefs' Council",
    "NPCC",
    "ACPO",
    "Association of Chief Police Officers",
    "CEOP",
)
ATTACH_LIMIT = 15
SCOPE_ADVERBS = {"nationally", "nationwide", "uk-wide"}
# "a nationwide operation", "a major six-month nationwide crackdown": the word describes the operation, not
# where a figure applies, so it places nothing; "660 arrests nationwide" and "a nationwide total of 745" do
DETERMINERS = {"a", "an", "the", "this", "that", "its", "their", "his", "her", "our"}
TOTAL_NOUNS = {"total", "totals", "tally", "figure", "figures", "count", "number", "numbers"}
PHRASE_STARTS = {"of", "to", "by", "and", "or", "as", "after", "during", "since", "last", "over"}
# "Plymouth saw seven arrests", "Exeter five": a place just before the number, as its subject
SUBJECT_LINKS = {"saw", "had", "recorded", "reported", "made", "accounted", "for", "with", "has", "have"}


@dataclass(frozen=True, slots=True)
class Mention:
    """A place (or agency) named in a sentence, token span [start, end)."""

    start: int
    end: int
    scope: str
    kind: str  # force | area | town | common | nation | region | uk | agency | anaphor | division
    role: str  # locative | agent | plain
    name: str


@dataclass
class ArticlePlaces:
    """Place mentions of every sentence, and what the article as a whole is about."""

    mentions: dict[int, list[Mention]]
    home_force: str | None
    home_town: str | None
    patch: list[str]
    named: bool = (
        False  # the article itself names a force area or a place in one (not just the outlet's patch)
    )
    # one force area clearly leads the article's places (twice the mentions of the next), so an unplaced
    # figure is that area's; in a round-up of several areas it is not
    dominant: bool = True

    @property
    def main_force(self) -> str | None:
        """The force area the article is about, when it names one and no other rivals it."""
        return self.home_force if self.named and self.dominant else None

    def regions(self) -> list[str]:
        return list(self.evidence())

    def evidence(self) -> dict[str, int]:
        """Each regional scope the article names, with the index of the first sentence that names it."""
        found: list[str] = []
        first: dict[str, int] = {}
        for index, mentions in self.mentions.items():
            for m in mentions:
                if m.kind in ("uk", "nation", "region", "agency"):
                    continue
                add_region(found, m.scope)
                for scope in found:
                    first.setdefault(scope, index)
        return {scope: first[scope] for scope in found}


def add_region(found: list[str], scope: str) -> None:
    """Record a regional scope (and the force it lies in); national scopes are not regions."""
    if scope == "uk" or scope.startswith("nation:"):
        return
    if "/" in scope and scope.split("/")[0] not in found:
        found.append(scope.split("/")[0])
    if scope not in found:
        found.append(scope)


def _role(sentence: Sentence, start: int, end: int, kind: str) -> str:
    tokens = sentence.tokens
    if tokens[end - 1].lower.endswith("'s") and not (end < len(tokens) and tokens[end].is_digit):
        return "plain"  # "the constabulary's eastern division": the possessor qualifies the place after it
    before = [t.lower for t in tokens[max(0, start - 4) : start]]
    while len(before) > 1 and (before[-1] in ("the", "a", "an") or before[-1].endswith("'s")):
        before.pop()  # "in the constabulary's eastern division": look past the determiner and possessor
    agentive = kind in ("force", "agency", "anaphor-force")
    if agentive:
        after = [t.lower for t in tokens[end : end + 3]]
        if (
            start == 0
            or (start == 1 and tokens[0].lower == "the")
            or (start <= 2 and tokens[0].text in "\"“'‘")
        ):
            return "agent"
        if before and (before[-1] in ("by", "from", "said") or before[-2:] == ["according", "to"]):
            return "agent"
        if after and after[0] == "," and len(after) > 1 and after[1] in ("working", "which", "who"):
            return "agent"
        if after and after[0] in AGENT_VERBS:
            return "agent"
    if kind == "agency":
        return "plain"  # "not part of the NCA operation": an agency is never where a figure applies
    if kind == "uk" and "".join(t.lower for t in tokens[start:end]) in SCOPE_ADVERBS:
        following = [t.lower for t in tokens[end : end + 3]]
        if following and following[0] in TOTAL_NOUNS:
            return "locative"  # "a nationwide total of 745"
        if (start > 0 and tokens[start - 1].lower in DETERMINERS) or _names_operation(following):
            return "plain"  # "as part of a nationwide operation", "in nationwide police raids"
        return "locative"  # "660 arrests nationally", "arrested nationwide in the operation"
    if before and before[-1] in LOCATIVE:
        return "locative"
    if before and before[-1] == "of" and len(before) > 1 and before[-2] in ("parts", "part", "areas", "rest"):
        return "locative"
    return "plain"


def _names_operation(words: list[str]) -> bool:
    """Whether the words after "nationwide" name the operation: an operation noun, maybe after a modifier or
    two ("police raids", "week of action"), before any word that starts a new phrase ("in the operation")."""
    if words[1:3] == ["of", "action"]:
        return True
    for word in words:
        if word in OPERATION_NOUNS:
            return True
        if not word.isalpha() or word in DETERMINERS or word in LOCATIVE or word in PHRASE_STARTS:
            return False
    return False


class PlaceReader:
    """Finds place mentions with a gazetteer; built once per process and shared by all articles."""

    def __init__(self, gazetteer: Gazetteer, agencies: tuple[str, ...] = ()) -> None:
        from localangle.core.gazetteer import _tokens

        self.gazetteer = gazetteer
        self.agencies = {_tokens(a) for a in (*NATIONAL_AGENCIES, *agencies)}
        self.longest = max(gazetteer.longest, *(len(a) for a in self.agencies))

    def _pick(self, places: list[Place], home: str | None) -> Place:
        for place in places:
            if home and place.force == home:
                return place
        return places[0]

    def explicit(self, sentence: Sentence, home: str | None = None) -> list[Mention]:
        """Named places and agencies in one sentence, longest names first, outlets' names left out."""
        return self._scan(sentence, home)[0]

    def _scan(self, sentence: Sentence, home: str | None) -> tuple[list[Mention], bool]:
        """The sentence's mentions, and whether a name among them could mean more than one place."""
        tokens = sentence.tokens
        out: list[Mention] = []
        ambiguous = False
        i, n = 0, len(tokens)
        while i < n:
            hit: tuple[int, Place | None] | None = None
            for size in range(min(self.longest, n - i), 0, -1):
                words = tuple(t.lower for t in tokens[i : i + size])
                first = tokens[i].text
                if words in self.agencies and (first[0].isupper()):
                    hit = (size, None)
                    break
                places = self.gazetteer.lookup(words)
                if not places:
                    continue
                if words not in self.gazetteer.case_free and not first[0].isupper():
                    continue
                hit = (size, self._pick(places, home))
                ambiguous = ambiguous or len(places) > 1
                break
            if hit is None:
                i += 1
                continue
            size, place = hit
            end = i + size
            following = tokens[end].lower if end < n else ""
            if following in NEWSPAPER_WORDS and end < n and tokens[end].text[0].isupper():
                i = end + 1  # "the Warrington Guardian" names an outlet, not a place
                continue
            if place is None:
                name = " ".join(t.text for t in tokens[i:end])
                out.append(Mention(i, end, "uk", "agency", _role(sentence, i, end, "agency"), name))
            else:
                kind = place.kind
                scope = place.scope
                role = _role(sentence, i, end, kind)
                out.append(Mention(i, end, scope, kind, role, place.name))
            i = end
        return _join_nation_lists(sentence, out), ambiguous

    def read_article(self, sentences: list[Sentence], patch: list[str]) -> ArticlePlaces:
        scanned = {s.index: self._scan(s, None) for s in sentences}
        explicit = {index: mentions for index, (mentions, _) in scanned.items()}
        forces: Counter[str] = Counter()
        towns: Counter[str] = Counter()
        for found in explicit.values():
            for m in found:
                force = self.gazetteer.force_of(m.scope) if m.kind not in ("nation", "uk", "region") else None
                if force:
                    forces[force] += 2 if m.kind == "force" else 1
                if "/" in m.scope:
                    towns[m.scope] += 1
        home_force = forces.most_common(1)[0][0] if forces else _patch_force(patch, self.gazetteer)
        home_town = towns.most_common(1)[0][0] if towns else next((p for p in patch if "/" in p), None)
        if home_force and forces:  # a name several places share now means the one in the article's area
            for s in sentences:
                if scanned[s.index][1]:
                    explicit[s.index] = self.explicit(s, home_force)
        mentions = {
            s.index: self._with_anaphors(s, explicit[s.index], home_force, home_town) for s in sentences
        }
        ranked = forces.most_common(2)
        dominant = len(ranked) < 2 or ranked[0][1] >= 2 * ranked[1][1]
        return ArticlePlaces(mentions, home_force, home_town, patch, named=bool(forces), dominant=dominant)

    def _force_named_before(self, mentions: list[Mention], position: int) -> str | None:
        """The force area of the nearest place named before `position` in the sentence, if any."""
        best: tuple[int, str] | None = None
        for m in mentions:
            if m.end <= position and m.kind not in ("nation", "uk", "region"):
                force = self.gazetteer.force_of(m.scope)
                if force and (best is None or m.end > best[0]):
                    best = (m.end, force)
        return best[1] if best else None

    def _with_anaphors(
        self, sentence: Sentence, mentions: list[Mention], home_force: str | None, home_town: str | None
    ) -> list[Mention]:
        tokens = sentence.tokens
        taken = {i for m in mentions for i in range(m.start, m.end)}
        extra: list[Mention] = []
        divisions: list[Mention] = []
        for i, token in enumerate(tokens):
            if i in taken:
                continue
            # "Lancashire Police said 31 were arrested in the county": the county is the force just named
            # in the sentence, not the article's main one
            near_force = self._force_named_before(mentions, i) or home_force
            for size, table, target, kind in (
                (3, AREA_ANAPHORS, near_force, "anaphor"),
                (2, FORCE_ANAPHORS, near_force, "anaphor-force"),
                (2, AREA_ANAPHORS, near_force, "anaphor"),
                (2, TOWN_ANAPHORS, home_town or None, "anaphor"),
            ):
                words = tuple(t.lower.removesuffix("'s") for t in tokens[i : i + size])
                if words in table and target:
                    role = _role(sentence, i, i + size, kind)
                    extra.append(Mention(i, i + size, target, "anaphor", role, " ".join(words)))
                    taken.update(range(i, i + size))
                    break
            if i in taken:
                continue
            # "the constabulary's eastern division", "three in western" (a list that shares the noun)
            word = token.lower
            nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
            force = self._division_force(mentions + extra, home_force)
            if word in COMPASS and nxt in ("division", "area", "command") and force:
                name = f"{word} {nxt}"
                divisions.append(
                    Mention(
                        i,
                        i + 2,
                        f"{force}/{slug(word)}-division",
                        "division",
                        _role(sentence, i, i + 2, "division"),
                        name,
                    )
                )
                taken.update((i, i + 1))
            elif word in COMPASS and divisions and i > 0 and tokens[i - 1].lower in LOCATIVE and force:
                divisions.append(
                    Mention(i, i + 1, f"{force}/{slug(word)}-division", "division", "locative", word)
                )
                taken.add(i)
        return sorted(mentions + extra + divisions, key=lambda m: m.start)

    def _division_force(self, mentions: list[Mention], home_force: str | None) -> str | None:
        for m in mentions:
            force = self.gazetteer.force_of(m.scope) if m.kind in ("force", "anaphor") else None
            if force:
                return force
        return home_force


def _patch_force(patch: list[str], gazetteer: Gazetteer) -> str | None:
    for scope in patch:
        force = gazetteer.force_of(scope)
        if force:
            return force
    return None


def _join_nation_lists(sentence: Sentence, mentions: list[Mention]) -> list[Mention]:
    """ "England, Wales, Scotland and Northern Ireland" is the UK, not four places."""
    out: list[Mention] = []
    i = 0
    while i < len(mentions):
        run = [mentions[i]]
        j = i + 1
        while (
            j < len(mentions)
            and mentions[j].kind == "nation"
            and run[-1].kind == "nation"
            and all(t.lower in (",", "and", "&") for t in sentence.tokens[run[-1].end : mentions[j].start])
        ):
            run.append(mentions[j])
            j += 1
        if len(run) >= 3:
            first = run[0]
            name = sentence.text[sentence.tokens[first.start].start : sentence.tokens[run[-1].end - 1].end]
            out.append(Mention(first.start, run[-1].end, "uk", "uk", first.role, name))
        else:
            out.extend(run)
        i = j
    return out


def nation_equivalent(scope: str) -> str:
    """police-scotland ≡ nation:scotland; northern-ireland ≡ nation:northern-ireland."""
    return NATION_FORCES.get(scope, scope)


@dataclass
class Focus:
    """The area the text is currently about, carried from sentence to sentence."""

    scope: str | None = None
    reason: str = ""
    # whether the sentence that set the area gave a figure there ("660 were arrested across the UK"), or only
    # named it ("Forces across the UK took part")
    counted: bool = False

    def update(self, mentions: list[Mention], figure_scopes: set[str]) -> None:
        """Move to the area the sentence is attributed to or about, given the scopes of its figures."""
        agents = [m for m in mentions if m.role == "agent"]
        locatives = [m for m in mentions if m.role == "locative"]
        if agents:
            self.scope, self.reason = agents[0].scope, f"the preceding text is attributed to {agents[0].name}"
        elif locatives:
            self.scope, self.reason = locatives[-1].scope, f"the preceding text is about {locatives[-1].name}"
        else:
            return
        self.counted = self.scope in figure_scopes


def _listed_with(sentence: Sentence, first: Mention, mentions: list[Mention]) -> list[Mention]:
    """The places listed together with `first` ("in Leicester, Loughborough and Hinckley")."""
    run = [first]
    for m in mentions:
        if m.start < run[-1].end:
            continue
        between = [t.lower for t in sentence.tokens[run[-1].end : m.start]]
        if not between or not all(w in (",", "and", "or", "&") for w in between):
            break
        run.append(m)
    return run


def _coordinated(tokens: tuple[Token, ...], first: Quantity, second: Quantity) -> bool:
    """ "Five men and two women were arrested in Hull": both numbers share what follows the second."""
    between = tokens[first.end : second.start]
    return (
        0 < len(between) <= 4
        and between[-1].lower in ("and", ",")
        and all(t.is_word and t.lower not in BOUNDARIES for t in between[:-1])
    )


def common_scope(scopes: list[str]) -> str:
    """The narrowest scope that holds them all: towns of one force → the force; else the UK."""
    if len(set(scopes)) == 1:
        return scopes[0]
    heads = {s.split("/")[0] for s in scopes}
    head = next(iter(heads))
    if len(heads) == 1 and ":" not in head and head != "uk":
        return head
    return "uk"


def attach(
    sentence: Sentence, quantity: Quantity, others: list[Quantity], mentions: list[Mention]
) -> Mention | None:
    """The locative place a number is attached to in its sentence, if one is close enough."""
    tokens = sentence.tokens
    best: tuple[int, Mention] | None = None
    for m in mentions:
        gap = [t.lower for t in tokens[m.end : quantity.start]]
        if (
            m.end <= quantity.start
            and len(gap) <= 2
            and all(w in SUBJECT_LINKS for w in gap)
            and (m.kind not in ("agency", "uk"))
        ):
            return m
    for m in mentions:
        if m.role != "locative":
            continue
        if m.start >= quantity.end:
            lo, hi, penalty = quantity.end, m.start, 0
        elif m.end <= quantity.start:
            lo, hi, penalty = m.end, quantity.start, 3
        else:
            continue
        if any(
            lo <= q.start < hi and not _coordinated(tokens, quantity, q) for q in others if q is not quantity
        ):
            continue
        boundaries = sum(1 for t in tokens[lo:hi] if t.lower in BOUNDARIES)
        if boundaries and penalty:
            continue  # a place before the number belongs to it only within the same clause
        distance = (hi - lo) + penalty + 10 * boundaries
        if distance <= ATTACH_LIMIT and (best is None or distance < best[0]):
            best = (distance, m)
    chosen = best[1] if best else None
    if chosen is None:
        for m in mentions:  # "In Cheshire, 21 people were arrested": a fronted place covers the sentence
            if m.role == "locative" and m.start <= 2 and m.end <= quantity.start:
                chosen = m
                break
    if chosen is None:
        return None
    listed = _listed_with(sentence, chosen, mentions)
    if len(listed) > 1:  # several places share the figure: it belongs to the area that holds them all
        last = listed[-1]
        name = sentence.text[sentence.tokens[chosen.start].start : sentence.tokens[last.end - 1].end]
        return Mention(
            chosen.start, last.end, common_scope([m.scope for m in listed]), "list", "locative", name
        )
    return chosen
