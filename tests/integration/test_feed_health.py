"""Feeds that answer 304, 429, 5xx or an HTML page; entries whose GUIDs or links change, or whose text is
edited. Through the real handlers, moto, and the local outlets' server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from boto3.dynamodb.types import TypeDeserializer

from localangle.adapters import aws, feeds
from localangle.adapters.storage import Archive, Articles
from localangle.core.text import TITLE_MAX_CHARS
from localangle.local.world import World
from localangle.meter import AwsMeter
from localangle.models.article import Article
from localangle.models.config import FeedConfig, Newsroom, OpsChannel, SlackChannel
from localangle.models.figure import Analysis
from localangle.models.messages import ArticleMessage
from localangle.pipeline import fetch
from tests.conftest import ROOT, operation_texts

T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)
ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Site maintenance</title></head>"
    b"<body><h1>We'll be back soon</h1><p>Arrests: 999. Forces: 45.</p></body></html>"
)
CHESHIRE_DESK = Newsroom(
    id="cheshire-desk",
    name="Cheshire desk",
    patch=["cheshire"],
    slack=SlackChannel(webhook_parameter="/localangle/slack/cheshire-desk"),
    ops=OpsChannel(slack=SlackChannel(webhook_parameter="/localangle/slack/cheshire-desk-ops")),
)
DEVON_DESK = Newsroom(
    id="devon-desk",
    name="Devon desk",
    patch=["devon-and-cornwall"],
    slack=SlackChannel(webhook_parameter="/localangle/slack/devon-desk"),
)
FEED = FeedConfig(
    id="courier", outlet="Cheshire Courier", url="https://courier.example/rss", patch=["cheshire"]
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with World(ROOT, operation_texts(), [CHESHIRE_DESK, DEVON_DESK], tmp_path / "flow.log") as w:
        w.add_outlet(FEED)
        w.upload_config()
        yield w


def _state(world: World) -> dict[str, Any]:
    item = aws.client("dynamodb").get_item(
        TableName=world.cloud.env["FEEDS_TABLE"], Key={"feed_id": {"S": FEED.id}}
    )["Item"]
    return {k: TypeDeserializer().deserialize(v) for k, v in item.items()}


def _polls(world: World) -> int:
    return world.site.requests.count(world.feed_path(FEED.id))


def _hooks(world: World) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, payload in world.slack.messages:
        out.setdefault(path.rsplit("/", 1)[-1], []).append(payload["blocks"][0]["text"]["text"])
    return out


def test_a_304_costs_no_parsing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = fetch.parse_feed
    monkeypatch.setattr(fetch, "parse_feed", lambda body, *a, **k: parsed.append("x") or real(body, *a, **k))
    primed = _state(world)
    world.tick(T0)
    assert parsed == []  # the priming poll already has the feed's ETag: the server answers 304
    # nothing changed, and the feed is due at every run anyway (its interval is the schedule's): no write
    assert _polls(world) == 2 and _state(world) == primed
    world.site.publish(
        world.feed_path(FEED.id), b"<rss version='2.0'><channel/></rss>", "application/rss+xml"
    )
    world.tick(T0 + timedelta(minutes=15))
    assert parsed == ["x"]  # a changed feed is parsed
    assert _state(world)["etag"] != primed["etag"]  # and its new validators written down


def test_a_feed_polled_less_often_than_the_schedule_runs_is_written_down_even_on_a_304(
    tmp_path: Path,
) -> None:
    hourly = FEED.model_copy(update={"poll_minutes": 60})
    with World(ROOT, operation_texts(), [CHESHIRE_DESK], tmp_path / "flow.log") as world:
        world.add_outlet(hourly)
        world.upload_config()
        world.tick(T0)
        assert _polls(world) == 2 and _state(world)["last_polled"] == T0.isoformat()
        world.tick(T0 + timedelta(minutes=15))
        world.tick(T0 + timedelta(minutes=30))
        assert _polls(world) == 2  # not due again before the hour is up
        world.tick(T0 + timedelta(minutes=60))
        assert _polls(world) == 3


def test_an_html_page_in_place_of_the_feed_is_reported_not_read(world: World) -> None:
    world.site.answer_next(world.feed_path(FEED.id), 200, ERROR_PAGE, "text/html; charset=utf-8")
    world.tick(T0)
    state = _state(world)
    assert state["last_error"] == "an HTML page, not a feed (titled “Site maintenance”)"
    assert state["failures"] == 1
    assert world.flow.invocations.get("process_article", 0) == 0


def test_429_with_retry_after_is_honoured_by_the_schedule(world: World) -> None:
    world.site.answer_next(world.feed_path(FEED.id), 429, b"slow down", headers={"Retry-After": "3600"})
    world.tick(T0)
    assert _state(world)["retry_at"] == (T0 + timedelta(hours=1)).isoformat()
    polls = _polls(world)
    world.tick(T0 + timedelta(minutes=15))
    world.tick(T0 + timedelta(minutes=45))
    assert _polls(world) == polls  # due every 15 minutes, but the server asked for an hour
    world.tick(T0 + timedelta(minutes=60))
    assert _polls(world) == polls + 1
    assert _state(world)["failures"] == 0 and "retry_at" not in _state(world)


def test_failures_back_off_and_tell_the_ops_channel_once_then_once_on_recovery(world: World) -> None:
    world.site.answer_next(world.feed_path(FEED.id), 503, ERROR_PAGE, "text/html", times=4)
    times = [T0 + timedelta(hours=2 * n) for n in range(6)]
    for when in times[:3]:
        world.tick(when)
    state = _state(world)
    assert state["failures"] == 3 and state["failing_since"] == T0.isoformat()
    assert state["last_error"] == "HTTP 503 (titled “Site maintenance”)"
    assert state["retry_at"] == (times[2] + timedelta(minutes=60)).isoformat()  # 15 min doubled twice
    assert _hooks(world) == {"cheshire-desk-ops": ["Feed failing: Cheshire Courier"]}
    world.tick(times[3])  # a fourth failure: no second notice
    assert _hooks(world) == {"cheshire-desk-ops": ["Feed failing: Cheshire Courier"]}
    world.tick(times[4])  # back
    world.tick(times[5])
    assert _hooks(world) == {
        "cheshire-desk-ops": ["Feed failing: Cheshire Courier", "Feed recovered: Cheshire Courier"]
    }  # the Devon desk does not read this feed; the Cheshire desk's alert channel is not for this
    state = _state(world)
    assert state["failures"] == 0 and state["last_success"] == times[5].isoformat()
    assert not {"retry_at", "failing_since", "noticed"} & set(state)  # the outage is over
    assert state["last_error"] == "HTTP 503 (titled “Site maintenance”)"  # and what it was is kept
    assert state["last_error_at"] == times[3].isoformat()
    assert not any(world.flow.dead_letters().values())


def _feed(items: list[tuple[str, str, str, str]]) -> bytes:
    """RSS with (guid, link, title, description) items."""
    body = "".join(
        f"<item><guid isPermaLink='false'>{escape(g)}</guid><link>{escape(link)}</link>"
        f"<title>{escape(t)}</title><description>{escape(d)}</description></item>"
        for g, link, t, d in items
    )
    return f"<rss version='2.0'><channel><title>Courier</title>{body}</channel></rss>".encode()


def test_changed_guids_and_tracking_parameters_are_not_new_articles_an_edit_is_read_once(
    world: World,
) -> None:
    site = world.site
    page = "<html><body><article><h1>{t}</h1><p>{d}</p></article></body></html>"
    stories = [
        ("Arrests in Cheshire", "Cheshire Constabulary arrested 21 people in the NCA operation."),
        ("Court round-up", "Magistrates heard eleven cases on Tuesday."),
    ]
    links = []
    for n, (title, text) in enumerate(stories):
        links.append(
            site.publish(f"/courier.example/news/{n}/", page.format(t=title, d=text).encode(), "text/html")
        )
    feed_path = world.feed_path(FEED.id)
    site.publish(
        feed_path, _feed([(f"guid-{n}", links[n], *stories[n]) for n in range(2)]), "application/rss+xml"
    )
    world.tick(T0)
    assert world.flow.invocations.get("process_article") == 1  # one batch of the two new entries
    handed_on = _article_messages(world)
    assert handed_on == 2

    # The CMS renumbers its GUIDs and the feed starts adding tracking parameters and a fragment
    moved = [
        (f"urn:cms:{n}:v2", links[n] + "?utm_source=rss&utm_medium=feed#top", *stories[n]) for n in range(2)
    ]
    site.publish(feed_path, _feed(moved), "application/rss+xml")
    world.tick(T0 + timedelta(minutes=15))
    assert _article_messages(world) == handed_on  # no new articles

    # The first story is edited: its text in the feed and on the page
    edited = ("Arrests in Cheshire", "Cheshire Constabulary arrested 22 people in the NCA operation.")
    site.publish(links[0].removeprefix(site.url), page.format(t=edited[0], d=edited[1]).encode(), "text/html")
    site.publish(feed_path, _feed([(moved[0][0], moved[0][1], *edited), moved[1]]), "application/rss+xml")
    world.tick(T0 + timedelta(minutes=30))
    world.tick(T0 + timedelta(minutes=45))
    world.tick(T0 + timedelta(minutes=60))
    assert _article_messages(world) == handed_on + 1  # read again exactly once
    stored = aws.client("dynamodb").scan(TableName=world.cloud.env["ARTICLES_TABLE"])["Items"]
    assert len(stored) == 2


def test_a_new_entry_is_stored_without_reading_the_store_or_its_page_an_edited_one_is_compared(
    world: World,
) -> None:
    site = world.site
    page = "<html><body><article><h1>Arrests</h1><p>{d}</p></article></body></html>"
    text = "Cheshire Constabulary arrested 21 people in the NCA operation."
    link = site.publish("/courier.example/news/a/", page.format(d=text).encode(), "text/html")
    feed_path = world.feed_path(FEED.id)
    site.publish(feed_path, _feed([("g1", link, "Arrests in Cheshire", "21 arrests")]), "application/rss+xml")
    with AwsMeter(world.flow) as meter:
        world.tick(T0)
    # Then the new article is stored without asking whether it was stored before, and its page, archived
    # by FetchFeed and carried in the message, is not read back from the archive
    assert meter.calls["process_article"]["dynamodb.BatchWriteItem"] == 1
    assert meter.calls["process_article"]["dynamodb.GetItem"] == 0
    assert "s3.PutObject" not in meter.calls["fetch_feed"]  # archived by ProcessArticle, from the message
    assert meter.calls["process_article"]["s3.PutObject"] == 2  # the batch's pages, and its articles
    assert "s3.GetObject" not in meter.calls["process_article"]
    # When only the feed's summary changes (the page, so the article's text, stays as it was)
    site.publish(feed_path, _feed([("g1", link, "Arrests in Cheshire", "21 held")]), "application/rss+xml")
    with AwsMeter(world.flow) as meter:
        world.tick(T0 + timedelta(minutes=15))
    # Then the entry is handed on again, found unchanged against the stored article, and goes no further
    assert _article_messages(world) == 2
    assert meter.calls["process_article"]["dynamodb.GetItem"] == 1
    assert "dynamodb.BatchWriteItem" not in meter.calls["process_article"]
    assert "s3.PutObject" not in meter.calls["process_article"]
    # but its row takes the entry's new fingerprint: a poll that no longer remembers the feed's entries (its
    # state lost) finds this one handed on already, and hands nothing on
    assert meter.calls["process_article"]["dynamodb.UpdateItem"] == 1
    dynamodb = aws.client("dynamodb")
    dynamodb.delete_item(TableName=world.cloud.env["FEEDS_TABLE"], Key={"feed_id": {"S": FEED.id}})
    world.tick(T0 + timedelta(minutes=30))
    assert _article_messages(world) == 2


def test_a_batch_of_articles_is_archived_as_one_object_and_handed_to_the_ledger_in_one_request(
    world: World,
) -> None:
    site = world.site
    operation = (
        "the National Crime Agency operation against online child sexual abuse, which led to 660 arrests"
    )
    stories = [
        ("Cheshire arrests", f"Cheshire Constabulary has arrested 21 people as part of {operation}."),
        ("Warrington arrests", f"Nine people were arrested in Warrington as part of {operation}."),
        ("Court round-up", "Magistrates heard eleven cases on Tuesday."),
    ]
    items = []
    for n, (title, text) in enumerate(stories):
        link = site.publish(f"/courier.example/news/{n}/", _page(text), "text/html")
        items.append((f"g{n}", link, title, text))
    site.publish(world.feed_path(FEED.id), _feed(items), "application/rss+xml")
    with AwsMeter(world.flow) as meter:
        world.tick(T0)
    # Then one ProcessArticle batch wrote one archive object of pages and one of articles, one request of
    # rows and one of hand-overs
    calls = meter.calls["process_article"]
    assert world.flow.invocations["process_article"] == 1
    writes = (calls["s3.PutObject"], calls["dynamodb.BatchWriteItem"], calls["sqs.SendMessageBatch"])
    assert writes == (2, 1, 1)
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    [key] = archive.list("articles/")
    assert key.endswith(".jsonl.gz")
    [pages] = archive.list("raw/")
    carried = {a: zlib.decompress(base64.b64decode(p)) for a, p in archive.pages(pages).items()}
    assert sorted(carried.values()) == sorted(_page(text) for _, text in stories)
    # and each archived article names the object its page is in
    assert {doc["article"]["id"]: doc["page_key"] for doc in archive.articles(key)} == dict.fromkeys(
        carried, pages
    )
    assert sorted(doc["article"]["title"] for doc in archive.articles(key)) == sorted(t for t, _ in stories)
    rows = aws.client("dynamodb").scan(TableName=world.cloud.env["ARTICLES_TABLE"])["Items"]
    assert len(rows) == 3 and {row["archive_key"]["S"] for row in rows} == {key}
    # and both articles about the operation reached its ledger
    assert world.flow.consumed["LedgerQueue"] == 2
    # FetchFeed wrote the feed's new state and nothing else: the articles' rows say what was handed on, with
    # each entry's fingerprint
    fetched = meter.calls["fetch_feed"]
    assert fetched["dynamodb.PutItem"] == 1
    assert not {"dynamodb.UpdateItem", "dynamodb.BatchWriteItem"} & set(fetched)
    assert all(row["fingerprint"]["S"] for row in rows)
    state = _state(world)
    assert state["last_success"] == T0.isoformat() and state["failures"] == 0 and state["etag"]


def test_a_page_too_big_to_travel_is_archived_by_fetchfeed_and_read_back(world: World) -> None:
    import random

    rng = random.Random(7)
    noise = " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(60_000))
    text = "Cheshire Constabulary has arrested 21 people from across the county in the operation."
    page = f"<html><body><article><h1>Arrests</h1><p>{text}</p><p>{noise}</p></article></body></html>"
    link = world.site.publish("/courier.example/news/big/", page.encode(), "text/html")
    world.site.publish(
        world.feed_path(FEED.id), _feed([("g1", link, "Arrests", "Cheshire arrests")]), "application/rss+xml"
    )
    with AwsMeter(world.flow) as meter:
        world.tick(T0)
    # Then FetchFeed archived the page under its own key, and ProcessArticle read it from there
    assert meter.calls["fetch_feed"]["s3.PutObject"] == 1
    assert meter.calls["process_article"]["s3.GetObject"] == 1
    assert meter.calls["process_article"]["s3.PutObject"] == 1  # the article; no batch of pages
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    [stored] = archive.archived_articles()
    assert (
        stored.page_key == f"raw/{stored.article.id}.html" and archive.get(stored.page_key) == page.encode()
    )
    assert text in stored.article.text


def test_the_latest_copy_of_an_article_archived_twice_is_the_one_read_back(world: World) -> None:
    from localangle.models.article import Article
    from localangle.models.figure import Analysis

    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    first = Article(id="a1", title="Arrests", text="21 arrested.", content_hash="h1")
    second = first.model_copy(update={"text": "21 arrested in Cheshire.", "content_hash": "h2"})
    other = Article(id="a2", title="Court", text="Eleven cases.", content_hash="h3")
    old_pages = archive.put_pages([("a1", None, "first"), ("a2", None, "court")])
    archive.put_articles([(first, Analysis(), old_pages), (other, Analysis(), old_pages)])
    # the same article, edited, in a later batch, its page too big to travel: archived on its own
    archive.put_articles([(second, Analysis(), "raw/a1.html")])
    # and an article as archives kept them before batches: one object, no time or page key of its own
    old = Article(id="a0", title="Old", text="Before batches.", content_hash="h0")
    archive.put("articles/a0.json", json.dumps({"article": old.model_dump(mode="json")}).encode(), "")
    read = {a.article.id: (a.article.text, a.page_key) for a in archive.archived_articles()}
    assert read == {
        "a0": ("Before batches.", None),
        "a1": ("21 arrested in Cheshire.", "raw/a1.html"),
        "a2": ("Eleven cases.", old_pages),
    }
    assert archive.pages(old_pages) == {"a1": "first", "a2": "court"}


def _article_messages(world: World) -> int:
    """Entries FetchFeed handed on to ProcessArticle so far."""
    return world.flow.consumed.get("ArticleQueue", 0)


def test_a_feed_message_delivered_twice_counts_one_failure(world: World) -> None:
    world.site.answer_next(world.feed_path(FEED.id), 503, ERROR_PAGE, "text/html", times=2)
    world.flow.deliver = lambda batch: batch + batch  # SQS hands the same poll over twice
    world.tick(T0)
    assert _state(world)["failures"] == 1
    assert _state(world)["retry_at"] == (T0 + timedelta(minutes=15)).isoformat()


def test_an_entry_whose_page_is_not_there_yet_is_read_on_a_later_poll_even_behind_304s(world: World) -> None:
    site = world.site
    page = _page("Cheshire Constabulary arrested 21 people.")
    link = site.publish("/courier.example/news/late/", page, "text/html")
    site.publish(
        world.feed_path(FEED.id), _feed([("g1", link, "Arrests", "Cheshire arrests")]), "application/rss+xml"
    )
    site.answer_next("/courier.example/news/late/", 503, b"busy")  # the page fails once, then is there
    world.tick(T0)
    assert _article_messages(world) == 0  # kept back, not handed on with the feed's text alone
    world.tick(T0 + timedelta(minutes=15))  # the feed is unchanged; a 304 would hide the entry
    assert _article_messages(world) == 1
    stored = aws.client("dynamodb").scan(TableName=world.cloud.env["ARTICLES_TABLE"])["Items"]
    assert [i["content_hash"]["S"] for i in stored] and "21 people" in _archived_text(world)


def _page(text: str) -> bytes:
    return f"<html><body><article><h1>Arrests</h1><p>{text}</p></article></body></html>".encode()


def _archived_text(world: World) -> str:
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    docs = [doc for key in archive.list("articles/") for doc in archive.articles(key)]
    return "".join(doc["article"]["text"] for doc in docs)


def test_a_backlog_entry_kept_back_on_the_first_poll_stays_backlog(tmp_path: Path) -> None:
    with World(ROOT, operation_texts(), [CHESHIRE_DESK], tmp_path / "flow.log") as w:
        w.add_outlet(FEED)
        page = _page(
            "Cheshire Constabulary arrested 21 people in the NCA operation against online abuse images."
        )
        link = w.site.publish("/courier.example/news/old/", page, "text/html")
        w.site.publish(
            w.feed_path(FEED.id), _feed([("g1", link, "Arrests", "Cheshire arrests")]), "application/rss+xml"
        )
        w.site.answer_next("/courier.example/news/old/", 503, b"busy")
        handed: list[dict[str, Any]] = []

        def record(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
            handed.extend(json.loads(m["Body"]) for m in batch if '"entry"' in m["Body"])
            return batch

        w.flow.deliver = record
        w.upload_config()  # the first poll: the entry is backlog, and its page is not there yet
        w.tick(T0)
        assert [m["catch_up"] for m in handed] == [True]


def test_one_link_under_two_guids_in_one_feed_is_one_article(world: World) -> None:
    link = world.site.publish(
        "/courier.example/news/twice/", _page("Police arrested nine people."), "text/html"
    )
    items = [
        ("guid-a", link, "Arrests", "Nine held"),
        ("guid-b", link + "?utm_source=rss", "Arrests", "Nine held"),
    ]
    world.site.publish(world.feed_path(FEED.id), _feed(items), "application/rss+xml")
    world.tick(T0)
    assert _article_messages(world) == 1


def test_one_link_under_two_guids_whose_page_is_not_there_yet_is_read_on_a_later_poll(world: World) -> None:
    link = world.site.publish(
        "/courier.example/news/twice/", _page("Police arrested nine people."), "text/html"
    )
    items = [("guid-a", link, "Arrests", "Nine held"), ("guid-b", link, "Arrests", "Nine held")]
    world.site.publish(world.feed_path(FEED.id), _feed(items), "application/rss+xml")
    world.site.answer_next("/courier.example/news/twice/", 503, b"busy")
    world.tick(T0)
    # the first copy is kept back for its page; the second, the same entry, is not listed as handed on
    assert _article_messages(world) == 0 and _state(world)["recent"] == ""
    world.tick(T0 + timedelta(minutes=15))
    assert _article_messages(world) == 1


def test_one_article_twice_in_a_batch_is_one_row_the_last_read(world: World) -> None:
    # the same link in two feeds, both messages in one ProcessArticle batch: BatchWriteItem refuses a request
    # that names one key twice, and the batch would fail at every delivery
    articles = Articles(world.cloud.env["ARTICLES_TABLE"])
    first = Article(id="a", content_hash="h1", title="First read")
    again = Article(id="a", content_hash="h2", title="Read again")
    other = Article(id="b", content_hash="h")
    articles.put_many(
        [(first, Analysis(), "f1"), (again, Analysis(), "f2"), (other, Analysis(), None)], "articles/key"
    )
    assert (articles.stored("a"), articles.stored("b")) == (("h2", "f2"), ("h", None))


def test_a_poll_looks_up_only_the_entries_its_last_poll_did_not_list(world: World) -> None:
    site = world.site
    page = "<html><body><article><h1>{t}</h1><p>Magistrates heard {n} cases.</p></article></body></html>"
    feed_path = world.feed_path(FEED.id)
    items = []
    for n in range(5):
        link = site.publish(f"/courier.example/news/{n}/", page.format(t=n, n=n).encode(), "text/html")
        items.append((f"g{n}", link, f"Court round-up {n}", f"{n} cases"))

    def looked_up(when: datetime) -> float:
        """Entries FetchFeed looked up among the articles in the scheduled run (a read unit each)."""
        with AwsMeter(world.flow) as meter:
            world.tick(when)
        return meter.read_units.get("fetch_feed", 0)

    site.publish(feed_path, _feed(items[:3]), "application/rss+xml")
    assert looked_up(T0) == 3 and _article_messages(world) == 3
    assert len(_state(world)["recent"].split()) == 3
    # When two entries are added and one is edited
    items[0] = (*items[0][:3], "0 cases, one adjourned")
    site.publish(feed_path, _feed(items), "application/rss+xml")
    # Then only those three are looked up, and handed on
    assert looked_up(T0 + timedelta(minutes=15)) == 3 and _article_messages(world) == 6
    # And a poll of the same entries looks up none of them
    before = _state(world)
    site.publish(feed_path, _feed(items) + b"\n", "application/rss+xml")  # the same entries, not a 304
    assert looked_up(T0 + timedelta(minutes=30)) == 0 and _article_messages(world) == 6
    assert _state(world)["recent"] == before["recent"]


def test_a_feed_with_too_many_entries_to_list_looks_them_all_up(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "RECENT_MAX_CHARS", 4 * 11 - 1)  # four entries' tokens and their spaces
    feed_path = world.feed_path(FEED.id)
    page = b"<html><body><article><h1>Court</h1><p>Magistrates sat.</p></article></body></html>"
    links = [world.site.publish(f"/courier.example/news/{n}/", page, "text/html") for n in range(5)]
    entries = [(f"g{n}", links[n], f"Story {n}", "Text.") for n in range(5)]
    world.site.publish(feed_path, _feed(entries[:4]), "application/rss+xml")
    world.tick(T0)
    assert len(_state(world)["recent"].split()) == 4
    world.site.publish(feed_path, _feed(entries), "application/rss+xml")
    handed: list[str] = []

    def record(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        handed.extend(m["Body"] for m in batch if '"entry"' in m["Body"])
        return batch

    world.flow.deliver = record
    world.tick(T0 + timedelta(minutes=15))
    world.flow.deliver = None
    assert _article_messages(world) == 5 and len(handed) == 1
    # five do not fit: four are kept, the one just handed on among them (its article may not be read yet)
    kept = _state(world)["recent"].split()
    new = ArticleMessage.model_validate_json(handed[0])
    assert len(kept) == 4 and fetch.recent_token(new) in kept
    world.site.publish(feed_path, _feed(entries) + b"\n", "application/rss+xml")  # the same entries
    with AwsMeter(world.flow) as meter:
        world.tick(T0 + timedelta(minutes=30))
    assert meter.read_units["fetch_feed"] == 1  # so the next poll looks up the fifth, among the articles
    assert _article_messages(world) == 5  # and finds it handed on (its row has the entry's fingerprint)


def test_an_entry_whose_page_never_comes_waits_three_polls_counted_in_the_feeds_state(world: World) -> None:
    site = world.site
    link = site.publish("/courier.example/news/down/", _page("Cheshire arrested 21 people."), "text/html")
    site.publish(
        world.feed_path(FEED.id), _feed([("g1", link, "Arrests", "Cheshire arrests")]), "application/rss+xml"
    )
    site.answer_next("/courier.example/news/down/", 503, b"busy", times=10)
    world.tick(T0)
    [(article_id, counted)] = fetch._deferrals(_state(world)).items()
    assert counted == (1, False) and _article_messages(world) == 0
    world.tick(T0 + timedelta(minutes=15))
    assert fetch._deferrals(_state(world)) == {article_id: (2, False)} and _article_messages(world) == 0
    # the third poll gives up on the page and hands the entry on with the feed's own text
    world.tick(T0 + timedelta(minutes=30))
    assert _article_messages(world) == 1 and not _state(world)["deferred"]


def test_entries_kept_back_say_only_what_is_worth_keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    waiting = {"a": (0, False), "b": (2, False), "c": (0, True)}  # a: left by the page budget, nothing to say
    assert fetch._deferrals({"deferred": fetch._deferred_text(waiting)}) == {"b": (2, False), "c": (0, True)}
    monkeypatch.setattr(fetch, "RECENT_MAX_CHARS", 6)  # one entry's worth: the rest start their count again
    assert fetch._deferred_text(waiting) == "b:2:0"


def test_one_feed_twice_in_a_batch_with_two_outcomes_is_told_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQS may hand one poll over twice, or two runs' polls of a feed land in one batch: one a 304, one not
    outcomes = iter([fetch.FeedOutcome("not-modified"), fetch.FeedOutcome("fetched", new=2)])
    monkeypatch.setattr(fetch, "prepare", lambda: 0.0)
    monkeypatch.setattr(fetch, "fetch_feed", lambda message, until: next(outcomes))
    body = json.dumps({"feed_id": FEED.id, "scheduled_at": T0.isoformat()})
    event = {"Records": [{"messageId": f"m{n}", "body": body} for n in range(2)]}
    assert fetch.poll_batch(event) == {"batchItemFailures": []}


def test_an_entry_too_big_for_a_message_is_cut_and_read_not_the_feeds_end(world: World) -> None:
    import random

    rng = random.Random(11)
    lede = "Cheshire Constabulary has arrested 21 people from across the county in the operation."
    # Given a feed whose entry carries 1.5 MB of text, a title of 50,000 characters and an enormous GUID,
    # beside an ordinary entry
    words = " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(2_000))
    huge = lede + "\n\n" + "\n\n".join(words for _ in range(90))
    assert len(huge.encode()) > 1_500_000
    title = "Arrests " + "very " * 10_000
    world.site.publish(
        world.feed_path(FEED.id),
        _feed([("g" * 20_000, "", title, huge), ("g2", "", "Warrington", "Nine people were arrested.")]),
        "application/rss+xml",
    )
    world.tick(T0)
    # Then the poll succeeds and both entries are read, the big one cut to what a message can carry
    assert not any(world.flow.dead_letters().values())
    assert _state(world)["failures"] == 0
    archive = Archive(world.cloud.env["ARCHIVE_BUCKET"])
    stored = {a.article.title[:10]: a.article for a in archive.archived_articles()}
    assert sorted(stored) == ["Arrests ve", "Warrington"]
    big = stored["Arrests ve"]
    assert big.text.startswith(lede) and len(big.text) <= feeds.TEXT_MAX_CHARS
    assert len(big.title) <= TITLE_MAX_CHARS and big.title.endswith("…")
