"""Reads show the shared main (SPEC 13).

With a remote, a read first makes the clone show the remote's main: when the last fetch is older than
`fetch_ttl` seconds it fetches, in one bounded `git fetch`, the main branch and every claim branch (one
glob refspec, pruned); then, when the clone is on its main branch and that branch can fast-forward to the
remote's without touching uncommitted changes, it fast-forwards it. Whatever it cannot do (no answer from
the remote, local commits not pushed, another branch checked out, --offline) it leaves alone, and says so:
the read then shows the local clone, with a one-line reason for the reader.

The time of the last fetch is the modification time of `<git dir>/gitcontracts-fetched`, set to the tool's
clock (so $GITCONTRACTS_NOW moves it too): no second record of what git already has. A fresh fetch costs a
`stat` and no git process, and this module loads neither YAML nor git unless it has to: `stream latest`,
the call agents poll, stays a few file reads."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from gitcontracts.workspace import Workspace

MARKER = "gitcontracts-fetched"
FETCH_TIMEOUT = 10.0                            # seconds; $GITCONTRACTS_FETCH_TIMEOUT changes it
TIMEOUT_VARIABLE = "GITCONTRACTS_FETCH_TIMEOUT"


class Freshness(NamedTuple):
    """What a read shows: `fetched` (it fetched just now), and why it may not be the shared main (None: it is,
    or there is no remote)."""
    fetched: bool
    stale_reason: str | None = None

    @property
    def note(self) -> str | None:
        """The line for standard error, when there is something to say."""
        return f"note: {self.stale_reason}" if self.stale_reason else None

    def mark(self, data: dict[str, Any]) -> dict[str, Any]:
        """A read's JSON answer, with `"stale": true` when it may not show the shared main."""
        return {**data, "stale": True} if self.stale_reason else data


def refresh(ws: Workspace, offline: bool = False, compare: bool = True) -> Freshness:
    """Fetch when the last fetch is older than fetch_ttl, then bring the checked-out main along when it can.

    `compare=False` (the polling `stream latest`) skips looking at the local branch when no fetch was due,
    so that a fresh read starts no git process at all."""
    remote = _configured_remote(ws)
    if remote is None:
        return Freshness(False)
    if offline:
        return Freshness(False, f"--offline: showing your local clone as last fetched, not {remote}'s current "
                                f"{_main_name(ws)}")
    marker = _marker(ws)
    if marker is not None and _is_fresh(ws, marker):
        return Freshness(False, _follow(ws, remote) if compare else None)
    problem = fetch_shared(ws, remote)
    if problem is not None:
        return Freshness(False, f"could not fetch from {remote} ({problem}); showing your local clone, "
                                "which may be stale")
    if marker is not None:
        _stamp(ws, marker)
    return Freshness(True, _follow(ws, remote))


def _main_name(ws: Workspace) -> str:
    """The main branch's name for a note, without asking the remote (an --offline read must not): as known,
    else config.yaml's, else the branch checked out."""
    if "main_branch" in ws.__dict__:
        return ws.main_branch
    if ws.config.main_branch:
        return ws.config.main_branch
    from gitcontracts import gitlayer

    folder = gitlayer.find_git_dir(ws.root)
    try:
        head = (folder / "HEAD").read_text(encoding="utf-8", errors="replace").strip() if folder else ""
    except OSError:
        head = ""
    return head.removeprefix("ref: refs/heads/") if head.startswith("ref: refs/heads/") else "main"


LANDED = "gitcontracts-landed"


def recently_landed(ws: Workspace) -> bool:
    """This clone's last action landed, and it fetched main as it did, less than fetch_ttl ago: an action whose
    lander re-judges it may build on that main. (Reads keep their own marker: another agent's change since is
    theirs to fetch.)"""
    marker = _marker(ws, LANDED)
    return marker is not None and _is_fresh(ws, marker)


def mark_landed(ws: Workspace) -> None:
    marker = _marker(ws, LANDED)
    if marker is not None:
        _stamp(ws, marker)


ALONE = "gitcontracts-alone"
ALONE_SECONDS = 60.0


def recently_alone(ws: Workspace) -> bool:
    """This clone's last action, less than a minute ago, landed with nobody else's in between: the next one may
    go straight to main (an agent alone pays no lander)."""
    marker = _marker(ws, ALONE)
    return marker is not None and _is_fresh(ws, marker, ALONE_SECONDS)


def mark_alone(ws: Workspace, alone: bool) -> None:
    marker = _marker(ws, ALONE)
    if marker is None:
        return
    if alone:
        _stamp(ws, marker)
    else:
        marker.unlink(missing_ok=True)


def _configured_remote(ws: Workspace) -> str | None:
    """config.yaml's remote. A config file whose bytes cannot name one is not parsed: YAML spells the key
    `remote` in plain text unless it escapes it (a backslash), so no YAML is loaded to learn there is none."""
    try:
        raw = ws.layout.config.read_bytes()
    except OSError:
        return None
    if b"remote" not in raw and b"\\" not in raw:
        return None
    return ws.config.remote


def _marker(ws: Workspace, name: str = MARKER) -> Path | None:
    dot_git = ws.root / ".git"
    if dot_git.is_dir():  # the common case, answered without loading the git layer
        return dot_git / name
    from gitcontracts import gitlayer

    folder = gitlayer.find_git_dir(ws.root)
    return folder / name if folder is not None else None


