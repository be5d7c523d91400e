"""`gitcontracts demo`: a contract's life end to end, in a fresh repository, through the real command line.

Each step runs `gitcontracts` as its own process, as an agent would, and the account shows the
command, who ran it and what it printed."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from gitcontracts import gitlayer

EXAMPLES = Path(__file__).resolve().parent / "examples"


@dataclass(frozen=True)
class Step:
    title: str
    agent: str
    args: tuple[str, ...]
    expect: int = 0
    stdin: str | None = None


def _steps() -> list[Step]:
    ex = str(EXAMPLES)
    return [
        Step("The orchestrator turns the repository into a workspace", "orchestrator", ("init",)),
        Step("Schemas: the public agent-contract is built in", "orchestrator", ("schema", "list")),
        Step("A team schema for research contracts", "orchestrator", ("schema", "add", f"{ex}/research-contract@1.yaml")),
        Step("Announce the public example contract (deadline moved 30 days out): stash + two streams",
             "orchestrator", ("new", "website-redesign", "--file", f"{ex}/website-redesign.yaml", "--deadline", "30d",
                              "--description", "Landing page redesign for agent onboarding",
                              "--label", "web", "--label", "onboarding")),
        Step("Anyone can read it", "research-bot", ("stash", "get", "website-redesign")),
        Step("An invalid write is refused whole, every problem named", "orchestrator",
             ("stash", "put", "broken", "--schema", "agent-contract", "-"), 3,
             "objective: x\nsubtasks:\n  - {id: a, description: b, status: done}\ndeadline: not-a-date\n"),
        Step("The owner records research-bot on the research subtask (patch keeps formatting)", "orchestrator",
             ("patch", "website-redesign", "--path", "subtasks", "--match", "id=research",
              "--set", "status=claimed", "--set", "assigned_agent=research-bot")),
        Step("research-bot logs progress to the execution stream (its own shard)", "research-bot",
             ("stream", "post", "website-redesign-execution", "--label", "progress",
              "--data", '{"subtask_id": "research", "message": "3 of 5 pages analysed"}')),
        Step("design-bot asks a question in the discussion stream", "design-bot",
             ("stream", "post", "website-redesign-discussion", "--label", "question",
              "--data", '{"subtask_id": "design", "message": "Is dark mode in scope?"}')),
        Step("The orchestrator answers it, in reply to the question's id", "orchestrator",
             ("stream", "post", "website-redesign-discussion", "--label", "answer",
              "--data", '{"in_reply_to": "{posted}", "message": "No, light theme only."}')),
        Step("research-bot stores its findings as a typed stash", "research-bot",
             ("stash", "put", "competitor-study", "--schema", "research-contract", "--discoverable",
              "--description", "Competitor onboarding survey", "--file", f"{ex}/competitor-study.yaml")),
        Step("research-bot delivers", "research-bot",
             ("stream", "post", "website-redesign-execution", "--label", "deliverable",
              "--data", '{"subtask_id": "research", "deliverable": "competitor-study", "summary": "done"}')),
        Step("The whole discussion, shards merged in time order", "orchestrator",
             ("stream", "read", "website-redesign-discussion")),
        Step("The newest progress entry, read from the shards' ends", "orchestrator",
             ("stream", "latest", "website-redesign-execution", "--label", "progress")),
        Step("Another agent looks for work", "analyst-bot", ("discover", "-q", "landing")),
        Step("Everything under .contracts/ validates", "orchestrator", ("validate", "--all")),
    ]


def run_demo(directory: Path | None, say: Callable[[str], None]) -> Path:
    root = directory or Path(tempfile.mkdtemp(prefix="gitcontracts-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        gitlayer.init_repo(root)
    say(f"gitcontracts demo in {root}\n")
    posted = ""
    for number, step in enumerate(_steps(), 1):
        posted = _run_step(root, number, step, say, posted)
    say(f"\nDone. The workspace is in {root}: `cd {shlex.quote(str(root))} && gitcontracts discover`.")
    return root


def _run_step(root: Path, number: int, step: Step, say: Callable[[str], None], posted: str) -> str:
    """Run one step; returns the id of the entry it posted (later steps refer to it as {posted})."""
    args = [a.replace("{posted}", posted) for a in step.args]
    say(f"{number:>2}. {step.title}")
    say(f"    $ gitcontracts {' '.join(shlex.quote(a) for a in _shown(args))}    # as {step.agent}")
    env = {**os.environ, "GITCONTRACTS_AGENT": step.agent}
    result = subprocess.run((sys.executable, "-m", "gitcontracts", *args), cwd=root, env=env,
                            input=step.stdin, capture_output=True, text=True)
    for line in (result.stdout + result.stderr).rstrip().splitlines():
        say(f"      {line}")
    if result.returncode != step.expect:
        raise RuntimeError(f"demo step {number} exited {result.returncode}, expected {step.expect}")
    if step.expect:
        say(f"      (exit {result.returncode}, as expected)")
    say("")
    found = re.search(r"^posted (\S+)", result.stdout, re.M)
    return found.group(1) if found else posted


def _shown(args: Sequence[str]) -> list[str]:
    return [a.replace(str(EXAMPLES), "examples") for a in args]

