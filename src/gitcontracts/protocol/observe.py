"""One pass of the watcher (SPEC 9): what changed since the last pass, as events, and the owner's
automatic steps. All state is in git: the last pass is a small JSON blob that the ref
`refs/gitcontracts/watch/<agent>` points to, written after the pass, so a watcher killed at any point
and restarted re-derives the same actions (which are idempotent: only what is due is done)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.referee.commits import check_range
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.protocol.status import contract_state
from gitcontracts.timeutil import format_ts, parse_datetime, parse_duration
from gitcontracts.workspace import Workspace
from gitcontracts.store.layout import STASHES

ACTION_EVENTS = {"offer": "offer-made", "award": "awarded", "accept": "offer-accepted", "reject": "offer-rejected"}
SETTLE_EVENTS = {"offer-expired": "offer-expired", "lease-expired": "lease-expired", "bids-closed": "bids-closed",
                 "child-done": "child-done"}


@dataclass
class WatchState:
    main: str | None = None
    claims: dict[str, str] = field(default_factory=dict)
    at: str | None = None

    def to_json(self) -> bytes:
        return json.dumps({"main": self.main, "claims": self.claims, "at": self.at}, sort_keys=True).encode()


def state_ref(agent: str) -> str:
    return f"refs/gitcontracts/watch/{agent}"


def load_state(ws: Workspace) -> WatchState | None:
    result = gitlayer.run(ws.root, "cat-file", "blob", state_ref(ws.agent), check=False)
    if result.returncode != 0:
        return None
    try:
        doc = json.loads(result.stdout)
        return WatchState(doc.get("main"), dict(doc.get("claims") or {}), doc.get("at"))
    except ValueError:
        return None


def save_state(ws: Workspace, state: WatchState) -> None:
    blob = gitlayer.run(ws.root, "hash-object", "-w", "--stdin", input=state.to_json()).stdout.decode().strip()
    gitlayer.update_ref(ws.root, state_ref(ws.agent), blob)


def event(kind: str, ts: str | None, **fields: Any) -> dict[str, Any]:
    """A watcher event: its `type`, when it happened (`ts`) and the usual keys (SPEC 13), then what the type needs."""
    base = {"type": kind, "contract": None, "subtask": None, "agent": None, "ref": None, "commit": None, "ts": ts}
    return {**base, **{k: v for k, v in fields.items()}}


@dataclass
class Memo:
    """What the last full pass saw, kept in memory only: a cache of git, rebuilt by the first pass after a
    restart. While nothing moved and nothing is due, a pass is one cheap listing of refs."""
    main: str | None = None
    claims: dict[str, str] = field(default_factory=dict)
    next_due: datetime | None = None


def run_pass(ws: Workspace, offline: bool = False, automate: bool = True, memo: Memo | None = None,
             publish: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Events since the last pass, the owner's automatic steps taken, and the new state saved.

    `publish` gets each event as soon as it is known: what changed in git first, then the owner's steps."""
    now = format_ts(ws.now())
    remote = None if offline else ws.config.remote
    main = ws.main_branch
    heads = _heads(ws, remote, main)
    claims = {b: sha for b, sha in heads.items() if b.startswith("claim/")}
    if memo is not None and memo.main == heads.get(main) and memo.claims == claims and memo.main is not None \
            and memo.next_due is not None and ws.now() < memo.next_due:
        return []
    if remote and heads:  # main and every claim branch by two refspecs (one per branch grew with their square)
        from gitcontracts.ops.freshness import fetch_shared

        problem = fetch_shared(ws, remote, timeout=30)
        if problem is not None:
            raise gitlayer.RemoteUnavailable(f"cannot fetch from {remote}: {problem}", hint="check the remote and retry")
    main_ref = f"refs/remotes/{remote}/{main}" if remote else f"refs/heads/{main}"
    main_sha = gitlayer.resolve(ws.root, main_ref)
    before = load_state(ws)
    if before is None:  # the first pass ever: history is not replayed as news
        before = WatchState(main_sha, dict(claims), now)
    events: list[dict[str, Any]] = []

    def add(found: list[dict[str, Any]]) -> None:
        events.extend(found)
        for item in found:
            if publish:
                publish(item)

    add(_claim_events(ws, before, claims, main_sha, now, remote))
    add(_main_events(ws, before.main, main_sha, now))
    # The costly parts read every contract: run them only when a timed step may be due (or a contract
    # finished, which can complete a parent subtask); the deadline window advances only when scanned.
    due = memo is None or memo.next_due is None or ws.now() >= memo.next_due
    if due:
        add(_deadline_events(ws, main_sha, before.at, now))
    if automate:
        done = _automate(ws, events, claims, offline, settle_too=due or any(e["type"] == "contract-done" for e in events))
        add(done)
        if done:  # our own steps moved main: report what else landed meanwhile, never skip it
            ours = {e["commit"] for e in done if e.get("commit")}
            moved = gitlayer.resolve(ws.root, main_ref)
            if moved != main_sha:
                add(_main_events(ws, main_sha, moved, now, skip=ours))
                main_sha = moved
            claims = {b: sha for b, sha in _heads(ws, remote, main).items() if b.startswith("claim/")}
    save_state(ws, WatchState(main_sha, dict(claims), now if due else before.at))
    if memo is not None:
        changed = _changed_stashes(ws, memo.main, main_sha) if memo.main and not due else None
        soonest = _next_due(ws, main_sha, changed)
        memo.next_due = soonest if changed is None else min(soonest, memo.next_due or soonest)
        memo.main, memo.claims = main_sha, dict(claims)
    return events


