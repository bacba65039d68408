"""`localangle parse-feed`: saved feed files to normalised entries, never crashing on a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from localangle.adapters.feeds import parse_feed
from localangle.articles import content_hash
from localangle.identity import article_id
from localangle.models.article import utc_iso


def _files(paths: list[str]) -> Iterator[tuple[str, Path | None]]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                yield str(file), file
        else:
            yield raw, path


def parse_feed_files(paths: list[str]) -> Iterator[dict[str, Any]]:
    for source, path in _files(paths):
        try:
            body = path.read_bytes() if path else b""
        except OSError as exc:
            yield {"source": source, "error": f"cannot be read: {exc.strerror or exc}"}
            continue
        parsed = parse_feed(body)
        if parsed.error:
            yield {"source": source, "error": parsed.error}
            continue
        for reason in parsed.skipped:
            yield {"source": source, "skipped": reason}
        for entry in parsed.entries:
            digest = content_hash(entry.title, entry.text)
            yield {
                "source": source,
                "id": article_id(entry.url, entry.guid, digest),
                "url": entry.url,
                "title": entry.title,
                "outlet": parsed.title or None,
                "published": utc_iso(entry.published),
                "text": entry.text,
            }
