"""A tracked operation: how to recognise its articles and which figures it counts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from localangle.models.base import Model

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]


class MetricSpec(Model):
    """The words that signal one metric. A metric name means the same thing in every operation."""

    nouns: list[str] = Field(default_factory=list, description="counted nouns: '21 arrests', '32 warrants'")
    verbs: list[str] = Field(
        default_factory=list,
        description="verbs and nominalisations: 'arrested 21', '21 were arrested', 'arrest of'",
    )
    subjects: list[str] = Field(
        default_factory=list,
        description="what is counted when a verb carries the metric: 'people', 'children'",
    )
    phrases: list[str] = Field(
        default_factory=list, description="predicates that name the metric: 'on the sex offenders register'"
    )
    kind: Literal["count", "duration_months", "age_min", "age_max"] = "count"
    operation_wide: bool = Field(
        default=False,
        description="a figure about the whole operation (forces, duration): its scope is national",
    )


class AnchorFigure(Model):
    """A figure the operation is known by ("660 arrests"); with the lead agency it identifies the story."""

    metric: str
    value: int


class Operation(Model):
    """One tracked operation, loaded from `seeds/operations/<id>.yaml` or the config prefix in S3."""

    id: Slug
    name: str
    aliases: list[str] = Field(default_factory=list)
    lead_agencies: list[str] = Field(min_length=1)
    starts: date | None = None
    ends: date | None = None
    tracked_since: AwareDatetime | None = Field(
        default=None,
        description="when newsrooms began tracking it: reports published earlier are backlog, summarised",
    )
    scope: str = "uk"
    terms: list[str] = Field(default_factory=list, description="vocabulary of the story")
    anchor_figures: list[AnchorFigure] = Field(default_factory=list)
    metrics: dict[str, MetricSpec] = Field(min_length=1)

    @field_validator("metrics")
    @classmethod
    def _metric_names_are_slugs(cls, value: dict[str, MetricSpec]) -> dict[str, MetricSpec]:
        for name in value:
            if not name.replace("_", "").isalnum() or not name.islower():
                raise ValueError(f"metric name {name!r} must be lower_snake_case")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Operation:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValueError("ends is before starts")
        for anchor in self.anchor_figures:
            if anchor.metric not in self.metrics:
                raise ValueError(
                    f"anchor figure metric {anchor.metric!r} is not one of the operation's metrics"
                )
        return self
