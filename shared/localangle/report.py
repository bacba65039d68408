"""The ledger report: per operation, every place and metric with its values and sources, conflicts marked.

The same rows render as a terminal table (`localangle ledger`), a static HTML page (S3
`ledger/<operation>/index.html`, readable on a phone) and JSON (`ledger/<operation>/ledger.json`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from localangle.core.gazetteer import Gazetteer
from localangle.core.ledger import disagreeing, standing
from localangle.models.alert import Claim
from localangle.models.operation import Operation
from localangle.render import metric_text, source_name, value_text


def report_key(operation_id: str, name: str = "index.html") -> str:
    """Where the Roundup function publishes an operation's report in the archive bucket."""
    return f"ledger/{operation_id}/{name}"


@dataclass
class Cell:
    scope: str
    metric: str
    claims: list[Claim] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        """Sources disagree here now (an outlet's superseded figure and one article's own slips aside)."""
        return disagreeing(standing(self.claims))


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
    return sorted(table.values(), key=lambda c: (_depth(c.scope), order.get(c.metric, 99)))


def _depth(scope: str) -> tuple[int, str]:
    kind = (
        0 if scope == "uk" else 1 if scope.startswith("nation:") else 2 if scope.startswith("region:") else 3
    )
    return (kind + scope.count("/"), scope)


def as_text(operation: Operation, rows: list[Cell], gazetteer: Gazetteer) -> str:
    lines = [f"Ledger: {operation.name} ({operation.id})", ""]
    if not rows:
        return "\n".join([*lines, "No figures recorded yet."]) + "\n"
    width = max([len(gazetteer.display(r.scope)) for r in rows] + [5])
    for row in rows:
        values = "; ".join(f"{value_text(c.low, c.high, c.qualifier)} ({source_name(c)})" for c in row.claims)
        flag = "  ⚠ CONFLICT" if row.conflict else ""
        lines.append(f"{gazetteer.display(row.scope):<{width}}  {row.metric:<28} {values}{flag}")
    return "\n".join(lines) + "\n"


def as_json(
    operation: Operation,
    rows: list[Cell],
    generated_at: datetime,
    version: int | None = None,
    read_whole_at: datetime | None = None,
) -> str:
    """The report as JSON. `version` (the ledger version it shows), `metrics` and `read_whole_at` (when the
    ledger was last read whole for it) let the next report start from this one."""
    return json.dumps(
        {
            "operation": operation.id,
            "name": operation.name,
            "generated_at": generated_at.isoformat(),
            "version": version,
            "metrics": list(operation.metrics),
            "read_whole_at": read_whole_at.isoformat() if read_whole_at else None,
            "cells": [
                {
                    "scope": r.scope,
                    "metric": r.metric,
                    "conflict": r.conflict,
                    "claims": [c.model_dump(mode="json") for c in r.claims],
                }
                for r in rows
            ],
        },
        ensure_ascii=False,
        indent=1,
    )


def from_json(text: str) -> list[Cell]:
    return Published.parse(text).cells


@dataclass
class Published:
    """A published report read back: its cells, and what the next report needs to start from it."""

    cells: list[Cell]
    version: int | None = None
    metrics: list[str] = field(default_factory=list)
    read_whole_at: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> Published:
        doc = json.loads(text)
        whole = doc.get("read_whole_at")
        return cls(
            cells=[
                Cell(c["scope"], c["metric"], [Claim.model_validate(x) for x in c["claims"]])
                for c in doc["cells"]
            ],
            version=doc.get("version"),
            metrics=list(doc.get("metrics") or []),
            read_whole_at=datetime.fromisoformat(whole) if whole else None,
        )


def updated(operation: Operation, base: list[Cell], now_saying: dict[str, list[Claim]]) -> list[Cell]:
    """A report's cells with what the changed articles say now in place of what they said (an article
    with no claims now is gone from it): the cells a whole read of the ledger gives, each cell's claims in
    the ledger's order, by article and then by position in the article."""
    kept = [c for cell in base for c in cell.claims if c.origin.article_id not in now_saying]
    fresh = [c for claims in now_saying.values() for c in claims if c.metric in operation.metrics]
    return cells(operation, sorted(kept + fresh, key=lambda c: c.origin.article_id))


STYLE = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --alarm: #b3261e;
        --alarm-bg: #fde7e4; }
