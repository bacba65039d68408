"""The bench's corpus, cost model and timings (times are reported, never asserted)."""

import json
from pathlib import Path
from typing import Any

import pytest

from localangle import bench, corpus, cost
from localangle.cli import main
from localangle.config import load_operations
from localangle.core.analysis import Reader
from tests.conftest import ARTICLES, ROOT, SEEDS


def test_synthetic_operations_are_distinct_and_valid() -> None:
    ops = bench.synthetic_operations(load_operations([SEEDS / "operations"]), 12)
    assert len(ops) == 12 and len({op.id for op in ops}) == 12
    assert all(type(op).model_validate(op.model_dump()) == op for op in ops)


def test_the_corpus_is_the_same_every_time_and_reads_like_a_news_day() -> None:
    first, second = corpus.build([str(ARTICLES)], 120), corpus.build([str(ARTICLES)], 120)
    assert [i.page for o in first for i in o.items] == [i.page for o in second for i in o.items]
    items = [i for o in first for i in o.items]
    assert len(items) == 120 and len({i.article.id for i in items}) == 120
    kinds = {i.kind for i in items}
    assert kinds == {"file", "operation", "other"}
    reader = Reader(load_operations([SEEDS / "operations"]))
    matched = {
        kind: sum(bool(reader.analyse(i.article).matches) for i in items if i.kind == kind) for kind in kinds
    }
    assert matched["other"] == 0  # burglaries, drugs raids, courts: police copy about something else
    assert matched["operation"] > 0
    # every article sits in one feed document of its outlet, and its page carries its words among the debris
    for outlet in first:
        assert sum(len(f) for f in corpus.feeds(outlet)) == len(outlet.items)
        item = outlet.items[0]
        assert item.article.text.split("\n\n")[0][:40].encode() in item.page.replace(b"&#x27;", b"'")
        assert len(item.page) > 4 * len(item.article.text)


def test_reading_reports_the_floor_and_the_analysis_on_top_of_it() -> None:
    outlets = corpus.build([str(ARTICLES)], 30)
    result = bench.reading(outlets, load_operations([SEEDS / "operations"]), rounds=1)
    assert result["articles"] == 30
    assert result["floor_ms_per_article"] > 0 and result["analyse_ms_per_article"] > 0
    assert result["overhead_ratio"] > 0


def test_waiting_is_billed_at_the_configured_memory_and_work_as_at_a_full_vcpu() -> None:
    use = cost.FunctionUse(memory_mb=512, seconds=2.0, aws_seconds=1.0, waits=1.6)
    assert use.compute_seconds() == 1.0
    assert use.gb_seconds() == 1.0 * cost.FULL_VCPU_MB / 1024 + 1.6 * 0.5
    big = cost.FunctionUse(memory_mb=4096, seconds=1.0)
    assert big.gb_seconds() == 4.0  # above a full vCPU, more memory does not make one thread faster


def test_dollars_come_from_the_one_price_table() -> None:
    usage = cost.Usage(s3_put=1000, dynamodb_write_units=1e6, ses_emails=1000, sqs_fifo_requests=1e6)
    dollars = cost.dollars(usage)
    assert dollars["s3"] == 1000 * cost.PRICES["s3_put_request"]
    assert dollars["dynamodb"] == cost.PRICES["dynamodb_write_unit"] * 1e6
    assert dollars["ses"] == 1000 * cost.PRICES["ses_email"]
    assert dollars["sqs"] == cost.PRICES["sqs_fifo_request"] * 1e6
    assert cost.PRICES_READ and cost.PRICES_REGION == "eu-west-2"


