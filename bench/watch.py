"""Issue 5's figures: local event latency, idle CPU, a `--once` pass with nothing to do.

    python bench/watch.py [--contracts N] [--refs N] [--samples N] [--idle SECONDS]"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, agent, commit_all, contract_doc, git_repo, gitcontracts, report, run  # noqa: E402

GC = gitcontracts()
ENV = agent("orchestrator")


def repo_with(contracts: int, refs: int) -> Path:
    root = WORK / f"watch-{contracts}-{refs}"
    if (root / ".made").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    git_repo(root, "orchestrator")
    run([*GC, "init"], root, ENV)
    from gitcontracts.formats import yamlsafe

    rng = random.Random(3)
    for i in range(contracts):
        (root / f".contracts/stashes/contract-{i:05d}.yaml").write_text(yamlsafe.dump(contract_doc(i, rng)))
    run([*GC, "new", "live", "--objective", "latency", "--subtask", "a:b"], root, ENV)
    commit_all(root, "contracts")  # a set-up shortcut: the generated contracts in one commit
    head = run(["git", "rev-parse", "HEAD"], root).stdout.strip()
    lines = "".join(f"create refs/heads/claim/contract-{n:05d}/task-1/agent-{n % 7} {head}\n" for n in range(refs))
    subprocess.run(["git", "update-ref", "--stdin"], cwd=root, input=lines.encode(), check=True)
    (root / ".made").touch()
    return root


def latency(root: Path, samples: int = 20) -> list[tuple[str, str, str]]:
    from gitcontracts import api

    proc = subprocess.Popen([*GC, "watch", "--json", "--interval", "60"], cwd=root, env={**os.environ, **ENV},
                            stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(3.0)
        ws = api.open_workspace(root, agent="poster-bot")
        delays = []
        for n in range(samples):
            assert api.post_entry(ws, "live-execution", "progress", {"n": n})["commit"]
            start = time.perf_counter()
            while True:
                line = proc.stdout.readline()
                if not line:
                    raise SystemExit("the watcher stopped")
                if '"entry-posted"' in line and json.loads(line).get("agent") == "poster-bot":
                    break
            delays.append(time.perf_counter() - start)
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    p95 = statistics.quantiles(delays, n=20)[18]
    return [(f"local event latency, commit to printed event (p95 of {samples})", f"{p95 * 1000:.0f} ms", "< 1 s"),
            ("  median", f"{statistics.median(delays) * 1000:.0f} ms", "—")]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def idle_cpu(root: Path, contracts: int, refs: int, seconds: float = 40) -> list[tuple[str, str, str]]:
    proc = subprocess.Popen([*GC, "watch", "--interval", "10"], cwd=root, env={**os.environ, **ENV},
                            stdout=subprocess.DEVNULL)
    try:
        time.sleep(5)  # the first pass reads everything once
        before = cpu_seconds(proc.pid)
        time.sleep(seconds)
        used = cpu_seconds(proc.pid) - before
    finally:
        proc.terminate()
        proc.wait()
    return [(f"CPU while idle, {refs:,} refs and {contracts:,} contracts ({seconds:.0f} s, interval 10 s)",
             f"{used / seconds * 100:.2f}% of a core", "< 1%")]


def once(root: Path, contracts: int) -> list[tuple[str, str, str]]:
    run([*GC, "watch", "--once"], root, ENV)
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        run([*GC, "watch", "--once"], root, ENV)
        samples.append(time.perf_counter() - start)
    return [(f"`watch --once` over {contracts:,} contracts with nothing to do", f"{statistics.median(samples):.2f} s", "< 2 s")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--refs", type=int, default=1000, help="claim branches")
    parser.add_argument("--samples", type=int, default=20, help="entries whose event latency is measured")
    parser.add_argument("--idle", type=float, default=40, help="seconds the idle watcher's CPU is measured")
    args = parser.parse_args()
    root = repo_with(args.contracts, args.refs)
    report(once(root, args.contracts) + latency(root, args.samples) + idle_cpu(root, args.contracts, args.refs, args.idle))


if __name__ == "__main__":
    main()
