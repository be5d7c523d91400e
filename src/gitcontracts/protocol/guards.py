"""Checks at claim time (SPEC 6 and issue 4), each with its exit code: 6 for what this agent may not
do (capabilities, capacity, an offer to someone else), 4 for what the state forbids (already claimed,
a passed deadline)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gitcontracts.errors import Conflict, Forbidden, InvalidContent, NotFound
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.timeutil import parse_datetime
from gitcontracts import gitlayer
from gitcontracts.store.layout import STASHES


def subtask(doc: dict[str, Any], contract: str, task_id: str) -> dict[str, Any]:
    tasks = [task for task in (doc.get("content") or {}).get("subtasks") or [] if isinstance(task, dict)]
    for task in tasks:
        if task.get("id") == task_id:
            return task
    raise NotFound(f"contract {contract} has no subtask {task_id!r}", hint=subtask_ids_hint(doc))


def no_contract(name: str, offline: bool) -> NotFound:
    """A contract that is not there: in an --offline read of a clone with a remote, perhaps not *yet* there."""
    if offline:
        return NotFound(f"no contract named {name!r} in this clone (read --offline)",
                        hint="drop --offline to read the shared main; `gitcontracts status` lists the contracts")
    return NotFound(f"no contract named {name!r}",
                    hint="`gitcontracts status` lists the contracts; `gitcontracts discover -q WORD` finds one by its words")


def subtask_ids_hint(doc: dict[str, Any]) -> str:
    ids = [str(t.get("id")) for t in (doc.get("content") or {}).get("subtasks") or [] if isinstance(t, dict)]
    return f"its subtasks are: {', '.join(ids)}" if ids else "it has no subtasks"


def require_owner(doc: dict[str, Any], agent: str, what: str) -> None:
    if doc.get("owner") != agent:
        raise Forbidden(f"only the owner {doc.get('owner')} may {what}",
                        hint=f"ask {doc.get('owner')} to do it (`gitcontracts ask CONTRACT -m ...` reaches the owner)")


def owners_subtask(doc: dict[str, Any], contract: str, task_id: str, agent: str, status: str, done: str) -> dict[str, Any]:
    """The subtask, when `agent` owns the contract (else 6) and the subtask is `status` (else 4)."""
    require_owner(doc, agent, f"have a subtask {done}")
    task = subtask(doc, contract, task_id)
    if task.get("status") != status:
        raise Conflict(f"subtask {task_id} is {task.get('status')}; only {status} subtasks are {done}")
    return task


def require_assignee(task: dict[str, Any], agent: str, what: str) -> None:
    if task.get("status") != "claimed":
        raise Conflict(f"subtask {task.get('id')} is {task.get('status')}, not claimed", hint=f"only claimed work can {what}")
    if task.get("assigned_agent") != agent:
        raise Forbidden(f"subtask {task.get('id')} is assigned to {task.get('assigned_agent')}, not {agent}")


def passed(deadline: Any, now: datetime) -> bool:
    try:
        return isinstance(deadline, str) and parse_datetime(deadline) < now
    except ValueError:
        return False


def can_take(base: Snapshot, doc: dict[str, Any], task: dict[str, Any], agent: str, now: datetime,
             via_offer: bool = False, who: str = "") -> None:
    """May `agent` take this subtask now? Raises the error of the first reason it may not. `who` is the
    agent as a refusal names it (with where the name came from)."""
    content = doc.get("content") or {}
    if passed(content.get("deadline"), now):
        raise Conflict(f"contract {doc.get('name')} expired at {content['deadline']}; it takes no new claims")
    if passed(task.get("deadline"), now):
        raise Conflict(f"subtask {task['id']} expired at {task['deadline']}; it takes no new claims")
    if task.get("status") != "open":
        holder = task.get("assigned_agent")
        raise Conflict(f"subtask {task['id']} is already {task.get('status')}" + (f" by {holder}" if holder else ""),
                       hint="see `gitcontracts status` for open subtasks")
    offer = task.get("offer")
    if isinstance(offer, dict) and not via_offer:
        if offer.get("exhausted"):
            raise Forbidden(f"subtask {task['id']} waits for its owner to revise the offer")
        if offer.get("to") != agent:
            raise Forbidden(f"subtask {task['id']} is offered to {offer.get('to')}, not to {who or agent}",
                            hint="only they may take it while the offer stands; `gitcontracts next` lists what you may take")
    registry = base.registry
    if registry.present:
        info = registry.info(agent)
        missing = sorted(set(task.get("requires") or ()) - set(info.capabilities))
        if missing:
            raise Forbidden(f"{agent} lacks the capabilities {missing} that subtask {task['id']} requires",
                            hint="agents.yaml lists each agent's capabilities")
        if info.capacity is not None and held(base, agent) >= info.capacity:
            raise Forbidden(f"{agent} already holds {info.capacity} claimed subtasks, its capacity (agents.yaml)")


def held(base: Snapshot, agent: str) -> int:
    """Subtasks claimed by `agent` at the base (git grep names the candidate files)."""
    if not base.rev:
        return 0
    count = 0
    for path in gitlayer.grep_files(base.root, base.rev, agent, STASHES):
        doc = base.doc(path)
        content = doc.get("content") if isinstance(doc, dict) else None
        for task in (content.get("subtasks") or []) if isinstance(content, dict) else []:
            if isinstance(task, dict) and task.get("status") == "claimed" and task.get("assigned_agent") == agent:
                count += 1
    return count


def check_bid(task: dict[str, Any], bid: float | None) -> None:
    if task.get("award") == "lowest-bid" and bid is None:
        raise InvalidContent(f"subtask {task['id']} is awarded to the lowest bid: pass --bid-usdc N")
    budget = task.get("budget_usdc")
    if bid is not None and (bid < 0 or (isinstance(budget, (int, float)) and bid > budget)):
        raise InvalidContent(f"a bid must be between 0 and the subtask's budget ({budget})")
