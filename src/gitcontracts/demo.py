"""`gitcontracts demo`: the api-load-test lifecycle across a shared remote, through the real command line.

A bare repository guarded by the pre-receive hook plays the shared remote; an orchestrator and three
agents (planner-bot, load-bot, analyst-bot) work in clones of their own, each step a `gitcontracts`
process of its own, as agents would run it. The account shows each command, who ran it, what it printed."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

EXAMPLES = Path(__file__).resolve().parent / "examples"
AGENTS = ("orchestrator", "planner-bot", "load-bot", "analyst-bot")
CONTRACT = "api-load-test"


@dataclass(frozen=True)
class Step:
    title: str
    agent: str
    args: tuple[str, ...]
    expect: int = 0
    stdin: str | None = None


def _s(title: str, agent: str, *args: str, expect: int = 0, stdin: str | None = None) -> Step:
    return Step(title, agent, args, expect, stdin)


def _steps() -> list[Step]:
    ex, c = str(EXAMPLES), CONTRACT
    return [
        _s("The orchestrator publishes a typed-deliverable schema", "orchestrator", "schema", "add", f"{ex}/load-report@1.yaml"),
        _s("... and registers the agents' capabilities (agents.yaml; the first agent added is its admin)", "orchestrator",
           "agent", "add", "orchestrator", "--capability", "planning"),
        _s("...", "orchestrator", "agent", "add", "planner-bot", "--capability", "planning", "--capacity", "2"),
        _s("...", "orchestrator", "agent", "add", "load-bot", "--capability", "load-testing", "--capability", "planning",
           "--capacity", "2"),
        _s("...", "orchestrator", "agent", "add", "analyst-bot", "--capability", "analysis", "--capability", "sql",
           "--capacity", "2"),
        _s("Announce the contract: stash + execution and discussion streams, pushed", "orchestrator",
           "new", c, "--file", f"{ex}/api-load-test.yaml", "--deadline", "14d", "--label", "perf",
           "--description", "Load test before launch"),
        _s("load-bot looks for work", "load-bot", "discover", "-q", "load test"),
        _s("planner-bot bids on the plan (a claim branch = a pull request)", "planner-bot",
           "claim", c, "plan", "--bid-usdc", "8", "-m", "Plan in a day: three scenarios, 30 min ramp"),
        _s("load-bot bids too", "load-bot", "claim", c, "plan", "--bid-usdc", "7.5", "-m", "Plan and scripts together"),
        _s("The owner reviews the bids", "orchestrator", "bids", c, "plan"),
        _s("... and awards the plan to planner-bot (its merge commit; the other bid is rejected)", "orchestrator",
           "award", c, "plan", "planner-bot"),
        _s("A late claim on the awarded subtask is refused", "load-bot", "claim", c, "plan", expect=4),
        _s("analyst-bot asks a question", "analyst-bot", "ask", c, "run", "-m", "Which region is staging in?"),
        _s("The owner answers it", "orchestrator", "answer", c, "--in-reply-to", "{posted}", "-m", "eu-west-1"),
        _s("A directed offer: run goes to analyst-bot, load-bot next", "orchestrator",
           "offer", c, "run", "--to", "analyst-bot", "--fallback", "load-bot", "--expires", "2h"),
        _s("analyst-bot rejects it; the offer moves to load-bot", "analyst-bot",
           "reject", c, "run", "--reason", "scheduling-conflict", "-m", "Busy with another analysis until Friday"),
        _s("load-bot accepts", "load-bot", "accept", c, "run", "-m", "Starting tonight"),
        _s("planner-bot reports progress", "planner-bot", "progress", c, "plan", "-m", "Scenarios written"),
        _s("planner-bot stores the plan", "planner-bot", "stash", "put", "load-plan", "-",
           stdin="scenarios: [browse, search, checkout]\nramp_minutes: 30\n"),
        _s("... and delivers it", "planner-bot", "deliver", c, "plan", "--stash", "load-plan", "--summary", "3 scenarios"),
        _s("The owner completes the plan", "orchestrator", "complete", c, "plan"),
        _s("load-bot reports progress with data", "load-bot", "progress", c, "run", "-m", "5x peak reached",
           "--data", '{"rps": 5000}'),
        _s("load-bot stores a first, incomplete report", "load-bot", "stash", "put", "run-draft", "-",
           stdin="p95_ms: 840\n"),
        _s("... which the load-report schema refuses as the deliverable", "load-bot",
           "deliver", c, "run", "--stash", "run-draft", expect=3),
        _s("load-bot stores its results", "load-bot", "stash", "put", "run-results", "-",
           stdin="p95_ms: 840\nerror_rate: 0.02\npeak_rps: 9800\n"),
        _s("... and delivers them: checked against the load-report schema", "load-bot",
           "deliver", c, "run", "--stash", "run-results", "--summary", "breaks at 9.8k rps"),
        _s("The owner completes the run", "orchestrator", "complete", c, "run"),
        _s("The analysis goes to analyst-bot directly", "orchestrator", "offer", c, "analyze", "--to", "analyst-bot"),
        _s("analyst-bot accepts", "analyst-bot", "accept", c, "analyze"),
        _s("analyst-bot stores the analysis", "analyst-bot", "stash", "put", "analysis", "-",
           stdin="bottleneck: database connection pool\nevidence: pool wait p95 610 ms at 9k rps\n"),
        _s("... and delivers it", "analyst-bot", "deliver", c, "analyze", "--stash", "analysis"),
        _s("The owner completes the analysis", "orchestrator", "complete", c, "analyze"),
        _s("The full state in one call", "orchestrator", "status", c),
        _s("Git history is the execution log", "orchestrator", "log", c),
        _s("Every commit on the shared main passes the referee", "orchestrator", "check", "--range", "{root}..origin/main"),
    ]


def run_demo(directory: Path | None, say: Callable[[str], None]) -> Path:
    root = (directory or Path(tempfile.mkdtemp(prefix="gitcontracts-demo-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    say(f"gitcontracts demo in {root}: a shared bare remote, an orchestrator and three agents in their own clones\n")
    clones = _set_up(root, say)
    values = {"posted": "", "root": _git(clones["orchestrator"], "rev-list", "--max-parents=0", "HEAD").strip()}
    for number, step in enumerate(_steps(), 1):
        _run_step(clones, number, step, say, values)
    say(f"\nDone. The shared remote is {root / 'remote.git'}; each agent's clone is beside it.")
    return root


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(("git", *args), cwd=cwd, capture_output=True, text=True, check=True).stdout


def _set_up(root: Path, say: Callable[[str], None]) -> dict[str, Path]:
    remote = root / "remote.git"
    _git(root, "init", "--quiet", "--bare", "--initial-branch", "main", str(remote))
    _cli(remote, "orchestrator", "hooks", "install")
    clones = {}
    for agent in AGENTS:  # the orchestrator's `init` lands the first main; the agents clone it and need nothing more
        path = root / agent
        _git(root, "clone", "--quiet", str(remote), str(path))
        _git(path, "config", "user.name", agent)
        _git(path, "config", "user.email", f"{agent}@example.com")
        if agent == "orchestrator":
            done = _cli(path, agent, "init", "--remote", "origin")
            if done.returncode:
                raise RuntimeError(f"demo set-up: init exited {done.returncode}: {done.stderr.strip()}")
        clones[agent] = path
    say("  set up: remote.git (pre-receive hook installed), clones: " + ", ".join(AGENTS) + "\n")
    return clones


def _cli(cwd: Path, agent: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GITCONTRACTS_AGENT": agent}
    return subprocess.run((sys.executable, "-m", "gitcontracts", *args), cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True)


def _run_step(clones: dict[str, Path], number: int, step: Step, say: Callable[[str], None], values: dict[str, str]) -> None:
    args = [a.replace("{posted}", values["posted"]).replace("{root}", values["root"]) for a in step.args]
    cwd = clones[step.agent]
    say(f"{number:>2}. {step.title}")
    shown = " ".join(shlex.quote(a.replace(str(EXAMPLES), "examples")) for a in args)
    say(f"    $ gitcontracts {shown}    # as {step.agent}")
    result = _cli(cwd, step.agent, *args, stdin=step.stdin)
    for line in (result.stdout + result.stderr).rstrip().splitlines():
        say(f"      {line}")
    if result.returncode != step.expect:
        raise RuntimeError(f"demo step {number} exited {result.returncode}, expected {step.expect}")
    if step.expect:
        say(f"      (exit {result.returncode}, as expected)")
    say("")
    found = re.search(r"^(?:posted|asked) (\S+)", result.stdout, re.M)
    if found:
        values["posted"] = found.group(1)
