"""Queued actions (protocol/land.py): the refs they are pushed to. Pure."""
from __future__ import annotations

from gitcontracts.names import name_problem

QUEUE_PREFIX = "refs/heads/queue/"


def queue_ref(agent: str, action_id: str) -> str:
    return f"{QUEUE_PREFIX}{agent}/{action_id}"


def parse_queue_ref(ref: str) -> tuple[str, str] | None:
    """(agent, id) of refs/heads/queue/<agent>/<id>, both valid names; None for any other ref."""
    if not ref.startswith(QUEUE_PREFIX):
        return None
    parts = ref.removeprefix(QUEUE_PREFIX).split("/")
    if len(parts) == 2 and not any(name_problem(part) for part in parts):
        return parts[0], parts[1]
    return None
