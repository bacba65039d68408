"""A handler's imports run with the cyclic collector paused, and what they built is frozen once per process.

Each case runs in a fresh interpreter: the collector's state is the process's own."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "shared")},
    )
    return done.stdout.split()


def test_the_collector_is_paused_for_the_imports_then_on_again_with_what_they_built_frozen() -> None:
    during, after, frozen = _run(
        "import gc\n"
        "from localangle import coldstart\n"
        "with coldstart.imports():\n"
        "    import json, email.message\n"
        "    during = gc.isenabled()\n"
        "print(during, gc.isenabled(), gc.get_freeze_count() > 0)\n"
    )
    assert (during, after, frozen) == ("False", "True", "True")


def test_only_the_first_block_freezes_so_a_process_that_loads_handlers_again_can_still_collect() -> None:
    first, second = _run(
        "import gc\n"
        "from localangle import coldstart\n"
        "with coldstart.imports():\n"
        "    pass\n"
        "first = gc.get_freeze_count()\n"
        "garbage = [[] for _ in range(1000)]\n"
        "with coldstart.imports():\n"
        "    pass\n"
        "print(first, gc.get_freeze_count())\n"
    )
    assert first == second


def test_a_failed_import_still_turns_the_collector_back_on_and_one_turned_off_stays_off() -> None:
    after_failure, left_off = _run(
        "import gc\n"
        "from localangle import coldstart\n"
        "try:\n"
        "    with coldstart.imports():\n"
        "        import localangle_no_such_module\n"
        "except ImportError:\n"
        "    pass\n"
        "after = gc.isenabled()\n"
        "gc.disable()\n"
        "with coldstart.imports():\n"
        "    pass\n"
        "print(after, gc.isenabled())\n"
    )
    assert (after_failure, left_off) == ("True", "False")


def test_every_handler_imports_inside_the_block() -> None:
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        lines = app.read_text(encoding="utf-8").splitlines()
        imports = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
        assert [lines[i] for i in imports] == ["from localangle import coldstart"], app
        assert "with coldstart.imports():" in lines, app
