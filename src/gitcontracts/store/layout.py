"""Where things live under .contracts/ (SPEC 2). Every path is built from a checked name."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitcontracts.errors import InvalidContent
from gitcontracts.names import check_name

if TYPE_CHECKING:
    from gitcontracts.model import Problem

CONTRACTS = ".contracts"
STASHES = f"{CONTRACTS}/stashes"
STREAMS = f"{CONTRACTS}/streams"


# Paths from the root, as git names them (in trees, diffs and `REV:path`): the one place that spells the layout.
# The names are checked where they come in (names.check_name); these only put them in place.

def stash_file(name: str) -> str:
    return f"{STASHES}/{name}.yaml"


def stream_folder(stream: str) -> str:
    return f"{STREAMS}/{stream}"


def shard_file(stream: str, agent: str) -> str:
    return f"{STREAMS}/{stream}/{agent}.jsonl"


def meta_file(stream: str) -> str:
    return f"{STREAMS}/{stream}/meta.yaml"


class Layout(NamedTuple):
    root: Path

    @property
    def contracts(self) -> Path:
        return self.root / CONTRACTS

    @property
    def config(self) -> Path:
        return self.contracts / "config.yaml"

    @property
    def agents(self) -> Path:
        return self.contracts / "agents.yaml"

    @property
    def schemas(self) -> Path:
        return self.contracts / "schemas"

    @property
    def stashes(self) -> Path:
        return self.contracts / "stashes"

    @property
    def streams(self) -> Path:
        return self.contracts / "streams"

    @property
    def archive(self) -> Path:
        return self.contracts / "archive"

    def stash(self, name: str) -> Path:
        return self.stashes / f"{check_name(name, 'stash name')}.yaml"

    def stream(self, name: str) -> Path:
        return self.streams / check_name(name, "stream name")

    def meta(self, stream: str) -> Path:
        return self.stream(stream) / "meta.yaml"

    def shard(self, stream: str, agent: str) -> Path:
        return self.stream(stream) / f"{check_name(agent, 'agent name')}.jsonl"

    def schema(self, name: str, version: int) -> Path:
        return self.schemas / f"{check_name(name, 'schema name')}@{version}.yaml"

    def relative(self, path: Path) -> str:
        """The path from the root, as git names it (string work first: resolving costs syscalls)."""
        text, root = str(path), str(self.root)
        if text.startswith(root) and text[len(root):len(root) + 1] == os.sep:
            return text[len(root) + 1:].replace(os.sep, "/")
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def inside(self, path: Path) -> Path:
        """Refuse a path that leaves the repository through a symlink under .contracts/."""
        real = os.path.realpath(path)
        if not real.startswith(os.path.realpath(self.root) + os.sep):
            raise InvalidContent(f"{self.relative(path)} points outside the repository (symlink)",
                                 hint="replace the symlink with a regular file")
        return path


def classify(rel: str) -> str | None:
    """What a file under .contracts/ is, from its path relative to the root (as git names it)."""
    parts = rel.split("/")
    if parts[0] != CONTRACTS:
        return None
    parts = parts[1:]
    if parts in (["config.yaml"], ["agents.yaml"]):
        return parts[0].split(".")[0]
    if len(parts) == 2 and parts[0] in ("stashes", "schemas") and parts[1].endswith(".yaml"):
        return {"stashes": "stash", "schemas": "schema"}[parts[0]]
    if len(parts) == 3 and parts[0] == "streams":
        return "meta" if parts[2] == "meta.yaml" else "shard" if parts[2].endswith(".jsonl") else None
    if parts[0] == "archive":
        return "archive"
    if parts[-1] != ".gitkeep" and (
            (parts[0] in ("stashes", "schemas") and len(parts) > 2) or (parts[0] == "streams" and len(parts) != 3)):
        return "misplaced"  # a folder where a stash goes, a file beside the stream folders: readers would trip
    return None


def misplaced_problem(path: str) -> Problem:
    """A path under .contracts/ where the layout (docs/fields.md) has no place for it."""
    from gitcontracts.model import Problem

    return Problem(path, "not where .contracts/ keeps anything: stashes/NAME.yaml and schemas/NAME@N.yaml are files, "
                         "streams/NAME/ holds meta.yaml and AGENT.jsonl", "layout")
