"""In-memory stand-ins for the storage adapters, for unit tests of the editorial core."""

from __future__ import annotations

from localangle.core.ledger import LedgerUpdate
from localangle.models.alert import Alert, Claim


class MemoryLedgerStore:
    """A ledger kept in dicts; `apply` records an update the way UpdateLedger does in DynamoDB."""

    def __init__(self) -> None:
        self.claims: dict[tuple[str, str], list[Claim]] = {}
        self.regions: dict[tuple[str, str], str] = {}
        self.alerts: dict[str, Alert] = {}
        self.sent: list[Alert] = []

    def claims_at(self, operation: str, metric: str, scope: str) -> list[Claim]:
        return [c for c in self.claims.get((operation, metric), []) if c.scope == scope]

    def claims_below(self, operation: str, metric: str, scope: str) -> list[Claim]:
        return [c for c in self.claims.get((operation, metric), []) if c.scope.startswith(scope + "/")]

    def region_first_seen_by(self, operation: str, region: str) -> str | None:
        return self.regions.get((operation, region))

    def apply(self, operation: str, article_id: str, update: LedgerUpdate) -> list[Alert]:
        for claim in update.claims:
            bucket = self.claims.setdefault((operation, claim.metric), [])
            if claim not in bucket:
                bucket.append(claim)
        for region in update.regions:
            self.regions.setdefault((operation, region), article_id)
        new = []
        for alert in update.alerts:
            if alert.key not in self.alerts:
                self.alerts[alert.key] = alert
                self.sent.append(alert)
                new.append(alert)
        return new
