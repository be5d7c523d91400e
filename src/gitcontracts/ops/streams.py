"""Streams (SPEC 5): create, post (one locked append), read (shards merged), latest (from the ends)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from gitcontracts.errors import InvalidContent, NotFound
from gitcontracts.names import check_name
from gitcontracts.store.streams import Warning_
from gitcontracts.timeutil import format_seconds, parse_datetime
from gitcontracts.workspace import Workspace

if TYPE_CHECKING:
    from gitcontracts.model import StreamMeta


class ReadResult(NamedTuple):
    stream: str
    entries: list[dict[str, Any]]
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"stream": self.stream, "entries": self.entries}


def stream_meta(ws: Workspace, name: str, linked_stash: str | None = None, ttl: int | None = None,
                discoverable: bool = False, description: str = "", schema: str | None = None) -> StreamMeta:
    """A new stream's header, checked; the acting agent owns it."""
    from gitcontracts.model import StreamMeta

    check_name(name, "stream name")
    if ttl is not None and ttl <= 0:
        raise InvalidContent("--ttl must be a positive number of seconds")
    if schema is not None:
        doc = ws.schemas.resolve(schema)
        if doc.target_type != "stream":
            raise InvalidContent(f"schema {doc.ref} is for a {doc.target_type}; a stream needs a stream schema")
    return StreamMeta(stream=name, owner=ws.agent, created=format_seconds(ws.now()), ttl=ttl,
                      discoverable=discoverable, linked_stash=linked_stash, description=description, schema=schema)


def read_stream(ws: Workspace, stream: str, label: str | None = None, since: str | None = None,
                limit: int | None = None) -> ReadResult:
    """Entries in stream order; `since` an entry id (only later entries), `limit` the first N of those. With a
    limit the shards are merged lazily where they are known to be in order, and reading stops at the limit."""
    from itertools import islice

    _require(ws, stream)
    warnings: list[Warning_] = []
    proofs = None
    if limit is not None:
        from gitcontracts import gitlayer
        from gitcontracts.store.shardorder import OrderProofs

        proofs = OrderProofs(gitlayer.find_git_dir(ws.root))
    entries: Iterator[dict[str, Any]] = ws.streams.entries(stream, warnings, proofs)
    if since is not None and not any(entry.get("id") == since for entry in entries):  # stops just after it
        raise NotFound(f"no entry {since!r} in stream {stream!r}", hint="pass an id that `stream read` printed")
    if label is not None:
        entries = (entry for entry in entries if entry.get("label") == label)
    chosen = list(islice(entries, limit) if limit is not None else entries)
    return ReadResult(stream, chosen, [str(w) for w in warnings])


def latest_entry(ws: Workspace, stream: str, label: str | None = None) -> tuple[dict[str, Any], list[str]]:
    _require(ws, stream)
    warnings: list[Warning_] = []
    entry = ws.streams.latest(stream, label, warnings)
    if entry is None:
        raise NotFound(f"stream {stream!r} has no entries" + (f" labelled {label!r}" if label else ""))
    return entry, [str(w) for w in warnings]


def _require(ws: Workspace, stream: str) -> None:
    """Reading needs only that the stream exists, not its header: `latest` stays a few file reads."""
    if not ws.streams.exists(check_name(stream, "stream name")):
        raise NotFound(f"no stream named {stream!r}", hint="see `gitcontracts discover` for the streams there are")


def is_expired(ws: Workspace, meta: StreamMeta) -> bool:
    """A stream whose newest entry (or creation, when empty) is older than its ttl (SPEC 5)."""
    if not meta.ttl:
        return False
    newest = ws.streams.newest_ts(meta.stream) or meta.created
    try:
        return (ws.now() - parse_datetime(newest)).total_seconds() > meta.ttl
    except ValueError:
        return False
