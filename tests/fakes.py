"""In-memory stand-ins for the storage adapters, for unit tests of the editorial core."""

from __future__ import annotations

from localangle.core.ledger import ArticleClaims, LedgerUpdate
from localangle.models.alert import Alert, Claim


class MemoryLedgerStore:
    """A ledger kept in dicts; `apply` records an update the way UpdateLedger does in DynamoDB, and returns
    the alerts that would be sent (each key once)."""

    def __init__(self) -> None:
        self.articles: dict[tuple[str, str], ArticleClaims] = {}
        self.regions: dict[tuple[str, str], str] = {}
        self.conflicts: dict[tuple[str, str], tuple[Alert, str]] = {}  # (operation, key) → (conflict, status)
        self.lows: dict[tuple[str, str], dict[str, int]] = {}
        self.alerts: dict[str, Alert] = {}
        self.sent: list[Alert] = []

    def _all(self, operation: str) -> list[tuple[Claim, bool]]:
        out: list[tuple[Claim, bool]] = []
        for (op, _), told in self.articles.items():
            if op == operation:
                out += [(c, True) for c in told.claims] + [(c, False) for c in told.outside]
        return out

    def claims_at(self, operation: str, metric: str, scope: str) -> list[Claim]:
        return [c for c, inside in self._all(operation) if inside and (c.metric, c.scope) == (metric, scope)]

    def outside_at(self, operation: str, metric: str, scope: str) -> list[Claim]:
        return [
            c for c, inside in self._all(operation) if not inside and (c.metric, c.scope) == (metric, scope)
        ]

    def claims_below(self, operation: str, metric: str, scope: str) -> list[Claim]:
        return [
            c
            for c, inside in self._all(operation)
            if inside and c.metric == metric and c.scope.startswith(scope + "/")
        ]

    def article_claims(self, operation: str, article_id: str) -> ArticleClaims:
        return self.articles.get((operation, article_id), ArticleClaims())

    def region_first_seen_by(self, operation: str, region: str) -> str | None:
        return self.regions.get((operation, region))

    def open_conflicts(self, operation: str, metric: str, scope: str) -> list[Alert]:
        return [
            a
            for (op, _), (a, status) in self.conflicts.items()
            if op == operation and (a.metric, a.scope) == (metric, scope) and status == "open"
        ]

    def conflict_rounds(self, operation: str, metric: str, scope: str) -> dict[str, list[tuple[str, str]]]:
        rounds: dict[str, list[tuple[str, str]]] = {}
        for (op, key), (a, status) in self.conflicts.items():
            if op == operation and (a.metric, a.scope) == (metric, scope):
                rounds.setdefault(key.split("~")[0], []).append((key, status))
        return rounds

    def area_lows(self, operation: str, metric: str) -> dict[str, int]:
        return dict(self.lows.get((operation, metric), {}))

    def apply(self, operation: str, article_id: str, update: LedgerUpdate) -> list[Alert]:
        self.articles[(operation, article_id)] = ArticleClaims(
            update.claims, update.outside, update.revised, update.prior
        )
        for region in update.regions:
            self.regions.setdefault((operation, region), article_id)
        for metric, lows in update.area_lows.items():
            known = self.lows.setdefault((operation, metric), {})
            for area, low in lows.items():
                known[area] = min(known.get(area, low), low)
        for alert in update.opened:
            self.conflicts[(operation, alert.key)] = (alert, "open")
        for alert in update.resolved:
            self.conflicts[(operation, alert.key)] = (alert, "resolved")
        new = []
        for alert in update.alerts:
            if alert.key not in self.alerts:
                self.alerts[alert.key] = alert
                self.sent.append(alert)
                new.append(alert)
        return new
