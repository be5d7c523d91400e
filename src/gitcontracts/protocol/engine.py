"""Running a protocol action: build it against a base, commit it, and (with a remote) push it.

An action is a function from a Context (the base's files, the clock, the acting agent) to an Outcome
(files to write, entries, the commit's trailers). With a remote the base is the remote's main: the
commit is built with plumbing on top of it (the working tree is never in the way), pushed, and
confirmed with `ls-remote`; a refused push re-runs the whole action — its checks included — against
the new main, so a subtask someone took meanwhile ends in exit 4."""
from __future__ import annotations

import json
import random
import shlex
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, NamedTuple

from gitcontracts import gitlayer
from gitcontracts.errors import Conflict, Forbidden, GitContractsError, InvalidContent, NotFound, UsageError
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.gitobjects import split_commit
from gitcontracts.ids import new_id
from gitcontracts.ops import journal
from gitcontracts.ops.record import Action, message
from gitcontracts.protocol.guards import no_contract, subtask_ids_hint
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.ops.stashes import patched
from gitcontracts.rules import patch as patching
from gitcontracts.rules.landing import queue_ref
from gitcontracts.rules.transitions import CONFLICT_RULES
from gitcontracts.store.files import atomic_write
from gitcontracts.timeutil import format_ts, parse_datetime
from gitcontracts.workspace import Workspace
from gitcontracts.store.layout import Paths

RETRY_SECONDS = 120.0   # how long an action keeps re-running while others land first
ACTION_FETCH_SECONDS = 60.0  # an action waits longer for its fetch than a read does


class Context:
    def __init__(self, ws: Workspace, base: Snapshot, base_sha: str | None, agent: str, now: datetime,
                 remote: str | None, worktree: bool = False) -> None:
        self.ws, self.base, self.base_sha, self.agent, self.now, self.remote = ws, base, base_sha, agent, now, remote
        self.worktree = worktree  # --no-commit: build on the working tree's files, leave the change there
        self.fetched_claims: str | None = None  # the claim branches fetched with main for this attempt (a prefix)
        self.files: dict[str, bytes | None] = {}
        self.entries: list[dict[str, Any]] = []

    @property
    def paths(self) -> Paths:
        """Where the base keeps each stash and stream (the working tree's, with --no-commit)."""
        return self.ws.paths if self.worktree else self.base.paths

    def read(self, path: str) -> bytes | None:
        if path in self.files:
            return self.files[path]
        if self.worktree:
            return _disk(self.ws.root / path)
        return self.base.read(path)

    def contract(self, name: str) -> tuple[dict[str, Any], str]:
        data = self.read(self.paths.stash(name))
        if data is None:
            raise no_contract(name, offline=self.remote is None and bool(self.ws.config.remote))
        text = yamlsafe.decode(data, self.paths.stash(name))
        doc = yamlsafe.load(text, self.paths.stash(name))
        if not isinstance(doc, dict):
            raise NotFound(f"{name!r} is not a contract")
        return doc, text

    def post(self, stream: str, label: str, data: Any) -> dict[str, Any]:
        """Append an entry by the acting agent to its shard of `stream` (in the files being built)."""
        path = self.paths.shard(stream, self.agent)
        shard = self.read(path) or b""
        moment = entry_time(self.now, jsonl.last_ts(shard), self.ws.config.max_clock_skew)
        entry = {"id": new_id(moment), "ts": format_ts(moment), "agent": self.agent, "label": label, "data": data}
        line = jsonl.encode(entry)
        if len(line) > self.ws.config.max_line_bytes:
            raise InvalidContent(f"entry is {len(line)} bytes, over the limit of {self.ws.config.max_line_bytes}",
                                 hint="post a smaller entry, or put the payload in a stash and name it")
        self.files[path] = shard + line
        self.entries.append(entry)
        return entry

    def set_subtask(self, contract: str, task_id: str, values: dict[str, Any], unset: tuple[str, ...] = ()) -> None:
        if not self.update(contract, [patching.UpdateItem("subtasks", {"id": task_id}, values, unset)])[0]:
            raise NotFound(f"contract {contract} has no subtask {task_id!r}", hint=subtask_ids_hint(self.contract(contract)[0]))

    def update(self, name: str, items: list[patching.UpdateItem]) -> tuple[list[int], bool]:
        """update_items on a stash (in the files being built): (items matched, formatting kept)."""
        doc, text = self.contract(name)
        change = patched(self.base.schemas, doc, text, self.paths.stash(name), name, items)
        if change is None:
            return patching.apply(doc.get("content"), items)[1], True
        new_text, counts, kept = change
        self.files[self.paths.stash(name)] = new_text.encode()
        return counts, kept


