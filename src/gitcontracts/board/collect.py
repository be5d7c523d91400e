"""What the board shows, gathered in a few batched reads: every contract as `status CONTRACT` sees it, its
streams, its pending claims with their diffs, its deliverables with their stashes, and its execution log from
the commit trailers. Plain dicts, ready for render.py."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError
from gitcontracts.ops.history import trailer_commits
from gitcontracts.protocol.claims import claim_refs, discussion
from gitcontracts.protocol.status import contract_view, prefetch_streams, shared_snapshot, stream_entries_at
from gitcontracts.protocol.work import execution
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.timeutil import seconds_left
from gitcontracts.workspace import Workspace

DELIVERABLES_SHOWN = 100  # the newest deliverables of a contract on its page
DIFF_LIMIT = 20_000  # characters of a claim branch's diff shown on the page; the rest is cut, with a note


def collect(ws: Workspace, offline: bool = False,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """{"generated": ISO time, "main": tip, "remote": name or None, "claims": {branch: tip}, "contracts": [view]}
    where a view is `status CONTRACT`'s answer plus `execution` and `discussion` (entries), `log` (commits),
    `deliverables` and, in each bid, `diff` (the claim branch's change). `progress(done, total)` is called per
    contract viewed (most of the time: their entries are parsed there)."""
    snapshot = shared_snapshot(ws)
    try:
        now = ws.now()
        docs = ws.stashes_at(snapshot)
        names = [name.removesuffix(".yaml") for name, doc in docs.items() if _is_contract(doc)]
        refs = claim_refs(ws, None, None, offline, fetched=True)
        prefetch_streams(snapshot, [s for name in names for s in (execution(name), discussion(name))])
        diffs = claim_diffs(ws, refs.values())
        log = commit_log(ws, [snapshot.rev, *refs.values()]) if snapshot.rev else {}
        views = []
        for number, name in enumerate(names, 1):
            views.append(_view(snapshot, name, docs, refs, diffs, log.get(name, []), now))
            if progress:
                progress(number, len(names))
    finally:
        snapshot.reader.close()
    return {"generated": now.isoformat().replace("+00:00", "Z"), "main": snapshot.rev, "remote": ws.config.remote,
            "claims": refs, "contracts": views}


def _is_contract(doc: Any) -> bool:
    """A contract the board can show: one that does not parse as a contract at all (a clone's uncommitted or
    unjudged state, read --offline) is left out rather than failing the whole board."""
    return (isinstance(doc, dict) and str(doc.get("schema", "")).startswith("agent-contract")
            and isinstance(doc.get("content"), dict) and isinstance(doc["content"].get("subtasks", []), list))


def _view(snapshot: Snapshot, name: str, docs: dict[str, Any], refs: dict[str, str], diffs: dict[str, str],
          log: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    doc = docs[f"{name}.yaml"]
    mine = {branch: tip for branch, tip in refs.items() if branch.split("/")[1:2] == [name]}
    streams = stream_entries_at(snapshot, execution(name)), stream_entries_at(snapshot, discussion(name))
    view = contract_view(snapshot, name, doc, mine, now, streams)
    content = doc.get("content") or {}
    view.update(description=doc.get("description"), labels=doc.get("labels") or [],
                success_criteria=content.get("success_criteria") or [], deadline_left=seconds_left(view["deadline"], now),
                execution=streams[0], discussion=streams[1], log=log,
                deliverables=[_deliverable(snapshot, docs, entry, view) for entry in delivered(streams[0])])
    for task in view["subtasks"]:
        task["deadline_left"] = seconds_left(task.get("deadline"), now)
        offer = task.get("offer")
        task["offer_left"] = seconds_left(offer.get("expires"), now) if isinstance(offer, dict) else None
        for bid in task["bids"]:
            bid["diff"] = diffs.get(bid["commit"], "")
            bid["entry"] = None  # the page shows the bid's fields; the entry is in the claim branch's diff
    return view


def delivered(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deliverable entries worth a line: the latest of each (subtask, stash), the newest DELIVERABLES_SHOWN."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        data = entry["data"] if isinstance(entry.get("data"), dict) else {}
        if entry.get("label") == "deliverable":
            latest.pop(key := (str(data.get("subtask_id")), str(data.get("deliverable"))), None)
            latest[key] = entry
    return list(latest.values())[-DELIVERABLES_SHOWN:]


def _deliverable(snapshot: Snapshot, docs: dict[str, Any], entry: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    """A deliverable entry with its stash's text and the schema it answers to: the subtask's
    `deliverable_schema` (checked when delivered), else the stash's own, with that schema's definition."""
    data: dict[str, Any] = entry["data"] if isinstance(entry.get("data"), dict) else {}
    stash = str(data.get("deliverable") or "")
    doc = docs.get(f"{stash}.yaml")
    text = snapshot.read(snapshot.paths.stash(stash)) if stash else None
    task: dict[str, Any] = next((t for t in view["subtasks"] if t.get("id") == data.get("subtask_id")), {})
    schema = task.get("deliverable_schema") or (doc.get("schema") if isinstance(doc, dict) else None)
    return {"subtask": data.get("subtask_id"), "stash": stash, "summary": data.get("summary") or "",
            "agent": entry.get("agent"), "ts": entry.get("ts"), "schema": schema,
            "schema_definition": _definition(snapshot, schema),
            "text": text.decode("utf-8", "replace") if text is not None else None}


def _definition(snapshot: Snapshot, ref: Any) -> Any:
    if not isinstance(ref, str) or not ref:
        return None
    try:
        return snapshot.schemas.resolve(ref).definition
    except GitContractsError:
        return None


def claim_diffs(ws: Workspace, tips: Any) -> dict[str, str]:
    """Claim tip -> its change (the tip against its first parent, as a patch), all through one git process."""
    wanted = sorted(set(tips))
    if not wanted:
        return {}
    data = gitlayer.run(ws.root, "diff-tree", "--stdin", "-p", "--no-color", "--no-ext-diff", "--root",
                        "--format=%x1e%H", input=("\n".join(wanted) + "\n").encode()).stdout
    found = {}
    for record in data.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, _, patch = record.partition("\n")
        patch = patch.strip("\n")
        found[sha.strip()] = patch if len(patch) <= DIFF_LIMIT else patch[:DIFF_LIMIT] + "\n… (cut: see the branch)"
    return found


def commit_log(ws: Workspace, tips: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Contract -> its commits, oldest first, by the trailers of everything reachable from `tips` (the shared
    main and the claim branches)."""
    return trailer_commits(ws.root, ("--grep=^Contract: ", *dict.fromkeys(tips)))
