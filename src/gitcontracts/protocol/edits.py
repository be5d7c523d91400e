"""`patch` as the owner's protocol action (SPEC 6.3): applied to the remote's main and pushed."""
from __future__ import annotations

from typing import Any

from gitcontracts.names import check_name
from gitcontracts.ops.record import Action
from gitcontracts.ops.stashes import contract_name, only_subtask
from gitcontracts.protocol.engine import Context, Outcome, perform
from gitcontracts.protocol.guards import require_owner
from gitcontracts.rules import patch as patching
from gitcontracts.workspace import Workspace


def patch(ws: Workspace, name: str, patch_doc: Any, offline: bool = False) -> dict[str, Any]:
    items = patching.parse_update_items(patch_doc)
    check_name(name, "stash name")

    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(name)
        require_owner(doc, ctx.agent, f"patch {name}")
        counts, kept = ctx.update(name, items)
        result = {"stash": name, "contract": contract_name(doc), "items_matched": counts, "written": bool(ctx.files),
                  "formatting_kept": kept}
        return Outcome(Action("patch", name, tuple(ctx.files), contract_name(doc), only_subtask(items)), result,
                       nothing=not ctx.files)

    return perform(ws, build, offline)