* { box-sizing: border-box; }
body { margin: 0; padding: 12px; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: #fff; }
h1 { font-size: 1.25rem; margin: 0 0 4px; }
p.meta { color: var(--muted); margin: 0 0 12px; font-size: .875rem; }
p.summary { margin: 0 0 12px; }
ol.disputes { margin: 0 0 16px; padding-left: 1.3em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 8px; border-bottom: 1px solid var(--line); }
thead th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
th.place { white-space: nowrap; }
ul { margin: 0; padding-left: 1.1em; }
li { margin: 0 0 4px; }
.value { font-weight: 600; }
a { color: #0b57d0; }
td.conflict { background: var(--alarm-bg); border-left: 6px solid var(--alarm); }
.flag { display: inline-block; color: #fff; background: var(--alarm); border-radius: 4px;
        padding: 0 6px; font-size: .75rem; font-weight: 700; margin-bottom: 4px; }
@media (max-width: 640px) {
  thead { display: none; }
  table, tbody, tr, th, td { display: block; width: 100%; }
  tr { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 12px; overflow: hidden; }
  th.place { background: #f3f3f6; font-size: 1.05rem; border-bottom: 1px solid var(--line); }
  td { border-bottom: 1px solid var(--line); }
  td:last-child { border-bottom: 0; }
  td.empty { display: none; }
  td::before { content: attr(data-metric); display: block; font-size: .75rem; color: var(--muted);
               text-transform: uppercase; letter-spacing: .04em; }
}
"""


def as_html(operation: Operation, rows: list[Cell], gazetteer: Gazetteer, generated_at: datetime) -> str:
    """A static page: one row per place, one cell per metric reported there, each value with its source;
    a conflicting cell is marked in colour and in words. On a narrow screen each place becomes a card."""
    places = sorted({r.scope for r in rows}, key=_depth)
    metrics = [m for m in operation.metrics if any(r.metric == m for r in rows)]
    by_key = {(r.scope, r.metric): r for r in rows}
    conflicts = sum(1 for r in rows if r.conflict)
    head = "".join(f"<th scope='col'>{escape(metric_text(m))}</th>" for m in metrics)
    body = []
    for place in places:
        tds = []
        for metric in metrics:
            cell = by_key.get((place, metric))
            label = escape(metric_text(metric))
            if cell is None:
                tds.append(f"<td class='empty' data-metric='{label}'></td>")
                continue
            items = "".join(_claim_html(c) for c in cell.claims)
            if cell.conflict:
                tds.append(
                    f"<td class='conflict' id='{escape(_anchor(cell), quote=True)}' data-metric='{label}'>"
                    "<span class='flag'>Conflict</span>"
                    f"<ul>{items}</ul></td>"
                )
            else:
                tds.append(f"<td data-metric='{label}'><ul>{items}</ul></td>")
        body.append(
            f"<tr><th scope='row' class='place'>{escape(gazetteer.display(place))}</th>{''.join(tds)}</tr>"
        )
    summary = (
        f"{len(places)} places, {sum(len(r.claims) for r in rows)} figures"
        + (f", <strong>{conflicts} in conflict</strong>" if conflicts else ", no conflicts")
        + "."
    )
    disputes = "".join(
        f"<li><a href='#{escape(_anchor(r), quote=True)}'>⚠ {escape(metric_text(r.metric))} in "
        f"{escape(gazetteer.display(r.scope))}</a>: "
        + escape(
            " vs ".join(
                f"{value_text(c.low, c.high, c.qualifier)} ({source_name(c)})" for c in standing(r.claims)
            )
        )
        + "</li>"
        for r in rows
        if r.conflict
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Ledger: {escape(operation.name)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(operation.name)}</h1>"
        f"<p class='meta'>Figure ledger · {escape(operation.id)} · "
        f"updated {generated_at:%d %b %Y %H:%M} UTC</p>"
        f"<p class='summary'>{summary}</p>"
        + (f"<ol class='disputes'>{disputes}</ol>" if disputes else "")
        + f"<table><thead><tr><th scope='col'>Place</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        "</body></html>"
    )


def _claim_html(c: Claim) -> str:
    source = escape(source_name(c))
    url = c.origin.url or ""
    link = f"<a href='{escape(url, quote=True)}'>{source}</a>" if _safe_url(url) else source
    return (
        f"<li><span class='value'>{escape(value_text(c.low, c.high, c.qualifier))}</span> — {link}"
        f"<br><small>“{escape(c.sentence)}”</small></li>"
    )


def _safe_url(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def _anchor(cell: Cell) -> str:
    return "conflict-" + re.sub(r"[^a-z0-9]+", "-", f"{cell.metric}-{cell.scope}".lower()).strip("-")
