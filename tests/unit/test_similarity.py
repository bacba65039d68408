"""MinHash sketches tell syndicated copies from rewrites of the same press release."""

from __future__ import annotations

import random

from localangle.core.similarity import K, index_keys, resemblance, shingles, sketch

PHRASE = (
    "police officers arrested people across the county after a six month investigation into online abuse "
    "images led by the national crime agency with forces from every part of the country taking part"
)
WORDS = PHRASE.split(" ")


def _text(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + ("." if i % 17 == 16 else "") for i in range(n))


def test_the_estimate_is_close_to_the_true_resemblance() -> None:
    base = _text(1, 600).split()
    for keep in (0.9, 0.7, 0.5):
        a = " ".join(base)
        b = " ".join(base[: int(len(base) * keep)] + _text(2, int(len(base) * (1 - keep))).split())
        sa, sb = shingles(a), shingles(b)
        true = len(sa & sb) / len(sa | sb)
        assert abs(resemblance(sketch(a), sketch(b)) - true) < 0.15, (keep, true)


def test_identical_texts_resemble_fully_and_unrelated_texts_hardly() -> None:
    a = _text(3)
    assert resemblance(sketch(a), sketch(a)) == 1.0
    assert resemblance(sketch(a), sketch(_text(4))) < 0.2


def test_case_and_punctuation_do_not_matter() -> None:
    a = _text(5)
    assert resemblance(sketch(a), sketch(a.upper().replace(".", ","))) == 1.0


def test_a_short_text_is_not_compared() -> None:
    assert sketch("Police arrested nine men in Kent on Tuesday.") == []
    assert resemblance([], sketch(_text(6))) == 0.0


def test_sketches_are_stable_and_bounded() -> None:
    sig = sketch(_text(7))
    assert len(sig) == K and sig == sorted(sig) and sig == sketch(_text(7))
    assert index_keys(sig) == sig[:8]


def test_a_copy_at_the_threshold_shares_an_index_key_almost_always() -> None:
    # pairs edited down to a resemblance from the threshold (0.5) to about 0.75, as a copy that lost its last
    # paragraphs and gained a local one would be: the index finds nearly all (about (1 - J)^8 missed)
    from localangle.core.similarity import NEAR_DUPLICATE

    near = found = 0
    for seed in range(300):
        words = _text(1000 + seed, 400).split()
        cut = int(len(words) * (0.55 + 0.3 * (seed % 10) / 10))
        copy = " ".join(words[:cut] + _text(5000 + seed, len(words) - cut).split())
        a, b = sketch(" ".join(words)), sketch(copy)
        if resemblance(a, b) >= NEAR_DUPLICATE:
            near += 1
            found += bool(set(index_keys(a)) & set(index_keys(b)))
    assert near >= 150
    assert near - found <= near // 100, (near, found)
