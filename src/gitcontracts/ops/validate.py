"""`validate [PATH...] | --all`: the referee's document checks over the working tree, no git needed.

Each file is judged as if it were written now, by the same functions the referee runs on a change
(referee/content.py); what needs history (append-only, owners, transitions, permissions) is `check`'s."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from gitcontracts.errors import GitContractsError
from gitcontracts.formats import yamlsafe
from gitcontracts.model import Problem
from gitcontracts.referee import content
from gitcontracts.store.config import Config
from gitcontracts.store.files import TEMP_MARK, read_bytes
from gitcontracts.store.layout import CONTRACTS, classify, misplaced_problem
from gitcontracts.workspace import Workspace

if TYPE_CHECKING:
    from gitcontracts.ops.verdicts import Verdicts


@dataclass
class Report:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "checked": self.checked, "problems": [p.to_dict() for p in self.problems]}


def validate_all(ws: Workspace, progress: Callable[[int, int], None] | None = None) -> Report:
    return validate_paths(ws, [ws.layout.contracts], progress)


def validate_paths(ws: Workspace, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None) -> Report:
    from gitcontracts import gitlayer
    from gitcontracts.ops.verdicts import Verdicts, context_digest

    report = Report()
    tree = disk_tree(ws)
    verdicts = Verdicts(gitlayer.find_git_dir(ws.root), context_digest(ws.root, tree.limits))
    files = [file for path in paths for file in _files(path.resolve() if not path.is_symlink() else path.absolute())]
    for number, file in enumerate(files, 1):
        if progress:
            progress(number, len(files))
        report.checked += 1
        report.problems += validate_file(ws, tree, file, verdicts)
    verdicts.save()
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


def disk_tree(ws: Workspace) -> content.Tree:
    """The working tree as the document checks see it: files read from disk (each parsed once), the
    schemas of .contracts/schemas, the limits of config.yaml (its defaults when it is itself broken)."""
    try:
        config = ws.config
    except GitContractsError:
        config = Config()  # config.yaml's own check says what is wrong with it
    root = str(ws.root)
    docs: dict[str, Any] = {}

    def doc(rel: str) -> Any:
        if rel not in docs:
            docs[rel] = _document(ws, Path(root, rel), rel, config.yaml_limits)
        return docs[rel]

    return content.Tree(ws.schemas, doc, lambda rel: os.path.isfile(os.path.join(root, rel)),
                        config.yaml_limits, config.max_line_bytes, config.paths)


def _document(ws: Workspace, path: Path, rel: str, limits: yamlsafe.Limits) -> Any:
    try:
        return yamlsafe.load(read_bytes(ws.layout.inside(path), limits.max_bytes), rel, limits)
    except (GitContractsError, OSError):
        return None


def validate_file(ws: Workspace, tree: content.Tree, path: Path, verdicts: Verdicts | None = None) -> list[Problem]:
    source = ws.layout.relative(path)
    kind = _kind(source, tree.paths.fanout)
    check = _CHECKS.get(kind) if kind else None
    if check is None:  # not a document, or an archived stream: kept as it was, judged when gc moved it
        return []
    is_link = os.path.islink(path)
    if is_link and source.startswith(f"{CONTRACTS}/"):
        return [Problem(source, "a symlink where a file should be: .contracts/ holds plain files", "type")]
    try:
        if is_link:  # a loose file given by path may be a link, but not out of the repository
            ws.layout.inside(path)
        data = path.read_bytes() if kind == "shard" else read_bytes(path, tree.limits.max_bytes)
    except GitContractsError as exc:
        return [content.problem_of(exc, source, exc.code)]
    except OSError as exc:
        return [Problem(source, f"cannot read: {exc.strerror}", "io")]
    if kind != "stash" or verdicts is None:
        return check(tree, source, data)
    key = verdicts.key(source.rsplit("/", 1)[-1], data)  # the check reads the file name (the stash's name)
    if verdicts.known_valid(key):
        return []
    problems = check(tree, source, data)
    if not problems:
        verdicts.found_valid(key)
    return problems


def _kind(source: str, fanout: bool) -> str | None:
    """What a file is, in the working tree's layout; a YAML file outside .contracts/ is taken for a stash."""
    if source.split("/")[0] != CONTRACTS:
        return "stash" if source.endswith((".yaml", ".yml", ".json")) else None
    return classify(source, fanout)


_CHECKS: dict[str, Callable[[content.Tree, str, bytes], list[Problem]]] = {
    "stash": lambda tree, path, data: content.stash_content(tree, path, data)[1],
    "schema": lambda tree, path, data: content.schema_content(tree, path, data)[1],
    "meta": lambda tree, path, data: content.meta_content(tree, path, data)[1],
    "shard": content.shard_content,
    "config": lambda tree, path, data: content.settings_content(path, data),
    "agents": lambda tree, path, data: content.settings_content(path, data),
    "misplaced": lambda tree, path, data: [misplaced_problem(path, tree.paths.fanout)],
}
