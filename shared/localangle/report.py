"""The ledger report: per operation, every place and metric with its values and sources, conflicts marked."""

from __future__ import annotations

from dataclasses import dataclass, field

from localangle.core.gazetteer import Gazetteer
from localangle.core.ledger import compatible
from localangle.models.alert import Claim
from localangle.models.operation import Operation
from localangle.render import value_text


@dataclass
class Cell:
    scope: str
    metric: str
    claims: list[Claim] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return any(not compatible(a, b) for i, a in enumerate(self.claims) for b in self.claims[i + 1 :])


def cells(operation: Operation, claims: list[Claim]) -> list[Cell]:
    table: dict[tuple[str, str], Cell] = {}
    for claim in claims:
        cell = table.setdefault((claim.scope, claim.metric), Cell(claim.scope, claim.metric))
        if not any(
            c.origin.article_id == claim.origin.article_id and (c.low, c.high) == (claim.low, claim.high)
            for c in cell.claims
        ):
            cell.claims.append(claim)
    order = {m: i for i, m in enumerate(operation.metrics)}

    def depth(scope: str) -> tuple[int, str]:
        return (0 if scope == "uk" else 1 if ":" in scope else 2 if "/" not in scope else 3, scope)

    return sorted(table.values(), key=lambda c: (depth(c.scope), order.get(c.metric, 99)))


def as_text(operation: Operation, rows: list[Cell], gazetteer: Gazetteer) -> str:
    lines = [f"Ledger: {operation.name} ({operation.id})", ""]
    width = max([len(gazetteer.display(r.scope)) for r in rows] + [5])
    for row in rows:
        values = "; ".join(
            f"{value_text(c.low, c.high, c.qualifier)} ({c.origin.outlet or c.origin.source or '?'})"
            for c in row.claims
        )
        flag = "  ⚠ CONFLICT" if row.conflict else ""
        lines.append(f"{gazetteer.display(row.scope):<{width}}  {row.metric:<28} {values}{flag}")
    return "\n".join(lines) + "\n"
