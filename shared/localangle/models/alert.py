"""Alerts: what the ledger tells a newsroom, with a stable key so each is sent once."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from localangle.models.base import Model

AlertKind = Literal["new_regional_angle", "conflicting_figure", "breakdown_mismatch"]
Severity = Literal["info", "warning", "critical"]


class Source(Model):
    """Where a claim was published."""

    article_id: str
    outlet: str | None = None
    url: str | None = None
    title: str = ""
    published: AwareDatetime | None = None
    source: str | None = None


class Claim(Model):
    """A figure as one source put it."""

    metric: str
    scope: str
    low: int | None
    high: int | None
    qualifier: str = "exact"
    text: str
    sentence: str
    origin: Source


class Alert(Model):
    key: str
    kind: AlertKind
    severity: Severity
    operation: str
    operation_name: str
    metric: str | None = None
    scope: str | None = None
    region: str | None = None
    claims: list[Claim] = Field(default_factory=list)
    figures: list[Claim] = Field(default_factory=list)
    explanation: str = ""
    evidence: str = Field(default="", description="for an angle: the sentence that names the place")
    headline: str
    created_at: datetime
    trigger: Source
    follow_up_of: str | None = Field(default=None, description="the key of the alert this one follows up")
    catch_up: bool = Field(
        default=False, description="raised while catching up on a backlog: summarised, not sent one by one"
    )


def alert_key(*parts: str) -> str:
    """A stable key from what makes an alert the same alert, whatever the arrival order."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"{parts[0]}:{parts[1]}:{digest}"
