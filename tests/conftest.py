"""Shared fixtures: the project's paths, the seed operation, the gold file, and a local world."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from localangle.config import load_operations
from localangle.core.analysis import Reader
from localangle.models.operation import Operation

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ARTICLES = SEEDS / "articles"
GOLD = yaml.safe_load((Path(__file__).parent / "data" / "seeds-gold.yaml").read_text(encoding="utf-8"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its folder, so `-m unit` and friends select what the folders promise."""
    for item in items:
        for kind in ("unit", "integration", "e2e"):
            if f"{Path('tests') / kind}" in str(item.path):
                item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
def operations() -> list[Operation]:
    return load_operations([SEEDS / "operations"])


@pytest.fixture(scope="session")
def reader(operations: list[Operation]) -> Reader:
    return Reader(operations)


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(ARTICLES.glob("*.txt"))


def operation_texts() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted((SEEDS / "operations").glob("*.yaml"))]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[object]:
    """A local world (moto, local HTTP servers, the real handlers): the seed operation and a national desk."""
    from localangle.local.replay import NATIONAL_DESK
    from localangle.local.world import World

    with World(ROOT, operation_texts(), [NATIONAL_DESK], tmp_path / "flow.log") as w:
        yield w


@pytest.fixture
def seed_world(tmp_path: Path) -> Iterator[object]:
    """A local world configured from seeds/ (operations, feeds, newsrooms), feeds online and empty."""
    from localangle.config import load_dir
    from localangle.local.world import World

    config = load_dir(SEEDS)
    with World(ROOT, operation_texts(), config.newsrooms, tmp_path / "flow.log") as w:
        for feed in config.feeds:
            w.add_outlet(feed)
        w.upload_config()
        yield w
