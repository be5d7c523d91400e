"""Issue 13's figures: N agent processes acting at once against one bare remote guarded by the hooks.

    python bench/agents.py [--agents 1,5,10,20,50] [--direct]

Each agent, in its own clone and its own process, does one piece of work the way an agent does: claim a
different subtask of one contract (`award: first`), report progress twice, put its deliverable stash and deliver
it — five actions, each through the library's one write path. By default the owner ran `init --lander lander`
(actions go through queues, landed in batches by the remote's post-receive hook); `--direct` leaves it unset
(every action races for main; a refused push is re-run with backoff). The agents start, load the library, and
then act at once: the clock runs from that moment until the last one is done. Printed per N: landed actions per
second, pushes refused (retries), actions given up, p50/p95 time from an action's start to "landed", git
processes per landed action (GIT_TRACE2_EVENT in the agents' clones, the hooks' own included). Afterwards every
landed entry is checked to be on main exactly once, and `check --range` to pass over main."""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, agent, clone, gitcontracts, run  # noqa: E402

GC = gitcontracts()

AGENT = """
import json, sys, time
from gitcontracts import api
from gitcontracts.protocol import claims, documents, engine, land, work  # an agent that has been running
from gitcontracts.referee import commits
root, name, task = sys.argv[1], sys.argv[2], sys.argv[3]
ws = api.open_workspace(root, agent=name)
print("ready", flush=True)
sys.stdin.readline()  # all at once
actions = [
    ("claim", lambda: api.claim(ws, "work", task)),
    ("progress", lambda: api.progress(ws, "work", task, "half way")),
    ("progress", lambda: api.progress(ws, "work", task, "nearly there")),
    ("stash put", lambda: api.put_stash(ws, f"result-{name}", {"summary": f"{task} done"})),
    ("deliver", lambda: api.deliver(ws, "work", task, f"result-{name}")),
]
done = {"landed": [], "gave_up": []}
for what, act in actions:
    start = time.perf_counter()
    try:
        result = act()
        assert result["commit"] and result["pushed"], result
        done["landed"].append(time.perf_counter() - start)
    except api.GitContractsError as error:
        done["gave_up"].append(f"{what}: {error}")
print(json.dumps(done))
"""
ACTIONS = 5


def world(root: Path, agents: int, queued: bool) -> tuple[Path, list[Path]]:
    """A guarded bare remote with the contract `work` (one `award: first` subtask per agent), the agents' clones;
    `queued`: config.yaml names a lander, so actions on an agent's own files go through its queue."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    remote = root / "remote.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], root)
    run([*GC, "-C", str(remote), "hooks", "install"], root, agent("orchestrator"))
    owner = clone(remote, root / "orchestrator", "orchestrator")
    env = agent("orchestrator")
    run([*GC, "init", "--remote", "origin", *(["--lander", "lander"] if queued else [])], owner, env)
    content = {"objective": "Bench", "subtasks": [{"id": f"t{n:03d}", "description": f"task {n}", "status": "open",
                                                  "award": "first"} for n in range(agents)]}
    (root / "content.json").write_text(json.dumps(content))
    run([*GC, "new", "work", "--file", str(root / "content.json")], owner, env)
    return remote, [clone(remote, root / f"agent-{n:03d}", f"agent-{n:03d}") for n in range(agents)]


def race(agents: int, queued: bool) -> dict[str, float | int]:
    root = WORK / f"agents-{agents}"
    remote, clones = world(root, agents, queued)
    traces = [root / f"trace-{n:03d}.json" for n in range(agents)]
    procs = [subprocess.Popen([sys.executable, "-c", AGENT, str(path), f"agent-{n:03d}", f"t{n:03d}"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**agent(f"agent-{n:03d}"), "PATH": _path(), "GIT_TRACE2_EVENT": str(traces[n]),
                                   "HOME": str(root)})
             for n, path in enumerate(clones)]
    for proc in procs:  # every agent started and its library loaded: the clock measures the actions
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    outcomes = [json.loads(p.stdout.read() or '{"landed": [], "gave_up": ["crashed"]}')  # type: ignore[union-attr]
                for p in procs]
    for proc in procs:
        proc.wait()
    elapsed = time.perf_counter() - start
    times = sorted(t for o in outcomes for t in o["landed"])
    starts = [json.loads(line) for trace in traces if trace.exists() for line in trace.read_text().splitlines()]
    starts = [e for e in starts if e.get("event") == "start"]
    pushes = sum(1 for e in starts if e.get("argv", [""])[1:2] == ["push"])
    status = json.loads(run([*GC, "status", "work", "--json"], clones[0], agent("agent-000")).stdout)
    assert all(t["status"] == "claimed" for t in status["subtasks"]) or any(o["gave_up"] for o in outcomes), status
    _nothing_lost_nor_doubled(clones[0], agents, outcomes)
    return {"agents": agents, "landed": len(times), "seconds": elapsed, "per_second": len(times) / elapsed,
            "retries": pushes - len(times), "gave_up": sum(len(o["gave_up"]) for o in outcomes),
            "p50": statistics.median(times) if times else 0.0,
            "p95": times[int(0.95 * (len(times) - 1))] if times else 0.0,
            "git_per_action": len(starts) / max(len(times), 1)}


def _nothing_lost_nor_doubled(clone: Path, agents: int, outcomes: list[dict]) -> None:
    """Every landed progress and deliverable entry is on main exactly once, and main passes `check --range`."""
    run(["git", "pull", "-q", "--ff-only"], clone, agent("agent-000"))
    entries = [json.loads(line) for shard in (clone / ".contracts/streams/work-execution").glob("*.jsonl")
               for line in shard.read_text().splitlines()]
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "an entry was doubled"
    for n in range(agents):
        mine = [e for e in entries if e["agent"] == f"agent-{n:03d}"]
        if not outcomes[n]["gave_up"]:
            assert len(mine) == 3, (n, mine)  # two progress entries and the deliverable
    root = run(["git", "rev-list", "--max-parents=0", "HEAD"], clone, agent("agent-000")).stdout.split()[0]
    run([*GC, "check", "--range", f"{root}..HEAD"], clone, agent("agent-000"))


def _path() -> str:
    import os

    return os.environ.get("PATH", "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", default="1,5,10,20,50")
    parser.add_argument("--direct", action="store_true", help="no lander: every action races for main (the old way)")
    args = parser.parse_args()
    print(f"N agents at once, {ACTIONS} actions each (claim, progress x2, stash put, deliver), one guarded bare remote, "
          + ("every action racing for main" if args.direct else "own-file actions queued and landed in batches"))
    print(f"  {'N':>3}  {'landed':>6}  {'actions/s':>9}  {'retries':>7}  {'gave up':>7}  {'p50 s':>6}  {'p95 s':>6}  "
          f"{'git/action':>10}")
    for count in (int(n) for n in args.agents.split(",")):
        r = race(count, not args.direct)
        print(f"  {r['agents']:>3}  {r['landed']:>6}  {r['per_second']:>9.2f}  {r['retries']:>7}  {r['gave_up']:>7}  "
              f"{r['p50']:>6.2f}  {r['p95']:>6.2f}  {r['git_per_action']:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
