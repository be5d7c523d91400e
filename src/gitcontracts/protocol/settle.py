"""`settle`: the owner's due automatic steps, once (SPEC 6.3): expired offers move along the chain,
leases past due are revoked, lowest-bid subtasks past `bids_close` are awarded, and a subtask whose
child contract is done is completed. Nothing to do is not an error."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gitcontracts.errors import GitContractsError
from gitcontracts.ops.record import Action
from gitcontracts.protocol.claims import award_build, bid_entries, claim_refs, discussion
from gitcontracts.protocol.engine import Context, Outcome, perform
from gitcontracts.protocol.guards import passed
from gitcontracts.protocol.offers import move_offer
from gitcontracts.protocol.work import execution, stream_entries
from gitcontracts.timeutil import parse_datetime, parse_duration
from gitcontracts.workspace import Workspace


def settle(ws: Workspace, contract: str | None = None, offline: bool = False) -> dict[str, Any]:
    def build(ctx: Context) -> Outcome:
        names = [contract] if contract else _maybe_due(ctx)
        steps: list[dict[str, Any]] = []
        for name in names:
            doc, _ = ctx.contract(name)
            if doc.get("owner") != ctx.agent or not str(doc.get("schema", "")).startswith("agent-contract"):
                continue
            steps += settle_contract(ctx, name)
        merge = next((s["merge"] for s in steps if "merge" in s), ())
        deletions = tuple(b for s in steps for b in s.pop("delete", ()))
        for step in steps:
            step.pop("merge", None)
        action = Action("settle", contract or "all", tuple(ctx.files), contract,
                        steps[0]["subtask"] if len(steps) == 1 else None)
        return Outcome(action, {"steps": steps}, merge_parents=merge, delete_branches=deletions, nothing=not steps)

    return perform(ws, build, offline)


def _maybe_due(ctx: Context) -> list[str]:
    """The acting agent's contracts with a subtask a step may be due for, from the documents of the base kept by
    blob id (a pass over 10,000 contracts parses only the ones that changed since the last)."""
    names = []
    for file, doc in ctx.ws.stashes_at(ctx.base).items():
        if not isinstance(doc, dict) or doc.get("owner") != ctx.agent:
            continue
        tasks = (doc.get("content") or {}).get("subtasks") if isinstance(doc.get("content"), dict) else None
        if any(isinstance(t, dict) and (t.get("offer") or t.get("lease") or t.get("subcontract")
                                        or t.get("award") == "lowest-bid") for t in tasks or []):
            names.append(file[:-len(".yaml")])
    return names


def settle_contract(ctx: Context, name: str) -> list[dict[str, Any]]:
    steps = []
    doc, _ = ctx.contract(name)
    for task in (doc.get("content") or {}).get("subtasks") or []:
        if not isinstance(task, dict):
            continue
        step = _due(ctx, name, task)
        if step:
            steps.append({"contract": name, "subtask": task["id"], **step})
    return steps


def _due(ctx: Context, name: str, task: dict[str, Any]) -> dict[str, Any] | None:
    offer = task.get("offer")
    standing = isinstance(offer, dict) and task.get("status") == "open" and not offer.get("exhausted")
    if isinstance(offer, dict) and standing and passed(offer.get("expires"), ctx.now):
        moved = move_offer(ctx, name, task)
        ctx.post(discussion(name), "status-update", {"subtask_id": task["id"], "agent_name": offer.get("to"),
                                                      "message": f"offer to {offer.get('to')} expired",
                                                      "reason": "offer-expired"})
        return {"step": "offer-expired", "agent": offer.get("to"), "offer": moved}
    if task.get("status") == "claimed" and task.get("lease") and _lease_over(ctx, name, task):
        ctx.set_subtask(name, task["id"], {"status": "open"}, ("assigned_agent",))
        ctx.post(discussion(name), "revoke", {"subtask_id": task["id"], "agent_name": task.get("assigned_agent"),
                                              "reason": "lease-expired", "message": f"no word for {task['lease']}"})
        return {"step": "lease-expired", "agent": task.get("assigned_agent")}
    if task.get("status") == "open" and task.get("award") == "lowest-bid" and passed(task.get("bids_close"), ctx.now):
        return _award_lowest(ctx, name, task)
    if task.get("status") == "claimed" and task.get("subcontract") and _child_done(ctx, task["subcontract"]):
        ctx.post(execution(name), "deliverable", {"subtask_id": task["id"], "deliverable": task["subcontract"],
                                                   "summary": f"child contract {task['subcontract']} is done"})
        ctx.set_subtask(name, task["id"], {"status": "completed"})
        return {"step": "child-done", "child": task["subcontract"]}
    return None


def _lease_over(ctx: Context, name: str, task: dict[str, Any]) -> bool:
    """No entry by the assignee about this subtask (in either stream) for `lease`."""
    try:
        lease = parse_duration(task["lease"])
    except GitContractsError:
        return False
    last: datetime | None = None
    for stream in (execution(name), discussion(name)):
        for entry in stream_entries(ctx, stream):
            if entry.get("agent") == task.get("assigned_agent") and (entry.get("data") or {}).get("subtask_id") == task["id"]:
                moment = parse_datetime(entry["ts"])
                last = moment if last is None or moment > last else last
    return last is not None and ctx.now - last > lease


def _award_lowest(ctx: Context, name: str, task: dict[str, Any]) -> dict[str, Any] | None:
    refs = claim_refs(ctx.ws, name, task["id"], offline=ctx.remote is None)
    bids = [b for b in bid_entries(ctx.base, refs, name) if isinstance(b["bid_usdc"], (int, float))]
    budget = task.get("budget_usdc")
    bids = [b for b in bids if not isinstance(budget, (int, float)) or b["bid_usdc"] <= budget]
    if not bids:
        return None
    best = min(bids, key=lambda b: (b["bid_usdc"], b["ts"] or ""))  # ties: the earliest bid
    outcome = award_build(ctx, name, task["id"], best["agent"], refs, reason="lowest-bid")
    return {"step": "bids-closed", "agent": best["agent"], "bid_usdc": best["bid_usdc"],
            "merge": outcome.merge_parents, "delete": outcome.delete_branches}


def _child_done(ctx: Context, child: str) -> bool:
    data = ctx.read(ctx.paths.stash(child))
    if data is None:
        return False
    doc, _ = ctx.contract(child)
    tasks = (doc.get("content") or {}).get("subtasks") or []
    return bool(tasks) and all(isinstance(t, dict) and t.get("status") == "completed" for t in tasks)



