"""`next`: everything waiting for the acting agent, most urgent first, each item naming the one command that
acts on it (issue 12). A read of the clone as it is, like `status`: the command refreshes it first (SPEC 13).

Order: offers made to the agent (soonest expiry first), then its assigned work, then its pending claims, then
the duties of the contracts it owns (claims to award, deliverables to complete, questions to answer), then
the open subtasks it may claim."""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.formats import jsonl
from gitcontracts.protocol.claims import bid_entries, claim_refs, discussion
from gitcontracts.protocol.guards import passed
from gitcontracts.protocol.status import contract_state, shared_snapshot, stream_entries_at
from gitcontracts.protocol.work import execution
from gitcontracts.rules.agents import Registry
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.timeutil import seconds_left
from gitcontracts.workspace import Workspace
from gitcontracts.store.layout import STREAMS

RANK = {"offer": 0, "deliver": 1, "delivered": 1, "answered": 2, "claim-pending": 2, "award": 3, "complete": 3, "answer": 3,
        "claim": 4}


# What `next` reads of the streams: deliverables of the execution log; questions, answers and the agent's own
# entries (when it last spoke) of the discussion. Only the lines that may hold them are decoded.
DELIVERED = (b"deliverable",)
TALK = (b"question", b"answer")


def command(*args: str) -> str:
    """The exact command line, quoted for a POSIX shell."""
    return shlex.join(("gitcontracts", *args))


def _item(kind: str, contract: str, task: str | None, argv: tuple[str, ...], detail: str,
          expires_in: int | None = None) -> dict[str, Any]:
    """One item; an offer's `expires_in` is the seconds left (as in the offer entry's data: `expires` is a date-time
    wherever it appears)."""
    item: dict[str, Any] = {"kind": kind, "contract": contract, "subtask": task, "command": command(*argv),
                            "detail": detail}
    if expires_in is not None:
        item["expires_in"] = expires_in
    return item


def next_items(ws: Workspace, offline: bool = False) -> list[dict[str, Any]]:
    agent, now = ws.agent, ws.now()
    every_claim = claim_refs(ws, None, None, offline, fetched=True)  # one git process, not one per contract
    snapshot = shared_snapshot(ws)
    items: list[dict[str, Any]] = []
    try:
        docs = [doc for doc in ws.stashes_at(snapshot).values()
                if isinstance(doc, dict) and str(doc.get("schema", "")).startswith("agent-contract")
                and isinstance(doc.get("name"), str) and contract_state(doc, now) == "open"]
        may_claim = _may_claim(snapshot.registry, agent, sum(_held(doc, agent) for doc in docs))
        involved = _involved(snapshot, docs, agent)
        # a deliverable matters only for a claimed subtask: the execution log of a contract without one is not read
        delivering = {doc["name"] for doc in docs if doc["name"] in involved and _claimed(doc)}
        streams = _streams(ws, snapshot, involved, delivering)
        for doc in docs:
            name = doc["name"]
            bids = bid_entries(snapshot, _of_contract(every_claim, name), name)
            view = Contract(doc, agent, now, bids, *streams.get(name, ([], [])), may_claim)
            items += _contract_items(view) + _questions(view) + _answers(view)
    finally:
        snapshot.reader.close()
    return sorted(items, key=lambda i: (RANK[i["kind"]], i.get("expires_in", float("inf"))))


def _of_contract(claims: dict[str, str], contract: str) -> dict[str, str]:
    prefix = f"claim/{contract}/"
    return {branch: tip for branch, tip in claims.items() if branch.startswith(prefix)}


@dataclass(frozen=True)
class Contract:
    """One open contract as the acting agent sees it."""
    doc: dict[str, Any]
    agent: str
    now: Any
    bids: list[dict[str, Any]]
    executions: list[dict[str, Any]]
    talk: list[dict[str, Any]]
    may_claim: Callable[[dict[str, Any]], bool]

    @property
    def name(self) -> str:
        return str(self.doc["name"])

    def tasks(self) -> list[dict[str, Any]]:
        return [t for t in (self.doc.get("content") or {}).get("subtasks") or []
                if isinstance(t, dict) and isinstance(t.get("id"), str)]


def _involved(snapshot: Snapshot, docs: list[dict[str, Any]], agent: str) -> set[str]:
    """The contracts whose streams can hold something for the agent: those it owns, those with a subtask
    assigned to it, and those where it has spoken (its own discussion shard: a question may have an answer).
    The streams of every other contract are not read — at 1,000 contracts, 2,000 folders fewer."""
    names = {doc["name"] for doc in docs if doc.get("owner") == agent or _held(doc, agent)}
    return names | _spoken(snapshot, [doc["name"] for doc in docs if doc["name"] not in names], agent)


