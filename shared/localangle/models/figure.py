"""Figures read from articles, and what the matcher and reader make of one article."""

from __future__ import annotations

from pydantic import Field

from localangle.models.base import Model


class Figure(Model):
    """One reported figure: what is counted, the interval, where it applies, and the words it came from."""

    operation: str
    metric: str
    low: int | None = Field(description="inclusive lower bound; null when only an upper bound is known")
    high: int | None = Field(description="inclusive upper bound; null when open")
    qualifier: str = "exact"
    scope: str
    part_of_operation: bool = True
    text: str = Field(description="the words the figure was read from")
    sentence: str
    scope_reason: str = ""


def intervals_overlap(a_low: int | None, a_high: int | None, b_low: int | None, b_high: int | None) -> bool:
    """True when two inclusive intervals (None = unbounded) share at least one whole number."""
    low = max(a_low if a_low is not None else -1, b_low if b_low is not None else -1)
    highs = [h for h in (a_high, b_high) if h is not None]
    return not highs or low <= min(highs)


class Match(Model):
    """Why an article is judged to be about a tracked operation."""

    operation: str
    score: float
    reasons: list[str]


class Analysis(Model):
    """What the editorial core makes of one article."""

    matches: list[Match] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    evidence: dict[str, str] = Field(
        default_factory=dict, description="region → the first sentence naming it"
    )
