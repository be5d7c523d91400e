"""Stashes (SPEC 3) and patch (SPEC 6.5): validated before anything is written, written atomically."""
from __future__ import annotations

from typing import Any, Sequence

from gitcontracts.formats import yamledit, yamlsafe
from gitcontracts.model import Stash
from gitcontracts.names import check_name
from gitcontracts.referee.documents import CONTRACT_SCHEMA, raise_if, stash_problems
from gitcontracts.rules import patch as patching
from gitcontracts.workspace import Workspace


def get_stash(ws: Workspace, name: str) -> Stash:
    doc, _, _ = ws.stashes.read(check_name(name, "stash name"))
    return Stash.from_dict(doc)


def get_stash_text(ws: Workspace, name: str) -> str:
    return ws.stashes.read_text(check_name(name, "stash name"))[0]


def build_envelope(name: str, owner: str, created: str, content: Any, schema: str | None, description: str | None,
                   labels: Sequence[str] | None, discoverable: bool | None, old: dict[str, Any] | None) -> dict[str, Any]:
    old = old or {}
    doc: dict[str, Any] = {"name": name}
    for key, value in (("schema", schema), ("owner", owner), ("description", description),
                       ("labels", list(labels) if labels else None), ("discoverable", discoverable),
                       ("created", created)):
        value = old.get(key) if value is None and key != "owner" else value
        if value is not None:
            doc[key] = value
    doc["content"] = content
    return doc


def contract_name(doc: dict[str, Any]) -> str | None:
    return doc.get("name") if str(doc.get("schema") or "").partition("@")[0] == CONTRACT_SCHEMA else None


def patched(schemas: Any, doc: dict[str, Any], text: str, source: str, name: str,
            items: list[patching.UpdateItem]) -> tuple[str, list[int], bool] | None:
    """The stash's text after update_items, validated (InvalidContent); None when nothing matched."""
    content, counts, changes = patching.apply(doc.get("content"), items)
    if not changes:
        return None
    new_doc = {**doc, "content": content}
    raise_if(stash_problems(schemas, new_doc, text, source, name), f"patch of {name}")
    new_text, kept = edited_text(text, new_doc, [(c.address, c.set, c.unset) for c in changes])
    return new_text, counts, kept


def only_subtask(items: list[patching.UpdateItem]) -> str | None:
    """The subtask a patch of one `subtasks` element by id changed, for the commit's Subtask trailer."""
    if len(items) == 1 and items[0].path == "subtasks" and isinstance(items[0].match.get("id"), str):
        return items[0].match["id"]
    return None


def edited_text(text: str, expected: dict[str, Any], targets: list[tuple[tuple, dict[str, Any], Sequence[str]]]
                ) -> tuple[str, bool]:
    """The document's text with only those fields changed; the whole document anew if that cannot be done."""
    edited = yamledit.edit(text, targets)
    if edited is not None:
        try:
            if patching.json_equal(yamlsafe.load(edited), expected):
                return edited, True
        except Exception:  # an edit that does not parse back falls back to a full rewrite
            pass
    return yamlsafe.dump(expected), False
