"""ProcessArticle: page text, normalised article, matching and figures, archive, hand-over to the ledger."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from localangle.adapters.extract import PageText, extract_page
from localangle.adapters.queues import send_many
from localangle.adapters.storage import Archive, Articles
from localangle.articles import content_hash
from localangle.core.similarity import sketch
from localangle.core.text import clean_text, cut_title
from localangle.models.alert import Source
from localangle.models.article import Article
from localangle.models.figure import Analysis
from localangle.models.messages import ArticleMessage, LedgerMessage
from localangle.observability import log_keys, logger, metrics
from localangle.pipeline import runtime
from localangle.settings import settings


def build_article(message: ArticleMessage, archive: Archive | None) -> Article:
    """The article's clean text: the page's main text when it was archived (read from the message when it
    came along), else the feed's own text."""
    page = None
    body = message.page_bytes()
    if body is None and message.raw_key and archive is not None:
        body = archive.get(message.raw_key)
    if body is not None:
        page = extract_page(body, message.entry.url)
    return compose_article(message, page)


def compose_article(message: ArticleMessage, page: PageText | None) -> Article:
    """The normalised article from the feed entry and the page's main text (None: the feed's text alone)."""
    entry = message.entry
    title, text = entry.title, entry.text
    if page is not None and len(page.text) >= len(text) // 2:
        title, text = entry.title or cut_title(page.title), page.text
    text = _without_headline(clean_text(text), title)
    return Article(
        id=message.article_id,
        url=entry.url,
        title=title,
        outlet=message.outlet,
        published=entry.published,
        text=text,
        content_hash=content_hash(title, text),
        feed_id=message.feed_id,
        patch=message.patch,
    )


def _without_headline(text: str, title: str) -> str:
    """The body without the page's own headline, which extractors keep as the first line: the title is
    read as the headline, and read twice it would count as a sentence of the body."""
    first, _, rest = text.partition("\n\n")
    if title and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


@dataclass
class Reading:
    """One article read: what goes to the ledger of each operation it is about (message, group and
    deduplication id), whether the article is archived with it, and the page to archive."""

    article: Article
    analysis: Analysis
    handovers: list[tuple[LedgerMessage, str, str]] = field(default_factory=list)
    archived: bool = True
    page: str | None = None  # the page as it travelled in the message, archived with the batch's pages
    raw_key: str | None = None  # or where FetchFeed archived it, too big to travel
    fingerprint: str | None = None  # of the feed entry it was read from (FetchFeed's check for a repeat)


@log_keys(lambda m: {"article_id": m.article_id, "feed_id": m.feed_id})
def read_message(message: ArticleMessage) -> Reading | None:
    """The article of an ArticleQueue message, read; None when it is unchanged since it was last read."""
    s = settings()
    article = build_article(message, Archive(s.archive_bucket))
    # an entry never handed on before has no stored article to compare with. A repeat of this message, or
    # the same link in two feeds polled at once, is then processed again in full: harmless, as every later
    # step is keyed by article (the ledger replaces the article's own claims, alerts are raised once)
    if message.handed_before:
        articles = Articles(s.articles_table)
        stored, fingerprint = articles.stored(article.id)
        if stored == article.content_hash:
            if fingerprint != message.fingerprint:
                articles.note_fingerprint(article.id, article.content_hash, message.fingerprint)
            logger.info("article unchanged", extra={"article_id": article.id})
            return None
    reading = read_article(article, catch_up=message.catch_up)
    reading.page, reading.raw_key = message.page, message.raw_key
    reading.fingerprint = message.fingerprint
    return reading


def read_article(
    article: Article, *, catch_up: bool = False, only: str | None = None, run: str = ""
) -> Reading:
    """Read the article with the current rules, for the ledger of each operation it is about (only `only`,
    when given: a re-reading for one operation leaves the archived article as it was). `run` sets a
    re-reading apart from the first reading, which the ledger queue would otherwise take for a duplicate."""
    analysis = runtime.reader().analyse(article)
    origin = Source(
        article_id=article.id,
        outlet=article.outlet,
        url=article.url,
        title=article.title,
        published=article.published,
    )
    reading = Reading(article, analysis, archived=only is None)
    sig = sketch(article.text) if analysis.matches else []
    for match in analysis.matches:
        if only is not None and match.operation != only:
            continue
        figures = [f for f in analysis.figures if f.operation == match.operation]
        basis = f"{article.id}:{article.content_hash}:{match.operation}" + (f":{run}" if run else "")
        message = LedgerMessage(
            operation=match.operation,
            origin=origin,
            match=match,
            regions=analysis.regions,
            figures=figures,
            evidence=analysis.evidence,
            catch_up=catch_up or _before_tracking(article, match.operation),
            sketch=sig,
        )
        reading.handovers.append((message, match.operation, hashlib.sha256(basis.encode()).hexdigest()))
    logger.info(
        "article read",
        extra={
            "article_id": article.id,
            "feed_id": article.feed_id,
            "matches": [m.operation for m in analysis.matches],
            "figures": len(analysis.figures),
        },
    )
    metrics.add_metric(name="ArticlesProcessed", unit="Count", value=1)
    metrics.add_metric(name="FiguresRead", unit="Count", value=len(analysis.figures))
    return reading


def store(readings: list[Reading]) -> None:
    """A batch's readings: the hand-overs to the ledger, ten to a request; then the pages that came with
    the messages archived as one object, the articles as another, and their rows, twenty-five to a request
    (last: a crash before them reads the articles again, which is harmless, as every later step is keyed by
    article)."""
    s = settings()
    handovers = [handover for reading in readings for handover in reading.handovers]
    if handovers:
        send_many(
            s.ledger_queue_url,
            [message for message, _, _ in handovers],
            fifo_ids=[(group, dedup) for _, group, dedup in handovers],
        )
    archive = Archive(s.archive_bucket)
    pages = [(r.article.id, r.article.url, r.page) for r in readings if r.page is not None]
    pages_key = archive.put_pages(pages) if pages else None
    kept = [r for r in readings if r.archived]
    if kept:
        key = archive.put_articles(
            [(r.article, r.analysis, pages_key if r.page is not None else r.raw_key) for r in kept]
        )
        Articles(s.articles_table).put_many([(r.article, r.analysis, r.fingerprint) for r in kept], key)
        logger.info(
            "articles archived", extra={"article_ids": [r.article.id for r in kept], "archive_key": key}
        )


def _before_tracking(article: Article, operation_id: str) -> bool:
    """Published before newsrooms began tracking the operation: backlog from the archive, not news."""
    since = runtime.config().operation(operation_id).tracked_since
    return since is not None and article.published is not None and article.published < since
