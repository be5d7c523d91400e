"""Issue 3's figures: the pre-commit hook, check --range, the shard merge driver.

    python bench/referee.py [--contracts N] [--entries N] [--commits N] [--merge-entries N]

Uses the workspace of bench/foundation.py (10,000 contracts, a 1,000,000-entry stream), committed."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, agent, git_repo, gitcontracts, make_workspace, report, run, timed  # noqa: E402


def committed_workspace(contracts: int, entries: int) -> Path:
    """The foundation's workspace (make_workspace commits it) with the hooks installed, its working tree
    as committed (a run that died leaves its staged change behind)."""
    ws = make_workspace(WORK / "foundation", contracts, entries)
    run(["git", "reset", "-q", "--hard", "HEAD"], ws)
    if not (ws / ".hooks-installed").exists():
        run([*gitcontracts(), "hooks", "install"], ws, agent("orchestrator"))
        (ws / ".hooks-installed").touch()
    return ws


def utc_ts(seconds: float) -> str:
    """An entry's ts: the referee accepts entries dated within max_clock_skew (300 s) of its clock."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hook_figures(ws: Path) -> list[tuple[str, str, str]]:
    gc, env = gitcontracts(), agent("orchestrator")
    stash = ws / ".contracts/stashes/contract-00042.yaml"
    original = stash.read_text()
    stash.write_text(original.replace("status: open", "status: claimed\n    assigned_agent: research-bot", 1))
    run(["git", "add", str(stash)], ws)
    hook = ws / ".git/hooks/pre-commit"
    check = timed(lambda: run([*gc, "check", "--staged"], ws, env), repeat=11)
    whole = timed(lambda: run([str(hook)], ws, env), repeat=11)
    run(["git", "reset", "-q", "--", str(stash)], ws)
    stash.write_text(original)
    shard = ws / ".contracts/streams/big-log/agent-1.jsonl"
    size, entries = shard.stat().st_size, shard.read_bytes().count(b"\n")
    line = json.dumps({"id": "01JZZZZZZZZZZZZZZZZZZZZZZZ", "ts": utc_ts(time.time()), "agent": "agent-1",
                       "label": "progress", "data": {}}, separators=(",", ":")) + "\n"
    with open(shard, "a") as out:
        out.write(line)
    run(["git", "add", str(shard)], ws)
    append = timed(lambda: run([*gc, "check", "--staged"], ws, agent("agent-1")), repeat=5)
    run(["git", "reset", "-q", "--", str(shard)], ws)
    with open(shard, "r+b") as out:
        out.truncate(size)
    return [("pre-commit hook, one-contract change (whole hook)", f"{whole * 1000:.0f} ms", "< 150 ms median"),
            ("  of which `check --staged`", f"{check * 1000:.0f} ms", "—"),
            (f"check --staged, one entry on a {entries:,}-entry shard", f"{append * 1000:.0f} ms", "—")]


def range_figures(ws: Path, count: int = 1000) -> list[tuple[str, str, str]]:
    """`count` commits made with git fast-import: agents appending entries, each dated at its commit's time
    (the last second ago)."""
    branch = "range-bench"
    run(["git", "branch", "-f", branch, "HEAD"], ws)
    shards: dict[str, bytes] = {}
    stream = []
    start = int(time.time()) - count
    for n in range(count):
        name = f"bench-{n % 10}"
        path = f".contracts/streams/big-log/{name}.jsonl"
        entry = {"id": f"01JR{n:022d}", "ts": utc_ts(start + n), "agent": name, "label": "progress",
                 "data": {"subtask_id": "task-1", "message": f"step {n}"}}
        shards[path] = shards.get(path, b"") + json.dumps(entry, separators=(",", ":")).encode() + b"\n"
        message = f"contracts: post big-log\n\nAction: post\nAgent: {name}\n".encode()
        stream.append(b"commit refs/heads/%s\ncommitter %s <b@x> %d +0000\ndata %d\n%s"
                      % (branch.encode(), name.encode(), start + n, len(message), message))
        if n == 0:
            stream.append(b"from %s\n" % run(["git", "rev-parse", "HEAD"], ws).stdout.strip().encode())
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(shards[path]), shards[path]))
    subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=ws, input=b"".join(stream), check=True)
    base = run(["git", "rev-parse", "HEAD"], ws).stdout.strip()
    elapsed = timed(lambda: run([*gitcontracts(), "check", "--range", f"{base}..{branch}"], ws), repeat=3)
    checked = json.loads(run([*gitcontracts(), "check", "--range", f"{base}..{branch}", "--json"], ws).stdout)
    assert checked["commits"] == count and checked["valid"], checked["problems"][:3]
    return [(f"check --range over {count} commits", f"{count / elapsed:,.0f} commits/s", ">= 100 commits/s"),
            ("  wall time", f"{elapsed:.2f} s", "—")]


def merge_figures(entries: int = 100_000) -> list[tuple[str, str, str]]:
    repo = WORK / "merge"
    shutil.rmtree(repo, ignore_errors=True)
    git_repo(repo, "a-bot")
    run([*gitcontracts(), "--agent", "orchestrator", "init"], repo)
    run([*gitcontracts(), "--agent", "orchestrator", "stream", "create", "log"], repo)
    run([*gitcontracts(), "--agent", "a-bot", "stream", "post", "log", "--label", "progress"], repo)
    shard = repo / ".contracts/streams/log/a-bot.jsonl"
    for branch in ("left", "right"):
        run(["git", "checkout", "-q", "-b", branch, "main"], repo)
        with open(shard, "a") as out:
            for n in range(entries):
                out.write(json.dumps({"id": f"01J{branch[0].upper()}{n:022d}", "ts": f"2026-12-01T00:00:00.{n % 1000000:06d}Z",
                                      "agent": "a-bot", "label": "progress", "data": {"n": n}}, separators=(",", ":")) + "\n")
        run(["git", "commit", "-qam", f"{branch}"], repo)
    run(["git", "checkout", "-q", "left"], repo)
    start = time.perf_counter()
    run(["git", "merge", "-q", "--no-edit", "right"], repo)
    elapsed = time.perf_counter() - start
    lines = shard.read_bytes().count(b"\n")
    assert lines == 2 * entries + 1, lines
    return [(f"merge of two branches adding {entries:,} entries each to one shard", f"{elapsed:.2f} s", "< 2 s")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--merge-entries", type=int, default=100_000)
    args = parser.parse_args()
    ws = committed_workspace(args.contracts, args.entries)
    rows = hook_figures(ws) + range_figures(ws, args.commits) + merge_figures(args.merge_entries)
    report(rows)


if __name__ == "__main__":
    main()
