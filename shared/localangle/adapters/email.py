"""Email delivery: SES (HTML and plain text) when a sender is configured, else the SNS email topic.

Nothing from an article reaches a header unescaped: the subject is built from our own words and stripped of
line breaks; the HTML body escapes every article string.
"""

from __future__ import annotations

import html
import re

from localangle.adapters.aws import client
from localangle.render import AlertView
from localangle.render import as_text as text

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029]+")


def subject(views: list[AlertView]) -> str:
    """The first alert's title; for several, how many and each title, as far as a subject line goes."""
    title = (
        views[0].title if len(views) == 1 else f"{len(views)} alerts: " + "; ".join(v.title for v in views)
    )
    line = _LINE_BREAKS.sub(" ", f"[localangle] {title}").strip()
    return line if len(line) <= 98 else line[:97] + "…"


def as_text(views: list[AlertView]) -> str:
    return "\n\n".join(text(v) for v in views)


def as_html(views: list[AlertView]) -> str:
    return "<html><body>" + "<hr>".join(_section(v) for v in views) + "</body></html>"


def _section(view: AlertView) -> str:
    e = html.escape
    rows = "".join(
        f"<li><strong>{e(i.label)}</strong> — "
        + (
            f'<a href="{e(i.url)}">{e(i.source)}</a>'
            if i.url and i.url.startswith(("http://", "https://"))
            else e(i.source)
        )
        + f"<blockquote>{e(i.sentence)}</blockquote></li>"
        for i in view.items
    )
    why = f"<p><strong>Why:</strong> {e(view.explanation)}</p>" if view.explanation else ""
    carried = ""
    for line, outlets in view.carried_lines():
        names = ", ".join(
            f'<a href="{e(o.url)}">{e(o.name)}</a>'
            if o.url and o.url.startswith(("http://", "https://"))
            else e(o.name)
            for o in outlets
        )
        carried += f"<p><strong>{e(line)}:</strong> {names}</p>"
    return (
        f"<h2>{e(view.title)}</h2><p>{e(view.summary)}</p><ul>{rows}</ul>{carried}{why}"
        f'<p style="color:#666">{e(view.footer)}</p>'
    )


def send_ses(sender: str, recipients: list[str], views: list[AlertView]) -> None:
    """One email of the alerts, in order (SES bills per recipient, not per alert)."""
    client("ses").send_email(
        Source=sender,
        Destination={"ToAddresses": recipients},
        Message={
            "Subject": {"Data": subject(views), "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": as_text(views), "Charset": "UTF-8"},
                "Html": {"Data": as_html(views), "Charset": "UTF-8"},
            },
        },
    )


def send_sns(topic_arn: str, views: list[AlertView]) -> None:
    client("sns").publish(TopicArn=topic_arn, Subject=subject(views), Message=as_text(views))
