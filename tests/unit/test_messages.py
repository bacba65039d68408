"""Article messages carry the page along (up to a size): ProcessArticle need not read it from the archive."""

from __future__ import annotations

import os

from localangle.models.article import FeedEntry
from localangle.models.messages import PAGE_CARRIED_BYTES, ArticleMessage


def _message() -> ArticleMessage:
    return ArticleMessage(
        article_id="a1",
        feed_id="f",
        outlet="Courier",
        entry=FeedEntry(title="Arrests", text="21 arrests", url="https://courier.example/a"),
        fingerprint="x",
        raw_key="raw/a1.html",
    )


def test_a_page_that_packs_small_travels_with_the_message_and_comes_back_as_fetched() -> None:
    paragraph = "<p>Cheshire Constabulary arrested 21 people.</p>"
    page = ("<html><body>" + paragraph * 8000 + "</body></html>").encode()  # 384 kB
    message = _message()
    assert message.carry_page(page)
    assert message.page is not None and len(message.page) <= PAGE_CARRIED_BYTES < len(page)
    assert ArticleMessage.model_validate_json(message.model_dump_json()).page_bytes() == page


def test_a_page_too_big_to_carry_is_left_to_the_archive() -> None:
    message = _message()
    assert not message.carry_page(os.urandom(PAGE_CARRIED_BYTES))  # random bytes do not compress
    assert message.page is None and message.page_bytes() is None and message.raw_key == "raw/a1.html"


def test_a_carried_page_that_does_not_decode_is_not_read() -> None:
    for broken in ("not base64!", "aGVsbG8="):  # the second is base64, but not zlib
        assert _message().model_copy(update={"page": broken}).page_bytes() is None


def test_the_article_is_read_from_the_carried_page_without_the_archive() -> None:
    from localangle.pipeline.process import build_article

    body = "<p>Cheshire Constabulary has arrested 21 people from across the county in the operation.</p>"
    page = f"<html><body><article><h1>Arrests</h1>{body * 3}</article></body></html>".encode()
    message = _message()
    message.carry_page(page)
    article = build_article(message, archive=None)  # no archive to read: the text can only be the page's
    assert "arrested 21 people from across the county" in article.text and article.text != "21 arrests"


def test_a_page_is_not_carried_when_the_whole_message_would_pass_the_queues_limit() -> None:
    from localangle.models.messages import MESSAGE_BYTES

    page = b"<html><body><p>Cheshire Constabulary arrested 21 people.</p></body></html>"
    message = _message()
    assert message.carry_page(page)  # small enough on its own
    # a feed that gives each entry's full text, and a long one
    message.entry = message.entry.model_copy(update={"text": "word " * (MESSAGE_BYTES // 5)})
    assert not message.carry_page(page) and message.page is None
    assert len(message.model_dump_json().encode()) > MESSAGE_BYTES  # left to the archive instead
