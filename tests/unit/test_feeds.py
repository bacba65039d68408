"""Feed bytes become normalised entries; what cannot be an article is skipped or refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from localangle.adapters.feeds import html_to_text, parse_feed
from localangle.feeds_cli import parse_feed_files

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


def test_rss_entries_are_normalised() -> None:
    parsed = parse_feed((FEEDS / "rss2.xml").read_bytes(), "https://courier.example/rss")
    assert parsed.error is None and parsed.title == "Cheshire Courier"
    first = parsed.entries[0]
    assert first.title == "Police arrest 21 & more"
    assert first.published == datetime(2014, 7, 16, 8, 0, tzinfo=UTC)  # +0100 becomes UTC
    assert first.text == "CHESHIRE Constabulary has arrested 21 people.\n\nSix in the east."
    assert parsed.entries[1].url is None and parsed.entries[1].text  # words but no link: still an article
    assert parsed.skipped == ["entry has no title, text or link"]


def test_relative_links_resolve_against_the_feed() -> None:
    parsed = parse_feed((FEEDS / "atom-relative.xml").read_bytes(), "https://wire.example/feeds/atom.xml")
    assert parsed.entries[0].url == "https://wire.example/stories/660"
    assert parsed.entries[0].published == datetime(2014, 7, 16, 14, 0, tzinfo=UTC)


def test_an_html_error_page_is_reported_not_parsed() -> None:
    parsed = parse_feed((FEEDS / "error-page.html").read_bytes(), content_type="text/html")
    assert parsed.error == "an HTML page, not a feed (titled “502 Bad Gateway”)" and not parsed.entries


def test_parse_feed_command_never_crashes_and_says_why() -> None:
    lines = list(parse_feed_files([str(FEEDS), str(FEEDS / "missing.xml")]))
    by_source = {Path(line["source"]).name: line for line in lines if "error" in line}
    assert by_source["error-page.html"]["error"] == "an HTML page, not a feed (titled “502 Bad Gateway”)"
    assert by_source["garbage.bin"]["error"].startswith("not a feed")
    assert by_source["missing.xml"]["error"].startswith("cannot be read")
    articles = [line for line in lines if "id" in line]
    assert {a["url"] for a in articles} >= {"https://courier.example/news/1?utm_source=rss"}
    assert all(set(a) == {"source", "id", "url", "title", "outlet", "published", "text"} for a in articles)


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<p>One &amp; two</p><script>alert(1)</script><div>Three<br>Four</div>"
    assert html_to_text(html) == "One & two\n\nThree\n\nFour"


def test_feedparser_never_opens_a_url_or_a_path_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("feedparser tried to fetch something itself")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    for body in (
        b"http://169.254.169.254/latest/meta-data/",
        b"/etc/passwd",
        str(FEEDS / "rss2.xml").encode(),
    ):
        parsed = parse_feed(body)
        assert parsed.error is not None and not parsed.entries


@pytest.mark.parametrize(
    "encoding, declared_in",
    [("windows-1252", "xml"), ("iso-8859-1", "http"), ("utf-16", "xml"), ("utf-8", "none")],
)
def test_encodings_are_read_right(encoding: str, declared_in: str) -> None:
    title = (
        "Police praise ‘vital’ work — £2m inquiry" if encoding != "iso-8859-1" else "Café owner: £2m inquiry"
    )
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if declared_in == "xml" else '<?xml version="1.0"?>'
    doc = f"{decl}<rss version='2.0'><channel><title>T</title><item><title>{title}</title>"
    doc += "<link>https://x.example/1</link></item></channel></rss>"
    content_type = (
        f"application/rss+xml; charset={encoding}" if declared_in == "http" else "application/rss+xml"
    )
    parsed = parse_feed(doc.encode(encoding), "https://x.example/rss", content_type)
    assert [e.title for e in parsed.entries] == [title]


def test_an_entry_too_big_to_carry_is_cut_and_said_to_be() -> None:
    from xml.sax.saxutils import escape

    from localangle.adapters import feeds
    from localangle.core.text import TITLE_MAX_CHARS

    paragraph = "Officers arrested nine people in Warrington. " * 100  # 4,500 characters
    text = "\n\n".join([paragraph.strip()] * 40)  # 180,000 characters
    link = "https://courier.example/news?" + "x=1&" * 5_000
    guid = "tag:courier.example," + "9" * 2_000
    item = (
        f"<item><guid isPermaLink='false'>{escape(guid)}</guid><link>{escape(link)}</link>"
        f"<title>{'Arrests, ' * 100}</title><description>{escape(text)}</description></item>"
        "<item><guid>g2</guid><title>Short</title><description>Nine arrested.</description></item>"
        f"<item><link>{escape(link)}</link></item>"  # nothing but a link too long to follow
    )
    parsed = parse_feed(f"<rss version='2.0'><channel><title>C</title>{item}</channel></rss>".encode())
    big, small = parsed.entries
    # the text ends at a paragraph break, the title at a word, with an ellipsis
    assert len(big.text) <= feeds.TEXT_MAX_CHARS and text.startswith(big.text) and big.text.endswith(".")
    assert len(big.title) <= TITLE_MAX_CHARS and big.title.endswith("Arrests…")
    assert big.url is None  # a link this long is not followed
    assert big.guid is not None and big.guid.startswith("sha256:") and len(big.guid) == 71
    assert (
        parse_feed(f"<rss version='2.0'><channel>{item}</channel></rss>".encode()).entries[0].guid == big.guid
    )
    assert parsed.skipped == ["entry has no title or text, and a link too long to follow"]
    assert list(parsed.cut) == [0]  # by the entry's place among the entries
    said = parsed.cut[0]
    assert f"text cut from {len(text):,} to {len(big.text):,} characters" in said
    assert "title cut from 899 characters" in said  # "Arrests, " 100 times, its last space trimmed
    assert "link of 20,029 characters not followed" in said and "GUID of 2,020 characters" in said
    assert small.title == "Short" and small.guid == "g2"  # an ordinary entry as it was


def test_a_page_title_too_long_is_cut_like_a_feeds() -> None:
    from localangle.adapters.extract import PageText
    from localangle.core.text import TITLE_MAX_CHARS
    from localangle.models.article import FeedEntry
    from localangle.models.messages import ArticleMessage
    from localangle.pipeline.process import compose_article

    message = ArticleMessage(
        article_id="a1",
        feed_id="f",
        outlet="Courier",
        entry=FeedEntry(url="https://c.example/1"),
        fingerprint="x",
    )
    page = PageText(title="Warrington arrests " * 200, text="Officers arrested nine people in Warrington.")
    article = compose_article(message, page)
    assert len(article.title) <= TITLE_MAX_CHARS and article.title.endswith("arrests…")
    assert article.text == "Officers arrested nine people in Warrington."