class Outcome(NamedTuple):
    action: Action
    result: dict[str, Any]
    branch: str | None = None                 # a claim branch to push instead of main
    merge_parents: tuple[str, ...] = ()       # further parents (an award merges the claim branch)
    delete_branches: tuple[str, ...] = ()     # remote branches to delete once it landed
    nothing: bool = False                     # nothing was due (settle): no commit


Build = Callable[[Context], Outcome]


def entry_time(now: datetime, last_ts: str | None, max_skew: float) -> datetime:
    """The time of a new entry: now, kept after the shard's last entry (a shard stays in time order) —
    unless that entry lies further ahead than the allowed clock skew: a clock that once ran ahead does
    not pin every later entry to its future (SPEC 12)."""
    if not last_ts:
        return now
    try:
        last = parse_datetime(last_ts)
    except ValueError:
        return now
    if last >= now and (last - now).total_seconds() <= max_skew:
        return last + timedelta(microseconds=1)
    return now


_CONFIGURED = "configured"


def perform(ws: Workspace, build: Build, offline: bool = False, remote: str | None = _CONFIGURED,
            claims: str | None = None) -> dict[str, Any]:
    """Run an action to its end: built on the base, judged, committed, pushed (SPEC 7). `claims`: the claim
    branches (a prefix, `claim/C/S/`) the action settles, fetched in the fetch of main (`Context.fetched_claims`).

    A push refused because main moved re-runs the whole action against the new main, with jittered
    exponential backoff, for up to RETRY_SECONDS; any other refusal is final."""
    remote = _remote(ws, offline, ws.config.remote if remote == _CONFIGURED else remote)
    give_up = time.monotonic() + RETRY_SECONDS
    delay = 0.05
    first = True
    while True:
        if remote is None and ws.commit:
            with gitlayer.commit_lock(ws.root):  # local actions of one clone land one at a time: HEAD and files together
                result = _attempt(ws, build, remote)
        else:
            result = _attempt(ws, build, remote, recent_enough=first, claims=claims)
        first = False
        if result is not None:
            return result
        if time.monotonic() > give_up:
            raise Conflict("the main branch kept moving; the action was not recorded", hint="retry in a moment")
        time.sleep(random.uniform(delay / 2, delay))  # someone else landed first: re-run against their main
        delay = min(delay * 2, 2.0)


def resolve_remote(ws: Workspace, offline: bool) -> str | None:
    """The remote an action lands on: config.yaml's, unless offline (None: it lands on the local branch)."""
    return _remote(ws, offline, ws.config.remote)


def base_of(ws: Workspace, remote: str | None, claims: str | None = None) -> tuple[str | None, gitlayer.HeadState, bool]:
    """The commit an action builds on, fetched now with the claim branches under `claims` (see _base)."""
    return _base(ws, remote, claims=claims)


def land_commit(ws: Workspace, sha: str, base: str, head: gitlayer.HeadState, remote: str | None,
                progress: bool = False) -> bool:
    """A commit built outside a Context (`gitcontracts layout`) landed on main as an action lands: pushed (False
    when main moved meanwhile: build it again), then the clone brought along by a fast-forward, as git does it
    (with git's progress on a terminal: `progress`)."""
    main = ws.main_branch
    if remote is not None:
        accepted, text = gitlayer.push(ws.root, remote, [f"{sha}:refs/heads/{main}"])
        if not accepted:
            if gitlayer.remote_refs(ws.root, remote, f"refs/heads/{main}").get(f"refs/heads/{main}") != base:
                return False
            raise _refused_by_remote(remote, text)
        gitlayer.update_ref(ws.root, f"refs/remotes/{remote}/{main}", sha)
    elif head.branch is None or head.head != base:
        return False
    if head.branch == f"refs/heads/{main}" or remote is None:
        if not gitlayer.fast_forward(ws.root, sha, progress) and remote is None:
            raise Conflict("the working tree is in the way of the move", hint="commit or stash your changes, then retry")
        return True
    _advance_main(ws, sha)
    return True


