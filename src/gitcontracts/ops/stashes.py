"""Stashes (SPEC 3) and patch (SPEC 6.5): validated before anything is written, written atomically."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from gitcontracts.errors import Forbidden
from gitcontracts.formats import yamledit, yamlsafe
from gitcontracts.model import Stash
from gitcontracts.names import check_name
from gitcontracts.referee.documents import CONTRACT_SCHEMA, raise_if, stash_problems
from gitcontracts.ops.record import Action, recording
from gitcontracts.rules import patch as patching
from gitcontracts.timeutil import format_seconds
from gitcontracts.workspace import Workspace


@dataclass(frozen=True)
class PatchResult:
    name: str
    items_matched: tuple[int, ...]
    written: bool
    formatting_kept: bool
    commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "items_matched": list(self.items_matched), "written": self.written,
                "formatting_kept": self.formatting_kept, "commit": self.commit}


def get_stash(ws: Workspace, name: str) -> Stash:
    doc, _, _ = ws.stashes.read(check_name(name, "stash name"))
    return Stash.from_dict(doc)


def get_stash_text(ws: Workspace, name: str) -> str:
    return ws.stashes.read_text(check_name(name, "stash name"))[0]


def require_owner(ws: Workspace, doc: dict[str, Any], what: str) -> None:
    if doc.get("owner") != ws.agent:
        raise Forbidden(f"{what} is owned by {doc.get('owner')!r}; {ws.agent!r} may not change it",
                        hint="only the owner changes a stash (SPEC 6.4); act as the owner with --agent")


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


def put_stash(ws: Workspace, name: str, content: Any, schema: str | None = None, description: str | None = None,
              labels: Sequence[str] | None = None, discoverable: bool | None = None) -> Stash:
    """Create or replace a stash's content; validated first, nothing written on failure."""
    check_name(name, "stash name")
    old = None
    if ws.stashes.exists(name):
        old, _, _ = ws.stashes.read(name)
        require_owner(ws, old, f"stash {name!r}")
    owner = (old or {}).get("owner") or ws.agent
    created = (old or {}).get("created") or format_seconds(ws.now())
    doc = build_envelope(name, owner, created, content, schema, description, labels, discoverable, old)
    source = ws.layout.relative(ws.stashes.path(name))
    text = yamlsafe.dump(doc)
    raise_if(stash_problems(ws.schemas, doc, text, source, name), f"stash {name}")
    with recording(ws, Action("put", name, (source,), contract=contract_name(doc))):
        ws.stashes.write_text(name, text)
    return Stash.from_dict(doc)


def contract_name(doc: dict[str, Any]) -> str | None:
    return doc.get("name") if str(doc.get("schema") or "").partition("@")[0] == CONTRACT_SCHEMA else None


def patch_stash(ws: Workspace, name: str, patch_doc: Any, owner_only: bool = True) -> PatchResult:
    """update_items (SPEC 6.5): the matched elements get `set`; key order, comments and formatting stay."""
    items = patching.parse_update_items(patch_doc)
    doc, text, source = ws.stashes.read(check_name(name, "stash name"))
    if owner_only:
        require_owner(ws, doc, f"stash {name!r}")
    change = patched(ws.schemas, doc, text, source, name, items)
    if change is None:
        return PatchResult(name, tuple(patching.apply(doc.get("content"), items)[1]), False, True)
    new_text, counts, kept = change
    with recording(ws, Action("patch", name, (source,), contract=contract_name(doc), subtask=only_subtask(items))) as done:
        ws.stashes.write_text(name, new_text)
    return PatchResult(name, tuple(counts), True, kept, done.commit)


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
