"""The document actions — `stash put`, `stream create`, `stream post`, `schema add` — landing like every
other action (engine.perform): built on the base, judged by the referee, committed, pushed."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from gitcontracts.errors import Conflict, Forbidden, GitContractsError, InvalidContent, NotFound
from gitcontracts.formats import yamlsafe
from gitcontracts.model import StreamMeta
from gitcontracts.names import check_name
from gitcontracts.ops.record import Action
from gitcontracts.ops.stashes import build_envelope, contract_name
from gitcontracts.ops.streams import stream_meta
from gitcontracts.protocol.engine import Context, Outcome, perform, refuse_links
from gitcontracts.referee.documents import raise_if, schema_problems, stash_problems
from gitcontracts.rules.documents import declared_owner, entry_problems, stream_expired, ttl_of
from gitcontracts.rules.schema_check import check_metaschema, compile_schema
from gitcontracts.store.files import read_bytes
from gitcontracts.store.schemas import parse_schema_doc
from gitcontracts.timeutil import format_seconds
from gitcontracts.workspace import Workspace
from gitcontracts.store.layout import STREAMS


def put_stash(ws: Workspace, name: str, content: Any, schema: str | None = None, description: str | None = None,
              labels: Sequence[str] | None = None, discoverable: bool | None = None,
              offline: bool = False) -> dict[str, Any]:
    """Create or replace a stash's content (only its owner replaces it); validated, nothing written on failure."""
    check_name(name, "stash name")

    def build(ctx: Context) -> Outcome:
        path = ctx.paths.stash(name)
        old = _previous(ctx, path)
        if old is not None and old.get("owner") not in (None, ctx.agent):
            raise Forbidden(f"stash {name!r} is owned by {old.get('owner')!r}; {ctx.agent!r} may not change it",
                            hint="only a stash's owner changes it: put yours under another name")
        owner = (old or {}).get("owner") or ctx.agent
        created = (old or {}).get("created") or format_seconds(ctx.now)
        doc = build_envelope(name, owner, created, content, schema, description, labels, discoverable, old)
        text = yamlsafe.dump(doc)
        raise_if(stash_problems(ctx.base.schemas, doc, text, path, name), f"stash {name}")
        ctx.files[path] = text.encode()
        return Outcome(Action("put", name, (path,), contract=contract_name(doc)), {"stash": name, "path": path, **doc})

    return perform(ws, build, offline)


def _previous(ctx: Context, path: str) -> dict[str, Any] | None:
    """The stash as it is, or its owner alone when it does not parse (replacing a broken stash is its fix)."""
    data = ctx.read(path)
    if data is None:
        return None
    try:
        doc = yamlsafe.load(data, path)
    except GitContractsError:
        return {"owner": declared_owner(data)}
    return doc if isinstance(doc, dict) else {}


def create_stream(ws: Workspace, name: str, linked_stash: str | None = None, ttl: int | None = None,
                  discoverable: bool = False, description: str = "", schema: str | None = None,
                  offline: bool = False) -> dict[str, Any]:
    meta = stream_meta(ws, name, linked_stash, ttl, discoverable, description, schema)

    def build(ctx: Context) -> Outcome:
        if linked_stash is not None and ctx.read(ctx.paths.stash(check_name(linked_stash, "stash name"))) is None:
            raise NotFound(f"no stash named {linked_stash!r} to link to", hint="create the stash first")
        path = ctx.paths.meta(name)
        if ctx.read(path) is not None:
            raise Conflict(f"stream {name!r} already exists", hint="post to it, or pick another name")
        header = StreamMeta(**{**meta.to_dict(), "owner": ctx.agent, "created": format_seconds(ctx.now)})
        ctx.files[path] = yamlsafe.dump(header.to_dict()).encode()
        return Outcome(Action("stream-create", name, (path,), contract=linked_stash), dict(header.to_dict()))

    return perform(ws, build, offline)


