"""The words that signal each metric, merged over every tracked operation and indexed for lookup.

Built once per set of operations; lookups cost the same whatever the number of operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from localangle.core.text import tokenize
from localangle.models.operation import MetricSpec, Operation

# Nouns that name an operation itself ("a six-month operation", "a nationwide crackdown"): read by the figure
# reader (a duration) and the place reader ("nationwide" that describes the operation places nothing)
OPERATION_NOUNS = {
    "operation",
    "operations",
    "investigation",
    "inquiry",
    "campaign",
    "crackdown",
    "clampdown",
    "probe",
    "period",
    "effort",
    "initiative",
    "sting",
    "sweep",
    "raids",
    "action",
    "undercover",
}

PERSONS = (
    "people",
    "person",
    "men",
    "man",
    "women",
    "woman",
    "suspects",
    "suspect",
    "individuals",
    "adults",
    "offenders",
    "paedophiles",
    "teenagers",
    "youths",
    "boys",
    "girls",
)


def words(phrase: str) -> tuple[str, ...]:
    return tuple(t.lower for t in tokenize(phrase))


def _noun_forms(noun: str) -> set[tuple[str, ...]]:
    base = words(noun)
    if not base:
        return set()
    last = base[-1]
    other = last[:-1] if last.endswith("s") and not last.endswith("ss") else last + "s"
    return {base, (*base[:-1], other)}


@dataclass
class Lexicon:
    nouns: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    verbs: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    subjects: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    all_subjects: set[tuple[str, ...]] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)
    operation_wide: set[str] = field(default_factory=set)
    by_kind: dict[str, list[str]] = field(default_factory=dict)  # built once: read for every number
    longest: int = 1

    @classmethod
    def build(cls, operations: Iterable[Operation]) -> Lexicon:
        lex = cls()
        for op in operations:
            for metric, spec in op.metrics.items():
                lex._add(metric, spec)
        lex.longest = max([1, *(len(k) for table in (lex.nouns, lex.verbs, lex.phrases) for k in table)])
        for metric, kind in sorted(lex.kinds.items()):
            lex.by_kind.setdefault(kind, []).append(metric)
        return lex

    def _add(self, metric: str, spec: MetricSpec) -> None:
        self.kinds[metric] = spec.kind
        if spec.operation_wide:
            self.operation_wide.add(metric)
        for noun in spec.nouns:
            for form in _noun_forms(noun):
                self.nouns.setdefault(form, set()).add(metric)
        for verb in spec.verbs:
            self.verbs.setdefault(words(verb), set()).add(metric)
        for phrase in spec.phrases:
            self.phrases.setdefault(words(phrase), set()).add(metric)
        subjects = spec.subjects or (list(PERSONS) if spec.verbs and spec.kind == "count" else [])
        forms = {form for s in subjects for form in _noun_forms(s)}
        self.subjects.setdefault(metric, set()).update(forms)
        self.all_subjects.update(forms)

    def metrics_of_kind(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])

    def match(
        self, table: dict[tuple[str, ...], set[str]], lowers: list[str], i: int
    ) -> tuple[int, set[str]]:
        """Longest entry of `table` starting at token i: (length, metrics), or (0, empty)."""
        for size in range(min(self.longest, len(lowers) - i), 0, -1):
            hit = table.get(tuple(lowers[i : i + size]))
            if hit:
                return size, hit
        return 0, set()

    def subject_at(self, lowers: list[str], i: int) -> int:
        for size in (3, 2, 1):
            if tuple(lowers[i : i + size]) in self.all_subjects:
                return size
        return 0
