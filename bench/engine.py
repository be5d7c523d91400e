"""Issue 10's figures: one action through the engine (built, judged, committed; with a remote, pushed).

    python bench/engine.py [--big N] [--repeat R]

- `stream post` and `progress`, local (no remote), in a repository of 100 contracts and of N (10,000)
  contracts with their streams: the median, and the ratio big/small (the cost must follow the change).
- `progress` with a remote: a local bare remote guarded by the pre-receive hook; the median, and the git
  processes one action starts in the agent's clone and on the remote (counted by a `git` on PATH that logs)."""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, clone, git_repo, gitcontracts, run  # noqa: E402

AGENT_ENV = {"GITCONTRACTS_AGENT": "orchestrator", "GIT_AUTHOR_NAME": "orchestrator", "GIT_AUTHOR_EMAIL": "o@example.com",
             "GIT_COMMITTER_NAME": "orchestrator", "GIT_COMMITTER_EMAIL": "o@example.com"}


def contract_text(index: int) -> str:
    name = f"contract-{index:05d}"
    tasks = "".join(f"  - id: task-{n}\n    description: step {n}\n    status: {'claimed' if n == 0 else 'open'}\n"
                    + ("    assigned_agent: load-bot\n" if n == 0 else "") + f"    linked_stream: {name}-execution\n"
                    for n in range(4))
    return (f"name: {name}\nschema: agent-contract\nowner: orchestrator\ndiscoverable: true\n"
            f"created: '2026-11-21T22:39:32Z'\ncontent:\n  objective: Improve item {index}\n"
            f"  budget_usdc: 20\n  deadline: '2099-01-01T00:00:00Z'\n  subtasks:\n{tasks}")


def meta_text(stream: str, contract: str) -> str:
    return (f"stream: {stream}\nowner: orchestrator\ncreated: '2026-11-21T22:39:32Z'\ndiscoverable: true\n"
            f"linked_stash: {contract}\ndescription: ''\n")


def make_repo(path: Path, contracts: int) -> Path:
    """A committed repository of `contracts` contracts, each with its execution and discussion streams (cached)."""
    marker = path / f".made-{contracts}"
    if marker.exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    git_repo(path, "orchestrator")
    run([*gitcontracts(), "init", "--agent", "orchestrator"], path, AGENT_ENV)
    for i in range(contracts):
        name = f"contract-{i:05d}"
        (path / f".contracts/stashes/{name}.yaml").write_text(contract_text(i))
        for kind in ("execution", "discussion"):
            folder = path / f".contracts/streams/{name}-{kind}"
            folder.mkdir()
            (folder / "meta.yaml").write_text(meta_text(f"{name}-{kind}", name))
    run(["git", "add", "-A"], path)
    run(["git", "-c", "gc.auto=0", "commit", "-qm", "contracts"], path, AGENT_ENV)  # no background gc racing the next line
    run(["git", "gc", "-q"], path)
    marker.touch()
    return path


def median_ms(args: list[str], cwd: Path, env: dict[str, str], repeat: int, cpu: bool = False) -> float:
    """Median wall-clock ms, or with `cpu` the median CPU ms (user + system of the command and every process
    it waited for): the figure to compare on a machine that is busy with other work."""
    samples = []
    for _ in range(repeat):
        start, used = time.perf_counter(), _children_cpu()
        run(args, cwd, env)
        samples.append(((_children_cpu() - used) if cpu else (time.perf_counter() - start)) * 1000)
    return statistics.median(samples)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def local_figures(small: Path, big: Path, repeat: int) -> list[tuple[str, float, float]]:
    gc, rows = gitcontracts(), []
    post = [*gc, "stream", "post", "contract-00001-execution", "--label", "note", "--data", '{"message": "hi"}']
    progress = [*gc, "progress", "contract-00001", "task-0", "-m", "a step"]
    for name, args, env in (("stream post (local)", post, AGENT_ENV),
                            ("progress (local)", progress, {**AGENT_ENV, "GITCONTRACTS_AGENT": "load-bot"})):
        rows.append((name, median_ms(args, small, env, repeat), median_ms(args, big, env, repeat)))
        rows.append(("  CPU time of the same", median_ms(args, small, env, repeat, cpu=True),
                     median_ms(args, big, env, repeat, cpu=True)))
    return rows


def git_processes(trace: Path) -> int:
    """Git processes that GIT_TRACE2_EVENT logged (every git a command starts, hooks' included: the variable is
    inherited where a PATH wrapper is not — git puts its own exec path first for the hooks it runs)."""
    return sum(1 for line in trace.read_text().splitlines() if '"event":"start"' in line)


def remote_figures(contracts: int, repeat: int) -> tuple[float, float, float]:
    """Median ms of `progress` with a guarded remote; git processes per action in the clone and on the remote."""
    with tempfile.TemporaryDirectory(prefix="gc-bench-engine-") as temp:
        root = Path(temp)
        seed = make_repo(WORK / f"engine-{contracts}", contracts)
        remote = root / "remote.git"
        run(["git", "clone", "-q", "--bare", str(seed), str(remote)], root)
        run([*gitcontracts(), "-C", str(remote), "hooks", "install"], root, AGENT_ENV)
        clone_dir = clone(remote, root / "load-bot", "load-bot")
        run([*gitcontracts(), "--agent", "orchestrator", "init", "--remote", "origin"], clone_dir)  # lands and pushes
        env = {"GITCONTRACTS_AGENT": "load-bot"}
        args = [*gitcontracts(), "progress", "contract-00001", "task-0", "-m", "a step"]
        ms = median_ms(args, clone_dir, env, repeat)
        every, client = root / "every.trace", root / "client.trace"
        run(args, clone_dir, {**env, "GIT_TRACE2_EVENT": str(every)})
        # the same action again, traced in the clone only: the hook's gits are told not to trace
        hook_env = remote / "hooks" / "pre-receive"
        hook_env.write_text(hook_env.read_text().replace("#!/bin/sh\n", "#!/bin/sh\nunset GIT_TRACE2_EVENT\n", 1))
        run(args, clone_dir, {**env, "GIT_TRACE2_EVENT": str(client)})
        in_clone = git_processes(client)
        return ms, in_clone, git_processes(every) - in_clone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    small = make_repo(WORK / "engine-100", 100)
    big = make_repo(WORK / f"engine-{args.big}", args.big)
    print(f"One action through the engine: 100 contracts vs {args.big:,} (each with 2 streams), median of {args.repeat}")
    for name, a, b in local_figures(small, big, args.repeat):
        print(f"  {name:<22} {a:7.1f} ms   {b:7.1f} ms   ratio {b / a:4.2f}   (targets: < 150 ms; ratio <= 1.3)")
    ms, client, server = remote_figures(100, max(5, args.repeat // 2))
    print(f"  progress, guarded remote (100 contracts): {ms:.1f} ms median; git processes per action: {client} on "
          f"the agent's side (its transport's upload-/receive-pack included), {server} in the remote's pre-receive hook")

if __name__ == "__main__":
    main()