def _remote(ws: Workspace, offline: bool, remote: str | None) -> str | None:
    from gitcontracts.ops.freshness import recently_landed

    remote = None if offline or not ws.commit else remote
    # (asked of git unless the last action landed through it moments ago)
    if remote and not recently_landed(ws) and remote not in gitlayer.remotes(ws.root):
        raise NotFound(f"the remote {remote!r} named in .contracts/config.yaml is not configured in this clone",
                       hint=f"add it with `git remote add {remote} URL`, or pass --offline to work locally")
    return remote


def _attempt(ws: Workspace, build: Build, remote: str | None, recent_enough: bool = False,
             claims: str | None = None) -> dict[str, Any] | None:
    """One run of the action; None when main moved under it and it must run again."""
    reader = gitlayer.BlobReader(ws.root)
    try:
        base_sha, head, fetched = _base(ws, remote, recent_enough, claims)
        ctx = Context(ws, Snapshot(ws.root, reader, base_sha), base_sha, ws.agent, ws.now(), remote, not ws.commit)
        ctx.fetched_claims = claims if fetched and remote is not None else None
        try:
            outcome = build(ctx)
        except GitContractsError:
            if fetched:
                raise
            return None  # built on the main of the last landing, not a fresh one: what it missed may be the cause
        if outcome.nothing:
            return {"commit": None, "pushed": False, **outcome.result}
        if not ws.commit:  # nothing lands: the change is left for the user to commit, which the hooks judge
            for path in ctx.files:
                refuse_links(ws, path)
            for path, data in ctx.files.items():
                _write_file(ws, path, data)
            return {**outcome.result, "commit": None, "pushed": False}
        if remote is None:
            _refuse_to_clobber(ws, ctx)
        try:
            built = _judged(ws, reader, ctx, outcome)
        except GitContractsError:
            if fetched:
                raise
            return None
        landed: bool | str
        if remote is None:
            landed = _land_locally(ws, ctx, built, outcome)
        elif _queueable(ctx, outcome):
            landed = _land_queueable(ws, reader, ctx, built, outcome, remote, head)
        else:
            landed = _push(ws, ctx, built, outcome, remote, head)
        commit = landed if isinstance(landed, str) else built.sha
        return {**outcome.result, "commit": commit, "pushed": remote is not None} if landed else None
    finally:
        reader.close()


def _base(ws: Workspace, remote: str | None, recent_enough: bool = False,
          claims: str | None = None) -> tuple[str | None, gitlayer.HeadState, bool]:
    """The commit the action builds on: the remote's main (fetched now), else HEAD; the local HEAD; and whether
    the base is as fresh as can be (False: the main of the last landing, not fetched now).

    With a lander (config.yaml), a first attempt builds on the main fetched less than fetch_ttl ago (the previous
    action fetched it as it landed): the lander replays it on the current main and judges it there; one that no
    longer fits, or that fails its own checks there (a contract created since, a subtask taken since), is run
    again on a fresh fetch."""
    head = gitlayer.head_state(ws.root)
    if remote is None:
        if head.branch is None and head.head is not None and ws.commit:
            raise UsageError("HEAD is detached: gitcontracts records actions on a branch",
                             hint=f"check out your branch first (`git switch {ws.main_branch}`), then retry")
        return head.head, head, True
    from gitcontracts.ops import freshness  # the one fetch of main and claims, reads' and actions'

    fetched = not (recent_enough and ws.config.lander and freshness.recently_landed(ws))
    if fetched:
        _fetch(ws, remote, claims)
    shared = gitlayer.ref_sha(ws.root, f"refs/remotes/{remote}/{ws.main_branch}")
    # no main there yet (a new, empty remote): this action pushes the first one, on the local history
    return (shared, head, fetched) if shared is not None else (head.head, head, fetched)


def _fetch(ws: Workspace, remote: str, claims: str | None = None) -> None:
    """Main (and the claim branches under `claims`, in the same git process)."""
    from gitcontracts.ops import freshness

    problem = freshness.fetch_shared(ws, remote, timeout=ACTION_FETCH_SECONDS, claims=claims or False)
    if problem is not None:
        raise gitlayer.RemoteUnavailable(f"cannot fetch from {remote}: {problem}", hint="check the remote, or use --offline")