def _spoken(snapshot: Snapshot, contracts: list[str], agent: str) -> set[str]:
    """The contracts whose discussion holds a shard of the agent's that is not empty. Read from the trees alone:
    the streams folder's, then each discussion folder's by id, in one batch — not `REV:path` of each shard, which
    makes git scan the folder of 20,000 streams once per contract (10,000 contracts: 27 s)."""
    if snapshot.rev in (None, ":"):
        return {name for name in contracts if snapshot.read(snapshot.paths.shard(discussion(name), agent))}
    shards = _shards(snapshot, [discussion(name) for name in contracts])
    return {name for name in contracts
            if shards.get(discussion(name), {}).get(f"{agent}.jsonl") not in (None, gitlayer.EMPTY_BLOB)}


def _shards(snapshot: Snapshot, streams: list[str]) -> dict[str, dict[str, str]]:
    """Stream -> its shards (file name -> blob id) in the snapshot: the streams folder's tree once, then each
    stream's by id, in one batch."""
    reader = snapshot.reader
    below = snapshot.entries(STREAMS)
    trees = {stream: below[stream] for stream in streams if stream in below}
    reader.prefetch(trees.values(), want=b"tree")
    return {stream: {file: oid for file, oid in (reader.tree_entries(tree) or {}).items() if file.endswith(".jsonl")}
            for stream, tree in trees.items()}


NOTES = "gitcontracts-next.json"  # shard blob id -> its questions, answers and deliverables (store/doccache.py)
NOTED = {word.decode() for word in TALK + DELIVERED}  # the labels kept of each shard
READING_STREAMS = "reading the streams new to this clone"
_BATCH = 256


def _streams(ws: Workspace, snapshot: Snapshot, involved: set[str], delivering: set[str]
             ) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Contract -> (the deliverables of its execution log, the questions and answers of its discussion with the
    agent's own entries), for the involved contracts.

    Each shard's questions, answers and deliverables are kept by blob id (`.git/gitcontracts-next.json`, never
    stale: an id names its bytes), so a repeated `next` of the owner of 10,000 contracts reads only the shards
    that changed; the first reads them all (git inflates 400 MB in seconds: progress on a terminal), 256 at a
    time. The agent's own shard is read each time (when it last spoke: `_answers`)."""
    from gitcontracts.store import doccache

    agent = ws.agent
    if snapshot.rev in (None, ":"):
        return {name: (stream_entries_at(snapshot, execution(name), DELIVERED) if name in delivering else [],
                       stream_entries_at(snapshot, discussion(name), (*TALK, agent.encode()))) for name in involved}
    reader = snapshot.reader
    shards = _shards(snapshot, [execution(name) for name in delivering] + [discussion(name) for name in involved])
    own = f"{agent}.jsonl"
    notes = doccache.open_cache(ws.root, NOTES)
    every = {oid for files in shards.values() for oid in files.values()}
    missing = sorted(oid for oid in every if oid not in notes)
    shown = ws.reporter(READING_STREAMS) if len(missing) >= 500 else None
    for start in range(0, len(missing), _BATCH):
        batch = missing[start:start + _BATCH]
        reader.prefetch(batch)
        for oid in batch:
            found = jsonl.entries_mentioning(reader.cache.pop(oid, None) or b"", TALK + DELIVERED)  # read once
            notes.add(oid, [entry for entry in found if entry.get("label") in NOTED])
        if shown:
            shown(min(start + _BATCH, len(missing)), len(missing))
    notes.save(every)
    reader.prefetch(files[own] for files in shards.values() if own in files)

    def entries(stream: str, with_own: bool) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for file, oid in shards.get(stream, {}).items():
            if with_own and file == own:
                out += jsonl.entries_mentioning(reader.read(oid) or b"", (*TALK, agent.encode()))
            else:
                out += notes.get(oid) or []
        return sorted(out, key=jsonl.sort_key)

    return {name: (entries(execution(name), False) if name in delivering else [], entries(discussion(name), True))
            for name in involved}


def _claimed(doc: dict[str, Any]) -> bool:
    return any(isinstance(t, dict) and t.get("status") == "claimed" for t in (doc.get("content") or {}).get("subtasks") or [])


def _held(doc: dict[str, Any], agent: str) -> int:
    return sum(1 for t in (doc.get("content") or {}).get("subtasks") or []
               if isinstance(t, dict) and t.get("status") == "claimed" and t.get("assigned_agent") == agent)


def _may_claim(registry: Registry, agent: str, held: int) -> Callable[[dict[str, Any]], bool]:
    """Would a claim pass the capability and capacity checks of agents.yaml? (No registry: anyone may.)"""
    if not registry.present:
        return lambda task: True
    info = registry.info(agent)
    if info.capacity is not None and held >= info.capacity:
        return lambda task: False
    return lambda task: set(task.get("requires") or ()) <= set(info.capabilities)


