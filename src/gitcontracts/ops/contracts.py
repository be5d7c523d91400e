"""`new`: announce a contract — the stash, its `-execution` stream (linked) and its `-discussion` stream,
with each subtask's `linked_stream` set: the pattern's steps 1-4 in one call."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from gitcontracts.errors import Conflict, InvalidContent
from gitcontracts.store.files import atomic_write
from gitcontracts.names import check_name
from gitcontracts.referee.documents import CONTRACT_SCHEMA, raise_if, stash_problems
from gitcontracts.ops.stashes import build_envelope
from gitcontracts.ops.record import Action, record
from gitcontracts.ops.streams import stream_meta
from gitcontracts.formats import yamlsafe
from gitcontracts.model import Stash, StreamMeta
from gitcontracts.timeutil import format_seconds, resolve_moment
from gitcontracts.workspace import Workspace


@dataclass(frozen=True)
class NewContract:
    stash: Stash
    streams: tuple[StreamMeta, ...]
    paths: tuple[str, ...]
    commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.stash.name, "stash": self.stash.to_dict(),
                "streams": [m.stream for m in self.streams], "paths": list(self.paths), "commit": self.commit}


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


def contract_documents(ws: Workspace, name: str, objective: str | None = None, subtasks: Sequence[tuple[str, str]] = (),
                       budget: float | None = None, deadline: str | None = None, base: Any = None,
                       description: str | None = None, labels: Sequence[str] = (), discoverable: bool = True
                       ) -> tuple[dict[str, Any], dict[str, str]]:
    """The contract's envelope and the texts of its three files (stash, two stream headers), checked."""
    check_name(name, "contract name")
    execution, discussion = stream_names(name)
    check_name(execution, "stream name")
    now = ws.now()
    content = contract_content(objective, subtasks, budget,
                               resolve_moment(deadline, now) if deadline else None, base, execution)
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


def new_contract(ws: Workspace, name: str, objective: str | None = None, subtasks: Sequence[tuple[str, str]] = (),
                 budget: float | None = None, deadline: str | None = None, base: Any = None,
                 description: str | None = None, labels: Sequence[str] = (), discoverable: bool = True) -> NewContract:
    doc, files = contract_documents(ws, name, objective, subtasks, budget, deadline, base, description, labels, discoverable)
    if ws.stashes.exists(name):
        raise Conflict(f"contract {name!r} already exists", hint="pick another name, or patch the existing one")
    for stream in stream_names(name):
        if ws.streams.exists(stream):
            raise Conflict(f"stream {stream!r} already exists", hint="pick another contract name")
    # The stash is written last: streams without their stash are a leftover `fsck` names, never a half contract.
    paths = list(files)
    for path in paths[1:] + paths[:1]:
        atomic_write(ws.root / path, files[path].encode())
    commit = record(ws, Action("announce", name, tuple(paths), contract=name))
    metas = tuple(ws.streams.meta(stream) for stream in stream_names(name))
    return NewContract(Stash.from_dict(doc), metas, tuple(paths), commit)
