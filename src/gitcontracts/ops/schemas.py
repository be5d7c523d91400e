"""`schema list | search | show | add` (SPEC 4): custom schemas are checked against their metaschema,
and a change under which an existing stash no longer validates must be published as a new version."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gitcontracts.errors import InvalidContent
from gitcontracts.formats import yamlsafe
from gitcontracts.model import SchemaDoc
from gitcontracts.ops.record import Action, recording
from gitcontracts.rules.schema_check import check_metaschema, compile_schema
from gitcontracts.store.files import atomic_write, read_bytes
from gitcontracts.store.schemas import parse_schema_doc
from gitcontracts.workspace import Workspace


def list_schemas(ws: Workspace, include_private: bool = False) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(ws.schemas.index()):
        versions = ws.schemas.versions(name)
        newest = ws.schemas.resolve(f"{name}@{versions[-1]}")
        if newest.visibility == "private" and not include_private:
            continue
        rows.append({**newest.summary(), "versions": versions})
    return rows


def search_schemas(ws: Workspace, query: str, include_private: bool = False) -> list[dict[str, Any]]:
    words = query.lower().split()
    return [row for row in list_schemas(ws, include_private)
            if all(word in f"{row['name']} {row['description']}".lower() for word in words)]


def show_schema(ws: Workspace, ref: str) -> SchemaDoc:
    return ws.schemas.resolve(ref)


def add_schema(ws: Workspace, file: Path) -> dict[str, Any]:
    """Publish a schema file as `.contracts/schemas/NAME@N.yaml`."""
    data = read_bytes(file, ws.config.max_file_bytes)
    doc = parse_schema_doc(data, str(file), None)
    check_metaschema(doc.definition, str(file))
    compiled = compile_schema(doc.definition, ws.schemas.definition, str(file))
    target = ws.layout.schema(doc.name, doc.version)
    existing = ws.schemas.versions(doc.name)
    if doc.version in existing:
        current = ws.schemas.resolve(doc.ref)
        if current.source == "builtin":
            raise InvalidContent(f"{doc.ref} is built in and cannot be replaced",
                                 hint=f"publish it as {doc.name}@{max(existing) + 1}")
        if current.definition == doc.definition and current.summary() | {"source": ""} == doc.summary() | {"source": ""}:
            return {"schema": doc.ref, "path": ws.layout.relative(target), "changed": False}
    users = _stashes_affected(ws, doc, existing)
    broken = [name for name, content in users if compiled.issues(content, "content")]
    if broken:
        how = (f"publish it as {doc.name}@{max(existing) + 1}" if doc.version in existing
               else f"pin them to {doc.name}@{max(existing)} first")
        raise InvalidContent(f"breaking change: under {doc.ref} these stashes no longer validate: {', '.join(broken)}",
                             hint=how, details=broken)
    with recording(ws, Action("schema-add", doc.ref, (ws.layout.relative(target),))) as done:
        atomic_write(target, data)
    return {"schema": doc.ref, "path": ws.layout.relative(target), "changed": True, "commit": done.commit}


def _stashes_affected(ws: Workspace, doc: SchemaDoc, existing: list[int]) -> list[tuple[str, Any]]:
    """Stashes that would be validated by `doc` once it is written: pinned to it, or by bare name if it is newest."""
    newest = not existing or doc.version >= max(existing)
    refs = {doc.ref} | ({doc.name} if newest else set())
    users = []
    for name in ws.stashes.names():
        try:
            stash, _, _ = ws.stashes.read(name)
        except InvalidContent:
            continue
        if isinstance(stash, dict) and stash.get("schema") in refs:
            users.append((name, stash.get("content")))
    return users


def schema_file_text(doc: SchemaDoc) -> str:
    return yamlsafe.dump({"name": doc.name, "version": doc.version, "description": doc.description,
                          "visibility": doc.visibility, "target_type": doc.target_type, "definition": doc.definition})
