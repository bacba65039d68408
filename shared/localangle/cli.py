"""The `localangle` command line: demo, analyse, parse-feed, replay (DESIGN.md §4), ledger, bench."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from localangle import __version__


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number


def project_root() -> Path:
    """The project folder (template.yaml, seeds/, functions/).

    $LOCALANGLE_ROOT, else the working directory or a parent, else the checkout the package came from.
    """
    candidates = []
    if os.environ.get("LOCALANGLE_ROOT"):
        candidates.append(Path(os.environ["LOCALANGLE_ROOT"]))
    cwd = Path.cwd()
    candidates.extend([cwd, *cwd.parents, Path(__file__).resolve().parents[2]])
    for path in candidates:
        if (path / "template.yaml").is_file() and (path / "seeds").is_dir():
            return path
    raise UsageError(
        "cannot find the project folder (template.yaml and seeds/); run from the checkout "
        "or set LOCALANGLE_ROOT"
    )


def _operation_paths(files: list[str] | None) -> list[Path]:
    """The --operation files or folders, else the project's seeds/operations/."""
    return [Path(f) for f in files] if files else [project_root() / "seeds" / "operations"]


def _operation_texts(files: list[str] | None) -> list[tuple[str, str]]:
    """Each operation file's name and text, validated (errors name the file and field)."""
    from localangle.config import assemble, operation_sources

    sources = operation_sources(_operation_paths(files))
    assemble(sources, None, None)
    return [(Path(name).name, text) for name, text in sources]


