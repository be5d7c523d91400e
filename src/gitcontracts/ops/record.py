"""Git history as the execution log (SPEC 7): every action is one commit of exactly its own paths,
with a `contracts: ACTION TARGET` subject and Contract / Subtask / Action / Agent trailers."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from gitcontracts import gitlayer
from gitcontracts.ops import journal
from gitcontracts.workspace import Workspace


@dataclass(frozen=True)
class Action:
    action: str
    target: str
    paths: tuple[str, ...]
    contract: str | None = None
    subtask: str | None = None


def message(action: Action, agent: str) -> str:
    trailers = [("Contract", action.contract), ("Subtask", action.subtask), ("Action", action.action),
                ("Agent", agent)]
    body = "\n".join(f"{key}: {value}" for key, value in trailers if value)
    return f"contracts: {action.action} {action.target}\n\n{body}\n"


@dataclass
class Recorded:
    commit: str | None = None


@contextmanager
def recording(ws: Workspace, action: Action) -> Iterator[Recorded]:
    """Write the action's files inside the block; it is committed after it (the CLI, unless --no-commit).

    The journal (ops/journal.py) covers the block and the commit: a process killed anywhere in
    between leaves an action the next command finishes (its files were written) or forgets."""
    done = Recorded()
    if not ws.commit or not action.paths or gitlayer.find_git_dir(ws.root) is None:
        yield done
        return
    text = message(action, ws.agent)
    intent = journal.Pending("commit", text, ws.agent, action.paths,
                             {path: journal.stamp(ws.root / path) for path in action.paths})
    with journal.pending(ws.root, intent):
        yield done
        done.commit = gitlayer.commit_paths(ws.root, action.paths, text, ws.agent)


def record(ws: Workspace, action: Action) -> str | None:
    """Commit an action whose files are already written (no journal: for multi-file set-up steps)."""
    if not ws.commit or not action.paths or not gitlayer.is_repo(ws.root):
        return None
    return gitlayer.commit_paths(ws.root, action.paths, message(action, ws.agent), ws.agent)


def relative_paths(ws: Workspace, paths: Sequence[Path]) -> tuple[str, ...]:
    return tuple(ws.layout.relative(p) for p in paths)
