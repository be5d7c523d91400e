"""`validate [PATH...] | --all`: the working tree's documents against the rules, no git needed."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from gitcontracts.errors import GitContractsError
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.model import Problem
from gitcontracts.referee.documents import schema_problems, stash_problems
from gitcontracts.rules.documents import meta_problems, shard_line
from gitcontracts.store.config import parse_config
from gitcontracts.store.files import TEMP_MARK, read_bytes
from gitcontracts.store.layout import CONTRACTS, classify
from gitcontracts.store.schemas import parse_schema_doc
from gitcontracts.rules.schema_check import check_metaschema
from gitcontracts.workspace import Workspace


@dataclass
class Report:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "checked": self.checked, "problems": [p.to_dict() for p in self.problems]}


def validate_all(ws: Workspace) -> Report:
    return validate_paths(ws, [ws.layout.contracts])


def validate_paths(ws: Workspace, paths: Iterable[Path]) -> Report:
    report = Report()
    for path in paths:
        for file in _files(path.resolve() if not path.is_symlink() else path.absolute()):
            report.checked += 1
            report.problems += validate_file(ws, file)
    return report


def _files(path: Path) -> Iterable[Path]:
    """The files to check under `path`, in name order (os.scandir: pathlib costs more than the parse)."""
    if not path.is_dir():
        return [path]
    found: list[str] = []
    folders = [str(path)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if not (entry.name == "archive" and entry.path == os.path.join(path, "archive")):
                        folders.append(entry.path)
                elif not entry.name.startswith(TEMP_MARK) and entry.name != ".gitkeep":
                    found.append(entry.path)
    return [Path(name) for name in sorted(found)]


def validate_file(ws: Workspace, path: Path) -> list[Problem]:
    source = ws.layout.relative(path)
    kind = _kind(source)
    if kind is None:
        return []
    try:
        if os.path.islink(path):
            ws.layout.inside(path)
        data = path.read_bytes() if kind == "shard" else read_bytes(path, ws.config.max_file_bytes)
        return _CHECKERS[kind](ws, path, data, source)
    except GitContractsError as exc:
        return [_problem_of(exc, source)]
    except OSError as exc:
        return [Problem(source, f"cannot read: {exc.strerror}", "io")]


def _problem_of(exc: GitContractsError, source: str) -> Problem:
    """An error that stopped a file's check, as a problem of that file (its location said once)."""
    message = exc.message
    if exc.file is not None:
        prefix = f"{exc.file}:{exc.line}: " if exc.line else f"{exc.file}: "
        message = message[len(prefix):] if message.startswith(prefix) else message
    elif message.startswith(source + ": "):
        message = message[len(source) + 2:]
    return Problem(source, message, exc.code, line=exc.line)


def _kind(source: str) -> str | None:
    """What a file is; a YAML file outside .contracts/ is taken for a stash."""
    if source.split("/")[0] != CONTRACTS:
        return "stash" if source.endswith((".yaml", ".yml", ".json")) else None
    return classify(source)


def _stash(ws: Workspace, path: Path, data: bytes, source: str) -> list[Problem]:
    text = yamlsafe.decode(data, source, ws.config.yaml_limits)
    return stash_problems(ws.schemas, yamlsafe.load(text, source, ws.config.yaml_limits), text, source, path.stem)


def _schema(ws: Workspace, path: Path, data: bytes, source: str) -> list[Problem]:
    doc = parse_schema_doc(data, source, path.stem)
    check_metaschema(doc.definition, source)
    ws.schemas.compiled(doc.ref)
    return []


def _meta(ws: Workspace, path: Path, data: bytes, source: str) -> list[Problem]:
    doc = yamlsafe.load(data, source, ws.config.yaml_limits)
    problems = meta_problems(doc, source, path.parent.name)
    linked = doc.get("linked_stash") if isinstance(doc, dict) else None
    if isinstance(linked, str) and not problems and not ws.stashes.exists(linked):
        problems.append(Problem(source, f"linked_stash {linked!r} does not exist", "reference", "linked_stash"))
    return problems


def shard_problems(ws: Workspace, data: bytes, source: str, agent: str, schema: str | None,
                   seen: dict[str, str] | None = None) -> list[Problem]:
    """A shard's lines: whole, entries, written by the shard's agent, ids unique, data fits the stream schema."""
    complete, torn = jsonl.split(data)
    problems = []
    seen = {} if seen is None else seen
    for number, raw in enumerate(complete, 1):
        entry, line_problems = shard_line(raw, number, agent, source, ws.config.max_line_bytes)
        problems += line_problems
        if entry is None:
            continue
        entry_id = entry.get("id")
        if isinstance(entry_id, str):
            if entry_id in seen:
                problems.append(Problem(source, f"duplicate entry id {entry_id} (also {seen[entry_id]})", "unique-id", "id", number))
            seen[entry_id] = f"{source}:{number}"
        if schema and "data" in entry:
            problems += [Problem(p.file, p.message, p.rule, p.path, number)
                         for p in schema_problems(ws.schemas, schema, entry["data"], source, "data", target="stream")]
    if torn:
        problems.append(Problem(source, "the last line is torn (no final newline)", "torn-line", line=len(complete) + 1))
    return problems


def _shard(ws: Workspace, path: Path, data: bytes, source: str) -> list[Problem]:
    schema = None
    if (path.parent / "meta.yaml").is_file():
        try:
            schema = ws.streams.meta(path.parent.name).schema
        except GitContractsError:
            pass
    return shard_problems(ws, data, source, path.stem, schema)


def _config(ws: Workspace, path: Path, data: bytes, source: str) -> list[Problem]:
    parse_config(yamlsafe.load(data, source), source)
    return []


def _agents(ws: Workspace, path: Path, data: bytes, source: str) -> list[Problem]:
    doc = yamlsafe.load(data, source)
    if not isinstance(doc, dict):
        return [Problem(source, "agents.yaml is a mapping (admins, agents)", "type")]
    return []


_CHECKERS: dict[str, Callable[[Workspace, Path, bytes, str], list[Problem]]] = {
    "stash": _stash, "schema": _schema, "meta": _meta, "shard": _shard, "config": _config, "agents": _agents,
}