def post_entry(ws: Workspace, stream: str, label: str, data: Any, offline: bool = False) -> dict[str, Any]:
    """Append one entry to the acting agent's shard; returns the entry written (with `commit` and `pushed`)."""
    check_name(stream, "stream name")

    def build(ctx: Context) -> Outcome:
        refuse_links(ws, ctx.paths.shard(stream, ctx.agent))
        raw = ctx.read(ctx.paths.meta(stream))
        if raw is None:
            raise NotFound(f"no stream named {stream!r}", hint="see `gitcontracts discover` for the streams there are")
        header = yamlsafe.load(raw, ctx.paths.meta(stream))
        meta = StreamMeta.from_dict(header if isinstance(header, dict) else {})
        shard = ctx.paths.shard(stream, ctx.agent)
        entry = ctx.post(stream, label, data)
        problems = entry_problems(entry, ctx.agent, shard)
        if meta.schema:
            problems += schema_problems(ctx.base.schemas, meta.schema, data, shard, "data", target="stream")
        raise_if(problems, f"entry for {stream}")
        subtask = data.get("subtask_id") if isinstance(data, dict) and isinstance(data.get("subtask_id"), str) else None
        return Outcome(Action("post", stream, (shard,), contract=meta.linked_stash, subtask=subtask), dict(entry))

    return perform(ws, build, offline)


def add_schema(ws: Workspace, file: Path, offline: bool = False) -> dict[str, Any]:
    """Publish a schema file as `.contracts/schemas/NAME@N.yaml`; a breaking change is refused by the referee."""
    data = read_bytes(file, ws.config.max_file_bytes)
    doc = parse_schema_doc(data, str(file), None)
    check_metaschema(doc.definition, str(file))

    def build(ctx: Context) -> Outcome:
        registry = ctx.base.schemas
        compile_schema(doc.definition, registry.definition, str(file))
        target = f".contracts/schemas/{doc.ref}.yaml"
        result = {"schema": doc.ref, "path": target, "changed": True}
        if doc.version in registry.versions(doc.name):
            current = registry.resolve(doc.ref)
            if current.source == "builtin":
                raise InvalidContent(f"{doc.ref} is built in and cannot be replaced",
                                     hint=f"publish it as {doc.name}@{max(registry.versions(doc.name)) + 1}")
            if ctx.read(target) == data:
                return Outcome(Action("schema-add", doc.ref, ()), {**result, "changed": False}, nothing=True)
        ctx.files[target] = data
        return Outcome(Action("schema-add", doc.ref, (target,)), result)

    return perform(ws, build, offline)


def gc(ws: Workspace, offline: bool = False, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Move the acting agent's expired streams (SPEC 5: idle longer than their `ttl`) to `.contracts/archive/`,
    whole and unchanged, in one commit. Nothing expired is not an error. The headers are read in one batch, and
    the shards only of the agent's streams that have a ttl."""
    def build(ctx: Context) -> Outcome:
        moved = []
        streams = ctx.base.names(STREAMS)
        if ctx.base.rev and ctx.base.rev != ":":
            ctx.base.reader.prefetch_folders(ctx.base.rev, [ctx.paths.stream(s) for s in streams], "meta.yaml")
        for number, stream in enumerate(streams, 1):
            if progress:
                progress(number, len(streams))
            folder = ctx.paths.stream(stream)
            meta = ctx.base.doc(ctx.paths.meta(stream))
            if not isinstance(meta, dict) or meta.get("owner") != ctx.agent or ttl_of(meta) is None:
                continue
            names = ctx.base.names(folder)
            files = {name: ctx.base.read(f"{folder}/{name}") or b"" for name in names}
            if not stream_expired(meta, [data for name, data in files.items() if name.endswith(".jsonl")], ctx.now):
                continue
            for name, data in files.items():
                ctx.files[f"{folder}/{name}"] = None
                ctx.files[f".contracts/archive/{stream}/{name}"] = data
            moved.append(stream)
        result = {"archived": moved, "agent": ctx.agent}
        return Outcome(Action("gc", ", ".join(moved) or "nothing", tuple(ctx.files)), result, nothing=not moved)

    return perform(ws, build, offline)
