"""The agent registry `.contracts/agents.yaml` (SPEC 6.4): admins, capabilities, capacity, identities."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gitcontracts.model import Problem
from gitcontracts.names import name_problem

_KEY = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)"
                  r" [A-Za-z0-9+/]+={0,3}( [\x20-\x7e]*)?")


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
    owners: dict[str, str] = {}
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
        for index, key in enumerate(info.get("signing_keys") or []):
            if isinstance(key, str) and key_problem(key):
                problems.append(Problem(file, f"agent {name!r}: {key_problem(key)}", "format", f"{path}.signing_keys[{index}]"))
            elif isinstance(key, str) and _key_body(key) in owners:
                problems.append(Problem(file, f"agent {name!r}: this signing key is already {owners[_key_body(key)]}'s; "
                                              "a key proves one agent", "unique", f"{path}.signing_keys[{index}]"))
            elif isinstance(key, str):
                owners[_key_body(key)] = str(name)
        for key in set(info) - {"emails", "signing_keys", "capabilities", "capacity"}:
            problems.append(Problem(file, f"unknown field '{key}'", "additionalProperties", f"{path}.{key}"))
    return problems


def key_problem(key: str) -> str | None:
    """A signing key is one public-key line as in an allowed signers file: 'TYPE BASE64 [comment]'."""
    return None if _KEY.fullmatch(key) else "a signing key is one line: 'ssh-ed25519 AAAA... [comment]'"


def _key_body(key: str) -> str:
    return " ".join(key.split()[:2])
