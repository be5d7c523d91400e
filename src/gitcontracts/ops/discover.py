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
from gitcontracts.store.layout import STASHES, STREAMS


@dataclass(frozen=True)
class Query:
    schema: str | None = None
    words: tuple[str, ...] = ()
    linked_to: str | None = None
    include_expired: bool = False

    def matches_lowered(self, haystack: str) -> bool:
        return all(word in haystack for word in self.words)

    def matches_schema(self, ref: str | None) -> bool:
        if self.schema is None:
            return True
        if ref is None:
            return False
        return ref == self.schema or ("@" not in self.schema and ref.partition("@")[0] == self.schema)


def searchable(*fields: Any) -> str:
    """What a query's words are looked for in: the fields (lists joined) in lower case. A word holds no space,
    so it is found in the joined text exactly when it is found in one field."""
    return " ".join(" ".join(f) if isinstance(f, (list, tuple)) else str(f or "") for f in fields).lower()


def discover(ws: Workspace, schema: str | None = None, query: str | None = None, linked_to: str | None = None,
             include_expired: bool = False) -> list[dict[str, Any]]:
    from gitcontracts import gitlayer
    from gitcontracts.store import doccache
    from gitcontracts.store.parsing import parse_all
    from gitcontracts.store.snapshot import Snapshot

    q = Query(schema, tuple((query or "").lower().split()), linked_to, include_expired)
    reader = gitlayer.BlobReader(ws.root)
    cache = doccache.open_cache(ws.root, SUMMARIES)
    try:
        head = Snapshot(ws.root, reader, "HEAD")
        stashes = {} if linked_to else {name[:-len(".yaml")]: oid for name, oid in head.entries(STASHES).items()
                                        if name.endswith(".yaml")}
        streams = head.entries(STREAMS)
        new_stashes = _missing(cache, stashes, _STASH_FIELDS)
        new_streams = _missing(cache, streams, ("stream",))
        # what is new to this clone, read in batches (one process, no round trip per object)
        reader.prefetch(new_stashes)
        reader.prefetch(new_streams, want=b"tree")
        metas = {oid: (reader.tree_entries(oid) or {}).get("meta.yaml") for oid in new_streams}
        reader.prefetch(filter(None, metas.values()))
        blobs = [(oid, reader.read(oid)) for oid in new_stashes] + \
            [(meta or oid, reader.read(meta) if meta else None) for oid, meta in metas.items()]
        docs = parse_all(blobs, ws.reporter(READING))
        for oid, doc in zip(new_stashes, docs[:len(new_stashes)], strict=True):
            cache.add(oid, _stash_summary(doc))
        for oid, doc in zip(new_streams, docs[len(new_stashes):], strict=True):
            cache.add(oid, _stream_summary(doc))
    finally:
        reader.close()
    cache.save(set(stashes.values()) | set(streams.values()))
    return _stashes(ws, q, {name: cache.get(oid) for name, oid in stashes.items()}) + \
        _streams(ws, q, {name: cache.get(oid) for name, oid in streams.items()})


SUMMARIES = "gitcontracts-discover.json"


_STASH_FIELDS = ("discoverable", "schema", "description", "labels", "text", "deadline", "done")
_ABSENT = object()


def _missing(cache: Any, entries: dict[str, str], fields: tuple[str, ...]) -> list[str]:
    """The ids without a summary, or with one of another shape (written by another version of the tool)."""
    shape, docs = set(fields), cache.docs
    missing = set()
    for oid in entries.values():
        found = docs.get(oid, _ABSENT)
        if found is not None and (found is _ABSENT or not isinstance(found, dict) or not shape <= found.keys()):
            missing.add(oid)
    return sorted(missing)


def _stash_summary(doc: Any) -> dict[str, Any] | None:
    if not isinstance(doc, dict):
        return None
    content = doc["content"] if isinstance(doc.get("content"), dict) else {}
    tasks = content.get("subtasks") or []
    description = _text(doc.get("description")) or ""
    labels = [str(label) for label in doc.get("labels") or [] if isinstance(label, (str, int, float))] \
        if isinstance(doc.get("labels"), list) else []
    return {"discoverable": doc.get("discoverable") is True, "schema": _text(doc.get("schema")),
            "description": description, "labels": labels,
            "text": searchable(description, labels, _text(content.get("objective"))),  # what a query looks in
            "deadline": _text(content.get("deadline")),
            "done": bool(tasks) and isinstance(tasks, list)
            and all(isinstance(t, dict) and t.get("status") == "completed" for t in tasks)}


def _stream_summary(doc: Any) -> dict[str, Any] | None:
    """A stream folder's summary, from its meta.yaml."""
    if not isinstance(doc, dict):
        return None
    try:
        StreamMeta.from_dict(doc)
    except (GitContractsError, TypeError, ValueError, KeyError):
        return None
    return {key: value for key, value in doc.items() if isinstance(value, (str, int, float, bool)) or value is None}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _stashes(ws: Workspace, q: Query, summaries: dict[str, Any]) -> list[dict[str, Any]]:
    results = []
    for name, found in summaries.items():
        if not isinstance(found, dict) or not found["discoverable"] or not q.matches_schema(found["schema"]):
            continue
        if q.words and not q.matches_lowered(f"{name.lower()} {found['text']}"):
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
        if not isinstance(found, dict) or not found.get("discoverable", False):
            continue
        # the words first, before the header is built: most streams fail them (as searchable(name, description))
        if q.words and not q.matches_lowered(f"{name} {found.get('description') or ''}".lower()):
            continue
        meta = StreamMeta.from_dict(found)
        if not meta.discoverable or not q.matches_schema(meta.schema):
            continue
        if q.linked_to is not None and meta.linked_stash != q.linked_to:
            continue
        if not q.include_expired and is_expired(ws, meta):
            continue
        results.append({"name": name, "kind": "stream", "schema": meta.schema, "description": meta.description,
                        "labels": [], "linked_stash": meta.linked_stash})
    return results
