"""Shared by the benchmarks: a generated workspace, timing of real commands, a venv-aware `gitcontracts`."""
from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "_work"
WORDS = ("landing onboarding latency throughput research design billing search cache ranking checkout "
         "mobile payments fraud analytics pipeline migration schema index crawler").split()


def gitcontracts() -> list[str]:
    exe = Path(sys.executable).parent / "gitcontracts"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "gitcontracts"]


def run(args: Sequence[str], cwd: Path, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def timed(func: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def contract_doc(index: int, rng: random.Random) -> dict:
    words = rng.sample(WORDS, 3)
    subtasks = [{"id": f"task-{n}", "description": f"{rng.choice(WORDS)} step {n}", "status": "open",
                 "budget_usdc": 5.0, "linked_stream": f"contract-{index:05d}-execution"} for n in range(4)]
    return {"name": f"contract-{index:05d}", "schema": "agent-contract", "owner": "orchestrator",
            "description": f"{words[0]} {words[1]} work item {index}", "labels": [words[2]],
            "discoverable": index % 2 == 0, "created": "2026-11-21T22:39:32Z",
            "content": {"objective": f"Improve {words[0]} and {words[1]} for item {index}",
                        "success_criteria": ["measurable gain", "no regressions"], "subtasks": subtasks,
                        "budget_usdc": 20.0, "deadline": "2099-01-01T00:00:00Z"}}


def make_workspace(path: Path, contracts: int = 10_000, entries: int = 1_000_000, agents: int = 10) -> Path:
    """A git repository with `contracts` contracts and one stream of `entries` entries (cached between runs)."""
    marker = path / f".made-{contracts}-{entries}"
    if marker.exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], path)
    run([*gitcontracts(), "init"], path)
    from gitcontracts.formats import yamlsafe

    rng = random.Random(7)
    stashes = path / ".contracts/stashes"
    for i in range(contracts):
        (stashes / f"contract-{i:05d}.yaml").write_text(yamlsafe.dump(contract_doc(i, rng)))
    stream = path / ".contracts/streams/big-log"
    stream.mkdir(parents=True)
    (stream / "meta.yaml").write_text(yamlsafe.dump({"stream": "big-log", "owner": "orchestrator",
                                                     "created": "2026-11-21T22:39:32Z", "discoverable": True}))
    per_agent = entries // agents
    for a in range(agents):
        with open(stream / f"agent-{a}.jsonl", "w") as out:
            for n in range(per_agent):
                second, micro = divmod(n * agents + a, 1_000_000)
                out.write(json.dumps({"id": f"01JD{a:02d}{n:020d}", "ts": f"2026-11-{1 + second // 86400:02d}T00:00:{second % 60:02d}.{micro:06d}Z",
                                      "agent": f"agent-{a}", "label": "progress" if n % 10 else "deliverable",
                                      "data": {"subtask_id": "task-1", "progress": n}}, separators=(",", ":")) + "\n")
    marker.touch()
    return path


def report(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:>14}   (target: {target})")
