"""`localangle bench`: what reading an article costs, and how that cost grows with the tracked operations.

Figures are medians over a corpus of article files, reported, never asserted in tests.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from localangle.articles import article_files, read_article_file
from localangle.core.analysis import Reader
from localangle.models.article import Article
from localangle.models.operation import MetricSpec, Operation


def synthetic_operations(base: list[Operation], count: int) -> list[Operation]:
    """The given operations plus distinct invented ones up to `count`: other names, agencies, vocabulary and a
    metric of their own each, as a national desk tracking many stories would have."""
    out = list(base)
    template = base[0]
    for i in range(count - len(base)):
        metrics = dict(template.metrics)
        metrics[f"items_{i}"] = MetricSpec(
            nouns=[f"widgets{i}"], verbs=[f"impounded{i}"], subjects=[f"crates{i}"]
        )
        out.append(
            template.model_copy(
                update={
                    "id": f"synthetic-{i}",
                    "name": f"Synthetic operation {i}",
                    "aliases": [f"Operation Placeholder{i}", f"Project Filler{i}"],
                    "lead_agencies": [f"Agency Number{i}", f"AN{i}"],
                    "terms": [f"vocabulary{i}", f"jargon{i} word", f"term{i}"],
                    "anchor_figures": [],
                    "metrics": metrics,
                }
            )
        )
    return out


def per_article_ms(readers: list[Reader], articles: list[Article], rounds: int = 15) -> list[float]:
    """Median time to analyse one article with each reader, after a warm-up pass.

    The readers take turns round by round, so drift in the machine (caches, other load) falls on all alike.
    """
    for reader in readers:
        for article in articles:
            reader.analyse(article)
    samples: list[list[float]] = [[] for _ in readers]
    for _ in range(rounds):
        for reader, bucket in zip(readers, samples, strict=True):
            for article in articles:
                start = time.perf_counter()
                reader.analyse(article)
                bucket.append((time.perf_counter() - start) * 1000)
    return [statistics.median(bucket) for bucket in samples]


def run(operations: list[Operation], corpus: list[str], many: int = 100, rounds: int = 15) -> dict[str, Any]:
    articles = [read_article_file(p) for p in article_files(corpus)]
    readers = [Reader(operations[:1]), Reader(synthetic_operations(operations, many))]
    one, lots = per_article_ms(readers, articles, rounds)
    return {
        "articles": len(articles),
        "operations": many,
        "analyse_ms_per_article_one_operation": round(one, 3),
        f"analyse_ms_per_article_{many}_operations": round(lots, 3),
        "ops_scaling_ratio": round(lots / one, 3),
    }


def default_corpus(root: Path) -> list[str]:
    return [str(root / "seeds" / "articles"), str(root / "tests" / "data" / "articles")]
