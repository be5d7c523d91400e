"""What a fan-out layout would save: git's own cost of a claim and an award, flat folders against folders
split in 256 buckets, on the same 10,000 contracts.

    python bench/fanout.py [--contracts N] [--repeat R]

Today `.contracts/stashes/` holds 10,000 files and `.contracts/streams/` 20,000 folders, so each of their tree
objects is 0.5-1 MB, and every commit that touches one contract writes, sends, receives, deltas and walks a new
copy of both. A fan-out layout (`stashes/<2 hex>/<name>.yaml`, `streams/<2 hex>/<name>/`, the two hex digits
from the name's SHA-1) would keep each tree about 256 entries. This script measures git alone (no gitcontracts,
no hooks) on the repository of bench/big.py, rewritten both ways from the same files: each step of a claim
(commit, push a claim branch) and of its award (the owner fetches the claim branch, commits on it, pushes
main), the median of R rounds, each round a different contract. It is a probe for the layout decision, not a
test of the tool (docs/performance.md). Last, the time git takes to name one commit's changed files (`git log
--raw`, what `check --range` and the pre-receive hook ask of it), over the commits of the rounds."""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, clone, run  # noqa: E402
from big import make_big, settled  # noqa: E402

STEPS = ("claim commit", "claim push", "owner fetch", "award commit", "award push")


def bucket(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:2]


def fanned(path: str) -> str:
    """`.contracts/streams/NAME/FILE` -> `.contracts/streams/HH/NAME/FILE`; a stash likewise; others as they are."""
    parts = path.split("/")
    if len(parts) == 4 and parts[:2] == [".contracts", "streams"]:
        return "/".join([*parts[:2], bucket(parts[2]), *parts[2:]])
    if len(parts) == 3 and parts[:2] == [".contracts", "stashes"] and parts[2].endswith(".yaml"):
        return "/".join([*parts[:2], bucket(parts[2][:-5]), parts[2]])
    return path


def path_of(layout: str, path: str) -> str:
    return fanned(path) if layout == "fanout" else path


def remote_for(layout: str, source: Path, home: Path) -> Path:
    """A bare remote whose main is one commit holding `source`'s main, in `layout`, packed as gc leaves it."""
    remote = home / f"{layout}.git"
    if remote.exists():
        return remote
    run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], home)
    run(["git", "fetch", "-q", str(source), "main:refs/source"], remote)
    listing = run(["git", "ls-tree", "-r", "--full-tree", "refs/source"], remote).stdout
    lines = []
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        lines.append(f"{meta}\t{path_of(layout, path)}")
    index = home / f"{layout}.index"
    env = {"GIT_INDEX_FILE": str(index)}
    subprocess.run(["git", "update-index", "--index-info"], cwd=remote, env={**os.environ, **env},
                   input="\n".join(lines) + "\n", text=True, check=True)
    tree = run(["git", "write-tree"], remote, env).stdout.strip()
    stamp = {"GIT_AUTHOR_NAME": "orchestrator", "GIT_AUTHOR_EMAIL": "o@example.com", "GIT_COMMITTER_NAME": "orchestrator",
             "GIT_COMMITTER_EMAIL": "o@example.com", "GIT_AUTHOR_DATE": "1780272000 +0000",
             "GIT_COMMITTER_DATE": "1780272000 +0000"}
    commit = run(["git", "commit-tree", tree, "-m", f"{layout} layout"], remote, stamp).stdout.strip()
    run(["git", "update-ref", "refs/heads/main", commit], remote)
    run(["git", "update-ref", "-d", "refs/source"], remote)
    run(["git", "gc", "-q", "--prune=now"], remote)
    index.unlink()
    return remote


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    run(args, cwd)
    return (time.perf_counter() - start) * 1000


def one_round(layout: str, remote: Path, claimer: Path, owner: Path, n: int) -> dict[str, float]:
    contract = f"contract-{n:05d}"
    discussion = path_of(layout, f".contracts/streams/{contract}-discussion/probe-bot.jsonl")
    stash = path_of(layout, f".contracts/stashes/{contract}.yaml")
    branch = f"claim/{contract}/task-1/probe-bot"
    figures: dict[str, float] = {}
    run(["git", "fetch", "-q", "origin", "main"], claimer)
    run(["git", "checkout", "-q", "-B", branch, "origin/main"], claimer)
    (claimer / discussion).parent.mkdir(parents=True, exist_ok=True)
    (claimer / discussion).write_text(f'{{"id":"{n:026d}","label":"claim"}}\n')
    figures["claim commit"] = _commit(claimer, [discussion], "claim")
    figures["claim push"] = timed(["git", "push", "-q", "origin", f"HEAD:refs/heads/{branch}"], claimer)
    figures["owner fetch"] = timed(["git", "fetch", "-q", "origin", "main",
                                    f"+refs/heads/{branch}:refs/remotes/origin/{branch}"], owner)
    run(["git", "merge", "-q", "--ff-only", f"origin/{branch}"], owner)
    with (owner / stash).open("a") as handle:
        handle.write(f"# awarded {n}\n")
    figures["award commit"] = _commit(owner, [stash], "award")
    figures["award push"] = timed(["git", "push", "-q", "origin", "HEAD:refs/heads/main", f":refs/heads/{branch}"],
                                  owner)
    return figures


def _commit(repo: Path, paths: list[str], message: str) -> float:
    start = time.perf_counter()
    run(["git", "add", "--", *paths], repo)
    run(["git", "commit", "-q", "--no-verify", "-m", message], repo)
    return (time.perf_counter() - start) * 1000


def measure(layout: str, source: Path, home: Path, repeat: int) -> dict[str, float]:
    work = home / f"{layout}-clones"
    run(["rm", "-rf", str(work)], home)
    work.mkdir()
    remote = work / "remote.git"  # a copy (linked files: git never writes into one) that the rounds may change
    run(["cp", "-al", str(remote_for(layout, source, home)), str(remote)], work)
    claimer = settled(clone(remote, work / "claimer", "probe-bot"))
    owner = settled(clone(remote, work / "owner", "orchestrator"))
    start = run(["git", "rev-parse", "HEAD"], owner).stdout.strip()
    rounds = [one_round(layout, remote, claimer, owner, 11 + 2 * n) for n in range(repeat + 1)][1:]  # first: warm-up
    figures = {step: statistics.median(r[step] for r in rounds) for step in STEPS}
    # what `check --range` and the pre-receive hook ask of git for each commit: its changed files
    log = ["git", "log", "--first-parent", "--raw", "-z", "--no-renames", "--no-abbrev", f"{start}..HEAD"]
    commits = int(run(["git", "rev-list", "--count", "--first-parent", f"{start}..HEAD"], owner).stdout)
    figures["diff per commit"] = statistics.median(timed(log, owner) for _ in range(repeat)) / commits
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = make_big(args.contracts) / "repo"
    home = WORK / f"fanout-{args.contracts}"
    home.mkdir(parents=True, exist_ok=True)
    figures = {layout: measure(layout, source, home, args.repeat) for layout in ("flat", "fanout")}
    print(f"git alone, {args.contracts:,} contracts, median of {args.repeat} rounds (ms)")
    print(f"{'step':<16} {'flat':>8} {'fan-out':>8}")
    for step in (*STEPS, "claim + award", "diff per commit"):
        flat, fan = (sum(figures[layout][s] for s in STEPS) if step == "claim + award" else figures[layout][step]
                     for layout in ("flat", "fanout"))
        print(f"{step:<16} {flat:8.1f} {fan:8.1f}")


if __name__ == "__main__":
    main()
