"""`schema list | search | show | add` (SPEC 4): custom schemas are checked against their metaschema,
and a change under which an existing stash no longer validates must be published as a new version."""
from __future__ import annotations

from typing import Any

from gitcontracts.formats import yamlsafe
from gitcontracts.model import SchemaDoc
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


def schema_file_text(doc: SchemaDoc) -> str:
    return yamlsafe.dump({"name": doc.name, "version": doc.version, "description": doc.description,
                          "visibility": doc.visibility, "target_type": doc.target_type, "definition": doc.definition})
