"""Load and validate configuration: tracked operations, feeds and newsrooms.

Locally the files come from a folder (`seeds/`); in the cloud from the archive bucket under CONFIG_PREFIX:
`operations/*.yaml` (one operation per file), `feeds.yaml` (`feeds: [...]`), `newsrooms.yaml`
(`newsrooms: [...]`). A bad file is refused with a message naming the file, the field and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from localangle import yamlsafe
from localangle.core.gazetteer import load_gazetteer
from localangle.models.config import Config, FeedConfig, Newsroom
from localangle.models.operation import Operation

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """Configuration that cannot be used; str() is one line naming the file, the field and the problem."""


def _location(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _validate(model: type[M], data: Any, source: str, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location([*([prefix] if prefix else []), *first["loc"]])
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise ConfigError(f"{source}: {where}: {first['msg']}{more}") from exc


def _yaml(text: str, source: str) -> Any:
    try:
        return yamlsafe.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{source}: not valid YAML{line}: {getattr(exc, 'problem', exc)}") from exc


def parse_operation(text: str, source: str) -> Operation:
    data = _yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: an operation file holds one mapping (id, name, metrics, ...)")
    return _validate(Operation, data, source)


def _list_of(model: type[M], text: str, source: str, key: str) -> list[M]:
    data = _yaml(text, source) or {}
    if not isinstance(data, dict) or not isinstance(data.get(key, []), list):
        raise ConfigError(f"{source}: expected a mapping with a list under {key!r}")
    return [_validate(model, item, source, f"{key}[{i}]") for i, item in enumerate(data.get(key) or [])]


SCOPE = re.compile(r"^(uk|nation:[a-z-]+|region:[a-z0-9-]+|[a-z-]+(/[a-z0-9-]+)?)$")


def check_scope(scope: str) -> str | None:
    """None when a scope is well formed and names a known force or nation; else the problem."""
    if not SCOPE.match(scope):
        return f"{scope!r} is not a scope (uk, nation:<n>, region:<slug>, <force>, <force>/<place>)"
    if scope == "uk" or scope.startswith(("nation:", "region:")):
        if scope.startswith("nation:") and scope[7:] not in (
            "england",
            "wales",
            "scotland",
            "northern-ireland",
        ):
            return f"{scope!r} is not a UK nation"
        return None
    if scope.split("/")[0] not in load_gazetteer().forces:
        return f"{scope!r} does not start with a force code from uk-police-forces.yaml"
    return None


def assemble(
    operations: list[tuple[str, str]], feeds: tuple[str, str] | None, newsrooms: tuple[str, str] | None
) -> Config:
    """Validate the files' texts, given as (source name, text), and check they agree with each other."""
    ops = [parse_operation(text, source) for source, text in operations]
    seen: dict[str, str] = {}
    for (source, _), op in zip(operations, ops, strict=True):
        if op.id in seen:
            raise ConfigError(f"{source}: id: operation {op.id!r} is already defined in {seen[op.id]}")
        seen[op.id] = source
        if problem := check_scope(op.scope):
            raise ConfigError(f"{source}: scope: {problem}")
    feed_list = _list_of(FeedConfig, feeds[1], feeds[0], "feeds") if feeds else []
    room_list = _list_of(Newsroom, newsrooms[1], newsrooms[0], "newsrooms") if newsrooms else []
    _check_ids([(f.id, i) for i, f in enumerate(feed_list)], feeds[0] if feeds else "", "feeds")
    _check_ids([(r.id, i) for i, r in enumerate(room_list)], newsrooms[0] if newsrooms else "", "newsrooms")
    for i, feed in enumerate(feed_list):
        for j, scope in enumerate(feed.patch):
            if problem := check_scope(scope):
                raise ConfigError(f"{feeds[0] if feeds else ''}: feeds[{i}].patch[{j}]: {problem}")
    for i, room in enumerate(room_list):
        source = newsrooms[0] if newsrooms else ""
        for j, scope in enumerate(room.patch):
            if problem := check_scope(scope):
                raise ConfigError(f"{source}: newsrooms[{i}].patch[{j}]: {problem}")
        for j, op_id in enumerate(room.operations):
            if op_id not in seen:
                raise ConfigError(
                    f"{source}: newsrooms[{i}].operations[{j}]: no operation {op_id!r} is defined"
                )
    return Config(operations=ops, feeds=feed_list, newsrooms=room_list)


def _check_ids(ids: list[tuple[str, int]], source: str, key: str) -> None:
    seen: set[str] = set()
    for value, i in ids:
        if value in seen:
            raise ConfigError(f"{source}: {key}[{i}].id: {value!r} is used twice")
        seen.add(value)


def operation_sources(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(file name, text) of each operation file named, folders expanded (*.yaml, *.yml), each read once."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"{path}: no such operation file or folder")
    if not files:
        raise ConfigError("no operation files found")
    return [(str(p), _read(p)) for p in files]


def load_operations(paths: Iterable[Path]) -> list[Operation]:
    return assemble(operation_sources(paths), None, None).operations


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc


def load_dir(folder: Path) -> Config:
    """Configuration from a folder laid out like `seeds/`."""
    ops_dir = folder / "operations"
    operations = [(str(p), _read(p)) for p in sorted(ops_dir.glob("*.yaml"))] if ops_dir.is_dir() else []
    if not operations:
        raise ConfigError(f"{ops_dir}: no operation files (*.yaml)")
    feeds = folder / "feeds.yaml"
    rooms = folder / "newsrooms.yaml"
    return assemble(
        operations,
        (str(feeds), _read(feeds)) if feeds.is_file() else None,
        (str(rooms), _read(rooms)) if rooms.is_file() else None,
    )


def load_listing(names: list[str], read: Callable[[str], str], prefix: str, label: str) -> Config:
    """Configuration from an object store listing (`names` under `prefix`), read with `read`."""
    operations = [
        (f"{label}{n}", read(n))
        for n in sorted(names)
        if n.startswith(prefix + "operations/") and n.endswith((".yaml", ".yml"))
    ]
    if not operations:
        raise ConfigError(f"{label}{prefix}operations/: no operation files (*.yaml)")
    feeds = prefix + "feeds.yaml"
    rooms = prefix + "newsrooms.yaml"
    return assemble(
        operations,
        (f"{label}{feeds}", read(feeds)) if feeds in names else None,
        (f"{label}{rooms}", read(rooms)) if rooms in names else None,
    )


def dump_models(items: list[FeedConfig] | list[Newsroom], key: str) -> str:
    return yaml.safe_dump(
        {key: [i.model_dump(mode="json", exclude_defaults=True) for i in items]}, sort_keys=False
    )