def _judged(ws: Workspace, reader: gitlayer.BlobReader, ctx: Context, outcome: Outcome) -> gitlayer.BuiltCommit:
    """The action's commit, built and judged by the referee the pre-receive hook runs (SPEC 7)."""
    from gitcontracts.referee.commits import judge_landing
    from gitcontracts.referee.documents import refusal

    ident = gitlayer.identity(ws.root, ctx.agent)
    if ws.commit and ident.merge_driver is None:
        register_merge_driver(ws.root)
    parents = ([ctx.base_sha] if ctx.base_sha else []) + list(outcome.merge_parents)
    built = gitlayer.build_commit(ws.root, reader, parents, ctx.base_sha, ctx.files, message(outcome.action, ctx.agent),
                                  ident, ctx.now)
    ref = f"refs/heads/{outcome.branch}" if outcome.branch else None
    problems = judge_landing(ws.root, reader, ctx.base_sha, built.sha, parents, built.changes, ctx.agent,
                             ident.env["GIT_AUTHOR_EMAIL"], ctx.now, ref)
    if problems:
        raise refusal(problems, f"{outcome.action.action} {outcome.action.target}")
    return built


def register_merge_driver(root: Path) -> None:
    """The shard merge driver (SPEC 5) in the clone's git config: on first use, for clones that never ran init."""
    driver = f"{shlex.quote(sys.executable)} -m gitcontracts merge-shard %O %A %B %P"
    gitlayer.config_set(root, "merge.gitcontracts-shard.name", "gitcontracts: append-only stream shards")
    gitlayer.config_set(root, "merge.gitcontracts-shard.driver", driver)


def refuse_links(ws: Workspace, path: str) -> None:
    """A path of the action that is a symlink on disk (or lies in a linked folder) is not written through."""
    target = ws.root / path
    for place in (target, *target.parents):
        if place == ws.root:
            return
        if place.is_symlink():
            raise InvalidContent(f"{ws.layout.relative(place)} is a symlink: .contracts/ holds plain files",
                                 hint="remove the link (and commit that), then retry")


