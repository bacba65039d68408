"""Find the numbers in a sentence and turn each, with its qualifier, into an inclusive interval.

Intervals follow DESIGN.md: "21" → 21..21; "more than 400" → 401..open; "at least 400" → 400..open;
"fewer than 50" → open..49; "almost 50" → 45..49; "around 400" → 360..440; "hundreds" → 200..open.
Numbers that are not counts (phone numbers, years, dates, times, money, percentages) are marked as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localangle.core.text import Token

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Vague quantities: a lower bound and no upper bound.
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000}
MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}

# Qualifier phrases before a number, longest first, mapped to the qualifier word kept on the figure.
_QUALIFIERS: list[tuple[tuple[str, ...], str]] = sorted(
    [
        (("more", "than"), "more than"),
        (("over",), "more than"),
        (("in", "excess", "of"), "more than"),
        (("upwards", "of"), "more than"),
        (("just", "over"), "just over"),
        (("at", "least"), "at least"),
        (("a", "minimum", "of"), "at least"),
        (("no", "fewer", "than"), "at least"),
        (("fewer", "than"), "fewer than"),
        (("less", "than"), "fewer than"),
        (("under",), "fewer than"),
        (("up", "to"), "up to"),
        (("as", "many", "as"), "up to"),
        (("a", "maximum", "of"), "up to"),
        (("almost",), "almost"),
        (("nearly",), "almost"),
        (("just", "under"), "almost"),
        (("close", "to"), "almost"),
        (("around",), "around"),
        (("about",), "around"),
        (("approximately",), "around"),
        (("roughly",), "around"),
        (("some",), "around"),
        (("an", "estimated"), "around"),
        (("estimated",), "around"),
        (("circa",), "around"),
        (("a", "total", "of"), "exact"),
        (("a", "further"), "exact"),
        (("only",), "exact"),
        (("several",), "several"),
    ],
    key=lambda item: -len(item[0]),
)

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number found in a sentence: token span [start, end) and the interval it stands for."""

    start: int
    end: int
    value: int
    low: int | None
    high: int | None
    qualifier: str
    second: int | None = None  # the upper end of "between 31 and 66"
    not_a_count: str | None = None  # why this number is not a figure (phone, year, date, money, ...)

    @property
    def is_range(self) -> bool:
        return self.second is not None


def interval(value: int, qualifier: str) -> tuple[int | None, int | None]:
    """The inclusive interval of a qualified number (see the module docstring)."""
    match qualifier:
        case "more than":
            return value + 1, None
        case "just over":
            return value + 1, _tenth_up(value)
        case "at least" | "vague":
            return value, None
        case "fewer than":
            return None, value - 1
        case "up to":
            return None, value
        case "almost":
            return _tenth_down(value), value - 1
        case "around":
            return _tenth_down(value), _tenth_up(value)
        case "several":
            return value * 2, None
        case _:
            return value, value


def _tenth_down(value: int) -> int:
    """⌊0.9·value⌋ in integers (floating point makes 400 × 1.1 = 440.00000000000006)."""
    return (9 * value) // 10


