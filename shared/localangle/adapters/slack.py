"""Slack delivery through an incoming webhook, as Block Kit built with slack_sdk's models.

Article text is escaped as Slack requires (&, <, >), so "<!channel>", "<@U123>" or "<http://x|y>" inside an
article shows as text and can never ping anyone or disguise a link.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.webhook import WebhookClient

from localangle.render import AlertView

MAX_SECTION = 2900  # Block Kit allows 3,000 characters in a section's text
MAX_ITEMS = 40  # and 50 blocks in a message: a long digest lists the first 40


class SlackError(Exception):
    pass


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str | None, label: str) -> str:
    label = escape(label).replace("|", "¦")
    if url and url.startswith(("http://", "https://")):
        return f"<{escape(url).replace('|', '%7C')}|{label}>"
    return label


def blocks(view: AlertView) -> list[dict[str, object]]:
    out = [
        HeaderBlock(text=view.title[:150]),
        SectionBlock(text=MarkdownTextObject(text=escape(view.summary))),
    ]
    for item in view.items[:MAX_ITEMS]:
        line = f"*{escape(item.label)}* — {_link(item.url, item.source)}\n> {escape(item.sentence)}"
        out.append(SectionBlock(text=MarkdownTextObject(text=line[:MAX_SECTION])))
    if len(view.items) > MAX_ITEMS:
        more = len(view.items) - MAX_ITEMS
        out.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"_…and {more} more; the email and the ledger page list all._")
            )
        )
    for line, outlets in view.carried_lines():
        names = ", ".join(_link(o.url, o.name) for o in outlets)
        out.append(SectionBlock(text=MarkdownTextObject(text=f"*{escape(line)}:* {names}"[:MAX_SECTION])))
    if view.explanation:
        out.append(
            SectionBlock(text=MarkdownTextObject(text=f"*Why:* {escape(view.explanation)}"[:MAX_SECTION]))
        )
    out.append(DividerBlock())
    out.append(ContextBlock(elements=[MarkdownTextObject(text=escape(view.footer))]))
    return [b.to_dict() for b in out]


def post(webhook_url: str, view: AlertView, timeout: int = 10) -> None:
    """Post one alert; SlackError unless Slack answers 200 (the message then goes back to the queue)."""
    response = WebhookClient(webhook_url, timeout=timeout).send(text=escape(view.title), blocks=blocks(view))
    if response.status_code != 200:
        raise SlackError(f"Slack webhook answered {response.status_code}: {str(response.body)[:200]}")