def _changed_stashes(ws: Workspace, old: str, new: str | None) -> list[str]:
    if not new or old == new:
        return []
    names = gitlayer.output(ws.root, "diff", "--name-only", old, new, "--", STASHES)
    return [n for n in names.splitlines() if n.endswith(".yaml")]


def _heads(ws: Workspace, remote: str | None, main: str) -> dict[str, str]:
    """The main branch and the claim branches (the remote's, by one `ls-remote`, before fetching anything)."""
    if remote:
        refs = gitlayer.remote_refs(ws.root, remote, f"refs/heads/{main}", "refs/heads/claim/*")
    else:
        refs = gitlayer.local_refs(ws.root, "refs/heads/claim/")
        sha = gitlayer.resolve(ws.root, f"refs/heads/{main}")
        if sha:
            refs[f"refs/heads/{main}"] = sha
    return {ref.removeprefix("refs/heads/"): sha for ref, sha in refs.items()}


def _next_due(ws: Workspace, main: str | None, paths: list[str] | None = None) -> datetime:
    """The earliest moment a timed step may become due: a deadline, an offer's expiry, bids closing, or a
    lease check (leases are looked at again within half their length). At most an hour away.
    `paths` limits the look to the stashes that changed (None: all of them)."""
    now = ws.now()
    times = [now + timedelta(hours=1)]
    if main:
        reader = gitlayer.BlobReader(ws.root)
        snapshot = Snapshot(ws.root, reader, main)
        try:
            if paths is None:  # every contract: by blob id, parsed only when new to this clone
                docs = list(ws.stashes_at(snapshot).values())
            else:
                reader.prefetch(f"{main}:{p}" for p in paths)
                docs = [snapshot.doc(path) for path in paths]
            for doc in docs:
                times += _due_times(doc, now)
        finally:
            reader.close()
    return min(t for t in times if t > now - timedelta(days=36500))


def _due_times(doc: Any, now: datetime) -> list[datetime]:
    if not isinstance(doc, dict) or not isinstance(doc.get("content"), dict):
        return []
    out, content = [], doc["content"]
    for text in [content.get("deadline")] + [t.get(k) if k != "offer" else (t.get("offer") or {}).get("expires")
                                             for t in content.get("subtasks") or [] if isinstance(t, dict)
                                             for k in ("deadline", "bids_close", "offer")]:
        try:
            moment = parse_datetime(text) if isinstance(text, str) else None
        except ValueError:
            moment = None
        if moment and moment > now:
            out.append(moment)
        elif moment:
            out.append(now)  # already past: a step may be due right now
    for task in content.get("subtasks") or []:
        if isinstance(task, dict) and task.get("status") == "claimed" and task.get("lease"):
            try:
                out.append(now + parse_duration(task["lease"]) / 2)
            except GitContractsError:
                pass
    return out


