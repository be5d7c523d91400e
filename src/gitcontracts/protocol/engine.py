"""Running a protocol action: build it against a base, commit it, and (with a remote) push it.

An action is a function from a Context (the base's files, the clock, the acting agent) to an Outcome
(files to write, entries, the commit's trailers). With a remote the base is the remote's main: the
commit is built with plumbing on top of it (the working tree is never in the way), pushed, and
confirmed with `ls-remote`; a refused push re-runs the whole action — its checks included — against
the new main, so a subtask someone took meanwhile ends in exit 4."""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import Conflict, GitContractsError, NotFound
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.ids import new_id
from gitcontracts.ops import journal
from gitcontracts.ops.record import Action, message
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.ops.stashes import patched
from gitcontracts.rules import patch as patching
from gitcontracts.store.files import atomic_write
from gitcontracts.timeutil import format_ts
from gitcontracts.workspace import Workspace

ATTEMPTS = 12


@dataclass
class Context:
    ws: Workspace
    base: Snapshot
    base_sha: str | None
    agent: str
    now: datetime
    remote: str | None
    files: dict[str, bytes | None] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)

    def read(self, path: str) -> bytes | None:
        return self.files[path] if path in self.files else self.base.read(path)

    def contract(self, name: str) -> tuple[dict[str, Any], str]:
        data = self.read(stash_path(name))
        if data is None:
            raise NotFound(f"no contract named {name!r}", hint="see `gitcontracts status` for the contracts there are")
        text = yamlsafe.decode(data, stash_path(name))
        doc = yamlsafe.load(text, stash_path(name))
        if not isinstance(doc, dict):
            raise NotFound(f"{name!r} is not a contract")
        return doc, text

    def post(self, stream: str, label: str, data: dict[str, Any]) -> dict[str, Any]:
        """Append an entry by the acting agent to its shard of `stream` (in the files being built)."""
        now = self.now
        entry = {"id": new_id(now), "ts": format_ts(now), "agent": self.agent, "label": label, "data": data}
        path = f".contracts/streams/{stream}/{self.agent}.jsonl"
        self.files[path] = (self.read(path) or b"") + jsonl.encode(entry)
        self.entries.append(entry)
        return entry

    def set_subtask(self, contract: str, task_id: str, values: dict[str, Any], unset: tuple[str, ...] = ()) -> None:
        if not self.update(contract, [patching.UpdateItem("subtasks", {"id": task_id}, values, unset)])[0]:
            raise NotFound(f"contract {contract} has no subtask {task_id!r}")

    def update(self, name: str, items: list[patching.UpdateItem]) -> tuple[list[int], bool]:
        """update_items on a stash (in the files being built): (items matched, formatting kept)."""
        doc, text = self.contract(name)
        change = patched(self.base.schemas, doc, text, stash_path(name), name, items)
        if change is None:
            return patching.apply(doc.get("content"), items)[1], True
        new_text, counts, kept = change
        self.files[stash_path(name)] = new_text.encode()
        return counts, kept


@dataclass
class Outcome:
    action: Action
    result: dict[str, Any]
    branch: str | None = None                 # a claim branch to push instead of main
    merge_parents: tuple[str, ...] = ()       # further parents (an award merges the claim branch)
    delete_branches: tuple[str, ...] = ()     # remote branches to delete once it landed
    nothing: bool = False                     # nothing was due (settle): no commit


Build = Callable[[Context], Outcome]


def stash_path(name: str) -> str:
    return f".contracts/stashes/{name}.yaml"


def main_branch(ws: Workspace) -> str:
    return ws.config.main_branch


def perform(ws: Workspace, build: Build, offline: bool = False) -> dict[str, Any]:
    remote = None if offline else ws.config.remote
    if remote and remote not in gitlayer.remotes(ws.root):
        raise GitContractsError(f"the remote {remote!r} of config.yaml is not configured in this clone",
                                hint=f"git remote add {remote} URL, or use --offline")
    for attempt in range(ATTEMPTS):
        outcome, ctx = _attempt(ws, build, remote)
        if outcome.nothing or not ws.commit:
            return outcome.result
        if _land(ws, ctx, outcome, remote):
            return outcome.result
        time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))  # someone else landed first: re-run against it
    raise Conflict("the main branch kept moving; the action was not recorded", hint="retry in a moment")


