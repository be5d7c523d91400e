"""Git history as the execution log (SPEC 7): every action is one commit of exactly its own paths,
with a `contracts: ACTION TARGET` subject and Contract / Subtask / Action / Agent trailers."""
from __future__ import annotations

from typing import NamedTuple


class Action(NamedTuple):
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
