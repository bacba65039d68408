"""The EventBridge event the scheduled functions (ScheduleFeeds, Roundup) are invoked with.

Only what they read is modelled: Powertools' parser models every event source AWS has, and importing them
cost those handlers over 100 ms of each cold start (`localangle bench`, handler_import_ms).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field


class ScheduledEvent(BaseModel):
    """An EventBridge schedule's event: when it fired (the story's clock in a local run)."""

    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    source: str
    time: AwareDatetime