def _attempt(ws: Workspace, build: Build, remote: str | None) -> tuple[Outcome, Context]:
    reader = gitlayer.BlobReader(ws.root)
    main = main_branch(ws)
    if remote:
        gitlayer.fetch(ws.root, remote, [f"+refs/heads/{main}:refs/remotes/{remote}/{main}",
                                         f"+refs/heads/claim/*:refs/remotes/{remote}/claim/*"])
        base_sha = gitlayer.resolve(ws.root, f"refs/remotes/{remote}/{main}")
    else:
        base_sha = gitlayer.resolve(ws.root, "HEAD")
    ctx = Context(ws, Snapshot(ws.root, reader, base_sha), base_sha, ws.agent, ws.now(), remote)
    try:
        outcome = build(ctx)
        if not outcome.nothing and (not ws.commit or not remote):
            _refuse_to_clobber(ws, list(ctx.files))
        if not ws.commit and not outcome.nothing:
            for path, data in ctx.files.items():
                atomic_write(ws.root / path, data or b"")
        return outcome, ctx
    finally:
        reader.close()


def _land(ws: Workspace, ctx: Context, outcome: Outcome, remote: str | None) -> bool:
    parents = ([ctx.base_sha] if ctx.base_sha else []) + list(outcome.merge_parents)
    commit = gitlayer.build_commit(ws.root, parents, ctx.base_sha, ctx.files, message(outcome.action, ctx.agent), ctx.agent)
    outcome.result.setdefault("commit", commit)
    target = f"refs/heads/{outcome.branch}" if outcome.branch else f"refs/heads/{main_branch(ws)}"
    if remote is None:
        return _land_locally(ws, ctx, commit, target, outcome)
    refspecs = [f"{'+' if outcome.branch else ''}{commit}:{target}"] + [f":refs/heads/{b}" for b in outcome.delete_branches]
    accepted, text = gitlayer.push(ws.root, remote, refspecs)
    if not accepted:
        # Did someone else land first? Then re-run against their main; else the refusal is real.
        now_at = gitlayer.remote_refs(ws.root, remote, target).get(target)
        if not outcome.branch and now_at != ctx.base_sha:
            return False
        raise GitContractsError(f"the push to {remote} was refused: {_reason(text)}",
                                hint="see the reason above; `gitcontracts check --range` shows it locally")
    landed = gitlayer.remote_refs(ws.root, remote, target).get(target)
    if landed != commit:  # a push can report success for a commit that is not ours
        return False
    gitlayer.update_ref(ws.root, f"refs/remotes/{remote}/{outcome.branch or main_branch(ws)}", commit)
    if not outcome.branch:
        _follow(ws, commit, ctx)
    return True


def _refuse_to_clobber(ws: Workspace, paths: list[str]) -> None:
    """The action rewrites these files from HEAD: uncommitted edits to them would be lost, so refuse."""
    if not paths or not gitlayer.resolve(ws.root, "HEAD"):
        return
    dirty = gitlayer.run(ws.root, "status", "--porcelain", "--untracked-files=no", "--", *paths).stdout.decode().strip()
    if dirty:
        files = ", ".join(line[3:] for line in dirty.splitlines())
        raise Conflict(f"uncommitted changes in {files} would be overwritten",
                       hint="commit or stash them first, then retry")


def _land_locally(ws: Workspace, ctx: Context, commit: str, target: str, outcome: Outcome) -> bool:
    if outcome.branch:
        return gitlayer.update_ref(ws.root, target, commit)
    intent = journal.Pending("sync", message(outcome.action, ctx.agent), ctx.agent, tuple(ctx.files),
                             head=ctx.base_sha, new=commit, delete_branches=outcome.delete_branches)
    with journal.pending(ws.root, intent):  # from here a killed process is finished by the next command
        if not gitlayer.update_ref(ws.root, "HEAD", commit, ctx.base_sha):
            return False
        gitlayer.checkout_paths(ws.root, commit, list(ctx.files))
        for branch in outcome.delete_branches:
            gitlayer.run(ws.root, "branch", "-D", branch, check=False)
    return True


def _follow(ws: Workspace, commit: str, ctx: Context) -> None:
    """Bring the clone's main along when it is checked out and can fast-forward (else leave it be)."""
    branch = gitlayer.current_branch(ws.root)
    if branch == main_branch(ws):
        gitlayer.fast_forward(ws.root, commit)
    elif gitlayer.resolve(ws.root, main_branch(ws)) and gitlayer.is_ancestor(ws.root, main_branch(ws), commit):
        gitlayer.update_ref(ws.root, f"refs/heads/{main_branch(ws)}", commit)


def _reason(text: str) -> str:
    lines = [line.removeprefix("remote: ").strip() for line in text.splitlines() if line.startswith("remote: ")]
    return "; ".join(line for line in lines if line)[:500] or text.strip().splitlines()[-1] if text.strip() else "unknown"


def entry_line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False)
