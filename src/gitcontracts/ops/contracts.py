"""`new`: announce a contract — the stash, its `-execution` stream (linked) and its `-discussion` stream,
with each subtask's `linked_stream` set: the pattern's steps 1-4 in one call."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from gitcontracts.errors import InvalidContent, UsageError
from gitcontracts.names import check_name
from gitcontracts.referee.documents import CONTRACT_SCHEMA, raise_if, stash_problems
from gitcontracts.ops.stashes import build_envelope
from gitcontracts.ops.streams import stream_meta
from gitcontracts.formats import yamlsafe
from gitcontracts.timeutil import format_seconds, parse_datetime, resolve_moment
from gitcontracts.workspace import Workspace


def stream_names(contract: str) -> tuple[str, str]:
    return f"{contract}-execution", f"{contract}-discussion"


def contract_content(objective: str | None, subtasks: Sequence[tuple[str, str]], budget: float | None,
                     deadline: str | None, base: Any, execution: str) -> dict[str, Any]:
    if base is not None and not isinstance(base, dict):
        raise InvalidContent("--file must hold a mapping (the contract's content: objective, subtasks, ...)")
    content = dict(base or {})
    if objective is not None:
        content["objective"] = objective
    tasks = list(content.get("subtasks") or [])
    tasks += [{"id": check_name(task_id, "subtask id"), "description": text, "status": "open"}
              for task_id, text in subtasks]
    for task in tasks:
        if isinstance(task, dict):
            task.setdefault("status", "open")
            task.setdefault("linked_stream", execution)
    if tasks:
        content["subtasks"] = tasks
    if budget is not None:
        content["budget_usdc"] = budget
    if deadline is not None:
        content["deadline"] = deadline
    return content


def _is_past(moment: str, now: datetime) -> bool:
    try:
        return parse_datetime(moment) <= now
    except ValueError:  # not a date-time: the schema check says so, with its path
        return False


def _durations_resolved(base: Any, now: datetime) -> Any:
    """A file's `deadline: 30d` (the contract's or a subtask's) as the date-time it means now, as --deadline
    takes it; anything that is neither a duration nor a date-time is left for the schema to name."""
    if not isinstance(base, dict):
        return base
    def resolved(value: Any) -> Any:
        try:
            return resolve_moment(value, now) if isinstance(value, str) else value
        except (UsageError, ValueError):
            return value
    content = {**base, "deadline": resolved(base["deadline"])} if "deadline" in base else dict(base)
    if isinstance(content.get("subtasks"), list):
        content["subtasks"] = [{**t, "deadline": resolved(t["deadline"])} if isinstance(t, dict) and "deadline" in t else t
                               for t in content["subtasks"]]
    return content


def contract_documents(ws: Workspace, name: str, objective: str | None = None, subtasks: Sequence[tuple[str, str]] = (),
                       budget: float | None = None, deadline: str | None = None, base: Any = None,
                       description: str | None = None, labels: Sequence[str] = (), discoverable: bool = True,
                       force: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """The contract's envelope and the texts of its three files (stash, two stream headers), checked.

    A `deadline` already past is refused (exit 3) unless `force`: it would announce a contract that is over."""
    check_name(name, "contract name")
    execution, discussion = stream_names(name)
    check_name(execution, "stream name")
    now = ws.now()
    moment = resolve_moment(deadline, now) if deadline else None
    base = _durations_resolved(base, now)
    given = moment or (base.get("deadline") if isinstance(base, dict) else None)
    if isinstance(given, str) and not force and _is_past(given, now):
        raise InvalidContent(f"the deadline {deadline or given} is in the past (it is {format_seconds(now)} now)",
                             hint="give a later one (a date-time, or a duration such as 7d), or --force to announce it anyway")
    content = contract_content(objective, subtasks, budget, moment, base, execution)
    doc = build_envelope(name, ws.agent, format_seconds(now), content, CONTRACT_SCHEMA, description,
                         labels, discoverable, None)
    text = yamlsafe.dump(doc)
    source = ws.layout.relative(ws.stashes.path(name))
    raise_if(stash_problems(ws.schemas, doc, text, source, name), f"contract {name}")
    files = {source: text}
    for stream, what in ((execution, "Execution log"), (discussion, "Discussion")):
        meta = stream_meta(ws, stream, name, None, discoverable, f"{what} of {name}")
        files[ws.layout.relative(ws.layout.meta(stream))] = yamlsafe.dump(meta.to_dict())
    return doc, files
