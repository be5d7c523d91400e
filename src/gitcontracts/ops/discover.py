"""`discover`: discoverable, unexpired stashes and streams, by schema, query and link.

It reads the committed state (HEAD), which is the shared main once the clone was brought to it: the `discover`
command refreshes first (ops/freshness.py, SPEC 13). Each stash and each stream folder is summed up once per
object id — the fields a search looks at — in `.git/gitcontracts-discover.json` (store/doccache.py: a value
kept under the id of the bytes it came from is right or absent, never stale), so a search of 10,000 contracts
and 20,000 streams reads two trees and parses only what changed since the last one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitcontracts.errors import GitContractsError
from gitcontracts.model import StreamMeta
from gitcontracts.ops.streams import is_expired
from gitcontracts.store.doccache import READING
from gitcontracts.timeutil import parse_datetime
from gitcontracts.workspace import Workspace


@dataclass(frozen=True)
class Query:
    schema: str | None = None
    words: tuple[str, ...] = ()
    linked_to: str | None = None
    include_expired: bool = False

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
    from gitcontracts import gitlayer
    from gitcontracts.store import doccache

    q = Query(schema, tuple((query or "").lower().split()), linked_to, include_expired)
    reader = gitlayer.BlobReader(ws.root)
    cache = doccache.open_cache(ws.root, SUMMARIES)
    try:
        stashes = {} if linked_to else {name[:-len(".yaml")]: oid for name, oid in
                                        (reader.tree_entries("HEAD:.contracts/stashes") or {}).items()
                                        if name.endswith(".yaml")}
        streams = reader.tree_entries("HEAD:.contracts/streams") or {}
        new_stashes = _missing(cache, stashes, _STASH_FIELDS)
        new_streams = _missing(cache, streams, ("stream",))
        # what is new to this clone, read in batches (one process, no round trip per object)
        reader.prefetch(new_stashes)
        reader.prefetch(new_streams, want=b"tree")
        reader.prefetch(filter(None, ((reader.tree_entries(oid) or {}).get("meta.yaml") for oid in new_streams)))
        new = [(oid, _stash_summary) for oid in new_stashes] + [(oid, _stream_summary) for oid in new_streams]
        shown = ws.reporter(READING)
        for number, (oid, summary) in enumerate(new, 1):
            cache.add(oid, summary(reader, oid))
            if shown:
                shown(number, len(new))
    finally:
        reader.close()
    cache.save(set(stashes.values()) | set(streams.values()))
    return _stashes(ws, q, {name: cache.get(oid) for name, oid in stashes.items()}) + \
        _streams(ws, q, {name: cache.get(oid) for name, oid in streams.items()})


SUMMARIES = "gitcontracts-discover.json"


_STASH_FIELDS = ("discoverable", "schema", "description", "labels", "objective", "deadline", "done")


def _missing(cache: Any, entries: dict[str, str], fields: tuple[str, ...]) -> list[str]:
    """The ids without a summary, or with one of another shape (written by another version of the tool)."""
    def kept(oid: str) -> bool:
        found = cache.get(oid)
        return oid in cache and (found is None or (isinstance(found, dict) and all(f in found for f in fields)))
    return sorted({oid for oid in entries.values() if not kept(oid)})


def _stash_summary(reader: Any, oid: str) -> dict[str, Any] | None:
    doc = _parsed(reader.read(oid), oid)
    if not isinstance(doc, dict):
        return None
    content = doc["content"] if isinstance(doc.get("content"), dict) else {}
    tasks = content.get("subtasks") or []
    return {"discoverable": doc.get("discoverable") is True, "schema": _text(doc.get("schema")),
            "description": _text(doc.get("description")) or "",
            "labels": [str(label) for label in doc.get("labels") or [] if isinstance(label, (str, int, float))]
            if isinstance(doc.get("labels"), list) else [],
            "objective": _text(content.get("objective")), "deadline": _text(content.get("deadline")),
            "done": bool(tasks) and isinstance(tasks, list)
            and all(isinstance(t, dict) and t.get("status") == "completed" for t in tasks)}


def _stream_summary(reader: Any, oid: str) -> dict[str, Any] | None:
    meta = (reader.tree_entries(oid) or {}).get("meta.yaml")
    doc = _parsed(reader.read(meta), meta) if meta else None
    if not isinstance(doc, dict):
        return None
    try:
        StreamMeta.from_dict(doc)
    except (GitContractsError, TypeError, ValueError, KeyError):
        return None
    return {key: value for key, value in doc.items() if isinstance(value, (str, int, float, bool)) or value is None}


def _parsed(data: bytes | None, where: str | None) -> Any:
    from gitcontracts.formats import yamlsafe

    if data is None:
        return None
    try:
        return yamlsafe.load(data, where or "?")
    except GitContractsError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _stashes(ws: Workspace, q: Query, summaries: dict[str, Any]) -> list[dict[str, Any]]:
    results = []
    for name, found in summaries.items():
        if not isinstance(found, dict) or not found["discoverable"] or not q.matches_schema(found["schema"]):
            continue
        if not q.matches_text(name, found["description"], found["labels"], found["objective"]):
            continue
        if not q.include_expired and _contract_expired(ws, found["deadline"], found["done"]):
            continue
        results.append({"name": name, "kind": "stash", "schema": found["schema"], "description": found["description"],
                        "labels": found["labels"], "linked_stash": None})
    return results


def _contract_expired(ws: Workspace, deadline: str | None, done: bool) -> bool:
    """A contract whose deadline passed and that is not done takes no new work (SPEC 6.2)."""
    if deadline is None:
        return False
    try:
        return not done and parse_datetime(deadline) < ws.now()
    except ValueError:
        return False


def _streams(ws: Workspace, q: Query, summaries: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for name, found in summaries.items():
        if not isinstance(found, dict):
            continue
        meta = StreamMeta.from_dict(found)
        if not meta.discoverable or not q.matches_schema(meta.schema):
            continue
        if q.linked_to is not None and meta.linked_stash != q.linked_to:
            continue
        if not q.matches_text(name, meta.description) or (not q.include_expired and is_expired(ws, meta)):
            continue
        results.append({"name": name, "kind": "stream", "schema": meta.schema, "description": meta.description,
                        "labels": [], "linked_stash": meta.linked_stash})
    return results
