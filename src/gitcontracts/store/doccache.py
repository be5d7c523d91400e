"""Parsed YAML documents kept by blob id (`.git/gitcontracts-docs.json`): a read of every contract parses
only the blobs it has not seen before. Never a second source of truth — a blob id names its bytes, so an
entry is right or absent; a document JSON cannot hold exactly (a non-string key, a date) is not kept;
a cache that does not load is rebuilt. Only the documents of the last read are kept, so it stays the size
of the folder read."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gitcontracts.store import kept

FILE = "gitcontracts-docs.json"
READING = "reading the contracts new to this clone"  # the progress line of a fill (10,000: seconds)


class DocCache:
    """The parses of one file, in memory; one workspace's reads share it (Workspace.parsed), and each read saves
    what it used."""

    def __init__(self, path: Path | None, docs: dict[str, Any]) -> None:
        self.path, self.docs = path, docs
        self.saved: set[str] = set(docs)  # what the file holds
        self.volatile: set[str] = set()  # parsed for this process, not kept: JSON would not give them back exactly

    def __contains__(self, oid: str) -> bool:
        return oid in self.docs

    def get(self, oid: str) -> Any:
        return self.docs.get(oid)

    def add(self, oid: str, doc: Any) -> None:
        self.docs[oid] = doc
        if not _exact_in_json(doc):
            self.volatile.add(oid)

    def save(self, keep: set[str]) -> None:
        """Keep the documents of `keep` (those of this read) and forget the rest; write them when the file holds
        others."""
        self.docs = {oid: doc for oid, doc in self.docs.items() if oid in keep}
        self.volatile &= keep
        kept_docs = {oid: doc for oid, doc in self.docs.items() if oid not in self.volatile}
        if self.path is None or set(kept_docs) == self.saved:
            return
        kept.write(self.path, kept_docs)
        self.saved = set(kept_docs)


def open_cache(root: Path, file: str = FILE) -> DocCache:
    """The cache in `file` of the git directory (another file for another kind of value: the summaries of
    `discover` are kept apart from the parsed contracts of `status`, so that neither read drops the other's)."""
    from gitcontracts import gitlayer

    folder = gitlayer.find_git_dir(root)
    if folder is None:
        return DocCache(None, {})
    path = folder / file
    docs = kept.read(path)
    return DocCache(path, docs if isinstance(docs, dict) else {})


def _exact_in_json(doc: Any) -> bool:
    try:
        return json.loads(json.dumps(doc)) == doc
    except (TypeError, ValueError):
        return False
