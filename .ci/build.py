"""Build the deployable artifacts without Docker: the layer and each function, for python3.13 on arm64.

    python .ci/build.py [--out build] [--platform manylinux2014_aarch64] [--python-version 3.13]
                        [--requirements shared/requirements.txt]

pip fetches every dependency as a wheel built for the target (`--platform`, `--python-version`,
`--only-binary=:all:`), so nothing is compiled for this machine by mistake. A dependency published only as an
sdist is built into a wheel here first, and must come out pure Python (`py3-none-any`); anything else stops
the build with its name. Out come:

    <out>/layer/python/...         the localangle package and its dependencies (the layer's layout)
    <out>/functions/<name>/app.py  each handler
    <out>/layer.zip, <out>/functions/<name>.zip   the same, zipped reproducibly
    <out>/template.yaml            template.yaml pointing at them, for `sam deploy --template-file` it
    <out>/manifest.json            target, every wheel, and the sizes
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MISSING = re.compile(r"No matching distribution found for ([A-Za-z0-9_.\-]+)(?:==([^\s;]+))?")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same inputs zip to the same bytes


class BuildError(RuntimeError):
    pass


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )


def _target(platform: str, python_version: str) -> list[str]:
    """pip's options for the target. A manylinux2014 platform also admits the newer manylinux_2_28 and
    _2_34 wheels that Lambda's Amazon Linux 2023 (glibc 2.34) runs; the layer's versions are those tested
    (constraints.txt)."""
    platforms = [platform]
    if platform.startswith("manylinux2014_"):
        arch = platform.removeprefix("manylinux2014_")
        platforms += [f"manylinux_2_28_{arch}", f"manylinux_2_34_{arch}"]
    return [
        *(option for p in platforms for option in ("--platform", p)),
        "--constraint",
        str(ROOT / "constraints.txt"),
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        "--only-binary=:all:",
    ]


def fetch_wheels(requirements: Path, wheels: Path, platform: str, python_version: str) -> list[str]:
    """Every wheel the layer needs, for the target. Returns the packages that had to be built from sdists."""
    built: list[str] = []
    while True:
        done = _pip(
            "download",
            "-r",
            str(requirements),
            "--dest",
            str(wheels),
            "--find-links",
            str(wheels),
            *_target(platform, python_version),
        )
        if done.returncode == 0:
            return built
        missing = MISSING.search(done.stderr)
        if not missing or missing.group(1) in built:
            raise BuildError(f"pip could not fetch the layer's wheels:\n{done.stderr.strip()}")
        name, version = missing.group(1), missing.group(2)
        _wheel_from_sdist(wheels, f"{name}=={version}" if version else name)
        built.append(name)


def _wheel_from_sdist(wheels: Path, requirement: str) -> None:
    """Build a wheel of a package published only as an sdist; it must be pure Python to suit any target."""
    before = set(wheels.glob("*.whl"))
    done = _pip("wheel", "--no-deps", "--no-binary=:all:", "--wheel-dir", str(wheels), requirement)
    if done.returncode != 0:
        raise BuildError(
            f"{requirement} has no wheel for the target and did not build:\n{done.stderr.strip()}"
        )
    for wheel in set(wheels.glob("*.whl")) - before:
        if not wheel.name.endswith("-none-any.whl"):
            wheel.unlink()
            raise BuildError(
                f"{requirement} has no wheel for the target and is not pure Python ({wheel.name})"
            )


def install_layer(requirements: Path, wheels: Path, site: Path, platform: str, python_version: str) -> None:
    done = _pip(
        "install",
        "-r",
        str(requirements),
        "--no-index",
        "--find-links",
        str(wheels),
        "--target",
        str(site),
        "--no-compile",
        *_target(platform, python_version),
    )
    if done.returncode != 0:
        raise BuildError(f"pip could not install the layer:\n{done.stderr.strip()}")
    shutil.copytree(
        ROOT / "shared" / "localangle",
        site / "localangle",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "local"),
    )
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache)
    compile_bytecode(site, python_version)


def _runs(python: str) -> bool:
    """A real interpreter, not a shim that names one it cannot find (pyenv's)."""
    return subprocess.run([python, "-c", "pass"], capture_output=True, check=False).returncode == 0


def compile_bytecode(site: Path, python_version: str) -> None:
    """Bytecode for the target Python, hash-checked without reading the sources' times: /opt is read-only
    in Lambda, so a layer without it compiles every module it imports at every cold start. Only that
    Python's own compileall can write it (the format changes between versions)."""
    pyenv = os.path.expanduser(f"~/.pyenv/versions/{python_version}*/bin/python{python_version}")
    candidates = [shutil.which(f"python{python_version}"), *sorted(glob.glob(pyenv))]
    python = next((c for c in candidates if c and _runs(c)), None)
    if python is None:
        print(
            f"warning: no python{python_version} on this machine: the layer ships sources only, and Lambda "
            "compiles what it imports at every cold start",
            file=sys.stderr,
        )
        return
    done = subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BuildError(f"compileall failed:\n{done.stdout.strip()}\n{done.stderr.strip()}")


def copy_functions(out: Path) -> list[str]:
    names = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))
    for name in names:
        target = out / "functions" / name
        target.mkdir(parents=True)
        shutil.copy2(ROOT / "functions" / name / "app.py", target / "app.py")
    return names