def test_bench_json_is_one_object_with_the_figures_the_issue_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The end-to-end keys are checked by tests/integration/test_bench_meter.py; here the rest, as printed."""
    assert (
        main(["bench", "--json", "--articles", "20", "--operations", "5", "--rounds", "1", "--no-e2e"]) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    for key in ("floor_ms_per_article", "analyse_ms_per_article", "overhead_ratio", "ops_scaling_ratio"):
        assert result[key] > 0
    assert result["articles"] == 20 and result["operations"] == 5
    handlers = {p.name for p in (ROOT / "functions").iterdir() if (p / "app.py").is_file()}
    assert set(result["handler_import_ms_by_handler"]) == handlers
    assert result["handler_import_ms"] == max(result["handler_import_ms_by_handler"].values())
    # the floor, taken in the same rounds: the libraries alone, below every handler that imports them
    assert 0 < result["handler_import_floor_ms"] < result["handler_import_ms"]
    assert result["handler_import_ms_over_floor"] == round(
        result["handler_import_ms"] - result["handler_import_floor_ms"], 1
    )


def test_the_cost_of_a_million_articles_is_the_designs_day_with_the_costs_of_a_run_and_of_a_poll_apart() -> (
    None
):
    # Roundup: $2 per million articles, and $600 per million articles a run (a run's emails, say); FetchFeed:
    # $1 per million articles, and $3 per million for each feed poll an article
    def measured(runs: int, polls: int) -> dict[str, Any]:
        by_function = {"roundup": 2 + 600 * runs / 2000, "fetch_feed": 1 + 3 * polls / 2000}
        return {
            "e2e_articles": 2000,
            "runs": runs,
            "articles_per_run": 2000 / runs,
            "feed_polls": polls,
            "usd_per_million_articles": sum(by_function.values()),
            "usd_per_million_by_function": by_function,
            "alerts": runs,
            "e2e_seconds": 10 * runs,
            "usd_per_million_by_item": {"ses": runs},
            "aws_requests_per_article": 6.5,
        }

    quiet, busy, one_run = measured(64, 64 * 46), measured(4, 4 * 46), measured(1, 46)
    out = bench.costs(quiet, busy, one_run)
    design = {"fetch_feed": round(1 + 3 * 0.96, 3), "roundup": round(2 + 600 / 10417, 3)}
    assert out["usd_per_million_by_function"] == design
    assert out["usd_per_million_articles"] == round(sum(design.values()), 2)
    assert "10,417 articles and 0.96 feed polls an article" in out["usd_per_million_articles_load"]
    # the quiet day's own cost keeps its name; the rest of its figures are the run's
    assert out["usd_per_million_articles_quiet_day"] == quiet["usd_per_million_articles"]
    assert out["usd_per_million_by_function_quiet_day"] == quiet["usd_per_million_by_function"]
    assert out["aws_requests_per_article"] == 6.5 and out["runs"] == 64
    assert out["usd_per_million_articles_busy"] == busy["usd_per_million_articles"]
    assert out["alerts_busy"] == 4 and out["usd_per_million_by_item_one_run"] == {"ses": 1}
    # the one-run check is predicted by the fit, not copied from what it measured
    assert out["usd_per_million_articles_one_run"] == one_run["usd_per_million_articles"]
    assert out["usd_per_million_by_function_one_run_predicted"] == {
        "fetch_feed": round(1 + 3 * 46 / 2000, 3),
        "roundup": round(2 + 600 / 2000, 3),
    }
    skewed = dict(one_run, usd_per_million_articles=99.0)
    assert bench.costs(quiet, busy, skewed)["usd_per_million_articles_one_run_predicted"] == round(
        1 + 3 * 46 / 2000 + 2 + 600 / 2000, 2
    )
    with pytest.raises(ValueError):
        bench.costs(busy, busy, one_run)


def test_the_bench_counts_the_runs_that_ran_out_of_time_in_the_same_pass_as_the_log_bytes(
    tmp_path: Path,
) -> None:
    # (the bytes by function: tests/integration/test_bench_meter.py)
    log = tmp_path / "flow.log"
    lines = [
        {"message": "feeds scheduled"},
        {"message": "out of time: held alerts left for the next run"},
        {"message": "held alerts sent, out of time"},
    ]
    log.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    assert bench._read_log(log, 0)[1] == 1
    assert bench._read_log(log, sum(len(json.dumps(x)) + 1 for x in lines[:2]))[1] == 0
    assert bench._read_log(tmp_path / "none.log", 0) == ({}, 0)
