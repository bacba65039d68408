"""A handler's imports run with the cyclic collector paused, and what they built is frozen once per process.

Each case runs in a fresh interpreter: the collector's state is the process's own."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

LAMBDA = {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}


def _run(code: str, env: dict[str, str] = LAMBDA) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "shared"), **env},
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


def test_lambda_freezes_once_and_other_processes_never_so_what_they_discard_is_collected() -> None:
    code = (
        "import gc\n"
        "from localangle import coldstart\n"
        "with coldstart.imports():\n"
        "    pass\n"
        "first = gc.get_freeze_count()\n"
        "kept = [[] for _ in range(1000)]\n"
        "with coldstart.imports():\n"
        "    pass\n"
        "print(first, gc.get_freeze_count())\n"
    )
    first, second = map(int, _run(code))
    assert first > 0 and second == first  # the lists made after the first block were not frozen
    assert _run(code, env={}) == ["0", "0"]  # the local driver, the tests, the bench: nothing frozen


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
