"""Issue 11's figures: what the added checks cost, before and after, in the same run.

    python bench/hook.py [--contracts N] [--repeat R] [--before REV]

- the pre-commit hook's check (`check --staged`) of a one-contract change in a repository of N (10,000)
  contracts with their streams;
- the pre-receive hook's check of one pushed claim branch (before: `check --range BASE..CLAIM --ref REF`, as the
  old hook ran it per ref; after: `check --receive`, the whole push in one process, at the time it is received).

"Before" is the tool at REV (default: the commit before issue 10's work), run from a git worktree with
PYTHONPATH; "after" is this checkout. Both run in the same repositories, interleaved."""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, run  # noqa: E402
from engine import make_repo  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
BEFORE = "973c1a8"


def tool(src: Path) -> tuple[list[str], dict[str, str]]:
    env = {"PYTHONPATH": str(src)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return [sys.executable, "-m", "gitcontracts"], env


def source_at(rev: str) -> Path:
    folder = WORK / f"src-{rev}"
    if not (folder / "src").is_dir():
        run(["git", "worktree", "add", "-q", "--detach", str(folder), rev], PROJECT)
    return folder / "src"


def timed(args: list[str], cwd: Path, env: dict[str, str], stdin: str | None, repeat: int,
          agent: str = "bot") -> float:
    full = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    full.update(env, GITCONTRACTS_AGENT=agent)
    samples = []
    for _ in range(repeat + 1):  # the first run warms the byte-code cache
        start = time.perf_counter()
        done = subprocess.run(args, cwd=cwd, env=full, input=stdin, capture_output=True, text=True)
        samples.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args[3:])} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return statistics.median(samples[1:])


def staged_change(repo: Path) -> None:
    """A one-contract change by its owner, staged: a subtask assigned (open -> claimed)."""
    stash = repo / ".contracts/stashes/contract-00042.yaml"
    text = stash.read_text()
    stash.write_text(text.replace("  - id: task-1\n    description: step 1\n    status: open\n",
                                  "  - id: task-1\n    description: step 1\n    status: claimed\n"
                                  "    assigned_agent: bot\n", 1))
    run(["git", "add", str(stash)], repo)


def claim_branch(repo: Path, remote: Path) -> tuple[str, str]:
    """bot's claim branch for contract-00042/task-2 pushed to the remote (no hook there yet): (base, tip)."""
    base = run(["git", "--git-dir", str(remote), "rev-parse", "main"], repo).stdout.strip()
    run(["git", "fetch", "-q", str(remote), "main"], repo)
    run(["git", "checkout", "-q", "-B", "claim/contract-00042/task-2/bot", base], repo)
    stash = repo / ".contracts/stashes/contract-00042.yaml"
    stash.write_text(stash.read_text().replace(
        "  - id: task-2\n    description: step 2\n    status: open\n",
        "  - id: task-2\n    description: step 2\n    status: claimed\n    assigned_agent: bot\n", 1))
    run(["git", "add", str(stash)], repo)
    run(["git", "-c", "user.name=bot", "-c", "user.email=bot@example.com", "commit", "-qm",
         "contracts: claim contract-00042/task-2\n\nAgent: bot"], repo)
    run(["git", "push", "-q", "--force", str(remote), "HEAD:refs/heads/claim/contract-00042/task-2/bot"], repo)
    tip = run(["git", "rev-parse", "HEAD"], repo).stdout.strip()
    run(["git", "checkout", "-q", "main"], repo)
    return base, tip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--before", default=BEFORE)
    args = parser.parse_args()
    repo = make_repo(WORK / f"engine-{args.contracts}", args.contracts)
    run(["git", "reset", "-q", "--hard"], repo)
    run(["git", "checkout", "-q", "main"], repo)
    remote = WORK / f"hook-remote-{args.contracts}.git"
    if not remote.exists():
        run(["git", "clone", "-q", "--bare", str(repo), str(remote)], WORK)
    before, after = tool(source_at(args.before)), tool(PROJECT / "src")
    print(f"The hooks' checks, {args.contracts:,} contracts, median of {args.repeat} (before = {args.before})")
    staged_change(repo)
    try:
        rows = [(name, timed([*cmd, "check", "--staged"], repo, env, None, args.repeat, agent="orchestrator"))
                for name, (cmd, env) in (("before", before), ("after", after))]
    finally:
        run(["git", "reset", "-q", "--hard"], repo)
    print("  pre-commit hook (check --staged, one contract):  " +
          "   ".join(f"{name} {ms:6.1f} ms" for name, ms in rows) + "   (target: < 150 ms)")
    base, tip = claim_branch(repo, remote)
    ref = "refs/heads/claim/contract-00042/task-2/bot"
    # as git runs a hook: GIT_DIR names the bare repository (the old tool relied on it)
    old = timed([*before[0], "check", "--range", f"{base}..{tip}", "--ref", ref], remote,
                {**before[1], "GIT_DIR": str(remote)}, None, args.repeat)
    new = timed([*after[0], "check", "--receive", "--main", "main"], remote, after[1], f"{'0' * 40} {tip} {ref}\n",
                args.repeat)
    print(f"  pre-receive, one pushed claim:                   before {old:6.1f} ms   after {new:6.1f} ms"
          "   (target: < 100 ms)")


if __name__ == "__main__":
    main()