def zip_dir(source: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(str(path.relative_to(source)), date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())


def built_template(out: Path) -> None:
    """template.yaml with the layer taken from <out>/layer (functions keep their paths, mirrored in <out>)."""
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    replacements = [
        ("      ContentUri: shared/\n", "      ContentUri: layer/\n"),
        ("    Metadata:\n      BuildMethod: python3.13\n      BuildArchitecture: arm64\n", ""),
    ]
    for old, new in replacements:
        if text.count(old) != 1:
            raise BuildError(f"template.yaml no longer has exactly one {old.strip()!r}; update .ci/build.py")
        text = text.replace(old, new)
    (out / "template.yaml").write_text("# Built by .ci/build.py: deploy this one.\n" + text, encoding="utf-8")


def _size(path: Path) -> int:
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def build(out: Path, platform: str, python_version: str, requirements: Path) -> dict[str, object]:
    if out.exists():
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    from_sdists = fetch_wheels(requirements, wheels, platform, python_version)
    install_layer(requirements, wheels, out / "layer" / "python", platform, python_version)
    functions = copy_functions(out)
    compile_bytecode(out / "functions", python_version)
    zip_dir(out / "layer", out / "layer.zip")
    for name in functions:
        zip_dir(out / "functions" / name, out / "functions" / f"{name}.zip")
    built_template(out)
    manifest: dict[str, object] = {
        "platform": platform,
        "python_version": python_version,
        "wheels": sorted(p.name for p in wheels.glob("*.whl")),
        "built_from_sdists": from_sdists,
        "functions": functions,
        "layer_bytes": _size(out / "layer"),
        "layer_zip_bytes": _size(out / "layer.zip"),
        "function_zip_bytes": {name: _size(out / "functions" / f"{name}.zip") for name in functions},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    parser.add_argument("--platform", default="manylinux2014_aarch64")
    parser.add_argument("--python-version", default="3.13")
    parser.add_argument("--requirements", type=Path, default=ROOT / "shared" / "requirements.txt")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.out.resolve(), args.platform, args.python_version, args.requirements.resolve())
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    mb = 1024 * 1024
    layer, zipped = int(str(manifest["layer_bytes"])), int(str(manifest["layer_zip_bytes"]))
    built = ", ".join(map(str, manifest["built_from_sdists"]))  # type: ignore[call-overload]
    print(
        f"built for {args.platform}, CPython {args.python_version}: layer {zipped / mb:.1f} MB zipped, "
        f"{layer / mb:.1f} MB unzipped, {len(manifest['wheels'])} wheels"  # type: ignore[arg-type]
        + (f" (built from sdists: {built})" if built else "")
        + f"; {len(manifest['functions'])} functions → {args.out}"  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
