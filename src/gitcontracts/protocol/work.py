"""Doing the work (SPEC 6.3): progress and deliverables by the assignee, completion by the owner,
release, and questions and answers by anyone."""
from __future__ import annotations

from typing import Any

from gitcontracts.errors import Conflict, NotFound
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.referee.documents import raise_if, schema_problems
from gitcontracts.ops.record import Action
from gitcontracts.protocol.claims import claim_branch, claim_refs, discussion
from gitcontracts.protocol.engine import Context, Outcome, perform
from gitcontracts.protocol.guards import owners_subtask, require_assignee, subtask
from gitcontracts.workspace import Workspace


def execution(contract: str) -> str:
    return f"{contract}-execution"


def _done(ctx: Context, action: str, contract: str, task_id: str | None, result: dict[str, Any]) -> Outcome:
    target = f"{contract}/{task_id}" if task_id else contract
    return Outcome(Action(action, target, tuple(ctx.files), contract, task_id),
                   {"contract": contract, "subtask": task_id, **result})


def progress(ws: Workspace, contract: str, task_id: str, message: str, data: dict[str, Any] | None = None,
             offline: bool = False) -> dict[str, Any]:
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        require_assignee(subtask(doc, contract, task_id), ctx.agent, "report progress")
        entry = ctx.post(execution(contract), "progress", {**(data or {}), "subtask_id": task_id, "message": message})
        return _done(ctx, "progress", contract, task_id, {"entry": entry})
    return perform(ws, build, offline)


def deliver(ws: Workspace, contract: str, task_id: str, stash: str, summary: str = "", offline: bool = False) -> dict[str, Any]:
    """Name a stash as the subtask's deliverable; with `deliverable_schema` it must validate against it."""
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        task = subtask(doc, contract, task_id)
        require_assignee(task, ctx.agent, "deliver")
        data = ctx.read(ctx.paths.stash(stash))
        if data is None:
            raise NotFound(f"no stash named {stash!r} to deliver", hint="put it first with `gitcontracts stash put`")
        if task.get("deliverable_schema"):
            delivered = yamlsafe.load(data, ctx.paths.stash(stash))
            content = delivered.get("content") if isinstance(delivered, dict) else None
            raise_if(schema_problems(ctx.base.schemas, task["deliverable_schema"], content, ctx.paths.stash(stash), "content"),
                     f"deliverable {stash} for {task['deliverable_schema']}")
        entry = ctx.post(execution(contract), "deliverable", {"subtask_id": task_id, "deliverable": stash, "summary": summary})
        return _done(ctx, "deliver", contract, task_id, {"entry": entry})
    return perform(ws, build, offline)


def complete(ws: Workspace, contract: str, task_id: str, offline: bool = False) -> dict[str, Any]:
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        task = owners_subtask(doc, contract, task_id, ctx.agent, "claimed", "completed")
        if not task.get("subcontract") and not has_entry(ctx, execution(contract), "deliverable", task_id):
            raise Conflict(f"subtask {task_id} has no deliverable yet",
                           hint="the assignee delivers first (`gitcontracts deliver`)")
        ctx.set_subtask(contract, task_id, {"status": "completed"})
        return _done(ctx, "complete", contract, task_id, {})
    return perform(ws, build, offline)


def release(ws: Workspace, contract: str, task_id: str, message: str = "", offline: bool = False) -> dict[str, Any]:
    """Give back the subtask assigned to you; or, while it is open, withdraw your claim waiting for the owner's
    award (its claim branch is deleted in the same push as a `status-update` entry that says so)."""
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        task = subtask(doc, contract, task_id)
        mine = claim_branch(contract, task_id, ctx.agent)
        if task.get("status") == "open" and mine in claim_refs(ctx.ws, contract, task_id, offline=ctx.remote is None):
            entry = ctx.post(discussion(contract), "status-update",
                             {"subtask_id": task_id, "message": message or "claim withdrawn"})
            return _done(ctx, "release", contract, task_id, {"entry": entry, "withdrawn": mine})._replace(
                delete_branches=(mine,))
        require_assignee(task, ctx.agent, "be released")
        ctx.set_subtask(contract, task_id, {"status": "open"}, ("assigned_agent",))
        entry = ctx.post(discussion(contract), "status-update", {"subtask_id": task_id, "message": message or "released"})
        return _done(ctx, "release", contract, task_id, {"entry": entry})
    return perform(ws, build, offline)


def ask(ws: Workspace, contract: str, task_id: str | None, message: str, offline: bool = False) -> dict[str, Any]:
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        if task_id:
            subtask(doc, contract, task_id)
        entry = ctx.post(discussion(contract), "question", {"message": message, **({"subtask_id": task_id} if task_id else {})})
        return _done(ctx, "ask", contract, task_id, {"entry": entry})
    return perform(ws, build, offline)


def answer(ws: Workspace, contract: str, in_reply_to: str, message: str, offline: bool = False) -> dict[str, Any]:
    def build(ctx: Context) -> Outcome:
        ctx.contract(contract)
        question = find_entry(ctx, discussion(contract), in_reply_to)
        if question is None:
            raise NotFound(f"no entry {in_reply_to} in {discussion(contract)}", hint="answer an id that `stream read` shows")
        task_id = (question.get("data") or {}).get("subtask_id")
        entry = ctx.post(discussion(contract), "answer", {"in_reply_to": in_reply_to, "message": message,
                                                          **({"subtask_id": task_id} if task_id else {})})
        return _done(ctx, "answer", contract, task_id, {"entry": entry})
    return perform(ws, build, offline)


def stream_entries(ctx: Context, stream: str) -> list[dict[str, Any]]:
    """Every entry of a stream as the context sees it (the base plus what this action wrote)."""
    folder = ctx.paths.stream(stream)
    names = set(ctx.base.names(folder)) | {p.rsplit("/", 1)[1] for p in ctx.files if p.startswith(folder + "/")}
    entries = []
    for name in sorted(n for n in names if n.endswith(".jsonl")):
        for line in jsonl.lines(ctx.read(f"{folder}/{name}") or b""):
            if line.entry is not None:
                entries.append(line.entry)
    return sorted(entries, key=jsonl.sort_key)


def has_entry(ctx: Context, stream: str, label: str, task_id: str) -> bool:
    return any(e.get("label") == label and (e.get("data") or {}).get("subtask_id") == task_id
               for e in stream_entries(ctx, stream))


def find_entry(ctx: Context, stream: str, entry_id: str) -> dict[str, Any] | None:
    return next((e for e in stream_entries(ctx, stream) if e.get("id") == entry_id), None)
