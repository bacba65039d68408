"""Decide which tracked operations an article is about, and say why.

Evidence, strongest first: the operation's name or alias; a lead agency together with one of the figures the
operation is known by; a lead agency with the story's vocabulary in an article dated inside the operation's
window. An article dated outside the window never matches; one with no date is judged on its text alone.
Everything is looked up in indexes built once, so the cost does not grow with the number of operations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from localangle.core.figures import Reading
from localangle.core.lexicon import words
from localangle.core.text import Sentence
from localangle.models.figure import Match
from localangle.models.operation import Operation

THRESHOLD = 0.5


class Matcher:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self.operations = {op.id: op for op in operations}
        self.aliases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.agencies: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.terms: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.anchors: dict[tuple[str, int], set[str]] = defaultdict(set)
        for op in self.operations.values():
            for alias in [op.name, *op.aliases]:
                self.aliases[words(alias)].add(op.id)
            for agency in op.lead_agencies:
                self.agencies[words(agency)].add(op.id)
            for term in op.terms:
                self.terms[words(term)].add(op.id)
            for anchor in op.anchor_figures:
                self.anchors[(anchor.metric, anchor.value)].add(op.id)
        self.longest = max([1, *(len(k) for t in (self.aliases, self.agencies, self.terms) for k in t)])

    def match(
        self, sentences: list[Sentence], readings: list[Reading], published: datetime | None
    ) -> list[Match]:
        alias_hits: dict[str, list[str]] = defaultdict(list)
        agency_hits: dict[str, list[str]] = defaultdict(list)
        term_hits: dict[str, set[str]] = defaultdict(set)
        for sentence in sentences:
            tokens = sentence.tokens
            lowers = [t.lower for t in tokens]
            for i in range(len(lowers)):
                for size in range(min(self.longest, len(lowers) - i), 0, -1):
                    key = tuple(lowers[i : i + size])
                    for table, hits in ((self.aliases, alias_hits), (self.agencies, agency_hits)):
                        for op_id in table.get(key, ()):
                            text = " ".join(t.text for t in tokens[i : i + size])
                            if text not in hits[op_id]:
                                hits[op_id].append(text)
                    for op_id in self.terms.get(key, ()):
                        term_hits[op_id].add(" ".join(key))
        anchor_hits: dict[str, list[str]] = defaultdict(list)
        for r in readings:
            if r.low is not None and r.low == r.high:
                for op_id in self.anchors.get((r.metric, r.low), ()):
                    label = f"{r.metric} = {r.low}"
                    if label not in anchor_hits[op_id]:
                        anchor_hits[op_id].append(label)
        candidates = set(alias_hits) | set(agency_hits) | set(anchor_hits)
        matches = []
        for op_id in sorted(candidates):
            found = self._score(
                op_id,
                alias_hits[op_id],
                agency_hits[op_id],
                anchor_hits[op_id],
                sorted(term_hits[op_id]),
                published,
            )
            if found and found.score >= THRESHOLD:
                matches.append(found)
        return sorted(matches, key=lambda m: -m.score)

    def _score(
        self,
        op_id: str,
        aliases: list[str],
        agencies: list[str],
        anchors: list[str],
        terms: list[str],
        published: datetime | None,
    ) -> Match | None:
        op = self.operations[op_id]
        reasons: list[str] = []
        if published is not None:
            day = published.date()
            if (op.starts and day < op.starts) or (op.ends and day > op.ends):
                return None
        score = 0.0
        if aliases:
            score = max(score, 0.9)
            reasons.append(f"names the operation: {', '.join(repr(a) for a in aliases)}")
        if agencies and anchors:
            score = max(score, 0.8)
            reasons.append(f"lead agency {agencies[0]!r} with the operation's figures: {', '.join(anchors)}")
        elif anchors and len(terms) >= 2:
            score = max(score, 0.6)
            reasons.append(f"the operation's figures ({', '.join(anchors)}) with its vocabulary")
        elif agencies and len(terms) >= 2:
            if published is not None:
                score = max(score, 0.6)
                reasons.append(
                    f"lead agency {agencies[0]!r} with the story's vocabulary, dated in the window"
                )
            else:
                score = max(score, 0.4)
                reasons.append(f"lead agency {agencies[0]!r} with the story's vocabulary, but no date")
        if terms:
            score += min(0.09, 0.03 * len(terms))
            reasons.append(f"vocabulary: {', '.join(terms[:6])}")
        if published is not None and score:
            reasons.append(f"published {published.date().isoformat()}, inside the operation's window")
        return Match(operation=op_id, score=round(min(score, 0.99), 2), reasons=reasons)