def _is_fresh(ws: Workspace, marker: Path, seconds: float | None = None) -> bool:
    """Stamped less than `seconds` (default: fetch_ttl) ago by the tool's clock (a clock that went back counts as
    stale)."""
    try:
        fetched_at = marker.stat().st_mtime
    except OSError:
        return False
    age = ws.now().timestamp() - fetched_at
    return 0 <= age < (ws.config.fetch_ttl if seconds is None else seconds)


def _stamp(ws: Workspace, marker: Path) -> None:
    moment = ws.now().timestamp()
    try:
        marker.touch()
        os.utime(marker, (moment, moment))
    except OSError:
        pass  # a read-only git dir: every read fetches, which is still right


def fetch_shared(ws: Workspace, remote: str, timeout: float | None = None, claims: bool | str = True) -> str | None:
    """One fetch of the main branch and all claim branches (a read's); None when done, else why not. An action
    takes main alone (`claims` False), or main and the claim branches it settles (`claims` a prefix,
    `claim/C/S/`, as `fetch_claims`). `timeout`: seconds (default: $GITCONTRACTS_FETCH_TIMEOUT or 10; an action
    waits longer than a read)."""
    from gitcontracts import gitlayer

    main = ws.main_branch
    every_claim = [] if claims is False else [_claims_refspec(remote, "claim/" if claims is True else claims)]
    timeout = timeout or _timeout(ws)
    problem = gitlayer.fetch_within(ws.root, remote, [f"+refs/heads/{main}:refs/remotes/{remote}/{main}", *every_claim],
                                    timeout)
    if problem is not None and "couldn't find remote ref" in problem:
        # A new, empty remote has no main yet: nothing shared to show beyond the claims.
        problem = gitlayer.fetch_within(ws.root, remote, every_claim, timeout) if every_claim else None
    return _why(ws, remote, problem)


def fetch_claims(ws: Workspace, remote: str, prefix: str, timeout: float | None = None) -> str | None:
    """The claim branches under `prefix` (`claim/<contract>/<subtask>/`), fetched (one glob refspec, pruned) into
    refs/remotes/<remote>/: what an action reads of the claims it settles, their commits included. With 5,000
    claim branches on the remote, one subtask's are a few refs: the remote lists only those (protocol v2)."""
    from gitcontracts import gitlayer

    return _why(ws, remote, gitlayer.fetch_within(ws.root, remote, [_claims_refspec(remote, prefix)],
                                                  timeout or _timeout(ws)))


def _claims_refspec(remote: str, prefix: str) -> str:
    return f"+refs/heads/{prefix}*:refs/remotes/{remote}/{prefix}*"


def _why(ws: Workspace, remote: str, problem: str | None) -> str | None:
    """A failed fetch's reason, or that the remote is not configured here (asked only when the fetch failed)."""
    from gitcontracts import gitlayer

    if problem is not None and remote not in gitlayer.remotes(ws.root):
        return f"the remote {remote!r} of config.yaml is not configured in this clone; `git remote add {remote} URL`"
    return problem


def _timeout(ws: Workspace) -> float:
    try:
        value = float(ws.env.get(TIMEOUT_VARIABLE, FETCH_TIMEOUT))
    except ValueError:
        return FETCH_TIMEOUT
    return value if value > 0 else FETCH_TIMEOUT


def _follow(ws: Workspace, remote: str) -> str | None:
    """Fast-forward the checked-out main to the remote's when nothing local is in the way; else why the
    read shows something else (None: it shows the shared main)."""
    from gitcontracts import gitlayer

    main, shared = ws.main_branch, f"{remote}/{ws.main_branch}"
    tip = gitlayer.resolve(ws.root, f"refs/remotes/{shared}")
    if tip is None:
        return None  # the remote has no main yet
    head = gitlayer.head_state(ws.root)
    if head.branch != f"refs/heads/{main}":
        where = f"your branch {head.branch.removeprefix('refs/heads/')}" if head.branch else "a detached HEAD"
        return f"showing {where}, not {shared}; `git switch {main}` to see the shared main"
    if head.head == tip:
        return None
    differs = f"showing your local {main}, which differs from {shared}"
    if head.merging:
        return f"{differs} (a merge is in progress); finish it, then push"
    if head.head is None or gitlayer.is_ancestor(ws.root, head.head, tip):
        with gitlayer.commit_lock(ws.root):
            if gitlayer.fast_forward(ws.root, tip):
                ws.forget()  # config.yaml may have come with it (a new layout): what was read of it is stale
                return None
        return f"{differs} (it is behind, and a fast-forward would touch your uncommitted changes); commit or stash them"
    if gitlayer.is_ancestor(ws.root, tip, head.head):
        return f"{differs} (it has commits not pushed); push them to share them"
    return f"{differs} (they have diverged); `git pull --rebase {remote} {main}`, then push"


def join(ws: Workspace) -> str | None:
    """A clone made before the shared main had `.contracts/` (or before it had anything): fetch its remote's
    main and fast-forward the checked-out branch to it, so that the workspace appears without a `git pull`.
    Returns why it could not (None when it did, or there is no remote to join)."""
    from gitcontracts import gitlayer

    remotes = gitlayer.remotes(ws.root)
    remote = "origin" if "origin" in remotes else (remotes[0] if len(remotes) == 1 else None)
    if remote is None:
        return None
    problem = fetch_shared(ws, remote)
    problem = problem if problem is not None else _follow(ws, remote)
    ws.forget()  # the config read before (none: no remote to push to) is not the one that arrived
    return problem
