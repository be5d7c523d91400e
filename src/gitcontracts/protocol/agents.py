"""`agent add | list | show` (SPEC 6.4, 11): the registry `.contracts/agents.yaml`. Adding is an admin's
protocol action (with a remote it lands on main); where there are admins, only they may change it."""
from __future__ import annotations

from typing import Any, Sequence

from gitcontracts.errors import Forbidden, InvalidContent, NotFound
from gitcontracts.formats import yamlsafe
from gitcontracts.names import check_name
from gitcontracts.ops.record import Action
from gitcontracts.protocol.engine import Context, Outcome, perform
from gitcontracts.rules.agents import registry_problems
from gitcontracts.workspace import Workspace

AGENTS = ".contracts/agents.yaml"


def add_agent(ws: Workspace, name: str, emails: Sequence[str] = (), signing_keys: Sequence[str] = (),
              capabilities: Sequence[str] = (), capacity: int | None = None, offline: bool = False) -> dict[str, Any]:
    check_name(name, "agent name")

    def build(ctx: Context) -> Outcome:
        data = ctx.read(AGENTS)
        doc: dict[str, Any] = yamlsafe.load(data, AGENTS) if data else {"admins": [ctx.agent], "agents": {}}
        admins = doc.get("admins") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or not isinstance(admins, list) or not isinstance(doc.get("agents") or {}, dict):
            raise InvalidContent(f"{AGENTS} is malformed: it maps `admins` to a list and `agents` to a mapping",
                                 hint="an admin fixes it by hand (`gitcontracts validate .contracts/agents.yaml` says how)")
        if ctx.agent not in admins:
            raise Forbidden(f"only admins ({', '.join(admins)}) may change agents.yaml",
                            hint=f"ask an admin ({', '.join(admins)}) to add it")
        entry = dict((doc.get("agents") or {}).get(name) or {})
        for key, values in (("emails", emails), ("signing_keys", signing_keys), ("capabilities", capabilities)):
            if values:
                entry[key] = sorted(set(entry.get(key, [])) | set(values))
        if capacity is not None:
            entry["capacity"] = capacity
        doc = {**doc, "agents": {**(doc.get("agents") or {}), name: entry}}
        problems = registry_problems(doc, AGENTS)
        if problems:
            raise InvalidContent(str(problems[0]), details=[p.to_dict() for p in problems])
        ctx.files[AGENTS] = yamlsafe.dump(doc).encode()
        return Outcome(Action("agent-add", name, (AGENTS,)), {"agent": name, **entry})

    return perform(ws, build, offline)


def list_agents(ws: Workspace) -> dict[str, Any]:
    path = ws.layout.agents
    if not path.is_file():
        return {"admins": [], "agents": {}}
    doc = yamlsafe.load(path.read_bytes(), AGENTS)
    return {"admins": doc.get("admins") or [], "agents": doc.get("agents") or {}}


def show_agent(ws: Workspace, name: str) -> dict[str, Any]:
    agents = list_agents(ws)["agents"]
    if name not in agents:
        raise NotFound(f"no agent named {name!r} in agents.yaml", hint="add it with `gitcontracts agent add`")
    return {"agent": name, **(agents[name] or {})}
