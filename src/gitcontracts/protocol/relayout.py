"""`gitcontracts layout [flat|fanout]`: where the stashes and streams sit, and moving them in one commit.

The fan-out layout puts each stash and stream folder under a folder named by the first two hex digits of
the SHA-1 of its name (store/layout.py), so no tree git rewrites per action holds more than a few hundred
entries. Moving a repository is one commit that changes config.yaml's `layout` and moves every stash and
stream file, unchanged: built from the trees alone (a temporary index; no file is read or written again),
judged by the referee as a move (referee/judge.py `move_problems`), landed as every action lands."""
from __future__ import annotations

import contextlib
import random
import time
from typing import Any

from gitcontracts import gitlayer
from gitcontracts.errors import Conflict, UsageError
from gitcontracts.ops.record import Action, message
from gitcontracts.store.layout import FANOUT, LAYOUTS, STASHES, STREAMS, classify, moved_to, paths_for
from gitcontracts.store.snapshot import CONFIG, Snapshot
from gitcontracts.workspace import Workspace


def layout_info(ws: Workspace) -> dict[str, Any]:
    """The layout of the working tree's config.yaml, and how many stashes and streams it places."""
    return {"layout": ws.config.layout, "stashes": sum(1 for _ in ws.stashes.names()),
            "streams": sum(1 for _ in ws.streams.names())}


def change_layout(ws: Workspace, layout: str, offline: bool = False, progress: bool = False) -> dict[str, Any]:
    """Move every stash and stream to its place in `layout`, with config.yaml's `layout`, in one commit on main:
    built on the shared main (fetched now), judged, pushed; run again on the new main when another action landed
    first. Claim branches pending on the remote would bring files to the old places when awarded, so the move
    waits until none is."""
    from gitcontracts.protocol import engine
    from gitcontracts.protocol.claims import claim_refs

    if layout not in LAYOUTS:
        raise UsageError(f"no layout {layout!r}", hint="the layouts are flat and fanout")
    remote = engine.resolve_remote(ws, offline)
    if not ws.commit:
        raise UsageError("a layout change is one commit: it cannot be left in the working tree (--no-commit)")
    # the local branch is where a move lands without a remote: its files must be free to move (with a remote, the
    # clone follows when it can, as after any action, and a read says when it could not)
    dirty = remote is None and gitlayer.output(ws.root, "status", "--porcelain", "--untracked-files=no", "--", ".contracts")
    if dirty:
        raise Conflict("uncommitted changes under .contracts/ would be in the way of the move",
                       hint="commit or stash them first, then retry")
    give_up, delay = time.monotonic() + engine.RETRY_SECONDS, 0.05
    while True:
        # local moves land one at a time with the clone's other actions: base, HEAD and files together
        with gitlayer.commit_lock(ws.root) if remote is None else contextlib.nullcontext():
            base, head, _ = engine.base_of(ws, remote, claims="claim/")
            pending = sorted(claim_refs(ws, None, None, offline=remote is None, fetched=True))
            if pending:
                contract = pending[0].split("/")[1]
                raise Conflict(f"{len(pending)} claim branch(es) are pending, like {pending[0]}: awarded after the "
                               "move, they would bring files to the old places",
                               hint=f"the owner awards them (`gitcontracts bids {contract}` lists them) or their agents "
                                    "withdraw them (`gitcontracts release CONTRACT SUBTASK`); then retry")
            result = _attempt(ws, layout, remote, base, head, progress)
        if result is not None:
            return result
        if time.monotonic() > give_up:
            raise Conflict("the main branch kept moving; the layout was not changed", hint="retry in a moment")
        time.sleep(random.uniform(delay / 2, delay))
        delay = min(delay * 2, 2.0)


def _attempt(ws: Workspace, layout: str, remote: str | None, base: str | None, head: gitlayer.HeadState,
             progress: bool) -> dict[str, Any] | None:
    from gitcontracts.protocol import engine
    from gitcontracts.referee.commits import judge_landing
    from gitcontracts.referee.documents import refusal

    if base is None:
        raise UsageError("there is nothing to move yet: the main branch has no commit",
                         hint="run `gitcontracts init` first")
    reader = gitlayer.BlobReader(ws.root)
    try:
        snapshot = Snapshot(ws.root, reader, base)
        if snapshot.config.layout == layout:
            _catch_up(ws, base, head)
            return {"layout": layout, "moved": 0, "commit": None, "pushed": False}
        config = _config_with(snapshot.read(CONFIG) or b"", layout)
        moves = _moves(ws, base, layout)
        ident = gitlayer.identity(ws.root, ws.agent)
        now = ws.now()
        action = Action("layout", layout, (CONFIG,))
        built = gitlayer.commit_moves(ws.root, base, moves, {CONFIG: config}, message(action, ws.agent), ident, now)
        problems = judge_landing(ws.root, reader, base, built.sha, [base], built.changes, ws.agent,
                                 ident.env["GIT_AUTHOR_EMAIL"], now)
        if problems:
            raise refusal(problems, f"layout {layout}")
        # the one long step at 10,000 contracts (tens of seconds): git writing the moved files, with its own line
        landed = engine.land_commit(ws, built.sha, base, head, remote, progress)
        if not landed:
            return None
        ws.forget()
        return {"layout": layout, "moved": len(moves), "commit": built.sha, "pushed": remote is not None}
    finally:
        reader.close()


def _catch_up(ws: Workspace, base: str, head: gitlayer.HeadState) -> None:
    """Main was so already: bring a clone that is behind along (as a read would), its files in that layout."""
    if head.branch == f"refs/heads/{ws.main_branch}" and head.head not in (None, base) \
            and gitlayer.is_ancestor(ws.root, head.head or "", base) and gitlayer.fast_forward(ws.root, base):
        ws.forget()


def _moves(ws: Workspace, base: str, layout: str) -> dict[str, tuple[str, str, str]]:
    """Old path -> (new path, mode, blob id) of every stash and stream file at `base`, from its trees alone."""
    paths = paths_for(layout)
    data = gitlayer.run(ws.root, "ls-tree", "-r", "-z", "--full-tree", base, "--", STASHES, STREAMS).stdout
    moves = {}
    for record in data.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        info, _, path = record.partition("\t")
        mode, kind, oid = info.split()
        target = moved_to(path, paths) if kind == "blob" and classify(path, None) else None
        if target is not None and target != path:
            moves[path] = (target, mode, oid)
    return moves


def _config_with(data: bytes, layout: str) -> bytes:
    """config.yaml with `layout:` set, every other line as it was (flat, the default, is left unsaid unless
    nothing else would be left: an empty config.yaml is not a mapping)."""
    lines = [line for line in data.decode("utf-8").splitlines() if not line.startswith("layout:")]
    if layout == FANOUT or not lines:
        lines.append(f"layout: {layout}")
    return ("\n".join(lines) + "\n").encode()