def _disk(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _write_file(ws: Workspace, path: str, data: bytes | None) -> None:
    target = ws.root / path
    if data is None:
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != ws.root and folder.is_dir() and not any(folder.iterdir()):  # as git leaves it: no empty folders
            folder.rmdir()
            folder = folder.parent
    else:
        atomic_write(target, data)


def _refuse_to_clobber(ws: Workspace, ctx: Context) -> None:
    """The action rewrites these files from HEAD: uncommitted edits to them would be lost, so refuse."""
    for path in ctx.files:
        refuse_links(ws, path)
    dirty = _dirty(ws, ctx)
    for path in dirty:
        on_disk, committed = _disk(ws.root / path) or b"", ctx.base.read(path) or b""
        if path.endswith(".jsonl") and on_disk.startswith(committed) and b"\n" not in on_disk[len(committed):]:
            raise InvalidContent(f"{path} ends in a torn line (a crash mid-write)",
                                 hint="run `gitcontracts fsck --repair` to truncate it, then retry")
    if dirty:
        raise Conflict(f"uncommitted changes in {', '.join(sorted(dirty))} would be overwritten",
                       hint="commit or stash them first, then retry")


def _land_locally(ws: Workspace, ctx: Context, built: gitlayer.BuiltCommit, outcome: Outcome) -> bool:
    if outcome.branch:
        return gitlayer.update_ref(ws.root, f"refs/heads/{outcome.branch}", built.sha)
    intent = journal.Pending("sync", message(outcome.action, ctx.agent), ctx.agent, tuple(ctx.files),
                             head=ctx.base_sha, new=built.sha, delete_branches=outcome.delete_branches)
    with journal.pending(ws.root, intent):  # a killed process is finished (or undone) by the next command
        if not _move_head(ws, ctx, built):
            return False
        for branch in outcome.delete_branches:
            gitlayer.run(ws.root, "branch", "-D", branch, check=False)
    return True


def _move_head(ws: Workspace, ctx: Context, built: gitlayer.BuiltCommit, to: str | None = None) -> bool:
    """HEAD to the action's commit, and the working tree and index of its paths with it: the files are
    written first and put back if anything fails before HEAD moved (a full disk, someone else moved HEAD),
    so the clone is left before the action or after it, never between."""
    written: list[str] = []
    try:
        for path, data in ctx.files.items():
            written.append(path)
            _write_file(ws, path, data)
        moved = gitlayer.update_ref(ws.root, "HEAD", to or built.sha, ctx.base_sha or gitlayer.ZERO)
    except BaseException:
        _put_back(ws, ctx, written)
        raise
    if not moved:
        _put_back(ws, ctx, written)
        return False
    gitlayer.update_index(ws.root, ctx.files, "sha256" if len(built.sha) == 64 else "sha1")
    return True


def _put_back(ws: Workspace, ctx: Context, paths: list[str]) -> None:
    for path in paths:
        _write_file(ws, path, ctx.base.read(path))


def _push(ws: Workspace, ctx: Context, built: gitlayer.BuiltCommit, outcome: Outcome, remote: str,
          head: gitlayer.HeadState) -> bool:
    main = ws.main_branch
    target = f"refs/heads/{outcome.branch}" if outcome.branch else f"refs/heads/{main}"
    refspecs = [f"{'+' if outcome.branch else ''}{built.sha}:{target}"] + [f":refs/heads/{b}" for b in outcome.delete_branches]
    # deleting its own claim branch (a withdrawal), the agent names itself to the remote's hook, which reads it
    own = any(b.startswith("claim/") and b.rsplit("/", 1)[-1] == ctx.agent for b in outcome.delete_branches)
    accepted, text = gitlayer.push(ws.root, remote, refspecs, [f"agent={ctx.agent}"] if own else [])
    if not accepted:
        # Did someone else land first? Then re-run against their main; else the refusal is real.
        now_at = gitlayer.remote_refs(ws.root, remote, target).get(target)
        if not outcome.branch and now_at != ctx.base_sha:
            return False
        raise _refused_by_remote(remote, text)
    gitlayer.update_ref(ws.root, f"refs/remotes/{remote}/{outcome.branch or main}", built.sha)
    for branch in outcome.delete_branches:
        gitlayer.run(ws.root, "update-ref", "-d", f"refs/remotes/{remote}/{branch}", check=False)
    if not outcome.branch:
        _follow(ws, ctx, built, head)
    return True


def _queueable(ctx: Context, outcome: Outcome) -> bool:
    """With a lander on the remote (config.yaml names one), an action goes through the agent's queue instead of
    racing for main; an award (a merge of a claim branch) and a claim pushed as a branch still go straight."""
    config = ctx.base.config
    if not config.lander or config.require_signed or ctx.base_sha is None:
        return False  # under require_signed the lander could not sign the replays: every action races for main
    return not (outcome.branch or outcome.merge_parents or outcome.delete_branches) and bool(ctx.files)


def _land_queueable(ws: Workspace, reader: gitlayer.BlobReader, ctx: Context, built: gitlayer.BuiltCommit,
                    outcome: Outcome, remote: str, head: gitlayer.HeadState) -> bool | str:
    """Through the queue; straight to main while this clone's actions land with nobody else's in between (an agent
    alone pays no lander), until it loses a race: then the same commit, pushed to its queue ref, lands as it is.
    The commit it landed as on main when a lander replayed it (else True; False: run again)."""
    from gitcontracts.ops import freshness

    if freshness.recently_alone(ws):
        if _push(ws, ctx, built, outcome, remote, head):
            freshness.mark_landed(ws)  # main is this commit now: the next action may build on it
            freshness.mark_alone(ws, True)
            return True
        freshness.mark_alone(ws, False)
    return _enqueue(ws, reader, ctx, built, remote, head)


def _enqueue(ws: Workspace, reader: gitlayer.BlobReader, ctx: Context, built: gitlayer.BuiltCommit, remote: str,
             head: gitlayer.HeadState) -> bool | str:
    """Push the action to a queue ref of its own (a push that never loses a race); the remote's post-receive hook
    replays it on main before the push returns, and says so. Where no lander answered (a forge, a lander stopped
    mid-way) the agent lands the queue itself. False when it must run again on the new main (what it changed moved
    on main meanwhile: a claim whose subtask someone took then fails in its own checks, exit 4)."""
    from gitcontracts.ops import freshness
    from gitcontracts.protocol.land import land_through, said_in

    ref = queue_ref(ctx.agent, new_id(ctx.now).lower())
    accepted, text = gitlayer.push(ws.root, remote, [f"{built.sha}:{ref}"])
    if not accepted:
        raise _refused_by_remote(remote, text)
    said = said_in(text, ref)
    if said is None:  # nobody landed it: do it from here
        said = said_in("\n".join(land_through(ws.root, remote, ws.main_branch, ctx.agent, ws.now()).lines()), ref)
    if said is not None and said[0] == "refused":
        raise _refused_by_remote(remote, f"remote: {said[1]}")
    if said is not None and said[0] == "dropped":
        return False
    _fetch(ws, remote)  # main as it landed: to follow it, and for the next action to build on
    freshness.mark_landed(ws)
    tip = gitlayer.ref_sha(ws.root, f"refs/remotes/{remote}/{ws.main_branch}")
    landed_as = said[1].split()[0] if said is not None else None  # on main then, so in what main is now
    if not (tip and (landed_as or gitlayer.is_ancestor(ws.root, built.sha, tip))):
        raise Conflict(f"the queued action ({ref}) has not landed on {remote}'s {ws.main_branch} yet",
                       hint="it lands with the next landing (`gitcontracts land`); `gitcontracts log` shows when")
    # alone in its landing, on the main it was built on: the next action may go straight to main
    freshness.mark_alone(ws, said is not None and said[1].endswith(" alone"))
    # nothing else landed before it nor since: main now is the base with just this action's files
    parents = split_commit(reader.commit_bytes(tip) or b"")[0].get(b"parent", [])
    same = tip == landed_as and parents[:1] == [(ctx.base_sha or "").encode()]
    _follow(ws, ctx, built, head, tip, same_files=same)
    return landed_as or True  # the replay on main is the action's commit there (the queued one is its parent)


def _follow(ws: Workspace, ctx: Context, built: gitlayer.BuiltCommit, head: gitlayer.HeadState,
            landed_at: str | None = None, same_files: bool = False) -> None:
    """Bring the clone's main along (else leave it be): the cheap way when it was at the base — only the
    action's files change (`same_files`: the commit it landed as changes just those) — else `git merge --ff-only`;
    never a branch checked out in another worktree."""
    main, target = ws.main_branch, landed_at or built.sha
    if head.branch == f"refs/heads/{main}":
        if (target == built.sha or same_files) and head.head == ctx.base_sha and not _dirty(ws, ctx):
            _move_head(ws, ctx, built, target)
        else:
            gitlayer.fast_forward(ws.root, target)
        return
    _advance_main(ws, target)


def _advance_main(ws: Workspace, target: str) -> None:
    """The clone's main, not checked out here, moved to `target` when that is a fast-forward (in the worktree
    that has it checked out, if one does)."""
    main = ws.main_branch
    local = gitlayer.resolve(ws.root, main)
    if local and gitlayer.is_ancestor(ws.root, local, target):
        other = gitlayer.worktree_of(ws.root, f"refs/heads/{main}")
        if other is None:
            gitlayer.update_ref(ws.root, f"refs/heads/{main}", target, local)
        else:
            gitlayer.fast_forward(other, target)


def _dirty(ws: Workspace, ctx: Context) -> list[str]:
    """The action's paths whose files differ from the base: uncommitted edits an action must not overwrite."""
    return [path for path in ctx.files if _disk(ws.root / path) != ctx.base.read(path)]


def _refused_by_remote(remote: str, text: str) -> GitContractsError:
    """The remote's referee refused what this clone's judged fine (its clock, or state this clone had not seen):
    the exit code of its problems, as the local judge would have given it."""
    reason = _reason(text)
    kind: type[GitContractsError] = (Forbidden if "[permission]" in reason else
                                     Conflict if any(f"[{rule}]" in reason for rule in CONFLICT_RULES) else
                                     InvalidContent if "[" in reason else GitContractsError)
    return kind(f"the push to {remote} was refused: {reason}",
                hint="see the reason above; `gitcontracts check --range` shows it locally")


def _reason(text: str) -> str:
    lines = [line.removeprefix("remote: ").strip() for line in text.splitlines() if line.startswith("remote: ")]
    said = "; ".join(line for line in lines if line)
    if len(said) > 2000:  # whole problems, never a message cut mid-word
        said = said[:said.rfind("; ", 0, 2000)] + "; …"
    return said or (text.strip().splitlines()[-1] if text.strip() else "unknown")


def entry_line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False)
