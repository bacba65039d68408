"""The ledger page as an editor sees it on a phone: rendered by headless Chromium, conflicts shown as such."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from localangle.adapters.storage import LedgerTable
from localangle.core.gazetteer import load_gazetteer
from localangle.local.replay import replay
from localangle.local.world import World
from localangle.models.operation import Operation
from localangle.report import STYLE, Cell, as_html, cells
from tests.conftest import ROOT, operation_texts

CONFLICT_BACKGROUND = (0xFD, 0xE7, 0xE4)  # td.conflict in report.STYLE
PHONE = (390, 9000)  # an iPhone's CSS width; tall enough for the whole seed ledger


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("LOCALANGLE_SKIP_BROWSER"):
            pytest.skip("no Chromium and LOCALANGLE_SKIP_BROWSER is set")
        pytest.fail("headless Chromium is missing: `make test` installs Debian's chromium package")
    return found


def screenshot(page: Path, out: Path) -> Image.Image:
    profile = out.parent / "chromium-profile"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={PHONE[0]},{PHONE[1]}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Image.open(io.BytesIO(out.read_bytes())).convert("RGB")


def conflict_pixels(image: Image.Image) -> int:
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1 << 24) or []}
    return int(counts.get(CONFLICT_BACKGROUND, 0))


def _seed_ledger(operation: Operation) -> list[Cell]:
    rows: list[Cell] = []

    def keep(world: World) -> None:
        table = LedgerTable(world.cloud.env["LEDGER_TABLE"])
        rows.extend(cells(operation, table.operation_claims(operation.id, list(operation.metrics))))

    seeds = sorted(str(p) for p in (ROOT / "seeds" / "articles").glob("*.txt"))
    replay(ROOT, operation_texts(), seeds, io.StringIO(), None, keep)
    return rows


def test_the_conflict_cell_is_shown_as_a_conflict_on_a_phone(
    tmp_path: Path, operations: list[Operation]
) -> None:
    assert "fde7e4" in STYLE, "the test looks for the colour the page paints conflicts with"
    operation = next(op for op in operations if op.id == "nca-2014-online-child-abuse")
    rows = _seed_ledger(operation)
    (conflict,) = [r for r in rows if r.conflict]
    assert (conflict.scope, conflict.metric) == ("cheshire/warrington", "arrests")
    when = datetime(2014, 7, 16, 11, tzinfo=UTC)
    page = tmp_path / "index.html"
    page.write_text(as_html(operation, rows, load_gazetteer(), when), encoding="utf-8")
    # The same ledger with the paper's 21 for Warrington taken out: no conflict left to show
    calm_rows = [
        Cell(r.scope, r.metric, [c for c in r.claims if not (r is conflict and c.low == 21)]) for r in rows
    ]
    calm = tmp_path / "calm.html"
    calm.write_text(as_html(operation, calm_rows, load_gazetteer(), when), encoding="utf-8")

    shot = screenshot(page, tmp_path / "ledger.png")
    calm_shot = screenshot(calm, tmp_path / "calm.png")

    assert shot.size[0] == PHONE[0]
    # a conflict cell is painted: a block of the alarm colour at least a cell's width and several lines tall
    painted = conflict_pixels(shot)
    assert painted > 300 * 60, f"only {painted} pixels in the conflict colour"
    assert conflict_pixels(calm_shot) == 0
    # and it is not only colour: the cell says so in words, and the page lists the dispute at the top
    html = page.read_text(encoding="utf-8")
    assert "<td class='conflict'" in html and ">Conflict<" in html
    assert "⚠ arrests in Warrington" in html
