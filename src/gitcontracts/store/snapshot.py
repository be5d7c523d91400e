"""The repository's files at a revision — a commit, the index (':'), or nothing — behind one interface,
so that the referee, the protocol and the readers all read the same way."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError
from gitcontracts.formats import yamlsafe
from gitcontracts.rules.agents import Registry, parse_registry
from gitcontracts.store.config import Config, parse_config
from gitcontracts.store.layout import STASHES, STREAMS, Paths, is_bucket
from gitcontracts.store.parsing import parse, parse_all
from gitcontracts.store.schemas import SCHEMAS_DIR, FileSource, SchemaRegistry

if TYPE_CHECKING:
    from gitcontracts.store.doccache import DocCache

AGENTS = ".contracts/agents.yaml"
CONFIG = ".contracts/config.yaml"


class Snapshot:
    """The repository's files as of a commit, the index (':'), or nothing (None)."""

    def __init__(self, root: Path, reader: gitlayer.BlobReader, rev: str | None) -> None:
        self.root, self.reader, self.rev = root, reader, rev

    def spec(self, path: str) -> str | None:
        if self.rev is None:
            return None
        return f":{path}" if self.rev == ":" else f"{self.rev}:{path}"

    def read(self, path: str) -> bytes | None:
        spec = self.spec(path)
        return self.reader.read(spec) if spec else None

    def exists(self, path: str) -> bool:
        return self.read(path) is not None

    def names(self, folder: str) -> list[str]:
        """The names in `folder`; in a fan-out layout's stashes or streams folder, those in its 256 folders."""
        if not self.rev:
            return []
        if self.rev == ":":
            return gitlayer.list_tree(self.root, ":", folder, depth=2 if self._fans(folder) else 1)
        if self._fans(folder):
            return sorted(self.entries(folder))
        return self.reader.tree_names(f"{self.rev}:{folder}") or []

    def entries(self, folder: str) -> dict[str, str]:
        """name -> object id of what `folder` holds (a commit's; none in the index); in a fan-out layout's
        stashes or streams folder, of what its bucket folders hold, read in one batch."""
        if not self.rev or self.rev == ":":
            return {}
        below = self.reader.tree_entries(f"{self.rev}:{folder}") or {}
        if not self._fans(folder):
            return below
        buckets = [oid for name, oid in below.items() if is_bucket(name)]
        self.reader.prefetch(buckets, want=b"tree")
        found: dict[str, str] = {}
        for oid in buckets:
            found.update(self.reader.tree_entries(oid) or {})
        return found

    @property
    def paths(self) -> Paths:
        """Where this snapshot keeps each stash and stream (config.yaml `layout`)."""
        return self.config.paths

    def _fans(self, folder: str) -> bool:
        return folder in (STASHES, STREAMS) and self.config.paths.fanout

    @cached_property
    def schemas(self) -> SchemaRegistry:
        return SchemaRegistry(FileSource(lambda: [n for n in self.names(SCHEMAS_DIR) if n.endswith(".yaml")], self.read))

    @cached_property
    def registry(self) -> Registry:
        data = self.read(AGENTS)
        if data is None:
            return Registry()
        try:
            return parse_registry(yamlsafe.load(data, AGENTS))
        except GitContractsError:
            return Registry(present=True)

    @cached_property
    def config(self) -> Config:
        """config.yaml as of this snapshot; one that does not parse counts as the defaults (its own check says why)."""
        doc = self.doc(CONFIG)
        try:
            return parse_config(doc, CONFIG) if doc is not None else Config()
        except GitContractsError:
            return Config()

    def docs_in(self, folder: str, suffix: str = ".yaml", progress: Callable[[int, int], None] | None = None,
                cache: DocCache | None = None) -> dict[str, Any]:
        """name -> parsed document of every `*suffix` file in `folder` (None for one that does not parse).

        Read through one batch, and parsed only when the blob is new to this clone: a parse is kept in
        store/doccache.py under its blob id, so the same bytes are never parsed twice (and never disagree).
        `progress(done, total)` counts the parses (10,000 contracts new to a clone take seconds); `cache`: the one
        already open (Workspace.parsed), else the file is read."""
        from gitcontracts.store import doccache

        if not self.rev or self.rev == ":":
            at = self.paths.stash if folder == STASHES else lambda stem: f"{folder}/{stem}{suffix}"
            return {n: self.doc(at(n[:-len(suffix)])) for n in self.names(folder) if n.endswith(suffix)}
        ids = {n: oid for n, oid in self.entries(folder).items() if n.endswith(suffix)}
        cache = cache if cache is not None else doccache.open_cache(self.root)
        missing = sorted({oid for oid in ids.values() if oid not in cache})
        self.reader.prefetch(missing)
        for oid, doc in zip(missing, parse_all([(oid, self.reader.read(oid)) for oid in missing], progress), strict=True):
            cache.add(oid, doc)
        cache.save(set(ids.values()))
        return {name: cache.get(oid) for name, oid in sorted(ids.items())}

    def doc(self, path: str) -> Any:
        return parse(self.read(path), path)
