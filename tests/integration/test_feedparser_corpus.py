"""Every file of feedparser's own test suite (2,106 feeds, broken and hostile ones included) through
`localangle parse-feed` and through ingestion: fetched by the HTTP client from a local server, read as a
feed, each entry made an ArticleQueue message and an article. Nothing may raise; each entry is an article
or skipped with a reason; each file that is not a feed says why. The counts are printed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from localangle.adapters.feeds import parse_feed
from localangle.adapters.http import HttpClient
from localangle.local.servers import Site
from localangle.models.article import Article
from localangle.models.config import FeedConfig
from localangle.pipeline.fetch import entry_message
from localangle.pipeline.process import build_article
from tests.conftest import ROOT

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpora" / "feedparser-tests"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("LICENSE", "SOURCE.md"))
FEED = FeedConfig(id="corpus", outlet="Corpus", url="https://corpus.example/feed.xml")


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 2107  # 2,106 XML feeds and one JSON Feed


def _valid(article: Article) -> None:
    assert article.id and article.content_hash
    assert article.url is None or article.url.startswith(("http://", "https://"))
    assert article.published is None or article.published.utcoffset() == timedelta(0)  # aware UTC
    assert "<script" not in article.text.lower() and "<script" not in article.title.lower()
    assert article.title or article.text or article.url


def test_every_file_goes_through_ingestion(capsys: pytest.CaptureFixture[str]) -> None:
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    with Site() as site:
        host, port = site.httpd.server_address[:2]
        http = HttpClient(host_interval=0, allow=[(str(host), int(port))], read_timeout=5)
        for path in FILES:
            kind = "application/json" if path.suffix == ".json" else "application/xml"
            url = site.publish("/" + path.relative_to(CORPUS).as_posix(), path.read_bytes(), kind)
            response = http.get(url)
            assert response.status == 200, url
            parsed = parse_feed(response.body, response.url, response.content_type)
            if parsed.error:
                counts["not a feed"] += 1
                reasons[parsed.error.split(":")[0]] += 1
                continue
            counts["feeds"] += 1
            for reason in parsed.skipped:
                counts["entries skipped"] += 1
                reasons[reason] += 1
            for entry in parsed.entries:
                message = entry_message(FEED, entry)
                _valid(build_article(message, None))
                counts["articles"] += 1
    with capsys.disabled():
        print(
            f"\nfeedparser corpus, ingestion: {len(FILES)} files → {counts['feeds']} feeds "
            f"({counts['articles']} articles, {counts['entries skipped']} entries skipped), "
            f"{counts['not a feed']} not feeds; reasons: {dict(reasons)}"
        )
    assert counts["feeds"] + counts["not a feed"] == len(FILES)
    assert counts["articles"] > 500 and counts["not a feed"] < 20


def test_every_file_goes_through_the_parse_feed_command(capsys: pytest.CaptureFixture[str]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "localangle", "parse-feed", str(CORPUS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr == ""
    counts: Counter[str] = Counter()
    sources: set[str] = set()
    for line in run.stdout.splitlines():
        record = json.loads(line)
        sources.add(record["source"])
        if "error" in record:
            assert set(record) == {"source", "error"} and record["error"]
            counts["not a feed"] += 1
        elif "skipped" in record:
            assert set(record) == {"source", "skipped"} and record["skipped"]
            counts["entries skipped"] += 1
        else:
            assert set(record) == {"source", "id", "url", "title", "outlet", "published", "text"}
            assert record["published"] is None or record["published"].endswith("Z")
            counts["articles"] += 1
    with capsys.disabled():
        print(
            f"\nfeedparser corpus, parse-feed: {counts['articles']} articles, "
            f"{counts['entries skipped']} entries skipped, {counts['not a feed']} files not feeds, "
            f"from {len(sources)} files with output"
        )
    assert counts["articles"] > 500
