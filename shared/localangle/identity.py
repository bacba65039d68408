"""Stable identity of an article: canonical URL first, then GUID, then content hash."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import urldefrag


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """The URL without tracking parameters (utm_*, fbclid, ref...), fragment, default port, trailing slash
    or scheme difference, its other query parameters kept and sorted (courlan's normalisation)."""
    from courlan import clean_url, normalize_url

    try:
        cleaned = normalize_url(clean_url(url) or url, strict=False, trailing_slash=False)
    except (ValueError, TypeError):
        cleaned = url.strip()
    cleaned = urldefrag(cleaned).url  # "#comments" is the same article
    if cleaned.startswith("https://"):
        cleaned = "http://" + cleaned[len("https://") :]  # http and https copies of a page are one article
    return cleaned


def article_id(url: str | None, guid: str | None, content_hash: str) -> str:
    if url:
        basis = "url:" + canonical_url(url)
    elif guid:
        basis = "guid:" + guid.strip()
    else:
        basis = "hash:" + content_hash
    return hashlib.sha256(basis.encode()).hexdigest()[:32]