def _claim_events(ws: Workspace, before: WatchState, claims: dict[str, str], main: str | None, now: str,
                  remote: str | None) -> list[dict[str, Any]]:
    events = []
    for branch, sha in sorted(claims.items()):
        parts = branch.split("/")
        if len(parts) != 4:
            continue
        kind = "claim-opened" if branch not in before.claims else "claim-updated" if before.claims[branch] != sha else None
        if kind:
            events.append(event(kind, now, contract=parts[1], subtask=parts[2], agent=parts[3], ref=branch, commit=sha))
    for branch, sha in sorted(before.claims.items()):
        parts = branch.split("/")
        if branch not in claims and len(parts) == 4 and not (main and gitlayer.is_ancestor(ws.root, sha, main)):
            events.append(event("claim-withdrawn", now, contract=parts[1], subtask=parts[2], agent=parts[3], ref=branch,
                                commit=sha))
    return events


def _main_events(ws: Workspace, old: str | None, new: str | None, now: str,
                 skip: set[str] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    if not new or old == new:
        return []
    if old and not gitlayer.is_ancestor(ws.root, old, new):
        old = gitlayer.merge_base(ws.root, old, new)
    commits = [gitlayer.unmoved(c) for c in gitlayer.first_parent_commits(ws.root, old, new, [".contracts"]) if c.sha not in skip]
    reader = gitlayer.BlobReader(ws.root)
    events: list[dict[str, Any]] = []
    try:
        reader.prefetch(b for c in commits for ch in c.changes for b in (ch.old, ch.new))
        for commit in commits:
            trailers = commit.trailers
            kind = ACTION_EVENTS.get(trailers.get("Action", ""))
            if kind:
                events.append(event(kind, commit.when, contract=trailers.get("Contract"), subtask=trailers.get("Subtask"),
                                    agent=trailers.get("Agent", commit.author), commit=commit.sha, ref="main"))
            events += _entries(commit, reader)
            events += _done(commit, reader)
    finally:
        reader.close()
    checked = check_range(ws.root, f"{old}..{new}", None, ws.main_branch) if old else None
    if checked and checked.problems:  # a main that fails the referee (a remote without the pre-receive hook)
        bad = sorted({p.commit for p in checked.problems if p.commit})
        events.append(event("invalid-push", now, ref="main", commit=bad[0] if bad else new,
                            problems="; ".join(p.message for p in checked.problems[:3])))
    return events


def _entries(commit: gitlayer.CommitInfo, reader: gitlayer.BlobReader) -> list[dict[str, Any]]:
    out = []
    for change in commit.changes:
        if not change.path.endswith(".jsonl"):
            continue
        old, new = reader.read(change.old) or b"", reader.read(change.new) or b""
        added = new[len(old):] if new.startswith(old) else b""
        stream = change.path.split("/")[-2]
        for line in jsonl.lines(added):
            entry: dict[str, Any] = line.entry or {}
            data: dict[str, Any] = entry["data"] if isinstance(entry.get("data"), dict) else {}
            contract = stream.rsplit("-", 1)[0] if stream.endswith(("-execution", "-discussion")) else None
            out.append(event("entry-posted", entry.get("ts", commit.when), contract=contract, subtask=data.get("subtask_id"),
                             agent=entry.get("agent"), commit=commit.sha, ref="main", stream=stream,
                             label=entry.get("label"), id=entry.get("id")))
            if entry.get("label") == "status-update" and data.get("reason") == "offer-expired":
                out.append(event("offer-moved", entry.get("ts", commit.when), contract=contract,
                                 subtask=data.get("subtask_id"), agent=data.get("agent_name"), commit=commit.sha, ref="main"))
    return out


def _done(commit: gitlayer.CommitInfo, reader: gitlayer.BlobReader) -> list[dict[str, Any]]:
    out = []
    for change in commit.changes:
        if not (change.path.startswith(STASHES + "/") and change.path.endswith(".yaml")):
            continue
        docs = []
        for blob in (change.old, change.new):
            data = reader.read(blob)
            try:
                docs.append(yamlsafe.load(data, change.path) if data else None)
            except GitContractsError:
                docs.append(None)
        old, new = docs
        if isinstance(new, dict) and contract_state(new, parse_datetime("1970-01-01T00:00:00Z")) == "done" and not (
                isinstance(old, dict) and contract_state(old, parse_datetime("1970-01-01T00:00:00Z")) == "done"):
            out.append(event("contract-done", commit.when, contract=new.get("name"), commit=commit.sha, ref="main"))
    return out


def _deadline_events(ws: Workspace, main: str | None, last: str | None, now: str) -> list[dict[str, Any]]:
    """Contracts whose deadline fell between the last pass and this one (and are not done)."""
    if not main or not last:
        return []
    start, end = parse_datetime(last), parse_datetime(now)
    if start >= end:  # the first pass: no time has passed to report on
        return []
    reader = gitlayer.BlobReader(ws.root)
    snapshot = Snapshot(ws.root, reader, main)
    events = []
    try:
        for doc in ws.stashes_at(snapshot).values():
            deadline = (doc.get("content") or {}).get("deadline") if isinstance(doc, dict) else None
            try:
                moment = parse_datetime(deadline) if isinstance(deadline, str) else None
            except ValueError:
                moment = None
            if moment and start < moment <= end and contract_state(doc, parse_datetime("1970-01-01T00:00:00Z")) != "done":
                events.append(event("deadline-passed", deadline, contract=doc.get("name"), ref="main", commit=main))
    finally:
        reader.close()
    return events


def _automate(ws: Workspace, events: list[dict[str, Any]], claims: dict[str, str], offline: bool,
              settle_too: bool = True) -> list[dict[str, Any]]:
    """The owner's automatic steps: settle, and a policy rejection of claim branches that fail their checks."""
    from gitcontracts.protocol.settle import settle

    out: list[dict[str, Any]] = []
    for e in events:
        if e["type"] in ("claim-opened", "claim-updated"):
            out += _check_claim(ws, e, offline)
    if not settle_too:
        return out
    try:
        result = settle(ws, None, offline)
    except GitContractsError as exc:
        return out + [event("action-failed", format_ts(ws.now()), message=exc.message)]
    for step in result.get("steps", []):
        out.append(event(SETTLE_EVENTS.get(step["step"], step["step"]), format_ts(ws.now()), contract=step["contract"],
                         subtask=step["subtask"], agent=step.get("agent"), commit=result.get("commit"), ref="main",
                         action=True, step=step))
        moved = step.get("offer")
        if step["step"] == "offer-expired" and moved:
            out.append(event("offer-moved", format_ts(ws.now()), contract=step["contract"], subtask=step["subtask"],
                             agent=moved.get("to"), commit=result.get("commit"), ref="main", action=True, offer=moved))
        if step["step"] == "bids-closed":
            out.append(event("awarded", format_ts(ws.now()), contract=step["contract"], subtask=step["subtask"],
                             agent=step.get("agent"), commit=result.get("commit"), ref="main", action=True))
    return out


def _check_claim(ws: Workspace, claim_event: dict[str, Any], offline: bool) -> list[dict[str, Any]]:
    """A claim branch that fails `check --range`: an invalid-push event and, as owner, a `reject` (policy)."""
    remote = None if offline else ws.config.remote
    tip = f"refs/remotes/{remote}/{claim_event['ref']}" if remote else f"refs/heads/{claim_event['ref']}"
    main = f"refs/remotes/{remote}/{ws.main_branch}" if remote else ws.main_branch
    base = gitlayer.merge_base(ws.root, main, tip)
    if not base:
        return []
    result = check_range(ws.root, f"{base}..{tip}", f"refs/heads/{claim_event['ref']}", ws.main_branch)
    if not result.problems:
        return []
    problems = "; ".join(p.message for p in result.problems[:3])
    out = [event("invalid-push", claim_event["ts"], contract=claim_event["contract"], subtask=claim_event["subtask"],
                 agent=claim_event["agent"], ref=claim_event["ref"], commit=claim_event["commit"], problems=problems)]
    try:
        from gitcontracts.protocol.claims import reject_claim

        rejected = reject_claim(ws, claim_event["contract"], claim_event["subtask"], claim_event["agent"], problems, offline)
    except GitContractsError:
        return out
    if rejected:
        out.append(event("claim-rejected", claim_event["ts"], contract=claim_event["contract"], subtask=claim_event["subtask"],
                         agent=claim_event["agent"], ref=claim_event["ref"], commit=rejected.get("commit"), action=True))
    return out
