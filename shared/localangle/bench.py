"""`localangle bench`: where the time and the money go, beside the floor the product cannot go below.

One run over a corpus of at least 2,000 articles (`corpus.py`: the seed and test articles and varied articles
of our own, each with a full outlet page and a place in a feed) measures:

- the floor: feedparser on the feed bytes (each article's share of its feed document) and trafilatura on its
  page, the work no reader of the web can skip;
- the analysis on top of it: our own feed normalisation, the article built from the page text, matching,
  figures and places, the near-duplicate sketch;
- how that analysis grows with 1,000 tracked operations;
- each handler's import in fresh interpreters (the cold start's share that is ours);
- the whole flow offline on moto, with every AWS request counted per function and priced (`cost.py`).

Times are medians, reported and never asserted in tests.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localangle import corpus, cost
from localangle.adapters.extract import PageText
from localangle.core.analysis import Reader
from localangle.core.similarity import sketch
from localangle.models.article import Article
from localangle.models.messages import ArticleMessage
from localangle.models.operation import MetricSpec, Operation

if TYPE_CHECKING:
    from localangle.local.world import World
    from localangle.meter import AwsMeter

FILES_EVERY = timedelta(minutes=30)  # the article files go online through the day, this far apart
# The busy run publishes the corpus's day in a sixteenth of the time: its sixteen hours in one, four runs
BUSY_SQUEEZE = 1 / 16
# The one-run check publishes the whole day within one schedule period: every article in the first run
ONE_RUN_SQUEEZE = 1 / 64
# DESIGN.md's load: a million articles a day from 10,000 feeds, each polled every fifteen minutes
DESIGN_ARTICLES_PER_RUN = round(1_000_000 / 96)
DESIGN_POLLS_PER_ARTICLE = 10_000 * 96 / 1_000_000
# The functions whose work comes with each feed polled, whatever the poll finds
PER_POLL = ("schedule_feeds", "fetch_feed")
# What Lambda's Python runtime (awslambdaric: its bootstrap, runtime client, marshaller and log utilities) has
# imported before it imports a handler: a cold start pays for them whatever the handler, so they are not ours.
RUNTIME_IMPORTS = (
    "concurrent.futures",
    "datetime",
    "decimal",
    "enum",
    "importlib",
    "json",
    "logging",
    "math",
    "traceback",
)


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


def _median_ms(work: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


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


RSS = "application/rss+xml"


def _analyse(reader: Reader, message: ArticleMessage, page: PageText | None) -> None:
    """What ProcessArticle computes beyond extraction: the article, the reading, the near-duplicate sketch."""
    from localangle.pipeline.process import compose_article

    article = compose_article(message, page)
    if reader.analyse(article).matches:
        sketch(article.text)


def reading(outlets: list[corpus.Outlet], operations: list[Operation], rounds: int = 3) -> dict[str, float]:
    """The floor and the analysis on top of it, per article, medians over the corpus."""
    import feedparser

    from localangle.adapters.extract import extract_page
    from localangle.adapters.feeds import parse_feed
    from localangle.models.config import FeedConfig
    from localangle.pipeline.fetch import entry_message

    reader = Reader(operations)
    floor: list[float] = []
    analysis: list[float] = []
    for outlet in outlets:
        feed = FeedConfig(id=outlet.id, outlet=outlet.name, url=outlet.feed_url, patch=outlet.patch)
        for items in corpus.feeds(outlet):
            body = corpus.feed_xml(outlet, items)
            feedparser_ms = _median_ms(partial(feedparser.parse, body), rounds)
            parsed = parse_feed(body, outlet.feed_url, RSS)
            ours_ms = _median_ms(partial(parse_feed, body, outlet.feed_url, RSS), rounds)
            for item, entry in zip(items, parsed.entries, strict=True):
                page = extract_page(item.page, entry.url)
                extract_ms = _median_ms(partial(extract_page, item.page, entry.url), rounds)
                read_ms = _median_ms(partial(_analyse, reader, entry_message(feed, entry), page), rounds)
                floor.append(feedparser_ms / len(items) + extract_ms)
                analysis.append(max(0.0, ours_ms - feedparser_ms) / len(items) + read_ms)
    return {
        "articles": len(floor),
        "floor_ms_per_article": round(statistics.median(floor), 3),
        "analyse_ms_per_article": round(statistics.median(analysis), 3),
        "overhead_ratio": round(statistics.median(analysis) / statistics.median(floor), 3),
    }


def scaling(outlets: list[corpus.Outlet], operations: list[Operation], many: int, rounds: int) -> float:
    articles = [item.article for outlet in outlets for item in outlet.items]
    readers = [Reader(operations[:1]), Reader(synthetic_operations(operations, many))]
    one, lots = per_article_ms(readers, articles, rounds)
    return round(lots / one, 3)


# The import floor: what every handler imports from its dependencies, whatever our code does with them (the
# AWS SDK, pydantic, the configuration's YAML parser, Powertools' logger, metrics and context type). FetchFeed
# imports feedparser besides.
FLOOR_IMPORTS = (
    "import boto3, pydantic, yaml\n"
    "from aws_lambda_powertools import Logger, Metrics\n"
    "from aws_lambda_powertools.utilities.typing import LambdaContext\n"
)
FLOOR = "(libraries alone)"


def handler_imports(root: Path, processes: int = 5) -> dict[str, float]:
    """Median milliseconds to import each handler in `processes` fresh interpreters set up as in Lambda, and
    under FLOOR, in the same rounds, the libraries every handler imports (FLOOR_IMPORTS) alone: the floor
    the handlers cannot go below, which moves with the machine's pace as they do.

    The layer ships compiled bytecode (`make build`), so a first, uncounted import writes it here too:
    what is measured is loading and running the modules, not compiling them. The modules the runtime itself
    has loaded by then (`RUNTIME_IMPORTS`) are imported before the clock starts."""
    from localangle.local.cloud import load_template

    variables = load_template(root / "template.yaml")["Globals"]["Function"]["Environment"]["Variables"]
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        # the functions' own settings, those the template writes out (not resource names)
        **{k: v for k, v in variables.items() if isinstance(v, str)},
        "AWS_LAMBDA_FUNCTION_NAME": "localangle-bench",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",  # as in Lambda: a handler freezes its imports (coldstart)
        "AWS_REGION": "eu-west-2",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }
    code = (
        f"import sys, time, {', '.join(RUNTIME_IMPORTS)}; sys.path.insert(0, sys.argv[1]); "
        "start = time.perf_counter(); import app; print((time.perf_counter() - start) * 1000)"
    )
    functions = sorted(p for p in (root / "functions").iterdir() if (p / "app.py").is_file())
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="localangle-floor-") as tmp:
        (Path(tmp) / "app.py").write_text(FLOOR_IMPORTS)
        names = {**{function: function.name for function in functions}, Path(tmp): FLOOR}
        order = list(names)
        # Round by round, each handler once a round, each round starting one handler further on: a spell when
        # the machine is slow (another process, a neighbour on the host) falls on every handler's samples
        # alike, not on all five of one handler's, and no handler is always first.
        for round_ in range(processes + 1):
            for function in order[round_ % len(order) :] + order[: round_ % len(order)]:
                done = subprocess.run(
                    [sys.executable, "-c", code, str(function)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                samples.setdefault(names[function], []).append(float(done.stdout.strip().splitlines()[-1]))
    return {name: round(statistics.median(taken[1:]), 1) for name, taken in samples.items()}


def end_to_end(root: Path, outlets: list[corpus.Outlet], squeeze: float = 1.0) -> dict[str, Any]:
    """The corpus through the whole offline flow, published through the day as outlets published it, a
    scheduled run every fifteen minutes; every AWS request counted and priced. `squeeze` below 1 publishes
    the same articles in that fraction of the time: more articles to a run, as on a busier day."""
    from localangle.config import load_dir
    from localangle.local.world import World
    from localangle.meter import AwsMeter
    from localangle.models.config import FeedConfig

    config = load_dir(root / "seeds")
    operations = [(p.name, p.read_text()) for p in sorted((root / "seeds" / "operations").glob("*.yaml"))]
    # Each article goes online when it was published; the article files (other years, other stories) go
    # online through the same day, half an hour apart, their own dates unchanged.
    files = iter(range(1, 10**6))
    plan = sorted(
        (
            (
                corpus.DAY
                + (
                    item.article.published - corpus.DAY
                    if item.kind != "file" and item.article.published
                    else next(files) * FILES_EVERY
                )
                * squeeze,
                outlet,
                item,
            )
            for outlet in outlets
            for item in outlet.items
        ),
        key=lambda x: (x[0], x[1].id, x[2].article.id),
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        World(root, operations, config.newsrooms, Path(tmp) / "flow.log", metrics=True) as world,
    ):
        for outlet in outlets:
            world.add_outlet(
                FeedConfig(id=outlet.id, outlet=outlet.name, url=outlet.feed_url, patch=outlet.patch)
            )
        world.upload_config()
        log = Path(tmp) / "flow.log"
        log_start = log.stat().st_size if log.exists() else 0
        flow = world.flow
        busy_start, invocations_start = dict(flow.busy), dict(flow.invocations)
        chunks_start = dict(flow.receive_chunks)
        start = time.perf_counter()
        with AwsMeter(flow) as meter:
            now = corpus.DAY
            i = runs = 0
            while i < len(plan):
                now += world.cloud.schedule_every
                runs += 1
                while i < len(plan) and plan[i][0] <= now:
                    _, outlet, item = plan[i]
                    world.publish(outlet.id, item.article, None, item.article.id, page=item.page)
                    i += 1
                world.tick(now)
        elapsed = time.perf_counter() - start
        log_bytes, cut_short = _read_log(log, log_start)
        if cut_short:  # what a run left would be done by a run the bench never makes, and never priced
            raise RuntimeError(
                f"{cut_short} runs ran out of time on this machine: the figures would leave out work"
            )
        usage = _usage(world, meter, busy_start, invocations_start, chunks_start, log_bytes)
        new = flow.consumed.get("ArticleQueue", 0)
        spent = {name: cost.dollars(use) for name, use in usage.items()}
        dollars = {item: sum(d[item] for d in spent.values()) for item in next(iter(spent.values()))}
        by_function = meter.function_calls()
        by_operation: Counter[str] = Counter()
        for counted in by_function.values():
            by_operation.update(counted)
        requests = sum(by_operation.values())
        return {
            "e2e_articles": new,
            "e2e_seconds": round(elapsed, 1),
            "e2e_articles_per_s": round(new / elapsed, 2),
            "alerts": len(world.alerts()),
            "aws_requests_per_article": round(requests / new, 2),
            "usd_per_million_articles": round(sum(dollars.values()) / new * 1e6, 2),
            "usd_per_million_by_item": {k: round(v / new * 1e6, 3) for k, v in dollars.items()},
            "usd_per_million_by_function": {
                name: round(sum(d.values()) / new * 1e6, 3)
                for name, d in sorted(spent.items(), key=lambda x: -sum(x[1].values()))
            },
            "runs": runs,
            "articles_per_run": round(new / runs, 1),
            "feed_polls": flow.consumed.get("FeedQueue", 0),
            "requests_per_article_by_function": {
                name: round(sum(c.values()) / new, 3) for name, c in sorted(by_function.items())
            },
            "requests_per_article_by_operation": {
                op: round(n / new, 3) for op, n in by_operation.most_common()
            },
            "requests_per_article_by_function_and_operation": {
                name: {op: round(n / new, 3) for op, n in c.most_common()}
                for name, c in sorted(by_function.items())
            },
            "dynamodb_write_units_per_article_by_function": _per_article(meter.write_units, new),
            "dynamodb_read_units_per_article_by_function": _per_article(meter.read_units, new),
            "prices": f"{cost.PRICES_REGION}, read {cost.PRICES_READ}",
        }


def _per_article(units: dict[str, float], articles: int) -> dict[str, float]:
    """Units by function over the articles, the largest first."""
    return {name: round(n / articles, 2) for name, n in sorted(units.items(), key=lambda x: -x[1])}


OUT_OF_TIME = "out of time"  # how Roundup's log line begins when it leaves work for the next run


def _read_log(log: Path, start: int) -> tuple[Counter[str], int]:
    """The run's log lines, from `start`, in one pass: their bytes by the function that wrote them (from the
    Lambda context each line carries; OUTSIDE for the local driver's own, which are not priced: in AWS there
    is no driver), and how many say a run ran out of time."""
    from localangle.meter import OUTSIDE

    out: Counter[str] = Counter()
    cut_short = 0
    if not log.exists():
        return out, cut_short
    with log.open("rb") as f:
        f.seek(start)
        for line in f:
            try:
                record = json.loads(line)
                name = str(record.get("function_name") or "")
                cut_short += str(record.get("message", "")).startswith(OUT_OF_TIME)
            except (ValueError, AttributeError):
                name = ""
            out[name.removeprefix("localangle-") or OUTSIDE] += len(line)
    return out, cut_short


def _usage(
    world: World,
    meter: AwsMeter,
    busy: dict[str, float],
    invocations: dict[str, int],
    chunks: dict[str, int],
    log_bytes: Counter[str],
) -> dict[str, cost.Usage]:
    """What each function used in the metered part of the run: its invocations, time, requests by service
    and configured memory, the billing quantities the meter counted for it, and its log lines."""
    flow, memory = world.flow, _memory(world.cloud.template)
    usage: dict[str, cost.Usage] = {}
    for name, n in flow.invocations.items():
        use = cost.FunctionUse(
            memory_mb=memory[name],
            invocations=n - invocations.get(name, 0),
            seconds=flow.busy.get(name, 0.0) - busy.get(name, 0.0),
            aws_seconds=meter.aws_seconds.get(name, 0.0),
            waits=meter.wait_seconds(name),
            requests={},
        )
        for key, count in meter.calls.get(name, Counter()).items():
            service = key.split(".")[0]
            use.requests[service] = use.requests.get(service, 0) + count
        billed = meter.billed.get(name, Counter())
        usage[name] = cost.Usage(
            functions={name: use},
            s3_put=billed["s3_put"],
            s3_get=billed["s3_get"],
            dynamodb_write_units=meter.write_units.get(name, 0.0),
            dynamodb_read_units=meter.read_units.get(name, 0.0),
            sqs_requests=billed["sqs_requests"],
            sqs_fifo_requests=billed["sqs_fifo_requests"],
            ses_emails=billed["ses_emails"],
            sns_publishes=billed["sns_publishes"],
            log_bytes=log_bytes.get(name, 0),
        )
    # Lambda's pollers, charged to the function they invoke: for every invocation a queue triggered, a
    # receive (a request for each 64 KB of the messages it returned: pages travel in ArticleQueue's) and a
    # batch delete
    for queue, function in world.cloud.queue_consumers().items():
        if function not in usage:
            continue
        received = flow.receive_chunks.get(queue, 0) - chunks.get(queue, 0)
        polls = received + usage[function].functions[function].invocations
        if world.cloud.physical[queue]["QueueName"].endswith(".fifo"):
            usage[function].sqs_fifo_requests += polls
        else:
            usage[function].sqs_requests += polls
    return usage


def _memory(template: dict[str, Any]) -> dict[str, int]:
    """Each function's configured memory in MB (its own MemorySize, else the template's Globals)."""
    default = int(template.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    out = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            name = Path(str(props["CodeUri"])).name
            out[name] = int(props.get("MemorySize", default))
    return out


def run(
    root: Path,
    operations: list[Operation],
    files: list[str],
    *,
    size: int = 2000,
    many: int = 1000,
    rounds: int = 3,
    processes: int = 5,
    e2e: bool = True,
) -> dict[str, Any]:
    outlets = corpus.build(files, size)
    result: dict[str, Any] = reading(outlets, operations, rounds)
    result["operations"] = many
    result["ops_scaling_ratio"] = scaling(outlets, operations, many, rounds)
    imports = handler_imports(root, processes)
    floor = imports.pop(FLOOR)
    result["handler_import_ms"] = max(imports.values())
    result["handler_import_ms_by_handler"] = imports
    result["handler_import_floor_ms"] = floor
    result["handler_import_ms_over_floor"] = round(max(imports.values()) - floor, 1)
    if e2e:
        runs = [end_to_end(root, outlets, squeeze) for squeeze in (1.0, BUSY_SQUEEZE, ONE_RUN_SQUEEZE)]
        result.update(costs(*runs))
    return result


# What the quiet day's run reports under its own name, beside the cost at the design's load
QUIET_DAY_KEYS = ("usd_per_million_articles", "usd_per_million_by_item", "usd_per_million_by_function")


def costs(quiet: dict[str, Any], busy: dict[str, Any], one_run: dict[str, Any]) -> dict[str, Any]:
    """The three metered runs of the same articles, and from them the cost of a million articles as the
    design brings them: in one day of 96 runs from 10,000 feeds (DESIGN.md §6).

    The quiet day's figures (its requests, units and cost by item, under `_quiet_day` for the cost) are the
    ones measured most finely; the busy run's and the one-run check's cost follow. A million articles on the
    quiet day come 31 a run: 500 such days of a 46-feed desk, paying 32,000 runs' emails and reports. The
    headline `usd_per_million_articles` is the design's day, fitted from the quiet and busy runs
    (`design_rate`); the one-run check, 2,000 articles in one run, is predicted by that fit before it is
    compared with what it measured, so how far the fit reaches is shown beside it."""
    design, fitted = design_rate(quiet, busy)
    articles = one_run["e2e_articles"]
    predicted = fitted(articles / one_run["runs"], one_run["feed_polls"] / articles)
    headline = {
        "usd_per_million_articles": round(sum(design.values()), 2),
        "usd_per_million_articles_load": (
            "DESIGN.md's day: a million articles from 10,000 feeds in 96 runs "
            f"({DESIGN_ARTICLES_PER_RUN:,} articles and {DESIGN_POLLS_PER_ARTICLE:g} feed polls an "
            "article), fitted from the quiet day and the busy run"
        ),
        "usd_per_million_by_function": design,
        **{f"{k}_quiet_day": quiet[k] for k in QUIET_DAY_KEYS},
    }
    out: dict[str, Any] = {}
    # the headline where the quiet day's cost was, the quiet day's runs, polls and requests after it
    for key, value in quiet.items():
        if key == "usd_per_million_articles":
            out.update(headline)
        if key not in QUIET_DAY_KEYS:
            out[key] = value
    for name, run_ in (("busy", busy), ("one_run", one_run)):
        out.update(
            {
                f"usd_per_million_articles_{name}": run_["usd_per_million_articles"],
                f"e2e_seconds_{name}": run_["e2e_seconds"],
                f"runs_{name}": run_["runs"],
                f"articles_per_run_{name}": run_["articles_per_run"],
                f"feed_polls_{name}": run_["feed_polls"],
                f"alerts_{name}": run_["alerts"],
                f"usd_per_million_by_item_{name}": run_["usd_per_million_by_item"],
                f"usd_per_million_by_function_{name}": run_["usd_per_million_by_function"],
            }
        )
    out["usd_per_million_articles_one_run_predicted"] = round(sum(predicted.values()), 2)
    out["usd_per_million_by_function_one_run_predicted"] = predicted
    return out


def design_rate(
    quiet: dict[str, Any], busy: dict[str, Any]
) -> tuple[dict[str, float], Callable[[float, float], dict[str, float]]]:
    """The cost per million by function at the design's rate, from two measured runs of the same articles,
    and the fit that gave it: each function's cost at r articles a run and p feed polls an article.

    Some of the cost comes with each scheduled run whatever it brings (a run's emails, its reports), so it
    falls per article as runs bring more: for each function, taking its cost per article as a + b / r at r
    articles a run, the quiet and the busy run give a and b, and the design's rate (a million articles a day
    over 96 runs) gives its cost. ScheduleFeeds and FetchFeed work per feed polled instead, and the design
    polls about one feed per article (10,000 feeds every run), between the quiet day's 1.5 and the busy
    run's 0.1: theirs is a + b × p at p polls an article. The design's 1 / r (0.0001) lies beyond the busy
    run's (0.002) but near it, as 1 / r goes; the one-run check (0.0005) tests four fifths of that reach, for
    the functions fitted per run (in all three runs the feeds are polled about once a run, so the check's
    polls per article move with 1 / r and cannot test the per-poll lines)."""
    articles = quiet["e2e_articles"]
    x1, x2 = articles / quiet["runs"], articles / busy["runs"]
    if busy["e2e_articles"] != articles or x1 == x2:
        raise ValueError("the two runs must bring the same articles in different numbers of runs")
    p1, p2 = quiet["feed_polls"] / articles, busy["feed_polls"] / articles
    lines: dict[str, tuple[float, float, bool]] = {}  # function → (a, b, per poll)
    for name in sorted(set(quiet["usd_per_million_by_function"]) | set(busy["usd_per_million_by_function"])):
        c1 = quiet["usd_per_million_by_function"].get(name, 0.0)
        c2 = busy["usd_per_million_by_function"].get(name, 0.0)
        if name in PER_POLL and p1 != p2:
            slope = (c1 - c2) / (p1 - p2)
            lines[name] = (c1 - slope * p1, slope, True)
        else:
            slope = (c1 - c2) / (1 / x1 - 1 / x2)
            lines[name] = (c1 - slope / x1, slope, False)

    def fitted(per_run: float, polls: float) -> dict[str, float]:
        return {
            name: round(max(0.0, a + b * (polls if per_poll else 1 / per_run)), 3)
            for name, (a, b, per_poll) in lines.items()
        }

    return fitted(DESIGN_ARTICLES_PER_RUN, DESIGN_POLLS_PER_ARTICLE), fitted


TARGETS = {  # issue 7: what the product should come in at or under
    "overhead_ratio": 1.0,
    "ops_scaling_ratio": 1.5,
    "handler_import_ms": 250,
    "aws_requests_per_article": 8,
    "usd_per_million_articles": 10,
}


def report(result: dict[str, Any]) -> str:
    """The figures as a table for a terminal, each headline figure beside its target."""
    lines = []
    for key, value in result.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            for k, v in value.items():
                if isinstance(v, dict):
                    lines.append(f"    {k}:")
                    lines.extend(f"        {op:<36} {n}" for op, n in v.items())
                else:
                    lines.append(f"    {k:<40} {v}")
            continue
        target = TARGETS.get(key)
        mark = "" if target is None else f"  (target ≤ {target}: {'met' if value <= target else 'NOT met'})"
        lines.append(f"{key:<44} {value}{mark}")
    return "\n".join(lines)


def default_corpus(root: Path) -> list[str]:
    return [str(root / "seeds" / "articles"), str(root / "tests" / "data" / "articles")]
