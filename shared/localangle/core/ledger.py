"""The per-operation figure ledger: compare a new article's figures with what is known and decide alerts.

Pure logic over a small repository interface, so the same rules run against DynamoDB in Lambda and against
memory in unit tests. The rules are an editor's:

- Two figures for one metric at one place agree when their intervals share a value ("more than 400" and 431);
  a round figure ("400") is read as approximate beside an exact one ("431"); "9" and "21" do not agree.
- Figures for different places never conflict, but a part must not exceed its whole, and one source's
  breakdown must add up to its total (`breakdown_mismatch` when it does not): counts only, as ages and
  durations do not add up.
- An outlet's later article supersedes its earlier figure for the same metric and place, and an updated or
  corrected article replaces what it said before: when that leaves a conflict with no disagreement, a
  follow-up says it is resolved.
- A conflict carries an explanation where one can be found: a town given its county's total, a difference one
  article itself explains (a revised figure), a difference equal to a stated subset (arrests outside the
  operation, registered sex offenders among the arrested).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from localangle.core.gazetteer import Gazetteer
from localangle.core.places import nation_equivalent
from localangle.models.alert import Alert, Claim, Severity, Source, alert_key
from localangle.models.figure import Figure, intervals_overlap
from localangle.models.operation import Operation

REVISION = re.compile(
    r"\b(revis\w*|correct\w*|updat\w*|initially|originally|previously|earlier|first reported|"
    r"(?:has|have) (?:now )?(?:risen|rose|increased|grown)|now stands?|since risen|amended)\b",
    re.IGNORECASE,
)
CORRECTION = re.compile(
    r"\b(correction|clarification|an earlier version of this|we wrongly|was wrongly|"
    r"incorrectly (?:said|stated|reported))\b",
    re.IGNORECASE,
)
PARTIAL = re.compile(
    r"\b(including|includes|included|among(?:st)? (?:them|those)|of whom|of which|of them|such as|"
    r"at least|some of|for example|notably|mainly|mostly)\b",
    re.IGNORECASE,
)


class LedgerStore(Protocol):
    """What the ledger needs to read; writes are returned as a LedgerUpdate for the caller to apply."""

    def claims_at(self, operation: str, metric: str, scope: str) -> list[Claim]: ...

    def claims_below(self, operation: str, metric: str, scope: str) -> list[Claim]: ...

    def outside_at(self, operation: str, metric: str, scope: str) -> list[Claim]: ...

    def article_claims(self, operation: str, article_id: str) -> ArticleClaims: ...

    def region_first_seen_by(self, operation: str, region: str) -> str | None: ...

    def open_conflicts(self, operation: str, metric: str, scope: str) -> list[Alert]: ...

    def conflict_rounds(self, operation: str, metric: str, scope: str) -> dict[str, list[tuple[str, str]]]:
        """Conflicts ever alerted here: base key → [(key, status)], one per round of the same dispute."""
        ...

    def area_lows(self, operation: str, metric: str) -> dict[str, int]: ...


@dataclass
class ArticleClaims:
    """All one article put in the ledger: its figures, those outside the operation, those it revised."""

    claims: list[Claim] = field(default_factory=list)
    outside: list[Claim] = field(default_factory=list)
    revised: list[Claim] = field(default_factory=list)
    prior: list[Claim] = field(default_factory=list)  # what the article's previous version claimed


@dataclass
class LedgerUpdate:
    """What judging one article decided: the caller records it (atomically per operation) and sends alerts."""

    claims: list[Claim] = field(default_factory=list)
    outside: list[Claim] = field(default_factory=list)  # figures the article says are outside the operation
    revised: list[Claim] = field(default_factory=list)  # earlier values the article itself says were revised
    regions: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    opened: list[Alert] = field(default_factory=list)  # conflicts to remember until resolved
    resolved: list[Alert] = field(default_factory=list)  # open conflicts this article resolved
    area_lows: dict[str, dict[str, int]] = field(default_factory=dict)  # metric → force area → lowest low
    before: ArticleClaims = field(default_factory=ArticleClaims)  # what the ledger held for the article

    @property
    def prior(self) -> list[Claim]:
        """What the article's previous version claimed, kept until it changes again: a redelivered update must
        still see what it replaced, or the follow-up for a conflict it resolved would be lost."""
        return self.before.claims if self.before.claims != self.claims else self.before.prior


def canonical_scope(scope: str) -> str:
    return nation_equivalent(scope)


def claim_from(figure: Figure, origin: Source) -> Claim:
    return Claim(
        metric=figure.metric,
        scope=canonical_scope(figure.scope),
        low=figure.low,
        high=figure.high,
        qualifier=figure.qualifier,
        text=figure.text,
        sentence=figure.sentence,
        origin=origin,
    )


# compatibility -------------------------------------------------------------------------------------------
def exact(c: Claim) -> bool:
    return c.low is not None and c.low == c.high


def is_round(n: int) -> bool:
    """A figure a writer may have rounded: 400, 450, 1,000 (small counts are taken as counted)."""
    return n >= 100 and n % 50 == 0


def round_tolerance(n: int) -> int:
    unit = 1000 if n % 1000 == 0 else 100 if n % 100 == 0 else 50
    return min(unit // 2, n // 10)


def as_read_beside(c: Claim, other: Claim) -> tuple[int | None, int | None]:
    """A claim's interval as an editor reads it next to another: a round figure is approximate beside an
    exact one that is not round ("400 children" and "431 children" agree; "600" and "660" do not)."""
    both_exact = c.low is not None and other.low is not None and exact(c) and exact(other)
    if both_exact and c.low is not None and is_round(c.low) and not is_round(other.low or 0):
        t = round_tolerance(c.low)
        return c.low - t, c.low + t
    return c.low, c.high


def lowest(n: int) -> int:
    """The least a figure may stand for: a round one may have been rounded up."""
    return n - round_tolerance(n) if is_round(n) else n


def least(c: Claim) -> int:
    return lowest(c.low) if exact(c) and c.low is not None else (c.low or 0)


def most(c: Claim) -> int:
    """The most a claim may stand for (its upper bound, a round exact figure read generously)."""
    if c.high is None:
        return 10**12
    return c.high + round_tolerance(c.high) if exact(c) and is_round(c.high) else c.high


def compatible(a: Claim, b: Claim) -> bool:
    """Two claims for one metric and place agree when, read as an editor reads them, they share a value."""
    a_low, a_high = as_read_beside(a, b)
    b_low, b_high = as_read_beside(b, a)
    return intervals_overlap(a_low, a_high, b_low, b_high)


def disagreeing(claims: list[Claim]) -> bool:
    return any(
        not compatible(a, b)
        for i, a in enumerate(claims)
        for b in claims[i + 1 :]
        if a.origin.article_id != b.origin.article_id
    )


# who stands behind what ------------------------------------------------------------------------------------
def _voice(c: Claim) -> str:
    """Claims from one outlet speak with one voice: its latest article on the point is what it says now."""
    return f"outlet:{c.origin.outlet}" if c.origin.outlet else f"article:{c.origin.article_id}"


def standing(claims: Iterable[Claim]) -> list[Claim]:
    """Of claims for one metric at one place, those each outlet still stands by: a claim is superseded only
    by a later-published article of the same outlet (undated or same-time articles all stand)."""
    pool = list(claims)
    latest: dict[str, datetime] = {}
    for c in pool:
        when = c.origin.published
        if when is not None and (_voice(c) not in latest or when > latest[_voice(c)]):
            latest[_voice(c)] = when
    return [
        c
        for c in pool
        if c.origin.published is None or _voice(c) not in latest or c.origin.published >= latest[_voice(c)]
    ]


def settle_revisions(claims: list[Claim]) -> tuple[list[Claim], list[Claim]]:
    """Within one article, when it gives two disagreeing values for the same thing and says the figure was
    revised ("initially 20 ... now 22"), the last value stands and the earlier ones are kept as revised."""
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        groups[(c.metric, c.scope)].append(c)
    kept: list[Claim] = []
    revised: list[Claim] = []
    for group in groups.values():
        if len(group) > 1 and any(REVISION.search(c.sentence) for c in group):
            final = group[-1]
            earlier = [c for c in group[:-1] if not compatible(c, final)]
            kept.extend(c for c in group if c not in earlier)
            revised.extend(earlier)
        else:
            kept.extend(group)
    return kept, revised


def _value(c: Claim) -> str:
    if c.low == c.high:
        return f"{c.low:,}"
    if c.high is None:
        return f"{c.low:,}+"
    if c.low is None:
        return f"under {c.high + 1:,}"
    return f"{c.low:,}–{c.high:,}"


def _outlet(c: Claim) -> str:
    return _outlet_of(c.origin)


def _outlet_of(origin: Source) -> str:
    return origin.outlet or origin.url or origin.source or "an unnamed source"


def _metric(metric: str) -> str:
    return metric.replace("_", " ")


def _distinct(claims: Iterable[Claim]) -> list[Claim]:
    seen: set[tuple[str, str, str, int | None, int | None]] = set()
    out = []
    for c in claims:
        key = (c.origin.article_id, c.metric, c.scope, c.low, c.high)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


class Ledger:
    def __init__(self, operation: Operation, gazetteer: Gazetteer, store: LedgerStore) -> None:
        self.op = operation
        self.gazetteer = gazetteer
        self.store = store

    def judge(
        self,
        origin: Source,
        regions: list[str],
        figures: list[Figure],
        now: datetime | None = None,
        evidence: dict[str, str] | None = None,
        catch_up: bool = False,
    ) -> LedgerUpdate:
        """Compare an article's figures with the ledger; return what to record and which alerts to raise."""
        now = now or datetime.now(UTC)
        mine = [f for f in figures if f.operation == self.op.id]
        own, revised = settle_revisions([claim_from(f, origin) for f in mine if f.part_of_operation])
        update = LedgerUpdate(
            claims=own,
            outside=[claim_from(f, origin) for f in mine if not f.part_of_operation],
            revised=revised,
            before=self.store.article_claims(self.op.id, origin.article_id),  # read once, used to record too
        )
        judging = _Judging(self, origin, update, now)
        update.alerts.extend(judging.angles(regions, evidence or {}))
        update.alerts.extend(judging.conflicts())
        update.alerts.extend(judging.breakdowns())
        update.alerts.extend(judging.follow_ups())
        update.area_lows = judging.area_lows()
        if catch_up:
            update.alerts = [a.model_copy(update={"catch_up": True}) for a in update.alerts]
        return update


