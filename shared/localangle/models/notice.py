"""Notices about the service itself (a feed failing, a feed back), for newsrooms' operations channels."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class FeedNotice(BaseModel):
    """A feed has failed `failures` polls in a row, or has recovered after such an outage."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["feed_failing", "feed_recovered"]
    feed_id: str
    outlet: str
    url: str
    patch: list[str] = Field(default_factory=list)
    failures: int
    last_error: str
    failing_since: AwareDatetime
    at: AwareDatetime

    @property
    def key(self) -> str:
        """One notice of each kind per outage, however often the poll that raised it is redelivered."""
        return f"{self.kind}:{self.feed_id}:{self.failing_since.isoformat()}"
