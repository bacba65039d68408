"""Clean article text, split it into sentences and tokens, the units the reader works on."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that are page furniture, not journalism: advert slots, share prompts, comment notices.
_DEBRIS = re.compile(
    r"^\s*(hide ad|advertisement|advert|sponsored|read more|read next|share this( article| story)?|"
    r"sign up( to our newsletter)?|comments are closed\.?|click here.*|follow us.*|most read|"
    r"subscribe.*|skip to (main )?content|cookie.*|image caption.*|getty images|pa media|"
    r"share on (facebook|twitter|whatsapp)|whatsapp|facebook|twitter|email|print)\s*$",
    re.IGNORECASE,
)
_SPACE = re.compile(r"[ \t\u00a0\u2009\u202f]+")

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "supt",
    "insp",
    "det",
    "sgt",
    "con",
    "pc",
    "dc",
    "ds",
    "di",
    "dci",
    "ch",
    "cllr",
    "rev",
    "prof",
    "no",
    "co",
    "ltd",
    "inc",
    "gen",
    "col",
    "capt",
    "lt",
    "jan",
    "feb",
    "mar",
    "apr",
    "aug",
    "sept",
    "sep",
    "oct",
    "nov",
    "dec",
    "approx",
    "est",
    "vs",
    "etc",
    "int",
    "assoc",
}


# A headline runs to some 200 characters; one beyond this (a feed's or a page's) is cut at a word: titles go
# into the article's row, its alerts and its messages, each with a size limit.
TITLE_MAX_CHARS = 500


def cut_at_break(text: str, limit: int) -> str:
    """At most `limit` characters of the text, ending at a paragraph break, else a space, where there is one
    in the last quarter."""
    head = text[:limit]
    for mark in ("\n\n", " "):
        at = head.rfind(mark)
        if at >= limit * 3 // 4:
            return head[:at].rstrip()
    return head


def cut_title(title: str) -> str:
    """The title, or, when longer than TITLE_MAX_CHARS, as much of it as fits, at a word, and an ellipsis."""
    if len(title) <= TITLE_MAX_CHARS:
        return title
    return cut_at_break(title, TITLE_MAX_CHARS - 1).rstrip(" ,;:") + "…"


def clean_text(text: str) -> str:
    """Drop page debris and normalise white space; paragraphs come back separated by one blank line."""
    paragraphs: list[str] = []
    for raw in re.split(r"\n\s*\n|\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        line = _SPACE.sub(" ", raw).strip()
        if line and not _DEBRIS.match(line):
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    lower: str
    start: int
    end: int

    @property
    def is_digit(self) -> bool:
        return self.text[0].isdigit()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    paragraph: int
    index: int
    tokens: tuple[Token, ...]
    is_title: bool = False


_TOKEN = re.compile(
    r"\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th|am|pm|s)?|[^\W\d_]+(?:['’][^\W\d_]+)*|[£$€%]|\S", re.UNICODE
)


def tokenize(text: str) -> tuple[Token, ...]:
    tokens = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        lower = word.lower().replace("’", "'")
        tokens.append(Token(word, lower, m.start(), m.end()))
    return tuple(tokens)


_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’]?\s+(?=[\"'“‘(]?[A-Z0-9])")


def split_sentences(text: str, *, first_index: int = 0, paragraph_offset: int = 0) -> list[Sentence]:
    """Sentences of cleaned text, paragraph by paragraph; abbreviations do not end a sentence."""
    sentences: list[Sentence] = []
    index = first_index
    for p_no, paragraph in enumerate(text.split("\n\n")):
        start = 0
        pieces: list[str] = []
        for m in _BOUNDARY.finditer(paragraph):
            candidate = paragraph[start : m.start()].rstrip()
            last_word = re.findall(r"([A-Za-z]+)\.[\"'”’]?$", candidate)
            if last_word and (last_word[0].lower() in _ABBREVIATIONS or len(last_word[0]) == 1):
                continue
            pieces.append(paragraph[start : m.end()].strip())
            start = m.end()
        pieces.append(paragraph[start:].strip())
        for piece in pieces:
            if piece:
                sentences.append(Sentence(piece, p_no + paragraph_offset, index, tokenize(piece)))
                index += 1
    return sentences


def normalise(text: str) -> str:
    """Lower case with typographic apostrophes and quotes folded, for matching words."""
    return text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