class _Judging:
    """One article being judged: its claims, what the ledger says, and lookups cached for this call."""

    def __init__(self, ledger: Ledger, origin: Source, update: LedgerUpdate, now: datetime) -> None:
        self.op = ledger.op
        self.gaz = ledger.gazetteer
        self.store = ledger.store
        self.origin = origin
        self.update = update
        self.own = update.claims
        self.now = now
        self._at: dict[tuple[str, str], list[Claim]] = {}
        self._articles: dict[str, ArticleClaims] = {}

    # lookups ---------------------------------------------------------------------------------------------
    def others_at(self, metric: str, scope: str) -> list[Claim]:
        """Claims other articles made for this metric and place (this article's earlier version excluded)."""
        if (metric, scope) not in self._at:
            self._at[(metric, scope)] = [
                c
                for c in self.store.claims_at(self.op.id, metric, scope)
                if c.origin.article_id != self.origin.article_id
            ]
        return self._at[(metric, scope)]

    def standing_at(self, metric: str, scope: str) -> list[Claim]:
        mine = [c for c in self.own if c.metric == metric and c.scope == scope]
        return standing([*self.others_at(metric, scope), *mine])

    def article(self, article_id: str) -> ArticleClaims:
        if article_id == self.origin.article_id:
            return ArticleClaims(self.own, self.update.outside, self.update.revised)
        if article_id not in self._articles:
            self._articles[article_id] = self.store.article_claims(self.op.id, article_id)
        return self._articles[article_id]

    def alert(self, kind: str, key: str, severity: Severity, **fields: object) -> Alert:
        return Alert.model_validate(
            {
                "key": key,
                "kind": kind,
                "severity": severity,
                "operation": self.op.id,
                "operation_name": self.op.name,
                "created_at": self.now,
                "trigger": self.origin,
                **fields,
            }
        )

    # new regional angles -----------------------------------------------------------------------------------
    def angles(self, regions: list[str], evidence: dict[str, str]) -> list[Alert]:
        alerts = []
        for region in regions:
            if "/" in region or region == "uk" or region.startswith("nation:"):
                continue  # an angle is a force area or a named region; its towns travel inside it
            first = self.store.region_first_seen_by(self.op.id, region)
            if first is not None and first != self.origin.article_id:
                continue
            self.update.regions.append(region)
            figures = [c for c in self.own if c.scope == region or c.scope.startswith(region + "/")]
            name = self.gaz.display(region)
            summary = "; ".join(
                f"{_value(c)} {_metric(c.metric)} ({self.gaz.display(c.scope)})" for c in figures
            )
            alerts.append(
                self.alert(
                    "new_regional_angle",
                    alert_key(self.op.id, "new_regional_angle", region),
                    "info",
                    region=region,
                    figures=figures,
                    headline=f"New regional angle: {name}" + (f" — {summary}" if summary else ""),
                    explanation=f"First report of the story for {name}, from {_outlet_of(self.origin)}.",
                    evidence=evidence.get(region, ""),
                )
            )
        return alerts

    # conflicting figures ---------------------------------------------------------------------------------
    def conflicts(self) -> list[Alert]:
        alerts = []
        done: set[str] = set()
        for claim in self.own:
            pool = self.standing_at(claim.metric, claim.scope)
            if claim not in pool:
                continue  # the outlet has said something newer on this point
            against = [c for c in pool if _voice(c) != _voice(claim) and not compatible(c, claim)]
            if not against:
                continue
            claims = _few_per_value(_distinct([*against, claim]), keep=claim)
            base = conflict_key(self.op.id, claim.metric, claim.scope, claims)
            key = self._round_of(claim.metric, claim.scope, base)
            if key in done:
                continue
            done.add(key)
            claims.sort(key=lambda c: (c.low if c.low is not None else -1, c.origin.article_id))
            place = self.gaz.display(claim.scope)
            versus = " vs ".join(f"{_value(c)} ({_outlet(c)})" for c in claims)
            explanation = self.explain(claim.metric, claim.scope, claims)
            alert = self.alert(
                "conflicting_figure",
                key,
                _conflict_severity(claims, explained=bool(explanation)),
                metric=claim.metric,
                scope=claim.scope,
                claims=claims,
                explanation=explanation,
                headline=f"Conflicting figure: {_metric(claim.metric)} in {place} — {versus}",
            )
            alerts.append(alert)
            self.update.opened.append(alert)
            # an older dispute at the same place is replaced by this one: closed quietly, never "resolved"
            self.update.resolved.extend(
                a for a in self.store.open_conflicts(self.op.id, claim.metric, claim.scope) if a.key != key
            )
        return alerts

    def _round_of(self, metric: str, scope: str, base: str) -> str:
        """The same values disputed again after a resolution are a new alert: the key counts the rounds."""
        rounds = self.store.conflict_rounds(self.op.id, metric, scope).get(base, [])
        open_now = [k for k, status in rounds if status == "open"]
        if open_now:
            return open_now[0]
        return base if not rounds else f"{base}~{len(rounds) + 1}"

    def explain(self, metric: str, scope: str, claims: list[Claim]) -> str:
        """Why sources may disagree, when the ledger can tell: the most specific reason first."""
        return (
            self._revised(metric, scope, claims)
            or self._whole_for_part(metric, scope, claims)
            or self._stated_subset(metric, scope, claims)
        )

    def _revised(self, metric: str, scope: str, claims: list[Claim]) -> str:
        """One article says the figure changed, and the other source gives the figure it changed from."""
        for claim in claims:
            for earlier in self.article(claim.origin.article_id).revised:
                if earlier.metric != metric or earlier.scope != scope:
                    continue
                stale = [c for c in claims if c is not claim and compatible(c, earlier)]
                if stale:
                    return (
                        f"{_outlet(claim)} itself says the figure was revised from {_value(earlier)} to "
                        f"{_value(claim)}: “{earlier.sentence}” — {_outlet(stale[0])} gives the earlier "
                        "figure"
                    )
        return ""

    def _whole_for_part(self, metric: str, scope: str, claims: list[Claim]) -> str:
        """A place given the total of a wider area it lies in (the town given its county's total)."""
        for whole in self.gaz.ancestors(scope):
            totals = [c for c in [*self.others_at(metric, whole), *self.own] if c.scope == whole and exact(c)]
            for claim in claims:
                if not exact(claim) or not any(t.low == claim.low for t in totals):
                    continue
                others = [c for c in claims if c is not claim]
                if not others:
                    continue
                other = others[0]
                breakdown = any(
                    c.scope != scope and c.metric == metric and c.scope.startswith(whole + "/")
                    for c in self.article(other.origin.article_id).claims
                )
                detail = (
                    f"the breakdown by place in {_outlet(other)} gives {_value(other)}"
                    if breakdown
                    else f"{_outlet(other)} gives {_value(other)}"
                )
                area = (
                    "the UK-wide" if whole == "uk" else f"{self.gaz.display(whole)}'s {self._extent(whole)}"
                )
                return f"{_value(claim)} for {self.gaz.display(scope)} equals {area} total; {detail}"
        return ""

    def _extent(self, scope: str) -> str:
        if scope.startswith("nation:"):
            return "nationwide"
        if scope.startswith("region:"):
            return "region-wide"
        return "county-wide"

    def _stated_subset(self, metric: str, scope: str, claims: list[Claim]) -> str:
        """The gap between two exact figures equals a subset one of the articles states: a figure it says is
        outside the operation, or another count it gives (registered sex offenders among those arrested)."""
        exact_claims = [c for c in claims if exact(c)]
        for i, a in enumerate(exact_claims):
            for b in exact_claims[i + 1 :]:
                gap = abs((a.low or 0) - (b.low or 0))
                bigger, smaller = (a, b) if (a.low or 0) > (b.low or 0) else (b, a)
                for source in (a, b):
                    told = self.article(source.origin.article_id)
                    for part in told.outside:
                        if part.metric == metric and part.scope == scope and exact(part) and part.low == gap:
                            return (
                                f"the gap of {gap:,} equals the {gap:,} {_metric(metric)} that "
                                f"{_outlet(part)} says were outside the operation: {_value(bigger)} "
                                f"({_outlet(bigger)}) may count them, {_value(smaller)} ({_outlet(smaller)}) "
                                f"does not — “{part.sentence}”"
                            )
                    for part in told.claims:
                        if (
                            part.metric != metric
                            and exact(part)
                            and part.low == gap
                            and part.scope
                            in (
                                scope,
                                *self.gaz.ancestors(scope),
                            )
                        ):
                            return (
                                f"the gap of {gap:,} equals the {gap:,} {_metric(part.metric)} that "
                                f"{_outlet(part)} reports: one figure may leave them out — “{part.sentence}”"
                            )
        return ""

    # parts and wholes --------------------------------------------------------------------------------------
    @functools.cached_property
    def summable(self) -> list[Claim]:
        """The article's claims whose parts add up to their whole: counts do; ages (the youngest, the
        oldest) and durations do not, so a town's youngest arrestee of 33 beside the UK's 22 is no
        breakdown."""
        kinds = {name: spec.kind for name, spec in self.op.metrics.items()}
        return [c for c in self.own if kinds.get(c.metric, "count") == "count"]

    def breakdowns(self) -> list[Alert]:
        alerts: list[Alert] = []
        done: set[str] = set()
        own = self.summable

        def raise_(metric: str, whole: str, parts: list[Claim], total: Claim, tag: str, under: bool) -> None:
            part_sum = sum(c.low or 0 for c in parts)
            key = alert_key(self.op.id, "breakdown_mismatch", metric, whole, tag, _value(total))
            if key in done:
                return
            done.add(key)
            name = self.gaz.display(whole)
            listed = ", ".join(f"{_value(c)} in {self.gaz.display(c.scope)}" for c in parts[:12])
            if len(parts) > 12:
                listed += f" and {len(parts) - 12} more"
            if under:
                what = f"The parts add up to less than the whole: {listed} make {part_sum:,}"
            elif len(parts) == 1:
                what = f"A part exceeds the whole: {listed}"
            else:
                what = f"The parts add up to more than the whole: {listed} make {part_sum:,}"
            alerts.append(
                self.alert(
                    "breakdown_mismatch",
                    key,
                    "info" if under else "warning",
                    metric=metric,
                    scope=whole,
                    claims=[*parts, total],
                    explanation=f"{what}, but {_outlet(total)} gives {_value(total)} for {name}.",
                    headline=f"Breakdown does not add up: {_metric(metric)} in {name} — "
                    f"parts {part_sum:,} vs total {_value(total)}",
                )
            )

        def exceeds(parts: list[Claim], total: Claim) -> bool:
            """Parts of one level that add up past the whole, even read as generously as an editor would
            (a round part at its lowest, a round total at its highest)."""
            return total.high is not None and sum(least(c) for c in parts) > most(total)

        # 1. this article's own breakdown of a force area, against every total known for that area
        by_force: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        for c in own:
            if "/" in c.scope and exact(c):
                by_force[(c.metric, c.scope.split("/")[0])].append(c)
        for (metric, force), found in by_force.items():
            own_totals = [c for c in own if c.metric == metric and c.scope == force]
            for parts in self._levels(_distinct(found)):
                tag = "parts:" + ",".join(sorted(f"{c.scope}={c.low}" for c in parts))
                for total in [*own_totals, *standing(self.others_at(metric, force))]:
                    if exceeds(parts, total):
                        raise_(metric, force, parts, total, tag, under=False)
            if (
                len(self._levels(found)) == 1
            ):  # a breakdown mixing divisions, districts and towns is not a list
                for total in own_totals:
                    if (
                        exact(total)
                        and self._complete(found)
                        and sum(c.low or 0 for c in found) < (total.low or 0)
                    ):
                        raise_(
                            metric,
                            force,
                            _distinct(found),
                            total,
                            "parts:" + ",".join(sorted(f"{c.scope}={c.low}" for c in found)),
                            under=True,
                        )
        # 2. a total this article gives, against each other source's breakdown of that force area
        for total in own:
            if total.scope not in self.gaz.forces or total.high is None:
                continue
            below = [
                c
                for c in self.store.claims_below(self.op.id, total.metric, total.scope)
                if c.origin.article_id != self.origin.article_id and exact(c)
            ]
            by_place: dict[str, list[Claim]] = defaultdict(list)
            for c in below:
                by_place[c.scope].append(c)
            current = [c for same in by_place.values() for c in standing(same)]  # an outlet's latest only
            per_source: dict[str, list[Claim]] = defaultdict(list)
            for c in current:
                per_source[c.origin.article_id].append(c)
            for found in per_source.values():
                for parts in self._levels(_distinct(found)):
                    if exceeds(parts, total):
                        tag = "parts:" + ",".join(sorted(f"{c.scope}={c.low}" for c in parts))
                        raise_(total.metric, total.scope, parts, total, tag, under=False)
        # 3. force areas (disjoint) against the regions, nations and UK that contain them: the lowest figure
        #    any source gives each area, added up, must not exceed what any source gives for the whole
        for metric in sorted({c.metric for c in own}):
            lows = self._lows_with_mine(metric)
            mine = {c.scope for c in own if c.metric == metric}
            wholes = {w for s in mine for w in [s, *self.gaz.ancestors(s)]}
            for whole in sorted(w for w in wholes if w == "uk" or w.startswith(("nation:", "region:"))):
                inside = sorted(a for a in self.gaz.areas_within(whole) if a in lows)
                if not inside or (whole not in mine and not mine & set(inside)):
                    continue  # this article touched neither the whole nor any of its parts
                for total in self.standing_at(metric, whole):
                    if total.high is None or sum(lowest(lows[a]) for a in inside) <= most(total):
                        continue
                    parts = [p for a in inside if (p := self._area_part(metric, a, lows[a])) is not None]
                    single = [p for p in parts if least(p) > most(total)]
                    if single:
                        raise_(metric, whole, single[:1], total, f"part:{single[0].scope}", under=False)
                    elif exceeds(parts, total):
                        raise_(metric, whole, parts, total, "areas", under=False)
        return alerts

    def _levels(self, parts: list[Claim]) -> list[list[Claim]]:
        """Parts grouped by level (divisions, districts, towns): only places of one level are disjoint."""
        groups: dict[str, list[Claim]] = defaultdict(list)
        for c in parts:
            groups[self.gaz.level(c.scope)].append(c)
        return [groups[k] for k in sorted(groups)]

    def _complete(self, parts: list[Claim]) -> bool:
        """Parts read as a whole breakdown: listed in one sentence ("six in X, three in Y and nine in Z")
        with nothing that marks the list as a selection ("including", "among them")."""
        sentences = {c.sentence for c in parts}
        return len(parts) >= 2 and len(sentences) == 1 and not PARTIAL.search(next(iter(sentences)))

    def _lows_with_mine(self, metric: str) -> dict[str, int]:
        lows = dict(self.store.area_lows(self.op.id, metric))
        for c in self.own:
            if c.metric == metric and c.low is not None and self._is_area(c.scope):
                lows[c.scope] = min(lows.get(c.scope, c.low), c.low)
        return lows

    def _is_area(self, scope: str) -> bool:
        return scope in self.gaz.areas_within("uk")

    def _area_part(self, metric: str, area: str, low: int) -> Claim | None:
        """The claim behind an area's lowest figure (None if its article has since withdrawn it)."""
        candidates = [c for c in [*self.own, *self.others_at(metric, area)] if c.metric == metric]
        return next((c for c in candidates if c.scope == area and c.low == low), None)

    def area_lows(self) -> dict[str, dict[str, int]]:
        """The lowest figure each force area has been given, per metric: what step 3 adds up next time."""
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for c in self.summable:
            if c.low is not None and self._is_area(c.scope):
                out[c.metric][c.scope] = min(out[c.metric].get(c.scope, c.low), c.low)
        return dict(out)

    # follow-ups ---------------------------------------------------------------------------------------------
    def follow_ups(self) -> list[Alert]:
        """A conflict this article settles (by updating or correcting itself, or as an outlet's later report)
        gets one follow-up."""
        before = self.update.before
        previous = [*before.claims, *before.prior]
        touched = sorted({(c.metric, c.scope) for c in [*self.own, *previous]})
        alerts = []
        for metric, scope in touched:
            conflicts = self.store.open_conflicts(self.op.id, metric, scope)
            if not conflicts:
                continue
            pool = self.standing_at(metric, scope)
            if disagreeing(pool):
                continue
            for conflict in conflicts:
                place = self.gaz.display(scope)
                now_agreed = ", ".join(sorted({_value(c) for c in pool})) or "no figure"
                how = self._how_resolved(conflict, pool)
                alerts.append(
                    self.alert(
                        "conflicting_figure",
                        alert_key(self.op.id, "conflicting_figure", "resolved", conflict.key),
                        "info",
                        metric=metric,
                        scope=scope,
                        claims=sorted(pool, key=lambda c: (c.low or 0, c.origin.article_id)),
                        explanation=how,
                        headline=f"Resolved: {_metric(metric)} in {place} — sources now agree ({now_agreed})",
                        follow_up_of=conflict.key,
                    )
                )
                self.update.resolved.append(conflict)
        return alerts

    def _how_resolved(self, conflict: Alert, pool: list[Claim]) -> str:
        corrected = bool(CORRECTION.search(self.origin.title)) or any(
            CORRECTION.search(c.sentence) for c in self.own
        )
        mine = [c for c in pool if c.origin.article_id == self.origin.article_id]
        was = [c for c in conflict.claims if _voice(c) == _voice(mine[0])] if mine else []
        outlet = _outlet_of(self.origin)
        if mine and was and was[0].origin.article_id == self.origin.article_id:
            verb = "corrected its report" if corrected else "updated its report"
            return f"{outlet} {verb}: it now gives {_value(mine[0])} where it gave {_value(was[0])}."
        if mine and was:
            verb = "published a correction" if corrected else "reported again"
            return f"{outlet} {verb}: it now gives {_value(mine[0])} where it gave {_value(was[0])}."
        if not mine:
            return f"{outlet} no longer gives the disputed figure."
        return f"{outlet} now gives {_value(mine[0])}, in line with the other sources."


