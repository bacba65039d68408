"""`make build` without Docker: the artifacts, installed into a clean directory, import every handler; the
arm64 build holds only wheels for CPython 3.13 on aarch64 (or pure Python); an sdist-only pure-Python
dependency is built into a wheel on the way. Needs the package index, like `make setup`."""

from __future__ import annotations

import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from localangle.local.cloud import load_template
from tests.conftest import ROOT

BUILD = ROOT / ".ci" / "build.py"


def _interpreter() -> tuple[str, str]:
    """Lambda's CPython 3.13 if this machine has one (pyenv's included), else this interpreter."""
    candidates = [
        shutil.which("python3.13"),
        *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13"))),
    ]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False).returncode == 0:
            return candidate, "3.13"
    return sys.executable, f"{sys.version_info.major}.{sys.version_info.minor}"


def _build(out: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    print(done.stdout.strip())
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def test_the_artifacts_installed_in_a_clean_directory_import_every_handler(tmp_path: Path) -> None:
    python, version = _interpreter()
    # Given the artifacts built for this machine's platform (as for Lambda's, but loadable here)
    manifest = _build(
        tmp_path / "build", "--platform", f"manylinux2014_{platform.machine()}", "--python-version", version
    )
    # When they are unpacked where Lambda puts them: the layer under /opt, each function under /var/task
    opt, tasks = tmp_path / "clean" / "opt", tmp_path / "clean" / "task"
    zipfile.ZipFile(tmp_path / "build" / "layer.zip").extractall(opt)
    functions = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))
    assert manifest["functions"] == functions
    for name in functions:
        zipfile.ZipFile(tmp_path / "build" / "functions" / f"{name}.zip").extractall(tasks / name)
    # Then a bare interpreter (no site-packages, no environment) imports each handler from them alone
    for name in functions:
        code = (
            "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
            "import app, localangle, pydantic_core, lxml.etree\n"
            "assert callable(app.handler)\n"
            "print(app.__file__, localangle.__file__, pydantic_core.__file__)"
        )
        done = subprocess.run(
            [python, "-I", "-S", "-c", code, str(tasks / name), str(opt / "python")],
            capture_output=True,
            text=True,
            env={"AWS_REGION": "eu-west-2", "POWERTOOLS_SERVICE_NAME": "localangle"},
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert all(path.startswith(str(tmp_path / "clean")) for path in done.stdout.split()), done.stdout
    print(f"imported every handler with {python} ({version})")


def test_the_lambda_build_is_for_cpython_313_on_arm64_and_deployable(tmp_path: Path) -> None:
    manifest = _build(tmp_path / "build")
    assert (manifest["platform"], manifest["python_version"]) == ("manylinux2014_aarch64", "3.13")
    for wheel in manifest["wheels"]:
        tags = wheel.removesuffix(".whl").split("-")[-3:]
        assert tags[2] == "any" or ("cp313" in tags[0] and "aarch64" in tags[2]), wheel
    layer = tmp_path / "build" / "layer" / "python"
    compiled = [p.name for p in layer.rglob("*.so")]
    assert compiled and all("x86_64" not in name for name in compiled)
    assert (layer / "localangle" / "data" / "uk-police-forces.yaml").is_file()
    assert not (layer / "localangle" / "local").exists()  # the offline world (moto) stays out of the layer
    assert manifest["layer_bytes"] < 250 * 1024 * 1024  # Lambda's limit, unzipped, layers and code together
    # the built template deploys what was built: the layer from layer/, each function from its folder
    template = load_template(tmp_path / "build" / "template.yaml")
    resources = template["Resources"]
    assert resources["LocalangleLayer"]["Properties"]["ContentUri"] == "layer/"
    assert "Metadata" not in resources["LocalangleLayer"]
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::Function":
            assert (tmp_path / "build" / resource["Properties"]["CodeUri"] / "app.py").is_file()


def test_a_pure_python_dependency_published_only_as_an_sdist_is_built_into_a_wheel(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("sgmllib3k==1.0.0\n", encoding="utf-8")  # an sdist, and nothing else, on PyPI
    manifest = _build(tmp_path / "build", "--requirements", str(requirements))
    assert manifest["built_from_sdists"] == ["sgmllib3k"]
    assert manifest["wheels"] == ["sgmllib3k-1.0.0-py3-none-any.whl"]
    assert (tmp_path / "build" / "layer" / "python" / "sgmllib.py").is_file()


@pytest.mark.parametrize("requirement", ["no-such-package-localangle-test==1.0"])
def test_a_dependency_that_cannot_be_had_stops_the_build_naming_it(tmp_path: Path, requirement: str) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{requirement}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(tmp_path / "build"), "--requirements", str(requirements)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("build failed: ") and "no-such-package-localangle-test" in done.stderr
