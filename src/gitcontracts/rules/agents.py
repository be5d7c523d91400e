"""The agent registry `.contracts/agents.yaml` (SPEC 6.4): admins, capabilities, capacity, identities."""
from __future__ import annotations

import re
from typing import Any, NamedTuple

from gitcontracts.model import Problem
from gitcontracts.names import name_problem

_KEY = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)"
                  r" [A-Za-z0-9+/]+={0,3}( [\x20-\x7e]*)?")


class AgentInfo(NamedTuple):
    emails: tuple[str, ...] = ()
    signing_keys: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    capacity: int | None = None


class Registry(NamedTuple):
    """What agents.yaml says; `present` is False when there is none (then nothing of it is checked)."""
    present: bool = False
    admins: tuple[str, ...] = ()
    agents: dict[str, AgentInfo] = {}  # never changed: the default may be shared

    def info(self, agent: str) -> AgentInfo:
        return self.agents.get(agent, AgentInfo())

    def acting(self, named: str, email: str) -> str:
        """Who a commit is by: the agent it names when that is a valid name, else the one agent whose emails
        include the author's (a person merging with a forge's button under "Ada Lovelace" acts as her agent)."""
        if name_problem(named) is None:
            return named
        owners = [name for name, info in self.agents.items() if email.lower() in {e.lower() for e in info.emails}]
        return owners[0] if len(owners) == 1 else named


def parse_registry(doc: Any) -> Registry:
    """What a registry grants, read leniently: a malformed one (its own check says why) grants what it
    plainly says and nothing more, and never stops the reading of anything else."""
    if not isinstance(doc, dict):
        return Registry(present=True)
    entries = doc.get("agents")
    agents = {}
    for name, info in entries.items() if isinstance(entries, dict) else ():
        info = info if isinstance(info, dict) else {}
        capacity = info.get("capacity")
        agents[str(name)] = AgentInfo(_strings(info.get("emails")), _strings(info.get("signing_keys")),
                                      _strings(info.get("capabilities")),
                                      capacity if isinstance(capacity, int) and not isinstance(capacity, bool) else None)
    return Registry(True, _strings(doc.get("admins")), agents)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def registry_problems(doc: Any, file: str) -> list[Problem]:
    """What is wrong with an agents.yaml as it stands (the referee and `validate` both ask this)."""
    if not isinstance(doc, dict):
        return [Problem(file, "agents.yaml is a mapping with admins and agents", "type")]
    problems = [Problem(file, f"unknown field '{key}'", "additionalProperties", key)
                for key in doc if key not in ("admins", "agents")]
    problems += _admins_problems(doc.get("admins"), file)
    agents = doc.get("agents", {})
    if not isinstance(agents, dict):
        return problems + [Problem(file, "agents is a mapping of agent name to its entry", "type", "agents")]
    key_owners: dict[str, str] = {}
    for name, info in agents.items():
        problems += _agent_problems(name, info, file, key_owners)
    return problems


def _admins_problems(admins: Any, file: str) -> list[Problem]:
    if admins is None or admins == []:  # absent, `admins:` or `admins: []`: nobody could ever change the registry
        return [Problem(file, "agents.yaml must name its admins: `admins: [AGENT, ...]`", "required", "admins")]
    if not isinstance(admins, list) or any(name_problem(a) for a in admins):
        return [Problem(file, "admins is a list of agent names", "format", "admins")]
    return []


def _agent_problems(name: Any, info: Any, file: str, key_owners: dict[str, str]) -> list[Problem]:
    """One agent's entry; `key_owners` (key -> agent) carries the keys seen so far, so a key proves one agent."""
    path = f"agents.{name}"
    problems = [Problem(file, f"agent {name!r}: {name_problem(name)}", "format", path)] if name_problem(name) else []
    if not isinstance(info, dict):
        return problems + [Problem(file, f"agent {name!r} needs a mapping", "type", path)]
    for key in ("emails", "signing_keys", "capabilities"):
        value = info.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem(file, f"{key} is a list of strings", "type", f"{path}.{key}"))
    capacity = info.get("capacity")
    if capacity is not None and not (isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 0):
        problems.append(Problem(file, "capacity is a whole number >= 0", "type", f"{path}.capacity"))
    keys = info.get("signing_keys")
    for index, key in enumerate(keys if isinstance(keys, list) else []):
        where = f"{path}.signing_keys[{index}]"
        if not isinstance(key, str):
            continue
        if key_problem(key):
            problems.append(Problem(file, f"agent {name!r}: {key_problem(key)}", "format", where))
        elif _key_body(key) in key_owners:
            problems.append(Problem(file, f"agent {name!r}: this signing key is already {key_owners[_key_body(key)]}'s; "
                                          "a key proves one agent", "unique", where))
        else:
            key_owners[_key_body(key)] = str(name)
    problems += [Problem(file, f"unknown field '{key}'", "additionalProperties", f"{path}.{key}")
                 for key in sorted(set(info) - {"emails", "signing_keys", "capabilities", "capacity"}, key=str)]
    return problems


def key_problem(key: str) -> str | None:
    """A signing key is one public-key line as in an allowed signers file: 'TYPE BASE64 [comment]'."""
    return None if _KEY.fullmatch(key) else "a signing key is one line: 'ssh-ed25519 AAAA... [comment]'"


def _key_body(key: str) -> str:
    return " ".join(key.split()[:2])
