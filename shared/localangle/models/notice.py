"""Notices about the service itself (a feed failing, a feed back), for newsrooms' operations channels."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from localangle.models.base import Model


class FeedNotice(Model):
    """A feed has failed `failures` polls in a row, or has recovered after such an outage."""

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
