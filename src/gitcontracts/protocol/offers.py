"""Directed contracts (SPEC 6.3): offer with a fallback chain and an expiry; accept; reject with a reason."""
from __future__ import annotations

from typing import Any, Sequence

from gitcontracts.errors import Conflict, Forbidden, InvalidContent
from gitcontracts.names import check_name
from gitcontracts.ops.record import Action
from gitcontracts.protocol.claims import discussion, forbid_not_offered
from gitcontracts.protocol.engine import Context, Outcome, perform
from gitcontracts.protocol.guards import can_take, owners_subtask, subtask
from gitcontracts.rules.documents import REJECT_REASONS
from gitcontracts.rules.offers import advance
from gitcontracts.rules.timing import is_past, moved_expires
from gitcontracts.timeutil import is_duration, parse_duration, parse_datetime, resolve_moment
from gitcontracts.workspace import Workspace


def offer(ws: Workspace, contract: str, task_id: str, to: str, fallback: Sequence[str] = (), expires: str | None = None,
          then: str = "announce", message: str = "", offline: bool = False) -> dict[str, Any]:
    for agent in (to, *fallback):
        check_name(agent, "agent name")
    if then not in ("announce", "revise"):
        raise InvalidContent("--then is announce or revise")

    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        owners_subtask(doc, contract, task_id, ctx.agent, "open", "offered")
        terms: dict[str, Any] = {"to": to}
        if fallback:
            terms["fallback"] = list(fallback)
        data: dict[str, Any] = {"subtask_id": task_id, "agent_name": to, "message": message}
        if expires:
            terms["expires"] = resolve_moment(expires, ctx.now)
            # the window each agent of the chain gets, from when the offer reaches it (SPEC 12): the duration
            # asked for, never cut short by the microseconds of now (`1d` is 86400 s, `2s` is 2)
            window = (parse_duration(expires).total_seconds() if is_duration(expires)
                      else (parse_datetime(terms["expires"]) - ctx.now).total_seconds())
            terms["window"] = data["expires_in"] = max(1, round(window))
        terms["on_exhausted"] = then
        ctx.set_subtask(contract, task_id, {"offer": terms})
        entry = ctx.post(discussion(contract), "offer", data)
        return Outcome(Action("offer", f"{contract}/{task_id}", tuple(ctx.files), contract, task_id),
                       {"contract": contract, "subtask": task_id, "offer": terms, "entry": entry})

    return perform(ws, build, offline)


def accept(ws: Workspace, contract: str, task_id: str, message: str = "", offline: bool = False) -> dict[str, Any]:
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        task = subtask(doc, contract, task_id)
        forbid_not_offered(ctx, contract, task)
        if task["offer"].get("exhausted"):
            raise Forbidden(f"the offer of {task_id} is exhausted and waits for its owner")
        if is_past(task["offer"].get("expires"), ctx.now):
            raise Conflict(f"the offer of {contract}/{task_id} to {ctx.agent} expired at {task['offer']['expires']}",
                           hint="it moves to the next agent of the owner's chain when the owner settles")
        can_take(ctx.base, doc, task, ctx.agent, ctx.now, via_offer=True)
        ctx.set_subtask(contract, task_id, {"status": "claimed", "assigned_agent": ctx.agent}, ("offer",))
        entry = ctx.post(discussion(contract), "accept", {"subtask_id": task_id, "message": message})
        return Outcome(Action("accept", f"{contract}/{task_id}", tuple(ctx.files), contract, task_id),
                       {"contract": contract, "subtask": task_id, "agent": ctx.agent, "entry": entry})

    return perform(ws, build, offline)


def reject(ws: Workspace, contract: str, task_id: str, reason: str, message: str = "", offline: bool = False) -> dict[str, Any]:
    if reason not in REJECT_REASONS or reason == "awarded-to-other":
        raise InvalidContent(f"--reason is one of {', '.join(r for r in REJECT_REASONS if r != 'awarded-to-other')}")

    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        task = subtask(doc, contract, task_id)
        forbid_not_offered(ctx, contract, task)
        moved = move_offer(ctx, contract, task)
        entry = ctx.post(discussion(contract), "reject", {"subtask_id": task_id, "reason": reason, "message": message})
        return Outcome(Action("reject", f"{contract}/{task_id}", tuple(ctx.files), contract, task_id),
                       {"contract": contract, "subtask": task_id, "reason": reason, "offer": moved, "entry": entry})

    return perform(ws, build, offline)


def move_offer(ctx: Context, contract: str, task: dict[str, Any]) -> dict[str, Any] | None:
    """Advance the offer along the owner's chain; the next agent gets the same time the first one had."""
    moved = advance(task["offer"])
    if moved is None:
        ctx.set_subtask(contract, task["id"], {}, ("offer",))
        return None
    if "expires" in moved and not moved.get("exhausted"):
        moved["expires"] = moved_expires(task["offer"], ctx.now)
    ctx.set_subtask(contract, task["id"], {"offer": moved})
    return moved
