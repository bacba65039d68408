"""Which newsrooms hear an alert: those that follow the operation and whose patch the alert touches."""

from __future__ import annotations

from localangle.core.gazetteer import Gazetteer
from localangle.models.alert import Alert
from localangle.models.config import Newsroom
from localangle.models.notice import FeedNotice


def alert_scopes(alert: Alert) -> set[str]:
    scopes = {s for s in (alert.region, alert.scope) if s}
    scopes.update(c.scope for c in alert.claims)
    scopes.update(c.scope for c in alert.figures)
    return scopes


def touches(patch: str, scope: str, gazetteer: Gazetteer) -> bool:
    if patch == "uk" or patch == scope or scope.startswith(patch + "/") or patch.startswith(scope + "/"):
        return True
    force = gazetteer.forces.get(gazetteer.force_of(scope) or "")
    if force is None:
        return False
    if patch.startswith("nation:"):
        return force.nation == patch.removeprefix("nation:")
    if patch.startswith("region:"):
        return force.region == patch.removeprefix("region:")
    return False


def audiences(newsrooms: list[Newsroom], alert: Alert, gazetteer: Gazetteer) -> list[Newsroom]:
    scopes = alert_scopes(alert)
    return [
        room
        for room in newsrooms
        if (not room.operations or alert.operation in room.operations)
        and any(touches(p, s, gazetteer) for p in room.patch for s in scopes)
    ]


def notice_audiences(newsrooms: list[Newsroom], notice: FeedNotice, gazetteer: Gazetteer) -> list[Newsroom]:
    """Newsrooms that read the feed: their patch and the feed's overlap (a feed with no patch: all)."""
    if not notice.patch:
        return list(newsrooms)
    return [
        room
        for room in newsrooms
        if any(touches(p, s, gazetteer) or touches(s, p, gazetteer) for p in room.patch for s in notice.patch)
    ]
