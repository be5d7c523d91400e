"""`discover`: discoverable, unexpired stashes and streams, by schema, query and link.

It reads the working tree, which is the shared main only once the clone was brought to it: the `discover`
command refreshes first (ops/freshness.py, SPEC 13). Before, a clone that had not pulled since others
announced their contracts found nothing, while `status` (which fetched) listed them.

A query word that is not in a file's text cannot be in its name, description, labels
or objective, so files are first screened on their raw bytes and only candidates are parsed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitcontracts.errors import GitContractsError
from gitcontracts.model import StreamMeta
from gitcontracts.ops.streams import is_expired
from gitcontracts.timeutil import parse_datetime
from gitcontracts.workspace import Workspace


@dataclass(frozen=True)
class Query:
    schema: str | None = None
    words: tuple[str, ...] = ()
    linked_to: str | None = None
    include_expired: bool = False

    def screen(self, raw: bytes) -> bool:
        """Could this file match? Escapes (\\) could hide a word, so such files are always parsed."""
        text = raw.lower()
        if b"discoverable" not in text:
            return False
        return b"\\" in raw or all(word.encode() in text for word in self.words)

    def matches_text(self, *fields: Any) -> bool:
        haystack = " ".join(" ".join(f) if isinstance(f, (list, tuple)) else str(f or "") for f in fields).lower()
        return all(word in haystack for word in self.words)

    def matches_schema(self, ref: str | None) -> bool:
        if self.schema is None:
            return True
        if ref is None:
            return False
        return ref == self.schema or ("@" not in self.schema and ref.partition("@")[0] == self.schema)


def discover(ws: Workspace, schema: str | None = None, query: str | None = None, linked_to: str | None = None,
             include_expired: bool = False) -> list[dict[str, Any]]:
    q = Query(schema, tuple((query or "").lower().split()), linked_to, include_expired)
    results = [] if linked_to else _stashes(ws, q)
    return results + _streams(ws, q)


def _stashes(ws: Workspace, q: Query) -> list[dict[str, Any]]:
    results = []
    for name in ws.stashes.names():
        path = ws.stashes.path(name)
        try:
            if not q.screen(path.read_bytes()):
                continue
            doc, _, _ = ws.stashes.read(name)
        except (OSError, GitContractsError):
            continue
        if not isinstance(doc, dict) or doc.get("discoverable") is not True or not q.matches_schema(doc.get("schema")):
            continue
        content: dict[str, Any] = doc["content"] if isinstance(doc.get("content"), dict) else {}
        if not q.matches_text(name, doc.get("description"), doc.get("labels") or [], content.get("objective")):
            continue
        if not q.include_expired and _contract_expired(ws, content):
            continue
        results.append({"name": name, "kind": "stash", "schema": doc.get("schema"),
                        "description": doc.get("description") or "", "labels": doc.get("labels") or [],
                        "linked_stash": None})
    return results


def _contract_expired(ws: Workspace, content: dict[str, Any]) -> bool:
    """A contract whose deadline passed and that is not done takes no new work (SPEC 6.2)."""
    deadline, subtasks = content.get("deadline"), content.get("subtasks") or []
    if not isinstance(deadline, str):
        return False
    done = bool(subtasks) and all(isinstance(t, dict) and t.get("status") == "completed" for t in subtasks)
    try:
        return not done and parse_datetime(deadline) < ws.now()
    except ValueError:
        return False


def _streams(ws: Workspace, q: Query) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for name in ws.streams.names():
        try:
            if not q.screen(ws.layout.meta(name).read_bytes()):
                continue
            meta: StreamMeta = ws.streams.meta(name)
        except (OSError, GitContractsError):
            continue
        if not meta.discoverable or not q.matches_schema(meta.schema):
            continue
        if q.linked_to is not None and meta.linked_stash != q.linked_to:
            continue
        if not q.matches_text(name, meta.description) or (not q.include_expired and is_expired(ws, meta)):
            continue
        results.append({"name": name, "kind": "stream", "schema": meta.schema, "description": meta.description,
                        "labels": [], "linked_stash": meta.linked_stash})
    return results
