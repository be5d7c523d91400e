"""`status [CONTRACT]`: the full state in one call — each subtask with assignee, offer, pending bids,
lease left and latest execution entry; questions without answers; done or expired; the child tree."""
from __future__ import annotations

from typing import Any

from gitcontracts import gitlayer
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.protocol.claims import bid_entries, claim_refs, discussion
from gitcontracts.protocol.guards import no_contract, passed
from gitcontracts.protocol.work import execution
from gitcontracts.timeutil import parse_datetime, parse_duration
from gitcontracts.workspace import Workspace


def shared_snapshot(ws: Workspace) -> Snapshot:
    """The committed state of the clone: the shared main once the `status` command refreshed it (SPEC 13)."""
    return Snapshot(ws.root, gitlayer.BlobReader(ws.root), gitlayer.resolve(ws.root, "HEAD"))


def contract_state(doc: dict[str, Any], now: Any) -> str:
    tasks = (doc.get("content") or {}).get("subtasks") or []
    if tasks and all(isinstance(t, dict) and t.get("status") == "completed" for t in tasks):
        return "done"
    return "expired" if passed((doc.get("content") or {}).get("deadline"), now) else "open"


def status(ws: Workspace, contract: str | None = None, offline: bool = False, agent: str | None = None) -> dict[str, Any]:
    """With `agent`, only what concerns that agent: the contracts it owns or has a subtask of (assigned, offered,
    or claimed on a branch), and in one contract the subtasks it holds or is offered (all of them for the owner)."""
    snapshot = shared_snapshot(ws)
    try:
        if contract is None:
            rows = _all(ws, snapshot, agent)
            return {"contracts": rows, "agent": agent} if agent else {"contracts": rows}
        found = _one(ws, snapshot, contract, offline)
        if agent and found["owner"] != agent:
            found["subtasks"] = [t for t in found["subtasks"] if _concerns(t, agent)]
            found["agent"] = agent
        return found
    finally:
        snapshot.reader.close()


def _concerns(task: dict[str, Any], agent: str) -> bool:
    offer = task.get("offer")
    return (task.get("assigned_agent") == agent or (isinstance(offer, dict) and offer.get("to") == agent)
            or any(bid.get("agent") == agent for bid in task.get("bids") or []))


def _all(ws: Workspace, snapshot: Snapshot, agent: str | None = None) -> list[dict[str, Any]]:
    rows = []
    claimed_by = {branch.split("/")[1] for branch in claim_refs(ws, None, None, True, fetched=True)
                  if branch.endswith(f"/{agent}")} if agent else set()
    for doc in ws.stashes_at(snapshot).values():
        if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("agent-contract"):
            continue
        tasks = [t for t in (doc.get("content") or {}).get("subtasks") or [] if isinstance(t, dict)]
        if agent and not (doc.get("owner") == agent or doc.get("name") in claimed_by
                          or any(_concerns(t, agent) for t in tasks)):
            continue
        counts = {s: sum(1 for t in tasks if t.get("status") == s) for s in ("open", "claimed", "completed")}
        rows.append({"contract": doc.get("name"), "owner": doc.get("owner"), "state": contract_state(doc, ws.now()), **counts})
    return rows


def prefetch_streams(snapshot: Snapshot, streams: list[str]) -> None:
    """The folders of `streams` and their shards read in two batches (by object id), for stream_entries_at to find in the cache
    (one git round trip per folder and per shard costs more than everything else a read of many contracts does)."""
    if not snapshot.rev or snapshot.rev == ":":
        return
    snapshot.reader.prefetch_folders(snapshot.rev, [snapshot.paths.stream(s) for s in streams], ".jsonl")


def stream_entries_at(snapshot: Snapshot, stream: str, mentioning: tuple[bytes, ...] | None = None
                      ) -> list[dict[str, Any]]:
    """The stream's entries in stream order; with `mentioning`, only those that may hold one of those words (a
    label, an agent's name: jsonl.entries_mentioning), the other lines never decoded."""
    folder = snapshot.paths.stream(stream)
    out = []
    for name in snapshot.names(folder):
        if not name.endswith(".jsonl"):
            continue
        data = snapshot.read(f"{folder}/{name}") or b""
        if mentioning is None:
            out += [line.entry for line in jsonl.lines(data) if line.entry is not None]
        else:
            out += jsonl.entries_mentioning(data, mentioning)
    return sorted(out, key=jsonl.sort_key)


def _one(ws: Workspace, snapshot: Snapshot, name: str, offline: bool) -> dict[str, Any]:
    data = snapshot.read(snapshot.paths.stash(name))
    if data is None:
        raise no_contract(name, offline and bool(ws.config.remote))
    return contract_view(snapshot, name, yamlsafe.load(data, name), claim_refs(ws, name, None, offline, fetched=True),
                         ws.now())


def contract_view(snapshot: Snapshot, name: str, doc: Any, refs: dict[str, str], now: Any,
                  streams: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """`status CONTRACT` of the parsed contract `doc`, its pending claim branches `refs` (branch -> tip) and
    its (execution, discussion) entries — read from `snapshot` when not given — at `now` (the board shows the
    same view of every contract)."""
    bids = bid_entries(snapshot, refs, name)
    executions, talk = streams or (stream_entries_at(snapshot, execution(name)),
                                   stream_entries_at(snapshot, discussion(name)))
    answered = {(e.get("data") or {}).get("in_reply_to") for e in talk if e.get("label") == "answer"}
    subtasks = []
    for task in (doc.get("content") or {}).get("subtasks") or []:
        if not isinstance(task, dict):
            continue
        mine = [e for e in executions if (e.get("data") or {}).get("subtask_id") == task.get("id")]
        row = {"id": task.get("id"), "status": task.get("status"), "assigned_agent": task.get("assigned_agent"),
               "offer": task.get("offer"), "bids": [b for b in bids if b["subtask"] == task.get("id")],
               "latest": mine[-1] if mine else None, "lease_left": _lease_left(task, executions + talk, now),
               "award": task.get("award", "review"), "budget_usdc": task.get("budget_usdc"),
               "deadline": task.get("deadline"), "description": task.get("description"),
               "requires": task.get("requires") or [], "deliverable_schema": task.get("deliverable_schema")}
        if task.get("subcontract"):
            child = snapshot.doc(snapshot.paths.stash(task['subcontract']))
            row["subcontract"] = {"contract": task["subcontract"],
                                  "state": contract_state(child, now) if isinstance(child, dict) else "missing"}
        subtasks.append(row)
    # `name` is the key SPEC 11 gave the contract first; `contract` is the one every other answer uses
    return {"contract": name, "name": name, "owner": doc.get("owner"), "state": contract_state(doc, now),
            "objective": (doc.get("content") or {}).get("objective"), "deadline": (doc.get("content") or {}).get("deadline"),
            "budget_usdc": (doc.get("content") or {}).get("budget_usdc"),
            "subtasks": subtasks,
            "open_questions": [e for e in talk if e.get("label") == "question" and e.get("id") not in answered]}


def _lease_left(task: dict[str, Any], entries: list[dict[str, Any]], now: Any) -> int | None:
    if task.get("status") != "claimed" or not task.get("lease"):
        return None
    mine = [e for e in entries if e.get("agent") == task.get("assigned_agent")
            and (e.get("data") or {}).get("subtask_id") == task.get("id")]
    if not mine:
        return None
    last = max(parse_datetime(e["ts"]) for e in mine)
    return int((parse_duration(task["lease"]) - (now - last)).total_seconds())
