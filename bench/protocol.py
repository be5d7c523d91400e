"""Issue 4's figures: one local action, claims through a shared remote, status of a big contract.

    python bench/protocol.py"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, gitcontracts, report, run, timed  # noqa: E402

GC = gitcontracts()


def clone(remote: Path, path: Path, agent: str) -> Path:
    run(["git", "clone", "-q", str(remote), str(path)], path.parent)
    run(["git", "config", "user.name", agent], path)
    run(["git", "config", "user.email", f"{agent}@x"], path)
    run([*GC, "init"], path, {"GITCONTRACTS_AGENT": agent})
    return path


def shared(root: Path, tasks: int, award: str) -> tuple[Path, Path]:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    remote = root / "remote.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], root)
    owner = root / "orchestrator"
    run(["git", "clone", "-q", str(remote), str(owner)], root)
    run(["git", "checkout", "-q", "-B", "main"], owner)
    for key, value in (("user.name", "orchestrator"), ("user.email", "o@x")):
        run(["git", "config", key, value], owner)
    env = {"GITCONTRACTS_AGENT": "orchestrator"}
    run([*GC, "init", "--remote", "origin"], owner, env)
    run(["git", "push", "-q", "-u", "origin", "main"], owner)
    content = {"objective": "Bench", "subtasks": [{"id": f"t{n:04d}", "description": f"task {n}", "status": "open",
                                                  "award": award} for n in range(tasks)]}
    (root / "content.json").write_text(json.dumps(content))
    run([*GC, "new", "big", "--file", str(root / "content.json")], owner, env)
    return remote, owner


def progress_figure() -> list[tuple[str, str, str]]:
    root = WORK / "progress"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], root)
    env = {"GITCONTRACTS_AGENT": "orchestrator"}
    run([*GC, "init"], root, env)
    run([*GC, "new", "c", "--objective", "x", "--subtask", "s:work"], root, env)
    run([*GC, "patch", "c", "--path", "subtasks", "--match", "id=s", "--set", "status=claimed",
         "--set", "assigned_agent=worker-bot"], root, env)
    median = timed(lambda: run([*GC, "progress", "c", "s", "-m", "step"], root, {"GITCONTRACTS_AGENT": "worker-bot"}), repeat=15)
    return [("one local action (`progress`, with its commit)", f"{median * 1000:.0f} ms", "< 150 ms median")]


CLAIMER = """
import sys
from gitcontracts import api
from gitcontracts.protocol.claims import claim
ws = api.open_workspace(sys.argv[1], agent=sys.argv[2], commit=True)
for task in sys.argv[3:]:
    claim(ws, "big", task)
"""


def race_figure(agents: int = 10, each: int = 5) -> list[tuple[str, str, str]]:
    root = WORK / "race"
    remote, _ = shared(root, agents * each, "first")
    clones = [clone(remote, root / f"a{n}", f"agent-{n}") for n in range(agents)]
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(path), f"agent-{n}",
                               *[f"t{n * each + k:04d}" for k in range(each)]]) for n, path in enumerate(clones)]
    assert all(p.wait() == 0 for p in procs)
    elapsed = time.perf_counter() - start
    return [(f"{agents} agents claiming through one bare remote ({agents * each} claims, first-claim award)",
             f"{agents * each / elapsed:.1f} claims/s", ">= 5/s")]


def status_figure(tasks: int = 1000, bids: int = 100) -> list[tuple[str, str, str]]:
    root = WORK / "status"
    remote, owner = shared(root, tasks, "review")
    bidder = clone(remote, root / "bidder", "bidder")
    code = ("import sys\nfrom gitcontracts import api\nfrom gitcontracts.protocol.claims import claim\n"
            f"for n in range({bids}):\n"
            "    claim(api.open_workspace(sys.argv[1], agent=f'bidder-{n}', commit=True), 'big', f't{n:04d}', offline=True)\n")
    run([sys.executable, "-c", code, str(bidder)], bidder)
    run(["git", "push", "-q", "origin", "refs/heads/claim/*:refs/heads/claim/*"], bidder)
    env = {"GITCONTRACTS_AGENT": "orchestrator"}
    result = json.loads(run([*GC, "status", "big", "--json"], owner, env).stdout)
    assert len(result["subtasks"]) == tasks and sum(len(t["bids"]) for t in result["subtasks"]) == bids
    median = timed(lambda: run([*GC, "status", "big"], owner, env), repeat=5)
    return [(f"status of a contract with {tasks} subtasks and {bids} pending claim branches", f"{median * 1000:.0f} ms", "< 1 s")]


def main() -> None:
    rows = progress_figure() + race_figure() + status_figure()
    report(rows)


if __name__ == "__main__":
    main()
