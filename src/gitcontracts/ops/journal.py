"""An intent journal, so that a process killed in the middle of an action leaves the workspace
before or after it, never between (issue 6).

A local action touches two things git cannot change together: the working tree and HEAD. Before it
touches either, the action writes `.git/gitcontracts-pending-<pid>.json` saying what it is about to
do; when it is done, it removes it. Whoever finds the journal of a process that is gone (the next
`gitcontracts` command, or `fsck --repair`) finishes the action when its commit point was passed,
and forgets it when not:

- `commit` (stash put, stream post, ...: files first, then `git commit --only`): a path whose file
  changed since the journal was written was written whole (writes are atomic), so it is committed.
- `sync` (protocol actions without a remote: the commit is built first, then HEAD moves, then the
  files follow): when HEAD is the new commit, the files are brought to it; when not, nothing landed.

The journal guards against a killed process, not a lost disk: it is not fsynced (git is not either)."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from gitcontracts import gitlayer

JOURNAL_PREFIX = "gitcontracts-pending-"


class Pending(NamedTuple):
    kind: str                              # "commit" | "sync"
    message: str
    agent: str
    paths: tuple[str, ...]
    stamps: dict[str, list[int]] = {}   # never changed; commit: each path's (inode, size, mtime) before
    head: str | None = None                # sync: HEAD before
    new: str | None = None                 # sync: the commit HEAD moves to
    delete_branches: tuple[str, ...] = ()  # sync: branches the action deletes once landed

    @property
    def subject(self) -> str:
        return self.message.splitlines()[0] if self.message else "an action"


def journals(root: Path) -> list[tuple[int, Path]]:
    """(pid, path) of every journal, oldest first."""
    folder = gitlayer.find_git_dir(root)
    if folder is None:
        return []
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(JOURNAL_PREFIX) and entry.name.endswith(".json"):
                pid = entry.name[len(JOURNAL_PREFIX):-len(".json")]
                try:
                    when = entry.stat().st_mtime_ns
                except FileNotFoundError:  # its action just finished: another process lists the folder too
                    continue
                found.append((when, int(pid) if pid.isdigit() else 0, Path(entry.path)))
    return [(pid, path) for _, pid, path in sorted(found)]


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stamp(path: Path) -> list[int]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return [0, -1, 0]
    return [info.st_ino, info.st_size, info.st_mtime_ns]


@contextmanager
def pending(root: Path, intent: Pending) -> Iterator[None]:
    """Hold the journal for the duration of the block; a block that raises leaves nothing behind."""
    folder = gitlayer.find_git_dir(root)
    if folder is None:
        yield
        return
    target = folder / f"{JOURNAL_PREFIX}{os.getpid()}.json"
    temp = folder / f"{JOURNAL_PREFIX}{os.getpid()}.tmp"
    temp.write_text(json.dumps(intent._asdict()), encoding="utf-8")
    os.replace(temp, target)
    try:
        yield
    finally:
        target.unlink(missing_ok=True)


def read_pending(path: Path) -> Pending:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return Pending(**{**data, "paths": tuple(data["paths"]), "delete_branches": tuple(data.get("delete_branches", ()))})
    except (ValueError, TypeError, KeyError, OSError):
        return Pending("unreadable", "", "", ())


def interrupted(root: Path) -> list[tuple[Path, Pending]]:
    """The journals of processes that are gone: actions that were interrupted."""
    return [(path, read_pending(path)) for pid, path in journals(root) if not alive(pid)]


def recover(root: Path) -> list[str]:
    """Finish or forget every interrupted action; says what was done for each."""
    done = []
    for path, intent in interrupted(root):
        done.append(_finish(root, intent))
        path.unlink(missing_ok=True)
    return done


def _finish(root: Path, intent: Pending) -> str:
    if intent.kind == "commit":
        changed = [p for p in intent.paths if stamp(root / p) != intent.stamps.get(p)]
        dirty = gitlayer.run(root, "status", "--porcelain", "--untracked-files=all", "--", *intent.paths).stdout.strip()
        if not changed or not dirty:  # nothing was written, or git committed it before the process died
            return f"forgot an interrupted `{intent.subject}`: {'it had written nothing' if not changed else 'it was committed'}"
        gitlayer.commit_paths(root, intent.paths, intent.message, intent.agent)
        return f"finished an interrupted `{intent.subject}`: committed {', '.join(changed)}"
    if intent.kind == "sync":
        head = gitlayer.resolve(root, "HEAD")
        if head != intent.new or intent.new is None:
            if head:  # its files may have been written before HEAD would have moved: put them back
                gitlayer.checkout_paths(root, head, intent.paths)
            return f"forgot an interrupted `{intent.subject}`: it had not landed"
        gitlayer.checkout_paths(root, intent.new, intent.paths)
        for branch in intent.delete_branches:
            gitlayer.run(root, "branch", "-D", branch, check=False)
        return f"finished an interrupted `{intent.subject}`: brought the working tree to its commit"
    return "removed an unreadable journal of an interrupted action"
