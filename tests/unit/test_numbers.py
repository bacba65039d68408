"""Numbers and qualifiers become the inclusive intervals DESIGN.md promises; non-counts are recognised."""

import pytest

from localangle.core.numbers import find_quantities
from localangle.core.text import tokenize

CASES = [
    ("21 arrests", 21, 21, "exact"),
    ("twenty-one arrests", 21, 21, "exact"),
    ("nine in Warrington", 9, 9, "exact"),
    ("9,172 computers", 9172, 9172, "exact"),
    ("more than 400 children", 401, None, "more than"),
    ("over 400 children", 401, None, "more than"),
    ("at least 400 children", 400, None, "at least"),
    ("fewer than 50 people", None, 49, "fewer than"),
    ("almost 50 people", 45, 49, "almost"),
    ("nearly 50 people", 45, 49, "almost"),
    ("around 400 people", 360, 440, "around"),
    ("about 45 forces", 40, 50, "around"),
    ("hundreds of children", 200, None, "hundreds"),
    ("a dozen arrests", 12, 12, "exact"),
    ("between 31 and 66", 31, 66, "range"),
    ("31 to 66", 31, 66, "range"),
    ("two hundred and fifty arrests", 250, 250, "exact"),
]


@pytest.mark.parametrize(("text", "low", "high", "qualifier"), CASES)
def test_interval(text: str, low: int | None, high: int | None, qualifier: str) -> None:
    # Given a phrase with one number, When it is read, Then the interval and qualifier are the contract's
    found = [q for q in find_quantities(tokenize(text)) if q.not_a_count is None]
    assert len(found) == 1
    assert (found[0].low, found[0].high, found[0].qualifier) == (low, high, qualifier)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("call the Crimestoppers hotline 0800 555 111", "phone number"),
        ("contact police on the non emergency number 101", "phone number"),
        ("ChildLine on 0800 1111", "phone number"),
        ("in July 2014", "year"),
        ("on 16 July", "date"),
        ("a £5,000 fine", "money"),
        ("up 20 per cent", "percentage"),
    ],
)
def test_not_a_count(text: str, reason: str) -> None:
    found = find_quantities(tokenize(text))
    assert found and all(q.not_a_count for q in found)
    assert reason in {q.not_a_count for q in found}
