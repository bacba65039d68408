"""The EventBridge event the scheduled functions (ScheduleFeeds, Roundup) are invoked with.

Only what they read is modelled: Powertools' parser models every event source AWS has, and importing them
cost those handlers over 100 ms of each cold start (`localangle bench`, handler_import_ms).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from localangle.models.base import Model


class ScheduledEvent(Model):
    """An EventBridge schedule's event: when it fired (the story's clock in a local run)."""

    model_config = ConfigDict(extra="ignore")  # the rest of the event (id, account, resources…) is not read

    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    source: str
    time: AwareDatetime
