"""Near-duplicate text: syndicated copies of one wire story, whatever each outlet did to the headline,
the furniture or the last paragraphs.

A bottom-k MinHash sketch (Broder 1997; Cohen & Kaplan 2007) over five-word shingles: every shingle is
hashed once with BLAKE2b (stable across processes, unlike `hash`), and the k smallest hashes are the sketch.
The resemblance (Jaccard similarity of the shingle sets) of two texts is estimated from their sketches
alone, and a few of the smallest hashes serve as index keys, so a store can find candidate copies by key
lookups instead of comparing with everything it holds. datasketch does the same with numpy and scipy; a
hundred lines without them keep the Lambda layer small and its import fast.
"""

from __future__ import annotations

import hashlib
import heapq
import re

SHINGLE = 5  # words per shingle
K = 64  # hashes kept per sketch
INDEX_KEYS = 8  # of them, the smallest, used as lookup keys (each is a write when a story begins)
MIN_SHINGLES = 20  # a text shorter than this (about 25 words) is not compared: too little to tell
NEAR_DUPLICATE = 0.5  # estimated resemblance at or above which two texts are one story

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower().replace("’", "'"))
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def sketch(text: str) -> list[int]:
    """The k smallest shingle hashes, ascending; empty for a text too short to compare."""
    found = shingles(text)
    if len(found) < MIN_SHINGLES:
        return []
    return heapq.nsmallest(K, {_hash(s) for s in found})


def resemblance(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0 when either was too short)."""
    if not a or not b:
        return 0.0
    first, second = set(a), set(b)
    union = heapq.nsmallest(min(K, len(first | second)), first | second)
    if not union:
        return 0.0
    return sum(1 for h in union if h in first and h in second) / len(union)


def index_keys(sig: list[int]) -> list[int]:
    """Lookup keys: a near-duplicate almost surely shares one of these. Each of the first hashes of the two
    texts' union is in both with probability about their resemblance J, and one of the first eight that is
    is among both texts' eight smallest: a copy is missed with probability about (1 - J)^8, 0.4% at the
    threshold (0.5), 0.07% at 0.6, about three in a million at 0.8. The smallest of a longer sketch's keys
    are these same eight: a ledger indexed with more still finds its stories. (Each key names one story, the
    last to claim it: stories that share some hashes without being copies take keys from each other.)"""
    return sig[:INDEX_KEYS]