def conflict_key(operation: str, metric: str, scope: str, claims: list[Claim]) -> str:
    """The same disagreement (these values for this metric at this place) has the same key in any order."""
    intervals = sorted(
        {(c.low if c.low is not None else -1, c.high if c.high is not None else -1) for c in claims}
    )
    return alert_key(
        operation, "conflicting_figure", metric, scope, ";".join(f"{lo}..{hi}" for lo, hi in intervals)
    )


def _conflict_severity(claims: list[Claim], explained: bool) -> Severity:
    """Critical: an unexplained disagreement where one figure is at least half as large again as another."""
    if explained:
        return "warning"
    lows = [c.low for c in claims if c.low is not None]
    highs = [c.high for c in claims if c.high is not None]
    if lows and highs and min(highs) > 0 and max(lows) >= 1.5 * min(highs):
        return "critical"
    return "warning"


def _few_per_value(claims: list[Claim], keep: Claim, per_value: int = 3) -> list[Claim]:
    """A dispute names each value with a few of its sources, not every outlet that repeated it."""
    by_value: dict[tuple[int | None, int | None], list[Claim]] = defaultdict(list)
    for c in sorted(claims, key=lambda c: (c is not keep, c.origin.article_id)):
        if len(by_value[(c.low, c.high)]) < per_value:
            by_value[(c.low, c.high)].append(c)
    return [c for group in by_value.values() for c in group]
