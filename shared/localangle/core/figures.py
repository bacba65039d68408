"""Read what each number in a sentence counts: the metric, from the counted noun, the verb or the predicate.

Constructions read: "21 arrests", "arrested 21 people", "21 men were arrested", "the arrest of 660",
"officers executed 32 warrants", "Of the 660, 39 were registered sex offenders", "39 of those arrested were
on the sex offenders register", lists that share a noun ("six arrests in X, three in Y"), age ranges of
those arrested ("aged between 31 and 66") and the length of an operation ("a six-month operation").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localangle.core.lexicon import OPERATION_NOUNS, Lexicon
from localangle.core.numbers import Quantity, find_quantities
from localangle.core.text import Sentence, Token
from localangle.models.operation import Operation

STOP = {
    "in",
    "at",
    "on",
    "across",
    "from",
    "were",
    "was",
    "have",
    "has",
    "had",
    "who",
    "which",
    "that",
    "and",
    "or",
    "are",
    "is",
    "been",
    "being",
    "to",
    "for",
    "with",
    "by",
    ",",
    ".",
    ";",
    ":",
    "(",
    ")",
    "the",
}
COPULAS = {"were", "was", "are", "is", "have", "has", "had", "been", "being"}
CLAUSE_END = {".", ";", "?", "!"}
AGE_WORDS = {"aged", "age", "ages", "youngest", "oldest"}
AUX = {
    "were",
    "was",
    "are",
    "is",
    "have",
    "has",
    "had",
    "been",
    "be",
    "being",
    "now",
    "also",
    "since",
    "already",
    "all",
    "later",
    "subsequently",
}
ELLIPSIS_NEXT = {"in", "at", "on", "across", "from", "for", "and", "while"}
OUTSIDE_OPERATION = re.compile(
    r"\bnot (?:part of|connected (?:to|with)|linked (?:to|with)|related to|included in|counted in)\b"
    r"|\bunrelated to\b|\bseparate(?:ly)? (?:from|to) the\b|\boutside (?:of )?the (?:\w+ )?operation\b"
    r"|\bin addition to (?:those|the) (?:\w+ )?(?:operation|arrests)\b|\bnot as part of\b"
    r"|\b(?:a|an) (?:similar|previous|separate|earlier|different|unrelated)"
    r" (?:operation|investigation|crackdown)\b"
    r"|\bthe same kind of operation\b|\blast year\b|\bthe previous year\b|\ba year (?:earlier|before)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """A number read as a metric; the token span [start, end) is the figure's text."""

    metric: str
    quantity: Quantity
    low: int | None
    high: int | None
    qualifier: str
    start: int
    end: int
    how: str


def read_sentence(sentence: Sentence, lexicon: Lexicon) -> tuple[list[Quantity], list[Reading]]:
    """The quantities of a sentence and the metric readings of those that are figures."""
    tokens = sentence.tokens
    lowers = [t.lower.strip("\"“”‘’'") or t.lower for t in tokens]
    quantities = find_quantities(sentence.tokens)
    counts = [q for q in quantities if q.not_a_count is None]
    readings: list[Reading] = []
    last_listed: str | None = None
    for q in counts:
        age = _age(lowers, q, lexicon)
        if age is not None:
            readings.extend(age)
            continue
        found = _metric(lowers, q, counts, lexicon)
        if found is None and last_listed and _elliptical(tokens, lowers, q):
            found = (last_listed, q.end, "a list that shares the noun", q.start)
        if found is None:
            continue
        metric, end, how, start = found
        if lexicon.kinds.get(metric) == "count":
            last_listed = metric
        low, high, qualifier = q.low, q.high, q.qualifier
        readings.append(Reading(metric, q, low, high, qualifier, min(start, q.start), max(end, q.end), how))
    return quantities, readings


def _elliptical(tokens: tuple[Token, ...], lowers: list[str], q: Quantity) -> bool:
    """A bare number that shares an earlier noun: "three in Halton", "Exeter five", "41 were made by ..."."""
    following = lowers[q.end] if q.end < len(lowers) else "."
    if following in ELLIPSIS_NEXT or following in COPULAS:
        return True
    return following in (".", ",", ";") and q.start > 0 and tokens[q.start - 1].text[:1].isupper()


def outside_operation(sentence: Sentence) -> bool:
    """The sentence puts its figures outside the operation ("not part of the NCA operation", "last year")."""
    return bool(OUTSIDE_OPERATION.search(sentence.text))


def other_period(quantities: list[Quantity], operation: Operation) -> bool:
    """The sentence is dated in a year outside the operation's window ("In 2013, police arrested 400")."""
    if operation.starts is None and operation.ends is None:
        return False
    first = operation.starts.year if operation.starts else 0
    last = operation.ends.year if operation.ends else 9999
    return any(q.not_a_count == "year" and not first <= q.value <= last for q in quantities)


def _is_age(lowers: list[str], q: Quantity) -> bool:
    window = lowers[max(0, q.start - 3) : q.end + 4]
    if set(window) & AGE_WORDS:
        return True
    after = lowers[q.end : q.end + 4]
    return any(w in ("year", "years") for w in after) and any(w in ("old", "olds") for w in after)


