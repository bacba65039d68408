"""One editor-facing view of an alert, rendered as Slack blocks, email and terminal text alike."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from localangle.core.gazetteer import load_gazetteer
from localangle.models.alert import Alert, Claim, Source
from localangle.models.notice import FeedNotice

KIND_TITLES = {
    "new_regional_angle": "New regional angle",
    "conflicting_figure": "Conflicting figure",
    "breakdown_mismatch": "Breakdown does not add up",
}


@dataclass(frozen=True)
class ViewItem:
    label: str
    source: str
    url: str | None
    sentence: str


@dataclass(frozen=True)
class Outlet:
    name: str
    url: str | None


@dataclass(frozen=True)
class AlertView:
    title: str
    summary: str
    explanation: str
    footer: str
    items: list[ViewItem] = field(default_factory=list)
    # per syndicated story behind the alert, every outlet that ran it
    carried_by: list[list[Outlet]] = field(default_factory=list)

    def carried_lines(self) -> list[tuple[str, list[Outlet]]]:
        """("The same story ran in 20 outlets", [outlets]) for each syndicated story."""
        return [(f"The same story ran in {len(outlets)} outlets", outlets) for outlets in self.carried_by]


def with_carriers(v: AlertView, stories: list[list[Source]]) -> AlertView:
    """The view naming, for each story behind it that several outlets ran, each outlet once, in order of
    publication."""
    carried = []
    for sources in stories:
        seen: dict[str, Outlet] = {}
        for source in sources:
            name = source.outlet or source.title or source.url or "unnamed source"
            seen.setdefault(name, Outlet(name, source.url))
        if len(seen) > 1:
            carried.append(list(seen.values()))
    return replace(v, carried_by=carried) if carried else v


def value_text(low: int | None, high: int | None, qualifier: str = "exact") -> str:
    if low is not None and low == high:
        return f"{low:,}"
    if high is None:
        if qualifier in ("more than", "just over"):
            return f"more than {(low or 1) - 1:,}"
        if qualifier in ("exact", "at least", "range"):
            return f"at least {low:,}"
        return f"{qualifier} ({low:,}+)"  # "hundreds (200+)", "several hundred (200+)"
    if low is None:
        return f"fewer than {high + 1:,}"
    return f"{low:,} to {high:,}"


def metric_text(metric: str) -> str:
    return metric.replace("_", " ")


def source_name(c: Claim) -> str:
    """How an editor names where a claim came from."""
    return c.origin.outlet or c.origin.title or c.origin.source or c.origin.url or "unnamed source"


def _item(c: Claim) -> ViewItem:
    place = load_gazetteer().display(c.scope)
    label = f"{value_text(c.low, c.high, c.qualifier)} {metric_text(c.metric)} — {place}"
    return ViewItem(label=label, source=source_name(c), url=c.origin.url, sentence=c.sentence)


def view(alert: Alert) -> AlertView:
    gaz = load_gazetteer()
    kind = KIND_TITLES[alert.kind]
    footer = f"{alert.operation_name} · {alert.kind} · {alert.severity} · {alert.key}"
    if alert.kind == "new_regional_angle":
        place = gaz.display(alert.region or "")
        trigger = alert.trigger.outlet or alert.trigger.source or alert.trigger.url or "a new source"
        summary = f"{trigger} is the first to report the story for {place}." + (
            "" if alert.figures else " It gives no local figure yet."
        )
        items = [_item(c) for c in alert.figures]
        if not items:
            items = [
                ViewItem(
                    label=alert.trigger.title or "Report",
                    source=trigger,
                    url=alert.trigger.url,
                    sentence=alert.evidence or alert.explanation,
                )
            ]
        return AlertView(f"{kind}: {place}", summary, "", footer, items)
    place = gaz.display(alert.scope or "")
    metric = metric_text(alert.metric or "")
    values = " vs ".join(value_text(c.low, c.high, c.qualifier) for c in alert.claims)
    summary = f"Sources disagree on {metric} in {place}: {values}."
    if alert.follow_up_of:
        return AlertView(
            f"Resolved: {metric} in {place}",
            f"Sources now agree on {metric} in {place}: {values}.",
            alert.explanation,
            footer + f" · follows up {alert.follow_up_of}",
            [_item(c) for c in alert.claims],
        )
    if alert.kind == "breakdown_mismatch":
        summary = f"A breakdown of {metric} in {place} does not add up."
    return AlertView(
        f"{kind}: {metric} in {place}", summary, alert.explanation, footer, [_item(c) for c in alert.claims]
    )


def notice_view(notice: FeedNotice) -> AlertView:
    """A feed failing or back, for a newsroom's operations channel."""
    since = notice.failing_since.strftime("%d %b %H:%M UTC")
    footer = f"localangle · {notice.kind} · {notice.key}"
    if notice.kind == "feed_failing":
        return AlertView(
            f"Feed failing: {notice.outlet}",
            f"{notice.outlet}'s feed has failed {notice.failures} polls in a row since {since}; "
            "stories it carries are not being read until it recovers.",
            f"Last error: {notice.last_error}",
            footer,
            [ViewItem(label="Feed", source=notice.outlet, url=notice.url, sentence=notice.last_error)],
        )
    return AlertView(
        f"Feed recovered: {notice.outlet}",
        f"{notice.outlet}'s feed is being read again after failing from {since} "
        f"({notice.failures} failed polls). Stories published meanwhile are picked up from the feed now.",
        "",
        footer,
        [ViewItem(label="Feed", source=notice.outlet, url=notice.url, sentence="Polled successfully.")],
    )


def as_text(v: AlertView) -> str:
    lines = [v.title, v.summary]
    for item in v.items:
        where = f"{item.source}" + (f" <{item.url}>" if item.url else "")
        lines.append(f"  • {item.label} — {where}")
        lines.append(f"    “{item.sentence}”")
    for line, outlets in v.carried_lines():
        lines.append(f"  {line}: " + ", ".join(o.name for o in outlets))
    if v.explanation:
        lines.append(f"  Why: {v.explanation}")
    lines.append(f"  ({v.footer})")
    return "\n".join(lines)


def summary_view(title: str, summary: str, alerts: list[Alert], footer: str) -> AlertView:
    """Several alerts in one message (a digest, or the summary of a backlog): one line each."""
    items = []
    for alert in alerts:
        v = view(alert)
        trigger = alert.trigger
        items.append(
            ViewItem(
                label=v.title,
                source=trigger.outlet or trigger.title or trigger.source or "source",
                url=trigger.url,
                sentence=" ".join(x for x in (v.summary, v.explanation) if x),
            )
        )
    return AlertView(title, summary, "", footer, items)