def _contract_items(view: Contract) -> list[dict[str, Any]]:
    name, owner, agent, now = view.name, view.doc.get("owner"), view.agent, view.now
    delivered = {(e.get("data") or {}).get("subtask_id"): (e.get("data") or {}).get("deliverable")
                 for e in view.executions if e.get("label") == "deliverable"}
    items = []
    for task in view.tasks():
        tid, status, offer = task["id"], task.get("status"), task.get("offer")
        pending = [b for b in view.bids if b["subtask"] == tid]
        if status == "open" and isinstance(offer, dict) and offer.get("to") == agent and not offer.get("exhausted"):
            left = seconds_left(offer.get("expires"), now)
            decline = command("reject", name, tid, "--reason", "scheduling-conflict")
            if left is None or left > 0:
                items.append(_item("offer", name, tid, ("accept", name, tid),
                                   f"offered to you by {owner}; or `{decline}`", left))
        elif status == "claimed" and task.get("assigned_agent") == agent and not task.get("subcontract"):
            if tid in delivered:
                items.append(_item("delivered", name, tid, ("status", name),
                                   f"delivered; waiting for {owner} to complete it"))
            else:
                schema = task.get("deliverable_schema")
                must = f"; it must match the schema {schema} (`gitcontracts schema show {schema}`)" if schema else ""
                items.append(_item("deliver", name, tid, ("deliver", name, tid, "--stash", "STASH"),
                                   f"assigned to you, no deliverable yet: `stash put STASH --file FILE` first{must}"))
        if status == "open" and any(b["agent"] == agent for b in pending):
            items.append(_item("claim-pending", name, tid, ("bids", name, tid),
                               f"your claim waits for {owner}'s award (`gitcontracts release {name} {tid}` withdraws it)"))
        if owner == agent:
            if status == "open":
                items += [_item("award", name, tid, ("award", name, tid, b["agent"]), f"claim by {b['agent']}"
                                + (f" bidding {b['bid_usdc']} USDC" if b.get("bid_usdc") is not None else ""))
                          for b in pending]
            if status == "claimed" and tid in delivered:
                stash = delivered[tid]
                items.append(_item("complete", name, tid, ("complete", name, tid),
                                   f"{task.get('assigned_agent')} delivered"
                                   + (f" the stash {stash}: review it with `gitcontracts stash get {stash}`" if stash else "")))
        elif (status == "open" and _claimable(task, now) and view.may_claim(task)
              and not any(b["agent"] == agent for b in pending)):
            bid = ("--bid-usdc", "PRICE") if task.get("award") == "lowest-bid" else ()
            items.append(_item("claim", name, tid, ("claim", name, tid, *bid),
                               str(task.get("description") or "open subtask")))
    return items


def _questions(view: Contract) -> list[dict[str, Any]]:
    """Unanswered questions the agent is the one to answer: any on a contract it owns, and those about a
    subtask assigned to it."""
    mine = {t["id"] for t in view.tasks() if t.get("status") == "claimed" and t.get("assigned_agent") == view.agent}
    owner = view.doc.get("owner") == view.agent
    answered = {(e.get("data") or {}).get("in_reply_to") for e in view.talk if e.get("label") == "answer"}
    items = []
    for question in view.talk:
        data = question.get("data") or {}
        if question.get("label") != "question" or question.get("id") in answered or question.get("agent") == view.agent:
            continue
        if owner or data.get("subtask_id") in mine:
            items.append(_item("answer", view.name, data.get("subtask_id"),
                               ("answer", view.name, "--in-reply-to", str(question.get("id")), "-m", "ANSWER"),
                               f"{question.get('agent')} asks: {data.get('message', '')}"))
    return items


def _answers(view: Contract) -> list[dict[str, Any]]:
    """Answers to the agent's questions that it has not moved past (no entry of its own in the discussion since)."""
    asked = {e.get("id"): e for e in view.talk if e.get("label") == "question" and e.get("agent") == view.agent}
    last_own = max((e.get("ts") or "" for e in view.talk if e.get("agent") == view.agent), default="")
    items = []
    for answer in view.talk:
        data = answer.get("data") or {}
        question = asked.get(data.get("in_reply_to"))
        if answer.get("label") != "answer" or question is None or (answer.get("ts") or "") < last_own:
            continue
        items.append(_item("answered", view.name, (question.get("data") or {}).get("subtask_id"),
                           ("stream", "read", discussion(view.name), "--since", str(question.get("id"))),
                           f"{answer.get('agent')} answered your question "
                           f"{(question.get('data') or {}).get('message', '')!r}: {data.get('message', '')}"))
    return items


def _claimable(task: dict[str, Any], now: Any) -> bool:
    if task.get("offer"):  # offered to someone else, exhausted, or to the agent (then an `offer` item)
        return False
    return not passed(task.get("deadline"), now)


