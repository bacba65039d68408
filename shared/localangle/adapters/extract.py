"""Main text of an article page, with trafilatura (the only module that imports it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageText:
    title: str
    text: str


def extract_page(html: str | bytes, url: str | None = None) -> PageText | None:
    """The article's title and main text without navigation, adverts or comments; None if none is found."""
    import trafilatura  # imported here: it is heavy and only ProcessArticle and `analyse` need it

    # Bytes go to trafilatura as they are: it reads the page's own charset (a windows-1252 page stays right)
    # No deduplicate=True: trafilatura then remembers paragraphs across calls in the process, and a warm
    # function would strip the wire copy that a second outlet runs.
    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text:
        return None
    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = (metadata.title if metadata and metadata.title else "") or ""
    return PageText(title=title.strip(), text=text.strip())
