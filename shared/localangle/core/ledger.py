"""The per-operation figure ledger: compare a new article's figures with what is known and decide alerts.

Pure logic over a small repository interface, so the same rules run against DynamoDB in Lambda and against
memory in unit tests. Figures for different places never conflict; a part must not exceed its whole; a
breakdown that adds up to more than its total is flagged; a town figure equal to its county's total is
explained as such.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from localangle.core.gazetteer import Gazetteer
from localangle.core.places import nation_equivalent
from localangle.models.alert import Alert, Claim, Source, alert_key
from localangle.models.figure import Figure, intervals_overlap
from localangle.models.operation import Operation


class LedgerStore(Protocol):
    """What the ledger needs to read; writes are returned as a LedgerUpdate for the caller to apply."""

    def claims_at(self, operation: str, metric: str, scope: str) -> list[Claim]: ...

    def claims_below(self, operation: str, metric: str, scope: str) -> list[Claim]: ...

    def region_first_seen_by(self, operation: str, region: str) -> str | None: ...


@dataclass
class LedgerUpdate:
    claims: list[Claim] = field(default_factory=list)
    outside: list[Claim] = field(
        default_factory=list
    )  # figures the article says are not part of the operation
    regions: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


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


def compatible(a: Claim, b: Claim) -> bool:
    """Two claims for one metric and place agree when their intervals share a value."""
    return intervals_overlap(a.low, a.high, b.low, b.high)


def _value(c: Claim) -> str:
    if c.low == c.high:
        return str(c.low)
    if c.high is None:
        return f"{c.low}+"
    if c.low is None:
        return f"under {c.high + 1}"
    return f"{c.low}–{c.high}"


def _outlet(c: Claim) -> str:
    return c.origin.outlet or c.origin.url or c.origin.source or "an unnamed source"


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
    ) -> LedgerUpdate:
        """Compare an article's figures with the ledger; return what to record and which alerts to raise."""
        now = now or datetime.now(UTC)
        update = LedgerUpdate()
        own = [claim_from(f, origin) for f in figures if f.operation == self.op.id and f.part_of_operation]
        outside = [
            claim_from(f, origin) for f in figures if f.operation == self.op.id and not f.part_of_operation
        ]
        update.claims, update.outside = own, outside
        update.alerts.extend(self._angles(origin, regions, own, update, now, evidence or {}))
        update.alerts.extend(self._conflicts(origin, own, now))
        update.alerts.extend(self._breakdowns(origin, own, now))
        return update

    # new regional angles -------------------------------------------------------------------------------
    def _angles(
        self,
        origin: Source,
        regions: list[str],
        own: list[Claim],
        update: LedgerUpdate,
        now: datetime,
        evidence: dict[str, str],
    ) -> list[Alert]:
        alerts = []
        for region in regions:
            if "/" in region or region == "uk" or region.startswith("nation:"):
                continue  # an angle is a force area or a named region; its towns travel inside it
            first = self.store.region_first_seen_by(self.op.id, region)
            if first is not None and first != origin.article_id:
                continue
            update.regions.append(region)
            figures = [c for c in own if c.scope == region or c.scope.startswith(region + "/")]
            name = self.gazetteer.display(region)
            summary = "; ".join(
                f"{_value(c)} {c.metric.replace('_', ' ')} ({self.gazetteer.display(c.scope)})"
                for c in figures
            )
            alerts.append(
                Alert(
                    key=alert_key(self.op.id, "new_regional_angle", region),
                    kind="new_regional_angle",
                    severity="info",
                    operation=self.op.id,
                    operation_name=self.op.name,
                    region=region,
                    figures=figures,
                    headline=f"New regional angle: {name}" + (f" — {summary}" if summary else ""),
                    explanation=f"First report of the story for {name}, from {_outlet_of(origin)}.",
                    evidence=evidence.get(region, ""),
                    created_at=now,
                    trigger=origin,
                )
            )
        return alerts

    # conflicting figures ---------------------------------------------------------------------------------
    def _conflicts(self, origin: Source, own: list[Claim], now: datetime) -> list[Alert]:
        alerts = []
        done: set[str] = set()
        for claim in own:
            known = [
                c
                for c in self.store.claims_at(self.op.id, claim.metric, claim.scope)
                if c.origin.article_id != origin.article_id
            ]
            against = [c for c in known if not compatible(c, claim)]
            if not against:
                continue
            claims = _distinct([*against, claim])
            intervals = sorted(
                {(c.low if c.low is not None else -1, c.high if c.high is not None else -1) for c in claims}
            )
            key = alert_key(
                self.op.id,
                "conflicting_figure",
                claim.metric,
                claim.scope,
                ";".join(f"{lo}..{hi}" for lo, hi in intervals),
            )
            if key in done:
                continue
            done.add(key)
            claims.sort(key=lambda c: (c.low if c.low is not None else -1, c.origin.article_id))
            place = self.gazetteer.display(claim.scope)
            metric = claim.metric.replace("_", " ")
            versus = " vs ".join(f"{_value(c)} ({_outlet(c)})" for c in claims)
            alerts.append(
                Alert(
                    key=key,
                    kind="conflicting_figure",
                    severity="warning",
                    operation=self.op.id,
                    operation_name=self.op.name,
                    metric=claim.metric,
                    scope=claim.scope,
                    claims=claims,
                    explanation=self._explain(claim.metric, claim.scope, claims, own),
                    headline=f"Conflicting figure: {metric} in {place} — {versus}",
                    created_at=now,
                    trigger=origin,
                )
            )
        return alerts

    def _explain(self, metric: str, scope: str, claims: list[Claim], own: list[Claim]) -> str:
        """Why sources may disagree: a town given its county's total, or a breakdown against a headline."""
        parent = self.gazetteer.parent(scope)
        if parent is None:
            return ""
        totals = [c for c in self.store.claims_at(self.op.id, metric, parent) if c.low == c.high]
        totals += [c for c in own if c.scope == parent and c.low == c.high]
        place, whole = self.gazetteer.display(scope), self.gazetteer.display(parent)
        level = "county-wide" if "/" in scope else "wider"
        for claim in claims:
            matching_total = next((t for t in totals if t.low == claim.low == claim.high), None)
            if matching_total is None:
                continue
            others = [c for c in claims if c is not claim]
            if not others:
                continue
            other = others[0]
            breakdown = self._has_breakdown(other, parent, own)
            detail = (
                f"the breakdown by place in {_outlet(other)} gives {_value(other)}"
                if breakdown
                else f"{_outlet(other)} gives {_value(other)}"
            )
            return f"{_value(claim)} for {place} equals {whole}'s {level} total; {detail}"
        return ""

    def _has_breakdown(self, claim: Claim, parent: str, own: list[Claim]) -> bool:
        siblings = self.store.claims_below(self.op.id, claim.metric, parent)
        siblings += [c for c in own if c.metric == claim.metric and c.scope.startswith(parent + "/")]
        return any(
            c.origin.article_id == claim.origin.article_id and c.scope != claim.scope for c in siblings
        )

    # breakdowns that do not add up -----------------------------------------------------------------------
    def _breakdowns(self, origin: Source, own: list[Claim], now: datetime) -> list[Alert]:
        alerts = []
        by_parent: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        for c in own:
            if "/" in c.scope and c.low == c.high:
                by_parent[(c.metric, c.scope.split("/")[0])].append(c)
        totals_here = [c for c in own if "/" not in c.scope and c.low == c.high]
        checks: list[tuple[str, str, list[Claim], list[Claim]]] = []
        for (metric, parent), parts in by_parent.items():
            totals = [c for c in self.store.claims_at(self.op.id, metric, parent) if c.low == c.high]
            totals += [c for c in totals_here if c.metric == metric and c.scope == parent]
            checks.append((metric, parent, parts, totals))
        for (
            total
        ) in totals_here:  # a new total against breakdowns already in the ledger, one source at a time
            below = self.store.claims_below(self.op.id, total.metric, total.scope)
            per_source: dict[str, list[Claim]] = defaultdict(list)
            for c in below:
                if c.origin.article_id != origin.article_id and c.low == c.high:
                    per_source[c.origin.article_id].append(c)
            for parts in per_source.values():
                checks.append((total.metric, total.scope, _distinct(parts), [total]))
        done: set[str] = set()
        for metric, parent, parts, totals in checks:
            parts = _distinct(parts)
            part_sum = sum(c.low or 0 for c in parts)
            for total in totals:
                if total.high is None or part_sum <= total.high:
                    continue
                values = ",".join(sorted(f"{c.scope}={c.low}" for c in parts))
                key = alert_key(self.op.id, "breakdown_mismatch", metric, parent, values, str(total.low))
                if key in done:
                    continue
                done.add(key)
                whole = self.gazetteer.display(parent)
                listed = ", ".join(f"{_value(c)} in {self.gazetteer.display(c.scope)}" for c in parts)
                what = "A part exceeds" if len(parts) == 1 else "The parts add up to more than"
                alerts.append(
                    Alert(
                        key=key,
                        kind="breakdown_mismatch",
                        severity="warning",
                        operation=self.op.id,
                        operation_name=self.op.name,
                        metric=metric,
                        scope=parent,
                        claims=[*parts, total],
                        explanation=f"{what} the whole: {listed} make {part_sum}, but {_outlet(total)} gives "
                        f"{_value(total)} for {whole}.",
                        headline=f"Breakdown does not add up: {metric.replace('_', ' ')} in {whole} — "
                        f"parts {part_sum} vs total {_value(total)}",
                        created_at=now,
                        trigger=origin,
                    )
                )
                break
        return alerts


def _distinct(claims: list[Claim]) -> list[Claim]:
    seen: set[tuple[str, str, int | None, int | None]] = set()
    out = []
    for c in claims:
        key = (c.origin.article_id, c.scope, c.low, c.high)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _outlet_of(origin: Source) -> str:
    return origin.outlet or origin.url or origin.source or "an unnamed source"
