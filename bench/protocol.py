"""Issue 4's figures: one local action, claims through a shared remote, status of a big contract.

    python bench/protocol.py [--agents N] [--each N] [--tasks N] [--bids N]

Every action lands itself (built on the remote's main, judged, committed, pushed; a refused push is
retried with backoff), so nothing here pushes by hand except the status figure's set-up shortcut: 100
offline claim branches pushed in one go."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, agent, clone, git_repo, gitcontracts, report, run, timed  # noqa: E402

GC = gitcontracts()


def agent_clone(remote: Path, path: Path, name: str) -> Path:
    clone(remote, path, name)
    run([*GC, "init"], path, agent(name))  # the clone's local set-up (merge driver); nothing to commit
    return path


def shared(root: Path, tasks: int, award: str) -> tuple[Path, Path]:
    """A bare remote and the owner's clone, with `.contracts/` (naming the remote) and a contract of `tasks`
    subtasks landed on the remote's main by the tool itself."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    remote = root / "remote.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], root)
    owner = clone(remote, root / "orchestrator", "orchestrator")
    run(["git", "checkout", "-q", "-B", "main"], owner)
    env = agent("orchestrator")
    run([*GC, "init", "--remote", "origin"], owner, env)
    content = {"objective": "Bench", "subtasks": [{"id": f"t{n:04d}", "description": f"task {n}", "status": "open",
                                                  "award": award} for n in range(tasks)]}
    (root / "content.json").write_text(json.dumps(content))
    run([*GC, "new", "big", "--file", str(root / "content.json")], owner, env)
    return remote, owner


def progress_figure() -> list[tuple[str, str, str]]:
    root = WORK / "progress"
    shutil.rmtree(root, ignore_errors=True)
    git_repo(root, "orchestrator")
    env = agent("orchestrator")
    run([*GC, "init"], root, env)
    run([*GC, "new", "c", "--objective", "x", "--subtask", "s:work"], root, env)
    run([*GC, "patch", "c", "--path", "subtasks", "--match", "id=s", "--set", "status=claimed",
         "--set", "assigned_agent=worker-bot"], root, env)
    median = timed(lambda: run([*GC, "progress", "c", "s", "-m", "step"], root, agent("worker-bot")), repeat=15)
    return [("one local action (`progress`, with its commit)", f"{median * 1000:.0f} ms", "< 150 ms median")]


CLAIMER = """
import json, sys, time
from gitcontracts import api
from gitcontracts.protocol.claims import claim
ws = api.open_workspace(sys.argv[1], agent=sys.argv[2])
done = {"landed": 0, "gave_up": [], "slowest": 0.0}
for task in sys.argv[3:]:
    start = time.perf_counter()
    try:
        result = claim(ws, "big", task)
        assert result["commit"] and result["pushed"], result
        done["landed"] += 1
    except api.GitContractsError as error:
        done["gave_up"].append(f"{task}: {error}")
    done["slowest"] = max(done["slowest"], time.perf_counter() - start)
print(json.dumps(done))
"""


def race_figure(agents: int = 10, each: int = 5) -> list[tuple[str, str, str]]:
    """`agents` processes at once, each claiming `each` subtasks (award: first) through one bare remote."""
    root = WORK / "race"
    remote, owner = shared(root, agents * each, "first")
    clones = [agent_clone(remote, root / f"a{n}", f"agent-{n}") for n in range(agents)]
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(path), f"agent-{n}",
                               *[f"t{n * each + k:04d}" for k in range(each)]], stdout=subprocess.PIPE, text=True)
             for n, path in enumerate(clones)]
    outcomes = [json.loads(p.communicate()[0] or '{"landed": 0, "gave_up": ["crashed"], "slowest": 0}') for p in procs]
    elapsed = time.perf_counter() - start
    gave_up = [f"agent-{n}: {problem}" for n, o in enumerate(outcomes) for problem in o["gave_up"]]
    landed = sum(o["landed"] for o in outcomes)
    status = json.loads(run([*GC, "status", "big", "--json"], owner, agent("orchestrator")).stdout)
    claimed = sum(1 for t in status["subtasks"] if t.get("status") == "claimed")
    if gave_up or claimed != agents * each:
        raise SystemExit(f"{len(gave_up)} claims gave up, {claimed} of {agents * each} claimed on main:\n  "
                         + "\n  ".join(gave_up))
    return [(f"{agents} agents claiming through one bare remote ({landed} claims, first-claim award)",
             f"{landed / elapsed:.1f} claims/s", ">= 5/s"),
            ("  wall time; the slowest single claim (its retries included)",
             f"{elapsed:.1f} s; {max(o['slowest'] for o in outcomes):.1f} s", "none gives up")]


def status_figure(tasks: int = 1000, bids: int = 100) -> list[tuple[str, str, str]]:
    root = WORK / "status"
    remote, owner = shared(root, tasks, "review")
    bidder = agent_clone(remote, root / "bidder", "bidder")
    code = ("import sys\nfrom gitcontracts import api\nfrom gitcontracts.protocol.claims import claim\n"
            f"for n in range({bids}):\n"
            "    claim(api.open_workspace(sys.argv[1], agent=f'bidder-{n}', commit=True), 'big', f't{n:04d}', offline=True)\n")
    run([sys.executable, "-c", code, str(bidder)], bidder)
    run(["git", "push", "-q", "origin", "refs/heads/claim/*:refs/heads/claim/*"], bidder)
    env = agent("orchestrator")
    result = json.loads(run([*GC, "status", "big", "--json"], owner, env).stdout)
    assert len(result["subtasks"]) == tasks and sum(len(t["bids"]) for t in result["subtasks"]) == bids
    median = timed(lambda: run([*GC, "status", "big"], owner, env), repeat=5)
    return [(f"status of a contract with {tasks} subtasks and {bids} pending claim branches", f"{median * 1000:.0f} ms", "< 1 s")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=10, help="claimers racing at once")
    parser.add_argument("--each", type=int, default=5, help="claims each claimer makes")
    parser.add_argument("--tasks", type=int, default=1000, help="subtasks of the status figure's contract")
    parser.add_argument("--bids", type=int, default=100, help="pending claim branches of the status figure")
    args = parser.parse_args()
    rows = progress_figure() + race_figure(args.agents, args.each) + status_figure(args.tasks, args.bids)
    report(rows)


if __name__ == "__main__":
    main()
