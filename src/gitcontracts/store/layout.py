"""Where things live under .contracts/ (SPEC 2). Every path is built from a checked name."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitcontracts.errors import InvalidContent
from gitcontracts.names import check_name

if TYPE_CHECKING:
    from gitcontracts.model import Problem

CONTRACTS = ".contracts"
STASHES = f"{CONTRACTS}/stashes"
STREAMS = f"{CONTRACTS}/streams"


FLAT, FANOUT = "flat", "fanout"
LAYOUTS = (FLAT, FANOUT)


@lru_cache(maxsize=1 << 16)
def bucket(name: str) -> str:
    """The folder of a stash or stream in the fan-out layout: the first two hex digits of the SHA-1 of its
    name (UTF-8), so 10,000 contracts spread over 256 folders and no tree git rewrites per action is large.
    (Kept per name: a read of every contract asks for 20,000 of them, some twice.)"""
    import hashlib  # 4 ms to import: only a fan-out repository pays it

    return _HEX[hashlib.sha1(name.encode("utf-8", "surrogateescape")).digest()[0]]


_HEX = tuple(f"{byte:02x}" for byte in range(256))


class Paths(NamedTuple):
    """Paths from the root, as git names them (in trees, diffs and `REV:path`): the one place that spells the
    layout. `fanout` (config.yaml `layout: fanout`) puts each stash and stream folder under a folder named by
    `bucket`. The names are checked where they come in (names.check_name); these only put them in place."""
    fanout: bool = False

    def stash(self, name: str) -> str:
        return f"{STASHES}/{bucket(name)}/{name}.yaml" if self.fanout else f"{STASHES}/{name}.yaml"

    def stream(self, stream: str) -> str:
        return f"{STREAMS}/{bucket(stream)}/{stream}" if self.fanout else f"{STREAMS}/{stream}"

    def shard(self, stream: str, agent: str) -> str:
        return f"{self.stream(stream)}/{agent}.jsonl"

    def meta(self, stream: str) -> str:
        return f"{self.stream(stream)}/meta.yaml"

    @property
    def name(self) -> str:
        return FANOUT if self.fanout else FLAT


FLAT_PATHS, FANOUT_PATHS = Paths(False), Paths(True)


def moved_to(path: str, paths: Paths) -> str | None:
    """Where a stash, meta.yaml or shard at `path` (in either layout) sits in `paths`' layout; None for any other
    file (schemas, settings and the archive stay where they are)."""
    kind = classify(path, None)
    if kind == "stash":
        return paths.stash(path.rsplit("/", 1)[-1][:-len(".yaml")])
    if kind in ("meta", "shard"):
        stream, file = path.split("/")[-2:]
        return f"{paths.stream(stream)}/{file}"
    return None


def paths_for(layout: str) -> Paths:
    return FANOUT_PATHS if layout == FANOUT else FLAT_PATHS


class Layout(NamedTuple):
    """The files of a working tree; `fanout` as config.yaml's `layout` says (Paths)."""
    root: Path
    fanout: bool = False

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
        return self.root / paths_for(FANOUT if self.fanout else FLAT).stash(check_name(name, "stash name"))

    def stream(self, name: str) -> Path:
        return self.root / paths_for(FANOUT if self.fanout else FLAT).stream(check_name(name, "stream name"))

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


def classify(rel: str, fanout: bool | None = False) -> str | None:
    """What a file under .contracts/ is, from its path relative to the root (as git names it), in the flat layout
    or the fan-out one (`fanout`; None: either, for a guess made before the layout is known)."""
    parts = rel.split("/")
    if parts[0] != CONTRACTS:
        return None
    parts = parts[1:]
    if parts in (["config.yaml"], ["agents.yaml"]):
        return parts[0].split(".")[0]
    top, depth = parts[0], len(parts)
    if top == "archive":
        return "archive"
    if parts[-1] == ".gitkeep" or top not in ("stashes", "schemas", "streams"):
        return None
    if top == "schemas" or fanout is not True and top == "stashes" and depth == 2:
        if depth == 2:
            return None if not parts[1].endswith(".yaml") else "stash" if top == "stashes" else "schema"
    elif top == "stashes" and depth == 3 and fanout is not False and is_bucket(parts[1]):
        if not parts[2].endswith(".yaml"):
            return None  # a stray file in a bucket folder: nothing reads it
        if parts[1] == bucket(parts[2][:-5]):
            return "stash"
    elif top == "streams" and (depth == 3 and fanout is not True
                               or depth == 4 and fanout is not False and parts[1] == bucket(parts[2])):
        return "meta" if parts[-1] == "meta.yaml" else "shard" if parts[-1].endswith(".jsonl") else None
    elif top == "stashes" and depth == 2 and not parts[1].endswith(".yaml"):
        return None  # a stray file beside the stashes (fan-out): nothing reads it
    return "misplaced"  # a folder where a stash goes, a file beside the stream folders: readers would trip


def is_bucket(name: str) -> bool:
    return len(name) == 2 and name in _BUCKETS


_BUCKETS = frozenset(_HEX)


def misplaced_problem(path: str, fanout: bool = False) -> Problem:
    """A path under .contracts/ where the layout (docs/fields.md) has no place for it; where it looks like a stash
    or a stream's file, the place it belongs."""
    from gitcontracts.model import Problem

    paths = paths_for(FANOUT if fanout else FLAT)
    place = _proper_place(path, paths)
    if place is not None:
        return Problem(path, f"not where the {paths.name} layout (config.yaml) keeps it: it belongs at {place}", "layout")
    where = "stashes/B/NAME.yaml, streams/B/NAME/ (B: sha1(NAME)[:2])" if fanout else "stashes/NAME.yaml, streams/NAME/"
    return Problem(path, f"not where .contracts/ keeps anything: {where} (meta.yaml, AGENT.jsonl), schemas/NAME@N.yaml",
                   "layout")


def _proper_place(path: str, paths: Paths) -> str | None:
    """Where a file that looks like a stash or a stream's file belongs in `paths`' layout (None: it does not)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != CONTRACTS:
        return None
    file = parts[-1]
    if parts[1] == "stashes" and file.endswith(".yaml") and file != ".yaml":
        return paths.stash(file[:-len(".yaml")])
    if parts[1] == "streams" and len(parts) >= 4 and (file == "meta.yaml" or file.endswith(".jsonl")):
        return f"{paths.stream(parts[-2])}/{file}"
    return None
