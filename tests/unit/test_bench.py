"""The bench runs and reports its figures (times are reported, never asserted)."""

from localangle import bench
from localangle.config import load_operations
from tests.conftest import ARTICLES, SEEDS


def test_synthetic_operations_are_distinct_and_valid() -> None:
    ops = bench.synthetic_operations(load_operations([SEEDS / "operations"]), 12)
    assert len(ops) == 12 and len({op.id for op in ops}) == 12
    assert all(type(op).model_validate(op.model_dump()) == op for op in ops)


def test_bench_reports_the_scaling_ratio() -> None:
    result = bench.run(load_operations([SEEDS / "operations"]), [str(ARTICLES)], many=5, rounds=1)
    assert result["articles"] == 5 and result["operations"] == 5
    assert result["ops_scaling_ratio"] > 0
