"""A whole offline newsroom world: moto, outlets' feeds and pages on 127.0.0.1, a Slack receiver, the flow.

Configuration is uploaded to the archive bucket exactly as an operator would deploy it, and the real handlers
read it from there. Articles are published into their outlet's feed one tick at a time, and each tick runs
the scheduled flow to the end, so arrival order is the order of publication.
"""

from __future__ import annotations

import html
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from localangle.adapters import aws
from localangle.config import dump_models
from localangle.models.article import Article
from localangle.models.config import FeedConfig, Newsroom

REGION = "eu-west-2"
SENDER = "alerts@localangle.example"
LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "localangle",
}


@dataclass
class Published:
    """What an editor would see for an article: its public URL, outlet and where it came from on disk."""

    url: str | None
    outlet: str | None
    source: str | None


@dataclass
class _Outlet:
    feed: FeedConfig
    items: list[tuple[Article, str]] = field(default_factory=list)  # (article, local page URL)


# When the local world first polls its feeds (before any story of the seeds or tests is published).
PRIMED_AT = datetime(1990, 1, 1, tzinfo=UTC)


def _mirror_path(url: str) -> str:
    parts = urlsplit(url)
    return f"/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def page_html(article: Article) -> bytes:
    """An outlet's article page: navigation, the story, a footer; the extractor must find the story."""
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article.text.split("\n\n"))
    published = article.published.isoformat() if article.published else ""
    title, outlet = html.escape(article.title), html.escape(article.outlet or "The outlet")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<meta property="article:published_time" content="{published}"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{title}</h1>
{paragraphs}
</article></main>
<aside><h2>Most read</h2><ul><li><a href="/other">Another story</a></li></ul></aside>
<footer><p>© {outlet}. All rights reserved.</p></footer></body></html>""".encode()


def rss(title: str, link: str, entries: list[tuple[Article, str]]) -> bytes:
    """An RSS 2.0 feed of (article, page URL) entries in the order given, each with its lede as the
    description, as an outlet's feed lists its stories."""
    items = []
    for article, page_url in entries:
        pub = f"<pubDate>{format_datetime(article.published)}</pubDate>" if article.published else ""
        lede = article.text.split("\n\n", 1)[0]
        items.append(
            f"<item><title>{escape(article.title)}</title><link>{escape(page_url)}</link>"
            f'<guid isPermaLink="false">{escape(article.id)}</guid>{pub}'
            f"<description>{escape(lede)}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>News</description>{''.join(items)}</channel></rss>"
    ).encode()


def feed_xml(outlet: _Outlet) -> bytes:
    return rss(outlet.feed.outlet, str(outlet.feed.url), outlet.items)


