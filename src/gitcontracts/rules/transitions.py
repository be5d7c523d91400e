"""Who may change a contract how (SPEC 6.2 and 6.4): old and new contract documents in, problems out.

The owner may make any schema-valid change that follows the status graph. Anyone else may only:
accept or reject an offer made to it, release its own subtask, take an `award: first` subtask,
record `subcontract` on its own subtask, and — on its claim branch — claim that one subtask."""
from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from gitcontracts.model import Problem
from gitcontracts.rules import timing
from gitcontracts.rules.offers import advance, same_offer
from gitcontracts.timeutil import parse_datetime

TRANSITIONS = {("open", "claimed"), ("claimed", "open"), ("claimed", "completed"), ("completed", "open")}
FORBIDDEN = "permission"  # the rule of problems that make a check exit 6
CONFLICT_RULES = frozenset({"already-claimed", "expired", "stale"})  # someone else, or time, came first: exit 4


class Actor(NamedTuple):
    name: str
    is_owner: bool
    claim_branch: tuple[str, str, str] | None = None  # (contract, subtask, agent) of claim/<c>/<s>/<a>


class Gain(NamedTuple):
    """A subtask the actor took (accept, first, claim): capabilities and capacity are checked for it."""
    subtask: str
    requires: tuple[str, ...]


def _tasks(content: Any) -> dict[str, dict[str, Any]]:
    tasks = content.get("subtasks") if isinstance(content, dict) else None
    return {t["id"]: t for t in tasks or [] if isinstance(t, dict) and isinstance(t.get("id"), str)}


def _without(task: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in task.items() if k not in keys}


def status_problems(old: Any, new: Any, file: str) -> list[Problem]:
    """The status graph of SPEC 6.2, whoever made the change."""
    problems = []
    old_tasks, new_tasks = _tasks(old), _tasks(new)
    for task_id, after in new_tasks.items():
        before = old_tasks.get(task_id)
        if before is None:
            continue
        a, b = before.get("status"), after.get("status")
        path = f"content.subtasks[{list(new_tasks).index(task_id)}].status"
        if a != b and (a, b) not in TRANSITIONS:
            problems.append(Problem(file, f"subtask {task_id}: {a} -> {b} is not a transition (open -> claimed -> "
                                          "completed; claimed -> open; completed -> open)", "transition", path))
        elif a == b == "claimed" and before.get("assigned_agent") != after.get("assigned_agent"):
            problems.append(Problem(file, f"subtask {task_id} is already claimed by {before.get('assigned_agent')}; "
                                          "it must be released first", "already-claimed", path))
    return problems


def non_owner_problems(old: Any, new: Any, actor: Actor, file: str, now: datetime,
                       skew: float = 300.0) -> tuple[list[Problem], list[Gain]]:
    """What an agent that is not the owner changed beyond what SPEC 6.4 lets it, and what it took."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [Problem(file, f"{actor.name} may not replace a contract it does not own", FORBIDDEN)], []
    problems: list[Problem] = []
    if _without(old, "subtasks") != _without(new, "subtasks"):
        problems.append(Problem(file, f"{actor.name} may change only subtasks of a contract it does not own",
                                FORBIDDEN, "content"))
    old_tasks, new_tasks = _tasks(old), _tasks(new)
    if list(old_tasks) != list(new_tasks):
        problems.append(Problem(file, f"{actor.name} may not add, remove or reorder subtasks", FORBIDDEN, "content.subtasks"))
        return problems, []
    gains = []
    for index, (task_id, after) in enumerate(new_tasks.items()):
        before = old_tasks[task_id]
        if before == after:
            continue
        kind = allowed_change(before, after, actor, task_id)
        path = f"content.subtasks[{index}]"
        if kind is None:
            problems.append(Problem(file, f"{actor.name} may not make this change to subtask {task_id} "
                                          f"(not its owner: {_why(before, actor)})", FORBIDDEN, path))
        elif kind in ("accept", "first", "claim"):
            gains.append(Gain(task_id, tuple(before.get("requires") or ())))
            problems += _deadline_problems(old, before, task_id, file, path, now)
            offer = before.get("offer")
            if kind == "accept" and isinstance(offer, dict) and timing.is_past(offer.get("expires"), now):
                problems.append(Problem(file, f"subtask {task_id}: the offer to {actor.name} expired at "
                                              f"{offer.get('expires')}; it can no longer be accepted", "expired", path))
        elif kind == "reject" and isinstance(after.get("offer"), dict):  # moved to the next agent (not withdrawn)
            moved = timing.move_time_problem(before["offer"], after["offer"], now, skew, file, path)
            problems += [moved] if moved else []
    return problems, gains


def allowed_change(before: dict[str, Any], after: dict[str, Any], actor: Actor, task_id: str) -> str | None:
    """Which of the non-owner's permitted changes this is, or None."""
    me, offer = actor.name, before.get("offer")
    claimed_by_me = {**_without(before, "offer"), "status": "claimed", "assigned_agent": me}
    if actor.claim_branch is not None:
        contract, subtask, agent = actor.claim_branch
        ok = (subtask == task_id and agent == me and before.get("status") == "open" and not offer
              and after == {**before, **claimed_by_me})
        return "claim" if ok else None
    if isinstance(offer, dict) and offer.get("to") == me and not offer.get("exhausted"):
        if after == claimed_by_me and before.get("status") == "open":
            return "accept"
        if _without(after, "offer") == _without(before, "offer") and same_offer(after.get("offer"), advance(offer)):
            return "reject"
    if before.get("status") == "claimed" and before.get("assigned_agent") == me:
        if after == {**_without(before, "assigned_agent"), "status": "open"}:
            return "release"
        if _without(after, "subcontract") == _without(before, "subcontract") and after.get("subcontract"):
            return "subcontract"
    if before.get("award") == "first" and before.get("status") == "open" and not offer and after == claimed_by_me:
        return "first"
    return None


def _why(before: dict[str, Any], actor: Actor) -> str:
    offer = before.get("offer")
    if isinstance(offer, dict) and offer.get("to") != actor.name:
        return f"it is offered to {offer.get('to')}"
    if before.get("status") == "claimed" and before.get("assigned_agent") != actor.name:
        return f"it is already claimed by {before.get('assigned_agent')}"
    if actor.claim_branch is None and before.get("award", "review") != "first":
        return "claims go through a claim branch the owner merges"
    return "only the owner may make it; see docs/security.md, Who can do what"


def _deadline_problems(content: dict[str, Any], task: dict[str, Any], task_id: str, file: str, path: str,
                       now: datetime) -> list[Problem]:
    for what, deadline in (("contract", content.get("deadline")), ("subtask", task.get("deadline"))):
        try:
            if isinstance(deadline, str) and parse_datetime(deadline) < now:
                return [Problem(file, f"subtask {task_id}: the {what} deadline {deadline} has passed; "
                                      "it takes no new claims", "expired", path)]
        except ValueError:
            pass
    return []
