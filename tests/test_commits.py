"""SPEC 7: every action is one commit of exactly its own paths, with trailers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from helpers import git


def last_commit(repo: Path) -> dict:
    subject = git("log", "-1", "--format=%s", cwd=repo)
    trailers = git("log", "-1", "--format=%(trailers:only,unfold)", cwd=repo)
    files = git("show", "--name-only", "--format=", "HEAD", cwd=repo).split()
    return {"subject": subject, "trailers": dict(line.split(": ", 1) for line in trailers.splitlines() if line),
            "files": files, "author": git("log", "-1", "--format=%an", cwd=repo)}


def count(repo: Path) -> int:
    return int(git("rev-list", "--count", "HEAD", cwd=repo))


def test_each_action_is_one_commit_with_trailers(cli, repo: Path) -> None:
    start = count(repo)
    cli("new", "site", "--objective", "x", "--subtask", "research:r")
    assert last_commit(repo) == {"subject": "contracts: announce site",
                                 "trailers": {"Contract": "site", "Action": "announce", "Agent": "orchestrator"},
                                 "files": [".contracts/stashes/site.yaml", ".contracts/streams/site-discussion/meta.yaml",
                                           ".contracts/streams/site-execution/meta.yaml"], "author": "orchestrator"}
    cli("stream", "post", "site-execution", "--label", "progress", "--data", '{"subtask_id": "research"}', agent="research-bot")
    assert last_commit(repo)["trailers"] == {"Contract": "site", "Subtask": "research", "Action": "post", "Agent": "research-bot"}
    assert last_commit(repo)["author"] == "research-bot"
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed",
        "--set", "assigned_agent=research-bot")
    assert last_commit(repo)["trailers"]["Action"] == "patch" and last_commit(repo)["trailers"]["Subtask"] == "research"
    cli("stash", "put", "notes", "-", input="a: 1\n")
    cli("stream", "create", "chat")
    assert count(repo) == start + 5


def test_a_commit_never_takes_the_users_other_changes(cli, repo: Path) -> None:
    (repo / "staged.txt").write_text("mine")
    git("add", "staged.txt", cwd=repo)
    (repo / "README").write_text("unstaged")
    cli("new", "site", "--objective", "x")
    assert "staged.txt" not in last_commit(repo)["files"]
    status = git("status", "--porcelain", cwd=repo)
    assert "A  staged.txt" in status and "?? README" in status and ".contracts" not in status


def test_no_commit_leaves_the_change_in_the_working_tree(cli, repo: Path) -> None:
    start = count(repo)
    assert cli("new", "site", "--objective", "x", "--no-commit").code == 0
    assert count(repo) == start and "?? .contracts/stashes/site.yaml" in git("status", "--porcelain", "-uall", cwd=repo)


def test_a_locked_index_is_waited_for_then_refused_clearly(cli, repo: Path) -> None:
    cli("stream", "create", "chat")
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    result = cli("stream", "post", "chat", "--label", "x")
    assert result.code == 4 and "index is locked" in result.err
    threading.Timer(0.3, lock.unlink).start()
    started = time.monotonic()
    assert cli("stream", "post", "chat", "--label", "x").code == 0
    assert time.monotonic() - started > 0.3


def test_twenty_processes_posting_and_committing_at_once(cli, repo: Path) -> None:
    """Each post is its own commit with its trailers; none fails for another's HEAD move or index lock."""
    assert cli("stream", "create", "log").code == 0
    env = {**os.environ, "GITCONTRACTS_AGENT": "orchestrator"}
    procs = [subprocess.Popen([sys.executable, "-m", "gitcontracts", "stream", "post", "log", "--label", "progress",
                               "--data", json.dumps({"n": n})], cwd=repo, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for n in range(20)]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 20, [p.stderr.read() for p in procs if p.stderr]
    entries = cli("stream", "read", "log", "--json").json["entries"]
    assert sorted(e["data"]["n"] for e in entries) == list(range(20))
    assert git("log", "--format=%s", cwd=repo).splitlines().count("contracts: post log") == 20
    assert git("status", "--porcelain", "--", ".contracts", cwd=repo) == ""
