"""`fsck [--repair]`: what crashes leave behind (issue 6).

In the workspace: torn last lines, temp files, streams whose stash is gone. In git: actions a killed
process left half done (ops/journal.py), temp index files, locks no running git holds, and claim
branches an interrupted award left (merged, or for a subtask that is no longer open)."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError
from gitcontracts.ops import journal
from gitcontracts.referee.commits import parse_claim_branch
from gitcontracts.store.files import TEMP_MARK, last_byte, locked_append
from gitcontracts.workspace import Workspace

# ours, named after the process that made them: a temp index (GIT_INDEX_FILE) and the `.lock` git takes
# next to it while it writes that index, and a half-written journal
_TEMP = re.compile(r"gitcontracts-(?:index-(\d+)-[0-9a-f]+(?:\.lock)?|pending-(\d+)\.tmp|[a-z]+\.json\.(\d+)\.tmp)")
STALE_LOCK_SECONDS = 60  # where /proc cannot tell whether a git process is running here


@dataclass(frozen=True)
class Finding:
    file: str
    problem: str
    repaired: bool

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "problem": self.problem, "repaired": self.repaired}


def fsck(ws: Workspace, repair: bool = False, progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    findings = _git_leftovers(ws, repair)
    contracts = ws.layout.contracts
    if not contracts.is_dir():
        return findings
    for path in sorted(contracts.rglob(f"{TEMP_MARK}*")):
        if repair:
            path.unlink(missing_ok=True)
        findings.append(Finding(ws.layout.relative(path), "temporary file left by an interrupted write", repair))
    for stream in ws.streams.names():
        for shard in ws.streams.shards(stream):
            if last_byte(shard) not in (b"", b"\n"):
                if repair:
                    _cut_torn_line(shard)
                findings.append(Finding(ws.layout.relative(shard), "torn last line (a crash mid-write)", repair))
    # Everything else that is invalid — conflict markers, lines that are not entries, hostile files that slipped
    # past a remote without the hook — as the judge over the working tree (`validate --all`) sees it.
    from gitcontracts.ops.validate import validate_all

    torn = {f.file for f in findings}
    findings += [Finding(p.file, str(p).split(": ", 1)[-1], False) for p in validate_all(ws, progress).problems
                 if not (p.file in torn and p.rule == "torn-line")]
    return findings


def _git_leftovers(ws: Workspace, repair: bool) -> list[Finding]:
    git_dir = gitlayer.find_git_dir(ws.root)
    if git_dir is None:
        return []
    findings = []
    locks = [git_dir / "index.lock", git_dir / "HEAD.lock", git_dir / "packed-refs.lock",
             git_dir / "config.lock",  # `git branch -D` rewrites config to drop the branch's section
             *sorted(git_dir.glob("next-index-*.lock")),  # `git commit --only`'s temp index (builtin/commit.c)
             *sorted((git_dir / "refs").rglob("*.lock"))]
    running = _git_running_in(ws.root)
    for lock in locks:
        if lock.exists() and not running and (running is False or time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS):
            if repair:
                lock.unlink(missing_ok=True)
            findings.append(Finding(_rel(ws, lock), "a stale lock: no git process is running here", repair))
    for path, intent in journal.interrupted(ws.root):
        findings.append(Finding(_rel(ws, path), f"an interrupted action: `{intent.subject}`", repair))
    if repair:
        journal.recover(ws.root)
    for path in sorted(git_dir.glob("gitcontracts-*")):
        temp = _TEMP.fullmatch(path.name)  # a temp index, a half-written journal or cache, named after its process
        if temp and not journal.alive(int(temp.group(1) or temp.group(2) or temp.group(3))):
            if repair:
                path.unlink(missing_ok=True)
            findings.append(Finding(_rel(ws, path), "temporary file of an interrupted commit", repair))
    findings += _leftover_claim_branches(ws, repair)
    return findings


def _leftover_claim_branches(ws: Workspace, repair: bool) -> list[Finding]:
    try:
        branches = gitlayer.local_refs(ws.root, "refs/heads/claim/")
        main = gitlayer.resolve(ws.root, ws.main_branch)
    except GitContractsError:
        return []
    findings = []
    for ref, sha in sorted(branches.items()):
        parsed = parse_claim_branch(ref)
        if parsed is None or main is None:
            continue
        why = _why_leftover(ws, parsed, sha, main)
        if why:
            branch = ref.removeprefix("refs/heads/")
            if repair:
                gitlayer.run(ws.root, "branch", "-D", branch, check=False)
            findings.append(Finding(branch, f"a claim branch left by an interrupted award: {why}", repair))
    return findings


def _why_leftover(ws: Workspace, claim: tuple[str, str, str], sha: str, main: str) -> str | None:
    contract, subtask, agent = claim
    if gitlayer.is_ancestor(ws.root, sha, main):
        return "it is merged"
    from gitcontracts.formats import yamlsafe

    data = gitlayer.run(ws.root, "show", f"{main}:{ws.paths.stash(contract)}", check=False).stdout
    try:
        doc = yamlsafe.load(data, contract) if data else None
    except GitContractsError:
        return None
    tasks = (doc or {}).get("content", {}).get("subtasks", []) if isinstance(doc, dict) else []
    task = next((t for t in tasks if isinstance(t, dict) and t.get("id") == subtask), None)
    if task is None:
        return f"{contract} has no subtask {subtask!r} on {ws.main_branch}"
    if task.get("status") != "open":
        holder = task.get("assigned_agent") or "nobody"
        return f"{contract}/{subtask} is {task.get('status')} ({holder}) on {ws.main_branch}"
    return None


def _git_running_in(root: Path) -> bool | None:
    """Whether a git process works in this repository (Linux /proc); None where that cannot be known."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    mine = str(root.resolve())
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "git" and os.readlink(entry / "cwd").startswith(mine):
                return True
        except OSError:
            continue
    return False


def _rel(ws: Workspace, path: Path) -> str:
    try:
        return str(path.relative_to(ws.root))
    except ValueError:
        return str(path)


def _cut_torn_line(path: Path) -> None:
    with locked_append(path):
        data = path.read_bytes()
        cut = data.rfind(b"\n") + 1
        with open(path, "r+b") as handle:
            handle.truncate(cut)
            os.fsync(handle.fileno())
