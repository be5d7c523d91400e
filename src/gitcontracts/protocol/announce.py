"""Announcing contracts (SPEC 6.3 `new`) as protocol actions — with a remote, they land on its main —
and subcontracts (SPEC 6.1): the assignee of a subtask creates a child contract that carries it out.
The child's budget may not exceed the parent subtask's; `settle` completes the parent subtask when
every subtask of the child is completed."""
from __future__ import annotations

from typing import Any, Sequence

from gitcontracts.errors import Conflict, InvalidContent, UsageError
from gitcontracts.names import check_name
from gitcontracts.ops.contracts import contract_documents, stream_names
from gitcontracts.ops.record import Action
from gitcontracts.protocol.engine import Context, Outcome, perform
from gitcontracts.protocol.guards import require_assignee, subtask
from gitcontracts.workspace import Workspace


def announce(ws: Workspace, name: str, objective: str | None, subtasks: Sequence[tuple[str, str]] = (),
             budget: float | None = None, deadline: str | None = None, base: Any = None, description: str | None = None,
             labels: Sequence[str] = (), discoverable: bool = True, offline: bool = False,
             force: bool = False) -> dict[str, Any]:
    doc, files = contract_documents(ws, name, objective, subtasks, budget, deadline, base, description, labels, discoverable,
                                    force)

    def build(ctx: Context) -> Outcome:
        _add_contract(ctx, name, files)
        return Outcome(Action("announce", name, tuple(ctx.files), name),
                       {"contract": name, "stash": doc, "streams": list(stream_names(name)), "paths": list(files)})

    return perform(ws, build, offline)


def _add_contract(ctx: Context, name: str, files: dict[str, str]) -> None:
    for path in files:
        if ctx.read(path) is not None:
            raise Conflict(f"{path} already exists", hint="pick another contract name")
    ctx.files.update({path: text.encode() for path, text in files.items()})


def new_child(ws: Workspace, name: str, parent: str, objective: str | None, subtasks: Sequence[tuple[str, str]] = (),
              budget: float | None = None, deadline: str | None = None, base: Any = None, description: str | None = None,
              labels: Sequence[str] = (), discoverable: bool = True, offline: bool = False,
              force: bool = False) -> dict[str, Any]:
    parent_contract, sep, parent_task = parent.partition("/")
    if not sep:
        raise UsageError(f"--parent takes CONTRACT/SUBTASK, got {parent!r}")
    check_name(parent_contract, "contract name"), check_name(parent_task, "subtask id")
    doc, files = contract_documents(ws, name, objective, subtasks, budget, deadline, base, description, labels, discoverable,
                                    force)

    def build(ctx: Context) -> Outcome:
        parent_doc, _ = ctx.contract(parent_contract)
        task = subtask(parent_doc, parent_contract, parent_task)
        require_assignee(task, ctx.agent, "be subcontracted")
        limit, child_budget = task.get("budget_usdc"), doc["content"].get("budget_usdc")
        if isinstance(limit, (int, float)) and isinstance(child_budget, (int, float)) and child_budget > limit:
            raise InvalidContent(f"the child's budget {child_budget} exceeds the parent subtask's {limit}")
        _add_contract(ctx, name, files)
        ctx.set_subtask(parent_contract, parent_task, {"subcontract": name})
        return Outcome(Action("subcontract", f"{parent_contract}/{parent_task}", tuple(ctx.files), parent_contract, parent_task),
                       {"contract": name, "parent": parent, "paths": sorted(ctx.files)})

    return perform(ws, build, offline)