class World:
    def __init__(
        self,
        root: Path,
        operations: list[tuple[str, str]],
        newsrooms: list[Newsroom],
        log_file: Path | None = None,
        sender: str = SENDER,
        metrics: bool = False,
    ) -> None:
        self.root = root
        self.sender = sender  # SES sender of emails; empty: emails go through the SNS email topic
        self.metrics = metrics  # Powertools' EMF metrics printed where the functions print (the log file)
        self.operations = operations  # (file name, YAML text)
        self.newsrooms = newsrooms
        self.log_file = log_file
        self.outlets: dict[str, _Outlet] = {}
        self.published: dict[str, Published] = {}  # local page URL → what an editor would see
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> World:
        from moto import mock_aws

        from localangle.local import atomic, quick_sqs
        from localangle.local.servers import Site, SlackReceiver

        atomic.install()
        quick_sqs.install()

        env = dict(LOCAL_ENV)
        if self.metrics:
            env["POWERTOOLS_METRICS_DISABLED"] = "false"
        if self.log_file:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._set_env(env)
        self.mock = mock_aws()
        self.mock.start()
        aws.reset()
        from localangle.local.cloud import build

        self.cloud = build(self.root / "template.yaml", {"SenderEmail": self.sender})
        self._set_env(self.cloud.env)
        from localangle.pipeline import runtime

        runtime.forget()
        self.site = Site().__enter__()
        self.slack = SlackReceiver().__enter__()
        # The address guard refuses loopback; the local outlets' server, and only it, is let through.
        host, port = self.site.httpd.server_address[:2]
        self._set_env(
            {
                "LOCALANGLE_HTTP_ALLOW": f"{host}:{port}",
                "LOCALANGLE_HTTP_HOST_INTERVAL": "0",
                "LOCALANGLE_ALERT_DELAY_SECONDS": "0",  # the driver drains every upstream queue first anyway
            }
        )
        runtime.forget()
        if self.sender:
            aws.client("ses").verify_email_identity(EmailAddress=self.sender)
        for room in self.newsrooms:
            channels = [(room.slack, room.id), (room.ops.slack if room.ops else None, f"{room.id}-ops")]
            for channel, hook in channels:
                if channel:
                    aws.client("ssm").put_parameter(
                        Name=channel.webhook_parameter,
                        Type="SecureString",
                        Value=f"{self.slack.url}/hooks/{hook}",
                        Overwrite=True,
                    )
        from localangle.local.driver import Flow

        self.flow = Flow(self.cloud, self.root)
        if self.log_file:
            self._log = self.log_file.open("a", encoding="utf-8")
            self.flow.stdout = self._log
            self._log_to_file()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.site.__exit__()
        self.slack.__exit__()
        if self.log_file:
            self._restore_log_handlers()
            self._log.close()
        self.mock.stop()
        aws.reset()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _log_to_file(self) -> None:
        """The service's log lines go to the world's log file, not the terminal, while the world runs (the
        logger may have been made before the world, so its environment alone cannot say so)."""
        from localangle.observability import logger

        std = logging.getLogger(logger.name)
        self._terminal = [
            h
            for h in std.handlers
            if type(h) is logging.StreamHandler and h.stream in (sys.stdout, sys.stderr)
        ]
        for handler in self._terminal:
            std.removeHandler(handler)
        self._file_handler = logging.StreamHandler(self._log)
        self._file_handler.setFormatter(logger.registered_formatter)
        std.addHandler(self._file_handler)

    def _restore_log_handlers(self) -> None:
        """Give the logger back the handlers it had before the world."""
        from localangle.observability import logger

        std = logging.getLogger(logger.name)
        std.removeHandler(self._file_handler)
        for handler in self._terminal:
            std.addHandler(handler)

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def add_outlet(self, feed: FeedConfig) -> None:
        """An outlet with its (empty) feed already online, as a real outlet's is before its first story."""
        outlet = self.outlets[feed.id] = _Outlet(feed)
        self.site.publish(_mirror_path(str(feed.url)), feed_xml(outlet), "application/rss+xml; charset=utf-8")

    def upload_config(self, prime: bool = True) -> None:
        """Upload operations, feeds (served locally) and newsrooms to where the functions read them."""
        bucket = self.cloud.env["ARCHIVE_BUCKET"]
        prefix = self.cloud.env["CONFIG_PREFIX"]
        s3 = aws.client("s3")
        for name, text in self.operations:
            s3.put_object(Bucket=bucket, Key=f"{prefix}operations/{Path(name).name}", Body=text.encode())
        feeds = [
            FeedConfig.model_validate(
                {**o.feed.model_dump(), "url": self.site.url + _mirror_path(str(o.feed.url))}
            )
            for o in self.outlets.values()
        ]
        s3.put_object(Bucket=bucket, Key=f"{prefix}feeds.yaml", Body=dump_models(feeds, "feeds").encode())
        s3.put_object(
            Bucket=bucket,
            Key=f"{prefix}newsrooms.yaml",
            Body=dump_models(self.newsrooms, "newsrooms").encode(),
        )
        from localangle.pipeline import runtime

        runtime.forget()
        if prime:
            # localangle is switched on before the news breaks: the first poll of each feed finds what is
            # already there (the backlog, summarised); stories published after it are news, alerted as usual
            self.tick(PRIMED_AT)

    def publish(
        self, feed_id: str, article: Article, public_url: str | None, slug: str, page: bytes | None = None
    ) -> str:
        """Put the article's page (`page`, else a plain one made from the article) on the outlet's site and
        its entry at the top of the outlet's feed."""
        outlet = self.outlets[feed_id]
        base = str(outlet.feed.url)
        parts = urlsplit(base)
        path = f"/{parts.hostname}/news/{slug}/"
        modified = article.published.timestamp() if article.published else 0.0
        page_url = self.site.publish(path, page or page_html(article), "text/html; charset=utf-8", modified)
        outlet.items.insert(0, (article, page_url))
        self.published[page_url] = Published(public_url, article.outlet, article.source)
        self.site.publish(
            _mirror_path(base), feed_xml(outlet), "application/rss+xml; charset=utf-8", modified
        )
        return page_url

    def tick(self, when: datetime) -> None:
        """One scheduled run: feeds polled and every queue drained, then the roundup (reports, digests)."""
        from localangle.pipeline import runtime

        # Story time jumps between ticks; what the HTTP client remembers of hosts' Retry-After is in real
        # time, so each tick starts with a fresh client, as a later Lambda invocation may.
        runtime.forget_http()
        self.flow.schedule(when.astimezone(UTC))
        self.flow.drain()
        self.flow.roundup(when.astimezone(UTC))

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts delivered so far, once each, in the order they were sent."""
        seen: set[str] = set()
        out = []
        for body in self.flow.delivered:
            if not body.get("alert"):
                continue  # a notice about a feed, not an alert
            key = body["alert"]["key"]
            if key not in seen:
                seen.add(key)
                out.append(body["alert"])
        return out

    def feed_path(self, feed_id: str) -> str:
        """The path the local server serves the outlet's feed under."""
        return _mirror_path(str(self.outlets[feed_id].feed.url))

    def notices(self) -> list[dict[str, Any]]:
        """Notices about feeds (failing, recovered) handled so far, in order."""
        return [body["notice"] for body in self.flow.delivered if body.get("notice")]

    def public(self, url: str | None) -> Published:
        return self.published.get(url or "", Published(url, None, None))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "story"
