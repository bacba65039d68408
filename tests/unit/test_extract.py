"""Page text extraction keeps the story and drops page furniture, the same on every call."""

from localangle.adapters.extract import extract_page
from localangle.local.world import page_html
from localangle.models.article import Article


def _page(text: str) -> bytes:
    article = Article(id="x", title="Police arrest 21", outlet="The Courier", text=text, content_hash="h")
    return page_html(article)


def test_the_story_is_kept_and_the_furniture_dropped() -> None:
    text = "Police arrested 21 people in Warrington.\n\nThe operation lasted six months, officers said."
    page = extract_page(_page(text))
    assert page is not None
    assert "arrested 21 people in Warrington" in page.text
    assert "six months" in page.text
    assert "Most read" not in page.text and "All rights reserved" not in page.text


def test_the_same_text_on_later_pages_is_not_dropped() -> None:
    # Given wire copy that several outlets run word for word, When a warm process reads all their pages,
    # Then each keeps every paragraph (no cross-call deduplication)
    text = "The National Crime Agency said 660 people were arrested.\n\nForty-five forces took part, it said."
    pages = [extract_page(_page(text)) for _ in range(6)]
    assert all(p is not None and p.text == pages[0].text for p in pages), [p and p.text for p in pages]