def _age(lowers: list[str], q: Quantity, lexicon: Lexicon) -> list[Reading] | None:
    if not _is_age(lowers, q):
        return None
    mins, maxs = lexicon.metrics_of_kind("age_min"), lexicon.metrics_of_kind("age_max")
    if q.is_range and mins and maxs and q.second is not None:
        end = q.end
        while end < len(lowers) and lowers[end] in ("-", "years", "year", "old", "olds") and end < q.end + 5:
            end += 1
        return [
            Reading(mins[0], q, q.value, q.value, "exact", q.start, end, "age range of those arrested"),
            Reading(maxs[0], q, q.second, q.second, "exact", q.start, end, "age range of those arrested"),
        ]
    before = lowers[max(0, q.start - 3) : q.start]
    if "youngest" in before and mins:
        return [Reading(mins[0], q, q.low, q.high, q.qualifier, q.start, q.end, "the youngest arrested")]
    if "oldest" in before and maxs:
        return [Reading(maxs[0], q, q.low, q.high, q.qualifier, q.start, q.end, "the oldest arrested")]
    return []  # the age of one person is not a figure


def _clause_after(lowers: list[str], q: Quantity, counts: list[Quantity], limit: int = 14) -> int:
    stop = min(len(lowers), q.end + limit)
    for other in counts:
        if other.start >= q.end:
            stop = min(stop, other.start)
    for i in range(q.end, stop):
        if lowers[i] in CLAUSE_END:
            return i
    return stop


def _metric(
    lowers: list[str], q: Quantity, counts: list[Quantity], lex: Lexicon
) -> tuple[str, int, str, int] | None:
    """(metric, end of the figure's words, how it was read, start of the figure's words), or None."""
    n = len(lowers)
    p = q.end
    while p < n and lowers[p] in ("-", "‐"):
        p += 1
    # "six-month operation", "over the past six months"
    months = lex.metrics_of_kind("duration_months")
    if months and p < n and lowers[p] in ("month", "months"):
        before = lowers[max(0, q.start - 3) : q.start]
        if (p + 1 < n and lowers[p + 1] in OPERATION_NOUNS) or {"past", "last"} & set(before):
            return months[0], p + 1, "length of the operation", q.start
        return None
    partitive = p + 1 < n and lowers[p] == "of" and lowers[p + 1] in ("the", "those", "them", "these")
    if partitive:
        whole = next((o for o in counts if o.start == p + 2), None)
        inner = _metric(lowers, whole, counts, lex) if whole else None
        if inner is not None:  # "41 of the 74 arrests": a part, counted in the whole's noun
            return inner[0], q.end, f"part of {' '.join(lowers[p : inner[1]])}", q.start
    subject_end = 0
    subject: tuple[str, ...] | None = None
    if not partitive:
        if (
            q.qualifier in ("dozens", "hundreds", "thousands", "scores", "tens of thousands")
            and p < n
            and (lowers[p] == "of")
        ):
            p += 1
        for _ in range(4):
            if p >= n:
                break
            size, metrics = lex.match(lex.nouns, lowers, p)
            if size:
                return (
                    sorted(metrics)[0],
                    p + size,
                    f"counted noun '{' '.join(lowers[p : p + size])}'",
                    q.start,
                )
            size = lex.subject_at(lowers, p)
            if size:
                subject_end, subject = p + size, tuple(lowers[p : p + size])
                break
            if lowers[p] in STOP or not lowers[p][:1].isalpha() or lex.match(lex.verbs, lowers, p)[0]:
                break
            p += 1
    clause_end = _clause_after(lowers, q, counts)
    if subject_end and subject_end + 1 < n and lowers[subject_end] in ("and", ","):
        other = next((o for o in counts if o.start == subject_end + 1), None)
        if other is not None:  # "Five men and two women were arrested": the verb after both counts for both
            clause_end = _clause_after(lowers, other, counts)
    start = subject_end or q.end
    for i in range(start, clause_end):  # predicates: "were registered sex offenders"
        size, metrics = lex.match(lex.phrases, lowers, i)
        if size:
            return sorted(metrics)[0], i + size, f"predicate '{' '.join(lowers[i : i + size])}'", q.start
    if partitive:  # "39 of those arrested were charged": only a verb after the copula counts
        copula = next((i for i in range(start, clause_end) if lowers[i] in COPULAS), None)
        if copula is None:
            return None
        start = copula
    for i in range(start, clause_end):  # "21 men ... were arrested", "660 arrested", "12 have been charged"
        size, metrics = lex.match(lex.verbs, lowers, i)
        if size:
            adjacent = all(lowers[k] in AUX for k in range(start, i))
            chosen = _fits_subject(metrics, subject, lex, adjacent=adjacent)
            if chosen:
                return chosen, i + size, f"verb '{' '.join(lowers[i : i + size])}'", q.start
    if partitive:
        return None
    for back in range(1, 4):  # "arrested 21 people", "the arrest of 660"
        i = q.start - back
        if i < 0 or any(o.end > i and o.start < q.start for o in counts if o is not q):
            break
        for size in range(min(lex.longest, q.start - i), 0, -1):
            verb_metrics = lex.verbs.get(tuple(lowers[i : i + size]))
            if verb_metrics and i + size == q.start:
                chosen = _fits_subject(verb_metrics, subject, lex, adjacent=True)
                if chosen:
                    return chosen, subject_end or q.end, f"verb '{' '.join(lowers[i : i + size])}'", i
    return None


def _fits_subject(
    metrics: set[str], subject: tuple[str, ...] | None, lex: Lexicon, adjacent: bool
) -> str | None:
    for metric in sorted(metrics):
        allowed = lex.subjects.get(metric, set())
        if subject is None:
            if adjacent:
                return metric
            continue
        if not allowed or subject in allowed:
            return metric
    return None