def _tenth_up(value: int) -> int:
    """⌈1.1·value⌉ in integers."""
    return -((-11 * value) // 10)


def _word_number(tokens: tuple[Token, ...], i: int) -> tuple[int, int] | None:
    """Parse number words from token i ("twenty-one", "two hundred", "a dozen"); (value, end) or None."""
    n = len(tokens)
    word = tokens[i].lower
    if word in ("a", "one") and i + 1 < n and tokens[i + 1].lower == "dozen":
        return 12, i + 2
    if word == "dozen":
        return 12, i + 1
    total, current, j, seen = 0, 0, i, False
    while j < n:
        w = tokens[j].lower
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
            if j + 2 < n and tokens[j + 1].text in "-‐" and tokens[j + 2].lower in UNITS:
                current += UNITS[tokens[j + 2].lower]
                j += 2
        elif w in SCALES and seen:
            current = max(current, 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total, current = total + current, 0
        elif (
            w == "and"
            and seen
            and j + 1 < n
            and (tokens[j + 1].lower in UNITS or tokens[j + 1].lower in TENS)
        ):
            if not any(tokens[k].lower in SCALES for k in range(i, j)):
                break
        else:
            break
        seen = True
        j += 1
    if not seen:
        return None
    return total + current, j


def _digit_number(token: Token) -> int | None:
    text = token.text
    if not _DIGITS.match(text):
        return None
    return int(text.replace(",", ""))


def _parse_at(tokens: tuple[Token, ...], i: int) -> tuple[int, int] | None:
    token = tokens[i]
    if token.is_digit:
        value = _digit_number(token)
        if value is None:
            return None
        end = i + 1
        if end < len(tokens) and tokens[end].lower in ("million", "thousand"):
            value *= SCALES[tokens[end].lower]
            end += 1
        return value, end
    if token.lower in UNITS or token.lower in TENS or token.lower in ("a", "dozen"):
        return _word_number(tokens, i)
    return None


def _not_a_count(tokens: tuple[Token, ...], start: int, end: int, value: int) -> str | None:
    prev = [t.lower for t in tokens[max(0, start - 4) : start]]
    nxt = [t.lower for t in tokens[end : end + 3]]
    first = tokens[start]
    if first.text[-2:] in ("st", "nd", "rd", "th") and first.is_digit:
        return "ordinal or date"
    if first.text[-2:] in ("am", "pm") and first.is_digit:
        return "time"
    if first.is_digit and first.text.startswith("0") and len(first.text) >= 3:
        return "phone number"
    if prev and prev[-1] in ("£", "$", "€"):
        return "money"
    if nxt and nxt[0] in ("%", "percent", "pounds", "pence", "p", "bn", "m"):
        return "money or percentage"
    if nxt[:2] == ["per", "cent"]:
        return "percentage"
    if any(
        w in ("number", "helpline", "hotline", "call", "dial", "phone", "telephone", "tel", "line")
        for w in prev[-3:]
    ):
        return "phone number"
    if start > 0 and tokens[start - 1].is_digit and tokens[start - 1].text.startswith("0"):
        return "phone number"
    if first.is_digit and len(first.text) == 4 and 1900 <= value <= 2099 and "," not in first.text:
        return "year"
    if (prev and prev[-1] in MONTHS) or (nxt and nxt[0] in MONTHS):
        return "date"
    if nxt and nxt[0] in (":", ".") and end < len(tokens) - 1 and tokens[end + 1].is_digit:
        return "time"
    return None


def find_quantities(tokens: tuple[Token, ...]) -> list[Quantity]:
    """Every number in the sentence with its qualifier, ranges joined, non-counts flagged."""
    found: list[Quantity] = []
    i, n = 0, len(tokens)
    while i < n:
        word = tokens[i].lower
        # "hundreds", "several hundred", "dozens of"
        if word in VAGUE or (word == "tens" and i + 2 < n and tokens[i + 2].lower == "thousands"):
            if word == "tens":
                found.append(Quantity(i, i + 3, 20000, 20000, None, "tens of thousands"))
                i += 3
                continue
            found.append(Quantity(i, i + 1, VAGUE[word], VAGUE[word], None, word))
            i += 1
            continue
        if word == "several" and i + 1 < n and tokens[i + 1].lower in ("hundred", "thousand"):
            base = SCALES[tokens[i + 1].lower]
            found.append(Quantity(i, i + 2, base * 2, base * 2, None, f"several {tokens[i + 1].lower}"))
            i += 2
            continue
        parsed = _parse_at(tokens, i)
        if parsed is None or (word == "a" and parsed[1] == i + 1):
            i += 1
            continue
        value, end = parsed
        if word == "one" and end == i + 1 and end < n and tokens[end].lower in ("of",):
            i = end  # "one of the ..." is not a count
            continue
        start, qualifier = i, "exact"
        for phrase, name in _QUALIFIERS:
            k = len(phrase)
            if i - k >= 0 and tuple(t.lower for t in tokens[i - k : i]) == phrase:
                start, qualifier = i - k, name
                break
        # ranges: "between 31 and 66", "31 to 66", "31-66", "from 31 to 66"
        second = None
        if (
            end + 1 < n
            and tokens[end].lower in ("to", "and", "-", "–")
            and (tokens[end].lower != "and" or (start > 0 and tokens[start - 1].lower == "between"))
        ):
            parsed2 = _parse_at(tokens, end + 1)
            if parsed2 and parsed2[0] > value:
                second, end = parsed2
        if second is None and qualifier == "exact" and start > 0 and tokens[start - 1].lower == "between":
            pass
        if start > 0 and tokens[start - 1].lower in ("between", "from") and second is not None:
            start -= 1
        reason = _not_a_count(tokens, i, end, value)
        low: int | None
        high: int | None
        if second is not None:
            low, high = value, second
            qualifier = "range"
        else:
            low, high = interval(value, qualifier)
        found.append(Quantity(start, end, value, low, high, qualifier, second, reason))
        i = end
    _mark_phone_runs(tokens, found)
    return found


def _mark_phone_runs(tokens: tuple[Token, ...], found: list[Quantity]) -> None:
    """A run of digit groups separated only by spaces ("0800 555 111") is one phone number."""
    for idx, q in enumerate(found):
        if q.not_a_count == "phone number" and idx + 1 < len(found):
            nxt = found[idx + 1]
            if nxt.start == q.end and tokens[nxt.start].is_digit:
                found[idx + 1] = Quantity(
                    nxt.start,
                    nxt.end,
                    nxt.value,
                    nxt.low,
                    nxt.high,
                    nxt.qualifier,
                    nxt.second,
                    "phone number",
                )
