"""Parse feed bytes with feedparser (the only module that imports it) into normalised entries."""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import feedparser

from localangle.core.text import clean_text, cut_at_break, cut_title
from localangle.models.article import FeedEntry

_BLOCK = re.compile(r"<\s*(/?(p|div|br|li|h[1-6]|blockquote|tr|section|article)\b[^>]*)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)

# The most an entry may bring, whatever a feed holds: its message must stay under SQS's 1 MiB with its page
# (messages.MESSAGE_BYTES; a character can take six bytes of JSON), its article row under DynamoDB's 400 KB.
# A long read runs to some 60,000 characters and a headline to 200 (core.text.TITLE_MAX_CHARS): an entry
# beyond is cut, and said to be.
TEXT_MAX_CHARS = 100_000
# Web servers refuse request lines much over 8 KB: a link longer than this is no page's address. It is not
# followed, nor used to name the article (the GUID or the content does), and the entry is read from its text.
URL_MAX_CHARS = 16_384
GUID_MAX_CHARS = 1_024  # a longer GUID is kept as its SHA-256, which names the entry as well


@dataclass
class ParsedFeed:
    title: str = ""
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one reason per entry that cannot become an article
    # an entry's index in `entries` → what was cut from it, too big to carry whole
    cut: dict[int, str] = field(default_factory=dict)
    error: str | None = None  # the document is not a feed at all
    warning: str | None = None  # feedparser's complaint about a feed it could still read


def html_to_text(value: str) -> str:
    """Text of an HTML fragment, block elements as paragraph breaks, entities decoded."""
    if "<" not in value and "&" not in value:
        return value.strip()
    value = _SCRIPT.sub(" ", value)
    value = _BLOCK.sub("\n\n", value)
    value = unescape(_TAG.sub("", value))
    paragraphs = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", p).strip() for p in re.split(r"\n\s*\n", value)]
    return "\n\n".join(p for p in paragraphs if p)


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def looks_like_html_page(body: bytes, content_type: str) -> bool:
    head = body[:2048].lstrip().lower()
    return "text/html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def describe_html_page(body: bytes, what: str) -> str:
    """`what`, with the page's own title when it has one: an error page usually says what went wrong."""
    found = _TITLE.search(body[:65536])
    if not found:
        return what
    title = " ".join(html_to_text(found.group(1).decode("utf-8", errors="replace")).split())[:120]
    return f"{what} (titled “{title}”)" if title else what


def parse_feed(body: bytes, url: str | None = None, content_type: str | None = None) -> ParsedFeed:
    """Entries of a feed document. Never raises on bad input: problems come back as error or skipped."""
    headers = {"content-location": url or "", "content-type": content_type or "application/xml"}
    try:
        # A stream, never a string: feedparser would fetch a URL or open a path given as a string.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    except Exception as exc:  # feedparser promises not to raise; a feed must never take the flow down
        return ParsedFeed(error=f"feedparser failed: {type(exc).__name__}: {exc}")
    result = ParsedFeed(title=_text(parsed.get("feed", {}).get("title", "")))
    bozo = parsed.get("bozo_exception")
    if not parsed.get("version") and not parsed.get("entries"):
        if looks_like_html_page(body, content_type or ""):
            result.error = describe_html_page(body, "an HTML page, not a feed")
        else:
            result.error = f"not a feed: {bozo}" if bozo else "not a feed: no feed elements found"
        return result
    if bozo:
        result.warning = f"{type(bozo).__name__}: {bozo}"
    for entry in parsed.get("entries", []):
        try:
            item = _entry(entry)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            result.skipped.append(f"unreadable entry: {type(exc).__name__}: {exc}")
            continue
        if isinstance(item, str):
            result.skipped.append(item)
            continue
        item, cut = _within_limits(item)
        if not (item.title or item.text or item.url):
            result.skipped.append("entry has no title or text, and a link too long to follow")
            continue
        if cut:
            result.cut[len(result.entries)] = f"{item.title[:80]!r}: {'; '.join(cut)}"
        result.entries.append(item)
    return result


def _within_limits(entry: FeedEntry) -> tuple[FeedEntry, list[str]]:
    """The entry cut to what a message and a row can carry (TEXT_MAX_CHARS, …), and what was cut."""
    cut: list[str] = []
    changes: dict[str, str | None] = {}
    if len(entry.text) > TEXT_MAX_CHARS:
        changes["text"] = text = cut_at_break(entry.text, TEXT_MAX_CHARS)
        cut.append(f"text cut from {len(entry.text):,} to {len(text):,} characters")
    if (title := cut_title(entry.title)) != entry.title:
        changes["title"] = title
        cut.append(f"title cut from {len(entry.title):,} characters")
    if entry.url is not None and len(entry.url) > URL_MAX_CHARS:
        changes["url"] = None
        cut.append(f"link of {len(entry.url):,} characters not followed")
    if entry.guid is not None and len(entry.guid) > GUID_MAX_CHARS:
        changes["guid"] = "sha256:" + hashlib.sha256(entry.guid.encode()).hexdigest()
        cut.append(f"GUID of {len(entry.guid):,} characters kept as its SHA-256")
    return (entry.model_copy(update=changes) if changes else entry), cut


def _text(value: Any) -> str:
    return html_to_text(value) if isinstance(value, str) else ""


def _http_url(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.hostname else None


def _entry(entry: Any) -> FeedEntry | str:
    url = _http_url(entry.get("link"))
    if url is None:
        for link in entry.get("links", []) or []:
            if link.get("rel", "alternate") == "alternate" and (url := _http_url(link.get("href"))):
                break
    guid = entry.get("id") if isinstance(entry.get("id"), str) and entry.get("id").strip() else None
    title = " ".join(_text(entry.get("title", "")).split())
    content = entry.get("content") or []
    raw = next((c.get("value", "") for c in content if isinstance(c, dict) and c.get("value")), "")
    text = clean_text(_text(raw or entry.get("summary", "")))  # without page debris ("click here")
    if not (title or text or url):
        return "entry has no title, text or link"  # with any of them it is an article (id from its hash)
    published = None
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = entry.get(key)
        if stamp:
            try:
                published = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
            except (ValueError, TypeError, OverflowError, OSError):
                continue
            break
    return FeedEntry(guid=guid, url=url, title=title, published=published, text=text)
