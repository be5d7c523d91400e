"""The agent registry `.contracts/agents.yaml` (SPEC 6.4): admins, capabilities, capacity, identities."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitcontracts.model import Problem
from gitcontracts.names import name_problem


@dataclass(frozen=True)
class AgentInfo:
    emails: tuple[str, ...] = ()
    signing_keys: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    capacity: int | None = None


@dataclass(frozen=True)
class Registry:
    """What agents.yaml says; `present` is False when there is none (then nothing of it is checked)."""
    present: bool = False
    admins: tuple[str, ...] = ()
    agents: dict[str, AgentInfo] = field(default_factory=dict)

    def info(self, agent: str) -> AgentInfo:
        return self.agents.get(agent, AgentInfo())


def parse_registry(doc: Any) -> Registry:
    if not isinstance(doc, dict):
        return Registry(present=True)
    agents = {}
    for name, info in (doc.get("agents") or {}).items():
        info = info if isinstance(info, dict) else {}
        capacity = info.get("capacity")
        agents[str(name)] = AgentInfo(tuple(info.get("emails") or ()), tuple(info.get("signing_keys") or ()),
                                      tuple(info.get("capabilities") or ()),
                                      capacity if isinstance(capacity, int) and not isinstance(capacity, bool) else None)
    return Registry(True, tuple(doc.get("admins") or ()), agents)


def registry_problems(doc: Any, file: str) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem(file, "agents.yaml is a mapping with admins and agents", "type")]
    problems = [Problem(file, f"unknown field '{key}'", "additionalProperties", key) for key in doc if key not in ("admins", "agents")]
    admins = doc.get("admins", [])
    if not isinstance(admins, list) or any(name_problem(a) for a in admins):
        problems.append(Problem(file, "admins is a list of agent names", "format", "admins"))
    agents = doc.get("agents", {})
    if not isinstance(agents, dict):
        return problems + [Problem(file, "agents is a mapping of agent name to its entry", "type", "agents")]
    for name, info in agents.items():
        path = f"agents.{name}"
        if name_problem(name):
            problems.append(Problem(file, f"agent {name!r}: {name_problem(name)}", "format", path))
        if not isinstance(info, dict):
            problems.append(Problem(file, f"agent {name!r} needs a mapping", "type", path))
            continue
        for key in ("emails", "signing_keys", "capabilities"):
            value = info.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(Problem(file, f"{key} is a list of strings", "type", f"{path}.{key}"))
        capacity = info.get("capacity")
        if capacity is not None and not (isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 0):
            problems.append(Problem(file, "capacity is a whole number >= 0", "type", f"{path}.capacity"))
        for key in set(info) - {"emails", "signing_keys", "capabilities", "capacity"}:
            problems.append(Problem(file, f"unknown field '{key}'", "additionalProperties", f"{path}.{key}"))
    return problems