def cmd_analyse(args: argparse.Namespace) -> int:
    from localangle.articles import ArticleFileError, article_files, read_article_file
    from localangle.config import load_operations
    from localangle.core.analysis import Reader
    from localangle.models.article import utc_iso

    reader = Reader(load_operations(_operation_paths(args.operation)))
    failures = 0
    for path in article_files(args.paths):
        try:
            article = read_article_file(path)
        except ArticleFileError as exc:
            print(f"localangle: {exc}", file=sys.stderr)
            failures += 1
            continue
        analysis = reader.analyse(article)
        doc: dict[str, Any] = {
            "source": str(path),
            "url": article.url,
            "title": article.title,
            "outlet": article.outlet,
            "published": utc_iso(article.published),
            "matches": [m.model_dump() for m in analysis.matches],
            "regions": analysis.regions,
            "figures": [f.model_dump() for f in analysis.figures],
        }
        print(json.dumps(doc, ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 1 if failures else 0


def cmd_parse_feed(args: argparse.Namespace) -> int:
    from localangle.feeds_cli import parse_feed_files

    for line in parse_feed_files(args.paths):
        print(json.dumps(line, ensure_ascii=False))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from localangle.local.replay import replay

    root = project_root()
    replay(root, _operation_texts(args.operation), args.paths, sys.stdout, root / "out" / "replay.log")
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    """Print an operation's ledger as a table: replayed offline from article files, or as last published."""
    import io

    from localangle.config import load_operations
    from localangle.core.gazetteer import load_gazetteer
    from localangle.report import Cell, as_html, as_text, cells, from_json, report_key

    operations = {op.id: op for op in load_operations(_operation_paths(args.operation))}
    operation = operations.get(args.operation_id)
    if operation is None:
        raise UsageError(f"unknown operation {args.operation_id!r}; known: {', '.join(sorted(operations))}")
    rows: list[Cell] = []
    if args.bucket:
        from localangle.adapters.aws import client

        key = report_key(operation.id, "ledger.json")
        try:
            body = client("s3").get_object(Bucket=args.bucket, Key=key)["Body"].read()
        except Exception as exc:
            raise UsageError(f"cannot read s3://{args.bucket}/{key}: {exc}") from exc
        rows = from_json(body.decode("utf-8"))
    else:
        from localangle.adapters.storage import LedgerTable
        from localangle.local.replay import replay

        root = project_root()
        paths = args.paths or [str(root / "seeds" / "articles")]

        def keep(world: Any) -> None:
            table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
            rows.extend(cells(operation, table.operation_claims(operation.id, list(operation.metrics))))

        replay(
            root, _operation_texts(args.operation), paths, io.StringIO(), root / "out" / "ledger.log", keep
        )
    print(as_text(operation, rows, load_gazetteer()), end="")
    if args.html:
        from datetime import UTC, datetime

        Path(args.html).write_text(
            as_html(operation, rows, load_gazetteer(), datetime.now(UTC)), encoding="utf-8"
        )
    return 1 if args.fail_on_conflict and any(r.conflict for r in rows) else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from localangle.local.demo import run_demo

    root = project_root()
    run_demo(root, Path(args.out) if args.out else root / "out", sys.stdout)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from localangle import bench
    from localangle.config import load_operations

    root = project_root()
    operations = load_operations([root / "seeds" / "operations"])
    result = bench.run(
        root,
        operations,
        args.paths or bench.default_corpus(root),
        size=args.articles,
        many=args.operations,
        rounds=args.rounds,
        e2e=not args.no_e2e,
    )
    if args.json:
        print(json.dumps(result))
    else:
        print(bench.report(result))
    return 0


def cmd_redrive(args: argparse.Namespace) -> int:
    from localangle.redrive import RedriveError, redrive

    try:
        result = redrive(args.queue, to=args.to, limit=args.limit)
    except RedriveError as exc:
        raise UsageError(str(exc)) from exc
    print(f"{result.moved} messages sent back to {result.source}")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from localangle.backfill import BackfillError, run
    from localangle.settings import SettingsError

    try:
        return run(args.operation, args.since, args.stack, sys.stdout)
    except (BackfillError, SettingsError) as exc:
        raise UsageError(str(exc)) from exc


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date such as 2014-07-16") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="localangle", description="Regional angles and conflicting figures on national news stories."
    )
    p.add_argument("--version", action="version", version=f"localangle {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the whole flow offline on the seed articles")
    demo.add_argument("--out", help="folder for the ledger report and logs (default: out/)")
    demo.set_defaults(func=cmd_demo)
    analyse = sub.add_parser("analyse", help="read article files and print matches, regions and figures")
    analyse.add_argument("--operation", action="append", help="operation file or folder (repeatable)")
    analyse.add_argument("paths", nargs="+", metavar="PATH")
    analyse.set_defaults(func=cmd_analyse)
    parse_feed = sub.add_parser("parse-feed", help="print the normalised entries of saved feed files")
    parse_feed.add_argument("paths", nargs="+", metavar="PATH")
    parse_feed.set_defaults(func=cmd_parse_feed)
    replay = sub.add_parser("replay", help="run the whole flow offline on article files, in the order given")
    replay.add_argument("--operation", action="append", help="operation file or folder (repeatable)")
    replay.add_argument("paths", nargs="+", metavar="PATH")
    replay.set_defaults(func=cmd_replay)
    ledger = sub.add_parser(
        "ledger", help="print an operation's figure ledger: places × metrics, values, sources, conflicts"
    )
    ledger.add_argument("operation_id", metavar="OPERATION")
    ledger.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="article files to replay offline (default: the seed articles)",
    )
    ledger.add_argument("--operation", action="append", help="operation file or folder (repeatable)")
    ledger.add_argument("--bucket", help="read the report the Roundup function published in this S3 bucket")
    ledger.add_argument("--html", metavar="FILE", help="also write the HTML page to FILE")
    ledger.add_argument("--fail-on-conflict", action="store_true", help="exit 1 if any cell is in conflict")
    ledger.set_defaults(func=cmd_ledger)
    bench = sub.add_parser(
        "bench", help="measure where the time and the money go, beside the floor of parsing and extraction"
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--articles", type=_positive, default=2000, help="corpus size (default 2,000)")
    bench.add_argument(
        "--operations", type=_positive, default=1000, help="tracked operations to compare with one"
    )
    bench.add_argument("--rounds", type=_positive, default=3, help="timings per article, of which the median")
    bench.add_argument("--no-e2e", action="store_true", help="skip the end-to-end run on moto")
    bench.add_argument(
        "paths", nargs="*", metavar="PATH", help="article files or folders to include (default: seeds, tests)"
    )
    bench.set_defaults(func=cmd_bench)
    redrive = sub.add_parser(
        "redrive", help="send a dead-letter queue's messages back to the queue they failed from (AWS)"
    )
    redrive.add_argument("queue", metavar="QUEUE", help="the dead-letter queue's name or URL")
    redrive.add_argument("--to", metavar="QUEUE", help="the queue to send to (default: the DLQ's one source)")
    redrive.add_argument("--limit", type=int, help="move at most this many messages")
    redrive.set_defaults(func=cmd_redrive)
    backfill = sub.add_parser(
        "backfill",
        help="read the archive again with the current rules; the ledger gains what they find, and only "
        "alerts never sent go out (AWS)",
    )
    backfill.add_argument("--operation", required=True, metavar="ID", help="the tracked operation's id")
    backfill.add_argument(
        "--since", type=_date, metavar="DATE", help="only articles published on or after DATE"
    )
    backfill.add_argument(
        "--stack",
        metavar="NAME",
        help="the deployed stack (default: the functions' variables in the environment)",
    )
    backfill.set_defaults(func=cmd_backfill)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from localangle.articles import ArticleFileError
    from localangle.config import ConfigError

    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, ConfigError, ArticleFileError) as exc:
        print(f"localangle: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
