"""Articles from files on disk (`.txt` with optional header lines, `.html`, `.htm`) for analyse and replay."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from localangle.core.text import clean_text
from localangle.models.article import Article

SUFFIXES = {".txt", ".html", ".htm"}
_HEADER = re.compile(r"^(URL|TITLE|OUTLET|DATE):[ \t]*(.*)$", re.IGNORECASE)


class ArticleFileError(ValueError):
    """A path that cannot be read as an article; the message names the path and the problem."""


def content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


def parse_date(value: str) -> datetime:
    """An ISO 8601 date or date-time as aware UTC; a date alone is midnight UTC."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def article_files(paths: list[str]) -> list[Path]:
    """The article files named, folders expanded in name order; unknown or missing paths raise."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ArticleFileError(f"{raw}: not an article file (expected .txt, .html or .htm)")
            files.append(path)
        else:
            raise ArticleFileError(f"{raw}: no such file or folder")
    return files


def read_article_file(path: Path) -> Article:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if path.suffix.lower() in (".html", ".htm"):
        return _from_html(path, raw)
    return _from_text(path, raw.decode("utf-8", errors="replace"))


def _from_text(path: Path, text: str) -> Article:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: dict[str, str] = {}
    i = 0
    while i < len(lines) and (m := _HEADER.match(lines[i].strip())):
        headers[m.group(1).upper()] = m.group(2).strip()
        i += 1
    if headers:
        if i < len(lines) and lines[i].strip():
            raise ArticleFileError(f"{path}: header lines must be followed by a blank line")
        body_lines = lines[i + 1 :]
        title = headers.get("TITLE", "")
    else:
        while i < len(lines) and not lines[i].strip():
            i += 1
        title = lines[i].strip() if i < len(lines) else ""
        body_lines = lines[i + 1 :]
    body = clean_text("\n".join(body_lines))
    published = None
    if headers.get("DATE"):
        try:
            published = parse_date(headers["DATE"])
        except ValueError as exc:
            raise ArticleFileError(f"{path}: DATE {headers['DATE']!r} is not an ISO 8601 date") from exc
    return _article(path, headers.get("URL") or None, title, headers.get("OUTLET") or None, published, body)


def _from_html(path: Path, raw: bytes) -> Article:
    from localangle.adapters.extract import extract_page

    page = extract_page(raw)
    if page is None:
        raise ArticleFileError(f"{path}: no article text found in the page")
    return _article(path, None, page.title, None, None, clean_text(page.text))


def _article(
    path: Path, url: str | None, title: str, outlet: str | None, published: datetime | None, body: str
) -> Article:
    from localangle.identity import article_id

    digest = content_hash(title, body)
    return Article(
        id=article_id(url, None, digest),
        url=url,
        title=title,
        outlet=outlet,
        published=published,
        text=body,
        content_hash=digest,
        source=str(path),
    )
