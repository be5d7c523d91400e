"""The api-load-test scenario replayed as agents would drive it (issue 12, done-when): each agent knows only
`prime`'s text and decides every step from `next --json`; every command it runs is a `gitcontracts` command —
no raw git — and the contract ends done, with every commit on the shared main passing the referee.

The remote and the agents' clones are made by the test (a team's set-up, before any agent starts)."""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from helpers import git, run_cli
import gitcontracts

EXAMPLES = Path(gitcontracts.__file__).parent / "examples"  # the package's own example files
CONTRACT = "api-load-test"
CAPABILITIES = {"planner-bot": ["planning"], "load-bot": ["load-testing", "planning"], "analyst-bot": ["analysis"]}


class Clock:
    """The agents' shared clock: ten seconds pass between two commands, so every read is older than the default
    fetch_ttl (5 s) and fetches: what each agent sees does not depend on how fast this machine is."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)

    def tick(self) -> str:
        self.moment += timedelta(seconds=10)
        return self.moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Agent:
    """One agent: its clone, what it has run, and the items it has already dealt with."""
    name: str
    clone: Path
    files: Path
    clock: Clock
    ran: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)

    def run(self, *args: str, stdin: str | None = None, expect: int = 0) -> Any:
        self.ran.append(shlex.join(("gitcontracts", *args)))
        result = run_cli(*args, "--json", cwd=self.clone, agent=self.name, input=stdin,
                         env={"GITCONTRACTS_NOW": self.clock.tick()})
        assert result.code == expect, f"{self.name}: {self.ran[-1]} -> {result.code}\n{result.err}"
        return json.loads(result.out) if result.out.strip() else None

    def next(self) -> list[dict[str, Any]]:
        return list(self.run("next")["items"])


def test_the_scenario_driven_by_prime_and_next_alone(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    assert run_cli("-C", str(remote), "hooks", "install", cwd=tmp_path).code == 0
    clock = Clock()
    agents = {name: _agent(remote, name, clock) for name in ("orchestrator", *CAPABILITIES)}
    owner = agents["orchestrator"]
    known = _commands_in_prime(owner)

    _set_up(owner)
    analyst = agents["analyst-bot"]
    analyst.run("ask", CONTRACT, "run", "-m", "Which region is staging in?")  # a question before it takes work

    for _ in range(12):  # rounds: each agent takes the one step `next` puts first for it
        if owner.run("status", CONTRACT)["state"] == "done":
            break
        for agent in agents.values():
            _step(agent)
    status = owner.run("status", CONTRACT)
    assert status["state"] == "done", status
    assert {t["id"]: t["status"] for t in status["subtasks"]} == {"plan": "completed", "run": "completed",
                                                                   "analyze": "completed"}
    assert {t["id"]: t["assigned_agent"] for t in status["subtasks"]}["run"] == "load-bot"  # the one able to

    every = [line for agent in agents.values() for line in agent.ran]
    assert all(line.startswith("gitcontracts ") for line in every)
    assert {line.split()[1] for line in every} <= known, "an agent ran a command prime does not teach"
    answered = [e for e in owner.run("stream", "read", f"{CONTRACT}-discussion", "--label", "answer")["entries"]]
    assert len(answered) == 1 and any("stream read" in line for line in analyst.ran)
    root = git("rev-list", "--max-parents=0", "main", cwd=remote)
    checked = run_cli("check", "--range", f"{root}..origin/main", cwd=owner.clone, agent="orchestrator",
                      env={"GITCONTRACTS_NOW": clock.tick()})
    assert checked.code == 0, checked.out + checked.err


def _agent(remote: Path, name: str, clock: Clock) -> Agent:
    clone = remote.parent / name
    git("clone", "-q", str(remote), str(clone), cwd=remote.parent)
    git("config", "user.name", name, cwd=clone)
    git("config", "user.email", f"{name}@example.com", cwd=clone)
    files = remote.parent / f"{name}-files"  # its work files, outside the clone
    files.mkdir()
    return Agent(name, clone, files, clock)


def _commands_in_prime(agent: Agent) -> set[str]:
    text = agent.run("prime")["text"]
    assert "gitcontracts next" in text and "never git push or pull" in text
    return {line.split()[1] for line in text.splitlines() if line.startswith("gitcontracts ")} | {"prime"}


def _set_up(owner: Agent) -> None:
    """The owner's set-up, each command as prime shows it."""
    owner.run("init", "--remote", "origin")
    owner.run("schema", "add", str(EXAMPLES / "load-report@1.yaml"))
    owner.run("agent", "add", "orchestrator")
    for name, capabilities in CAPABILITIES.items():
        owner.run("agent", "add", name, *[a for c in capabilities for a in ("--capability", c)], "--capacity", "2")
    contract = (EXAMPLES / "api-load-test.yaml").read_text().replace("    budget_usdc: 12.00\n",
                                                                        "    budget_usdc: 12.00\n    award: first\n")
    (owner.files / "contract.yaml").write_text(contract)
    owner.run("new", CONTRACT, "--file", str(owner.files / "contract.yaml"), "--deadline", "14d")


def _step(agent: Agent) -> None:
    """Act on the first item of `next` that this agent can act on now."""
    items = agent.next()
    busy = any(i["kind"] in ("deliver", "claim-pending", "delivered") for i in items)
    for item in items:
        kind, key = item["kind"], item["command"]
        waiting = kind in ("claim-pending", "delivered") or (kind == "claim" and busy)
        if waiting or key in agent.seen:
            continue
        if kind == "answered":  # read once: the answer stays listed until the agent posts again
            agent.seen.add(key)
        ACTIONS[kind](agent, item)
        return


def _run_item(agent: Agent, item: dict[str, Any], **fill: str) -> None:
    words = [fill.get(word, word) for word in shlex.split(item["command"])]
    assert words[0] == "gitcontracts"
    agent.run(*words[1:])


def _deliver(agent: Agent, item: dict[str, Any]) -> None:
    """The loop of prime: progress, then the result as a stash, then deliver it."""
    contract, subtask = item["contract"], item["subtask"]
    if (contract, subtask) not in agent.reported:
        agent.reported.add((contract, subtask))
        agent.run("progress", contract, subtask, "-m", f"working on {subtask}")
        return
    task = next(t for t in agent.run("status", contract)["subtasks"] if t["id"] == subtask)
    schema = task.get("deliverable_schema")
    content = _filled(agent.run("schema", "show", schema)["definition"]) if schema else {"summary": f"{subtask} done"}
    stash = f"{contract}-{subtask}-result"
    (agent.files / f"{stash}.json").write_text(json.dumps(content))
    agent.run("stash", "put", stash, "--file", str(agent.files / f"{stash}.json"))
    _run_item(agent, item, STASH=stash)


def _filled(schema: dict[str, Any]) -> dict[str, Any]:
    """A value for each required property, as an agent reading the schema would give."""
    samples = {"number": 0.5, "integer": 9800, "string": "done", "array": [], "object": {}, "boolean": True}
    props = schema.get("properties") or {}
    return {key: samples[(props.get(key) or {}).get("type", "string")] for key in schema.get("required") or []}


ACTIONS = {
    "offer": lambda agent, item: _run_item(agent, item),
    "claim": lambda agent, item: _run_item(agent, item, PRICE="5"),
    "deliver": _deliver,
    "answered": lambda agent, item: _run_item(agent, item),
    "award": lambda agent, item: _run_item(agent, item),
    "complete": lambda agent, item: _run_item(agent, item),
    "answer": lambda agent, item: _run_item(agent, item, ANSWER="eu-west-1"),
}
