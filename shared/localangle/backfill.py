"""`localangle backfill`: read the archive again with today's rules, after an operation's definition changed.

Every archived article (articles/ in the archive bucket, a batch of articles to an object; an article
archived twice, as a redelivered batch may be, is read in its latest copy) is rebuilt from its archived raw
page where there is one (raw/), so today's extraction applies too, and read with today's operations. What it
says about the operation goes to the ledger queue like any new article: UpdateLedger records the figures, and
an alert is raised only under a key never raised before, so what was already sent is not sent again.
"""

from __future__ import annotations

import functools
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from tqdm import tqdm

from localangle.adapters.aws import client
from localangle.adapters.storage import RAW, Archive
from localangle.models.article import Article, FeedEntry
from localangle.models.messages import ArticleMessage
from localangle.pipeline import runtime
from localangle.pipeline.process import build_article, read_article, store
from localangle.settings import settings


class BackfillError(RuntimeError):
    pass


@dataclass
class Backfilled:
    articles: int = 0  # archived articles read again
    handed_over: int = 0  # of them, about the operation: sent to its ledger
    skipped: int = 0  # published (or, undated, archived) before --since


def stack_environment(stack: str) -> dict[str, str]:
    """The functions' environment for a deployed stack: each variable of the template's Globals that names a
    resource or parameter, resolved through the stack's resources and parameters."""
    from localangle.cli import project_root
    from localangle.local.cloud import load_template

    cloudformation = client("cloudformation")
    try:
        physical: dict[str, str] = {}
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
            physical.update(
                {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in page["StackResourceSummaries"]}
            )
        [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except Exception as exc:  # botocore's ClientError, or no credentials
        raise BackfillError(f"cannot read stack {stack!r}: {exc}") from exc
    physical.update({p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])})
    template = load_template(project_root() / "template.yaml")
    env = {}
    for name, value in template["Globals"]["Function"]["Environment"]["Variables"].items():
        if isinstance(value, dict) and "Ref" in value:
            if value["Ref"] not in physical:
                raise BackfillError(f"stack {stack!r} has no {value['Ref']} for {name}")
            env[name] = physical[value["Ref"]]
        else:
            env[name] = str(value)
    return env


def _message(
    article: Article, page_key: str | None, pages: Callable[[str], dict[str, str]]
) -> ArticleMessage:
    """The archived article as ProcessArticle received it: its latest archived page (read again with today's
    extraction), from a batch of pages or an object of its own, else the text it had."""
    batched = page_key is not None and page_key.endswith(".jsonl")
    return ArticleMessage(
        article_id=article.id,
        feed_id=article.feed_id or "archive",
        outlet=article.outlet or "",
        patch=article.patch,
        entry=FeedEntry(url=article.url, title=article.title, published=article.published, text=article.text),
        fingerprint=article.content_hash,  # not used past ProcessArticle, which this stands in for
        raw_key=None if batched else page_key,
        page=pages(page_key).get(article.id) if page_key is not None and batched else None,
    )


def backfill(operation: str, since: date | None = None, progress: TextIO | None = None) -> Backfilled:
    s = settings()
    try:
        runtime.config().operation(operation)
    except KeyError:
        raise BackfillError(f"no tracked operation {operation!r} in the deployed configuration") from None
    archive = Archive(s.archive_bucket)
    pages = functools.lru_cache(maxsize=16)(archive.pages)  # articles of one batch are read close together
    # pages archived one to an object, before archived articles named their page: listed only if needed
    own_pages = functools.cache(lambda: set(archive.list(RAW)))
    # undated: when it was archived
    stored = [(a.article.published or a.when, a) for a in archive.archived_articles()]
    # in order of publication, as they first arrived: first reports and later corrections judged as they were
    stored.sort(key=lambda pair: (pair[0], pair[1].article.id))
    run = uuid.uuid4().hex[:12]
    done = Backfilled()
    bar: Any = tqdm(stored, desc=f"backfill {operation}", unit="article", file=progress or sys.stderr)
    for when, archived in bar:
        if since and when.date() < since:
            done.skipped += 1
            continue
        done.articles += 1
        article, page_key = archived.article, archived.page_key
        if page_key is None and f"{RAW}{article.id}.html" in own_pages():
            page_key = f"{RAW}{article.id}.html"
        reread = build_article(_message(article, page_key, pages), archive)
        reading = read_article(reread, only=operation, run=f"backfill-{run}")
        store([reading])
        if reading.handovers:
            done.handed_over += 1
        bar.set_postfix(about_it=done.handed_over)
    return done


def run(operation: str, since: date | None, stack: str | None, out: TextIO) -> int:
    if stack:
        os.environ.update(stack_environment(stack))
        runtime.forget()
    done = backfill(operation, since)
    out.write(
        f"{done.articles} archived articles read again, {done.handed_over} about {operation} sent to its "
        f"ledger" + (f", {done.skipped} published before {since}" if done.skipped else "") + "; "
        "UpdateLedger records their figures and SendAlert sends only alerts never sent before\n"
    )
    return 0
