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


def test_the_same_text_on_a_second_page_is_not_dropped() -> None:
    # Given wire copy that two outlets run word for word, When both pages are read in one process,
    # Then the second keeps every paragraph (no cross-call deduplication)
    text = "The National Crime Agency said 660 people were arrested.\n\nForty-five forces took part, it said."
    first, second = extract_page(_page(text)), extract_page(_page(text))
    assert first is not None and second is not None
    assert second.text == first.text
