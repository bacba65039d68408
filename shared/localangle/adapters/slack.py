"""Slack delivery through an incoming webhook, as Block Kit built with slack_sdk's models.

Article text is escaped as Slack requires (&, <, >), so "<!channel>", "<@U123>" or "<http://x|y>" inside an
article shows as text and can never ping anyone or disguise a link.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any
from urllib.error import URLError

from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.webhook import WebhookClient

from localangle.adapters.http import parse_retry_after
from localangle.render import AlertView, Outlet

MAX_SECTION = 2900  # Block Kit allows 3,000 characters in a section's text
MAX_ITEMS = 40  # and 50 blocks in a message: a long digest lists the first 40


# The longest Retry-After a function waits out; a longer one fails the message back to its queue instead.
MAX_RETRY_AFTER = 10.0
RETRIES = 2
BACKOFF_SECONDS = 0.5  # the first retry after a 5xx or an unsent request waits about this long, then doubles

# slack_sdk logs every retry with the request's URL, and a webhook's URL is its secret: its records stop
# here unless they are warnings, which carry no URL.
_sdk_logger = logging.getLogger("localangle.slack_sdk")
_sdk_logger.setLevel(logging.WARNING)


class SlackError(Exception):
    pass


class _RateLimited(RetryHandler):
    """429: wait as long as Slack's Retry-After asks (seconds or a date), when that is short enough."""

    def _wait(self, response: Any) -> float | None:
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        value = headers.get("retry-after")
        return parse_retry_after(value[0] if isinstance(value, list) else value) if value else 1.0

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = self._wait(response)
        return wait is not None and wait <= MAX_RETRY_AFTER

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(self._wait(response) or 0.0)
        state.increment_current_attempt()


class _Jitter(Jitter):
    """Half to one and a half times the backoff (slack_sdk's own jitter adds up to a whole second)."""

    def recalculate(self, duration: float) -> float:
        return duration * random.uniform(0.5, 1.5)


def retry_handlers() -> list[RetryHandler]:
    """What is retried, with backoff, within one post. Safe to repeat: a refused connection or a request
    that could not be sent whole (urllib raises URLError only then), a 429, a 500 or 503. Never a read
    timeout or a dropped connection after the request went out: Slack may have posted it, and the message
    goes back to the queue for a later attempt instead."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=BACKOFF_SECONDS, jitter=_Jitter())
    return [
        ConnectionErrorRetryHandler(
            max_retry_count=RETRIES, interval_calculator=backoff, error_types=[URLError]
        ),
        _RateLimited(max_retry_count=RETRIES),
        ServerErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=backoff),
    ]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A link longer than this would leave too little of a section (MAX_SECTION) for its sentence, or be cut
# inside its <…>, which breaks it: its label alone is shown, and the email and the ledger page carry it.
MAX_LINK = 1_000


def _label(text: str) -> str:
    """Text for a link's label, or in its place: escaped, and no "|" to end a label early."""
    return escape(text).replace("|", "¦")


def _link(url: str | None, label: str) -> str:
    if url and url.startswith(("http://", "https://")):
        target = escape(url).replace("|", "%7C")
        if len(target) <= MAX_LINK:
            return f"<{target}|{_label(label)}>"
    return _label(label)


def cut(text: str, limit: int = MAX_SECTION) -> str:
    """Escaped mrkdwn within `limit` characters, ending in "…" when cut, and never cut inside a link's <…> or
    an entity such as &amp;, which Slack would show broken (or refuse)."""
    if len(text) <= limit:
        return text
    end = limit - 1
    opened = text.rfind("<", 0, end)
    if opened > text.rfind(">", 0, end):
        end = opened
    amp = text.rfind("&", 0, end)
    if amp != -1 and text.find(";", amp, end) == -1:
        end = amp
    return text[:end] + "…"


def _outlets(line: str, outlets: list[Outlet]) -> str:
    """'*The same story ran in 60 outlets:* A, B and 12 more', each outlet a link, as many as fit whole (by
    name alone when even the first one's link would not)."""
    head = f"*{escape(line)}:* "
    for show in (lambda o: _link(o.url, o.name), lambda o: _label(o.name)):
        shown: list[str] = []
        size = len(head)
        for n, outlet in enumerate(outlets):
            part = show(outlet)
            rest = len(outlets) - n - 1
            more = len(f" and {rest} more") if rest else 0
            if size + (2 if shown else 0) + len(part) + more > MAX_SECTION:
                break
            shown.append(part)
            size += (2 if len(shown) > 1 else 0) + len(part)
        if shown:
            rest = len(outlets) - len(shown)
            return head + ", ".join(shown) + (f" and {rest} more" if rest else "")
    return cut(head + _label(outlets[0].name) if outlets else head)


def blocks(view: AlertView) -> list[dict[str, object]]:
    out = [
        HeaderBlock(text=view.title[:150]),
        SectionBlock(text=MarkdownTextObject(text=cut(escape(view.summary)))),
    ]
    for item in view.items[:MAX_ITEMS]:
        line = f"*{escape(item.label)}* — {_link(item.url, item.source)}\n> {escape(item.sentence)}"
        out.append(SectionBlock(text=MarkdownTextObject(text=cut(line))))
    if len(view.items) > MAX_ITEMS:
        more = len(view.items) - MAX_ITEMS
        out.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"_…and {more} more; the email and the ledger page list all._")
            )
        )
    for line, outlets in view.carried_lines():
        out.append(SectionBlock(text=MarkdownTextObject(text=_outlets(line, outlets))))
    if view.explanation:
        out.append(SectionBlock(text=MarkdownTextObject(text=cut(f"*Why:* {escape(view.explanation)}"))))
    out.append(DividerBlock())
    out.append(ContextBlock(elements=[MarkdownTextObject(text=cut(escape(view.footer)))]))
    return [b.to_dict() for b in out]


def post(webhook_url: str, view: AlertView, timeout: int = 10) -> None:
    """Post one alert, retrying what is safe to retry; SlackError unless Slack answers 200 in the end (the
    message then goes back to the queue). No error names the webhook's URL."""
    client = WebhookClient(webhook_url, timeout=timeout, retry_handlers=retry_handlers(), logger=_sdk_logger)
    try:
        response = client.send(text=escape(view.title), blocks=blocks(view))
    except (OSError, URLError) as exc:  # timeouts, refused or dropped connections
        reason = getattr(exc, "reason", None) or exc
        raise SlackError(f"Slack webhook unreachable: {type(exc).__name__}: {reason}") from None
    # anything else (urllib's ValueError for a malformed URL) may quote the URL: only its kind is passed on
    except Exception as exc:
        raise SlackError(f"Slack webhook not usable: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise SlackError(f"Slack webhook answered {response.status_code}: {str(response.body)[:200]}")
