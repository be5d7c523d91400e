"""`next`: everything waiting for the acting agent, most urgent first, each item naming the one command that
acts on it (issue 12). A read of the clone as it is, like `status`: the command refreshes it first (SPEC 13).

Order: offers made to the agent (soonest expiry first), then its assigned work, then its pending claims, then
the duties of the contracts it owns (claims to award, deliverables to complete, questions to answer), then
the open subtasks it may claim."""
from __future__ import annotations

import shlex
from typing import Any

from gitcontracts.protocol.claims import bid_entries, claim_refs, discussion
from gitcontracts.protocol.guards import passed
from gitcontracts.protocol.status import contract_state, shared_snapshot, stream_entries_at
from gitcontracts.protocol.work import execution
from gitcontracts.timeutil import parse_datetime
from gitcontracts.workspace import Workspace

RANK = {"offer": 0, "deliver": 1, "delivered": 1, "claim-pending": 2, "award": 3, "complete": 3, "answer": 3,
        "claim": 4}


def command(*args: str) -> str:
    """The exact command line, quoted for a POSIX shell."""
    return shlex.join(("gitcontracts", *args))


def _item(kind: str, contract: str, task: str | None, argv: tuple[str, ...], detail: str,
          expires: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": kind, "contract": contract, "subtask": task, "command": command(*argv),
                            "detail": detail}
    if expires is not None:
        item["expires"] = expires
    return item


def next_items(ws: Workspace, offline: bool = False) -> list[dict[str, Any]]:
    agent, now = ws.agent, ws.now()
    every_claim = claim_refs(ws, None, None, offline, fetched=True)  # one git process, not one per contract
    snapshot = shared_snapshot(ws)
    items: list[dict[str, Any]] = []
    try:
        for file in snapshot.names(".contracts/stashes"):
            doc = snapshot.doc(f".contracts/stashes/{file}")
            if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("agent-contract"):
                continue
            if contract_state(doc, now) != "open" or not isinstance(doc.get("name"), str):
                continue
            bids = bid_entries(snapshot, _of_contract(every_claim, doc["name"]), doc["name"])
            items += _contract_items(doc, agent, now, bids, stream_entries_at(snapshot, execution(doc["name"])),
                                     stream_entries_at(snapshot, discussion(doc["name"])))
    finally:
        snapshot.reader.close()
    return sorted(items, key=lambda i: (RANK[i["kind"]], i.get("expires", float("inf"))))


def _of_contract(claims: dict[str, str], contract: str) -> dict[str, str]:
    prefix = f"claim/{contract}/"
    return {branch: tip for branch, tip in claims.items() if branch.startswith(prefix)}


def _contract_items(doc: dict[str, Any], agent: str, now: Any, bids: list[dict[str, Any]],
                    executions: list[dict[str, Any]], talk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    name, owner = doc["name"], doc.get("owner")
    delivered = {(e.get("data") or {}).get("subtask_id") for e in executions if e.get("label") == "deliverable"}
    items = []
    for task in (doc.get("content") or {}).get("subtasks") or []:
        if not isinstance(task, dict) or not isinstance(task.get("id"), str):
            continue
        tid, status, offer = task["id"], task.get("status"), task.get("offer")
        pending = [b for b in bids if b["subtask"] == tid]
        if status == "open" and isinstance(offer, dict) and offer.get("to") == agent and not offer.get("exhausted"):
            left = _seconds_left(offer.get("expires"), now)
            decline = command("reject", name, tid, "--reason", "scheduling-conflict")
            if left is None or left > 0:
                items.append(_item("offer", name, tid, ("accept", name, tid),
                                   f"offered to you by {owner}; or `{decline}`", left))
        elif status == "claimed" and task.get("assigned_agent") == agent and not task.get("subcontract"):
            if tid in delivered:
                items.append(_item("delivered", name, tid, ("status", name),
                                   f"delivered; waiting for {owner} to complete it"))
            else:
                items.append(_item("deliver", name, tid, ("deliver", name, tid, "--stash", "STASH"),
                                   "assigned to you, no deliverable yet: `stash put STASH --file FILE` first"))
        if status == "open" and any(b["agent"] == agent for b in pending):
            items.append(_item("claim-pending", name, tid, ("bids", name, tid), f"your claim waits for {owner}'s award"))
        if owner == agent:
            if status == "open":
                items += [_item("award", name, tid, ("award", name, tid, b["agent"]), f"claim by {b['agent']}"
                                + (f" bidding {b['bid_usdc']} USDC" if b.get("bid_usdc") is not None else ""))
                          for b in pending]
            if status == "claimed" and tid in delivered:
                items.append(_item("complete", name, tid, ("complete", name, tid),
                                   f"{task.get('assigned_agent')} delivered"))
        elif status == "open" and _claimable(task, now) and not any(b["agent"] == agent for b in pending):
            bid = ("--bid-usdc", "PRICE") if task.get("award") == "lowest-bid" else ()
            items.append(_item("claim", name, tid, ("claim", name, tid, *bid),
                               str(task.get("description") or "open subtask")))
    if owner == agent:
        answered = {(e.get("data") or {}).get("in_reply_to") for e in talk if e.get("label") == "answer"}
        for question in talk:
            if question.get("label") == "question" and question.get("id") not in answered:
                data = question.get("data") or {}
                items.append(_item("answer", name, data.get("subtask_id"),
                                   ("answer", name, "--in-reply-to", str(question.get("id")), "-m", "ANSWER"),
                                   f"{question.get('agent')} asks: {data.get('message', '')}"))
    return items


def _claimable(task: dict[str, Any], now: Any) -> bool:
    if task.get("offer"):  # offered to someone else, exhausted, or to the agent (then an `offer` item)
        return False
    return not passed(task.get("deadline"), now)


def _seconds_left(expires: Any, now: Any) -> int | None:
    try:
        return int((parse_datetime(expires) - now).total_seconds()) if isinstance(expires, str) else None
    except ValueError:
        return None
