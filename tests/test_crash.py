"""Processes killed in the middle of an action (issue 6): SIGKILL to the whole process group (the
command and the git it runs) at points spread over the action's run, in a fresh copy of one prepared
world each time. Afterwards `fsck --repair` clears the leftovers and the repository is as it was
before the action, or as after it — never between."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from conftest import make_hermetic
from helpers import git, run_cli

LEFTOVERS: set[str] = set()  # what fsck --repair found after the kills (printed with -s)
KILL_POINTS = 8  # spread over the last 70% of the action's run, where it writes and lands


def gc(*args: str, cwd: Path, agent: str = "orchestrator", now: str | None = None) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args, cwd=cwd, agent=agent, env={"GITCONTRACTS_NOW": now} if now else None)
    return subprocess.CompletedProcess(args, result.code, result.out, result.err)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """remote.git, the owner's repository `owner` (acting locally with --offline) and `bot`'s clone,
    with a contract: subtask a claimed on two local claim branches, b under an offer that expired an hour ago."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        make_hermetic(monkeypatch, tmp_path_factory.mktemp("home"))
        yield build_world(tmp_path_factory.mktemp("world"))


def build_world(root: Path) -> Path:
    owner = root / "owner"
    owner.mkdir()
    git("init", "-q", cwd=owner)
    assert gc("init", cwd=owner).returncode == 0
    git("add", "-A", cwd=owner)
    git("commit", "-q", "--allow-empty", "-m", "init", cwd=owner)
    git("clone", "-q", "--bare", str(owner), str(root / "remote.git"), cwd=root)
    git("remote", "add", "origin", "../remote.git", cwd=owner)
    assert gc("init", "--remote", "origin", cwd=owner).returncode == 0
    git("commit", "-q", "--allow-empty", "-am", "remote", cwd=owner)
    git("push", "-q", "origin", "main", cwd=owner)
    for args, now in ((("new", "job", "--offline", "--objective", "Ship it", "--subtask", "a:do a", "--subtask", "b:do b",
                        "--subtask", "c:do c"), "-2h"),
                      (("stream", "create", "notes", "--offline"), None),
                      (("offer", "job", "b", "--offline", "--to", "bot", "--fallback", "bot2", "--expires", "1m"), "-1h")):
        done = gc(*args, cwd=owner, now=now)  # the offer is made an hour ago: it has expired, without waiting
        assert done.returncode == 0, done.stderr
    for agent in ("bot", "bot2"):
        assert gc("claim", "job", "a", "--offline", cwd=owner, agent=agent).returncode == 0
    git("checkout", "-q", "main", cwd=owner)
    git("push", "-q", "origin", "main", cwd=owner)
    git("clone", "-q", "remote.git", "bot", cwd=root)
    git("remote", "set-url", "origin", "../remote.git", cwd=root / "bot")
    git("config", "user.name", "bot", cwd=root / "bot")
    return root


ACTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (where, agent, command)
    "post": ("owner", "orchestrator", ("stream", "post", "notes", "--offline", "--label", "progress", "--data", '{"n": 1}')),
    "put": ("owner", "orchestrator", ("stash", "put", "report", "--offline", "-")),
    "patch": ("owner", "orchestrator", ("patch", "job", "--offline", "--path", "subtasks", "--match", "id=c",
                                        "--set", "budget_usdc=5")),
    "claim": ("bot", "bot", ("claim", "job", "c", "-m", "mine")),
    "award": ("owner", "orchestrator", ("award", "job", "a", "bot", "--offline")),
    "settle": ("owner", "orchestrator", ("settle", "job", "--offline")),
}


def done_in(trial: Path, action: str) -> bool:
    """Whether the action happened, as the repository (HEAD, the remote) shows it."""
    owner = trial / "owner"
    contract = yaml.safe_load(git("show", "HEAD:.contracts/stashes/job.yaml", cwd=owner))
    status = {t["id"]: t for t in contract["content"]["subtasks"]}
    if action == "post":
        return len(json.loads(gc("stream", "read", "notes", "--json", cwd=owner).stdout)["entries"]) == 1
    if action == "put":
        return (owner / ".contracts/stashes/report.yaml").exists()
    if action == "patch":
        return "budget_usdc: 5" in (owner / ".contracts/stashes/job.yaml").read_text()
    if action == "claim":
        return "refs/heads/claim/job/c/bot" in git("ls-remote", "origin", cwd=owner)
    if action == "award":
        return status["a"]["status"] == "claimed"
    if action == "settle":
        return (status["b"].get("offer") or {}).get("to") != "bot"  # moved along the chain (or past its end)
    raise AssertionError(action)


def consistent(trial: Path, action: str, base: str) -> bool:
    """Before or after, never between; returns which (True: after)."""
    where = trial / ACTIONS[action][0]
    repaired = gc("fsck", "--repair", "--json", cwd=where)
    assert repaired.returncode == 0 and "Traceback" not in repaired.stderr, repaired.stdout + repaired.stderr
    again = gc("fsck", "--json", cwd=where)
    assert again.returncode == 0 and json.loads(again.stdout)["findings"] == [], again.stdout
    assert git("status", "--porcelain", "--untracked-files=all", "--", ".contracts", cwd=where) == ""
    assert git_leftovers(where) == []
    head = git("rev-parse", "HEAD", cwd=trial / "owner")
    commits = int(git("rev-list", "--count", "--first-parent", f"{base}..{head}", cwd=trial / "owner"))
    after = done_in(trial, action)
    if action != "claim":  # a claim lands on the remote's claim branch, not on the owner's main
        assert commits == int(after), (f"{action}: {commits} commits but done={after}\n" + repaired.stdout
                                       + git("log", "--oneline", "-3", cwd=trial / "owner")
                                       + git("show", "HEAD:.contracts/stashes/job.yaml", cwd=trial / "owner"))
        assert gc("check", "--range", f"{base}..HEAD", cwd=trial / "owner").returncode == 0
    branches = git("branch", "--list", "claim/*", cwd=trial / "owner").split()
    if action == "award":
        assert branches == ([] if after else ["claim/job/a/bot", "claim/job/a/bot2"]), branches
    LEFTOVERS.update(f"{action}: {f['problem'].split(':')[0]}" for f in json.loads(repaired.stdout)["findings"])
    return after


def git_leftovers(where: Path) -> list[str]:
    """Our temp files and any git lock under .git (the commit lock is an flock's file: it stays, and is never
    held by the dead; the markers of the last fetch and of a lost race are state, written whole by a touch)."""
    folder = where / ".git"
    found = [*folder.glob("gitcontracts-*"), *folder.glob("*.lock"), *(folder / "refs").rglob("*.lock")]
    state = {"gitcontracts-commit.lock", "gitcontracts-fetched", "gitcontracts-landed", "gitcontracts-alone",
             # the caches kept by object id or by file state (fsck's own validate writes the verdicts)
             "gitcontracts-docs.json", "gitcontracts-discover.json", "gitcontracts-order.json",
             "gitcontracts-verdicts.json"}
    return sorted(str(p.relative_to(folder)) for p in found if p.name not in state)


def run_and_kill(cmd: tuple[str, ...], cwd: Path, agent: str, delay: float | None, stdin: bytes) -> float:
    env = {**os.environ, "GITCONTRACTS_AGENT": agent}
    start = time.monotonic()
    proc = subprocess.Popen((sys.executable, "-m", "gitcontracts", *cmd), cwd=cwd, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    proc.stdin.write(stdin)  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    if delay is None:
        assert proc.wait(timeout=60) == 0
    else:
        time.sleep(delay)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=60)
    return time.monotonic() - start


@pytest.mark.parametrize("action", list(ACTIONS))
def test_sigkill_leaves_the_action_undone_or_done(world: Path, tmp_path: Path, action: str) -> None:
    where, agent, cmd = ACTIONS[action]
    stdin = b"title: weekly report\n"
    full = tmp_path / "full"
    shutil.copytree(world, full, symlinks=True)
    base = git("rev-parse", "HEAD", cwd=full / "owner")
    duration = run_and_kill(cmd, full / where, agent, None, stdin)
    assert consistent(full, action, base) is True
    seen = []
    for point in range(KILL_POINTS):
        trial = tmp_path / f"trial{point}"
        shutil.copytree(world, trial, symlinks=True)
        run_and_kill(cmd, trial / where, agent, duration * (0.3 + 0.7 * (point + 0.5) / KILL_POINTS), stdin)
        seen.append(consistent(trial, action, base))
    print(f"{action}: killed at {KILL_POINTS} points over {duration:.2f}s: after={seen}; "
          f"repaired: {sorted(x for x in LEFTOVERS if x.startswith(action))}")


def test_the_next_command_finishes_an_interrupted_local_action(world: Path, tmp_path: Path) -> None:
    """A journal left by a dead process: the next command finishes the action it describes."""
    trial = tmp_path / "t"
    shutil.copytree(world, trial, symlinks=True)
    owner = trial / "owner"
    shard = owner / ".contracts/streams/notes/orchestrator.jsonl"
    dead = subprocess.Popen(["true"])
    dead.wait()
    intent = {"kind": "commit", "message": "contracts: post notes\n\nAction: post\nAgent: orchestrator\n",
              "agent": "orchestrator", "paths": [".contracts/streams/notes/orchestrator.jsonl"],
              "stamps": {".contracts/streams/notes/orchestrator.jsonl": [0, -1, 0]}}
    (owner / ".git" / f"gitcontracts-pending-{dead.pid}.json").write_text(json.dumps(intent))
    shard.write_text('{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-11-21T22:40:01.123456Z","agent":"orchestrator",'
                     '"label":"progress","data":{}}\n')
    reported = gc("fsck", cwd=owner)
    assert reported.returncode == 3 and "an interrupted action: `contracts: post notes`" in reported.stdout
    status = gc("status", "job", cwd=owner)
    assert status.returncode == 0 and "finished an interrupted `contracts: post notes`" in status.stderr
    assert git("log", "-1", "--format=%s", cwd=owner) == "contracts: post notes"
    assert git("status", "--porcelain", "--", ".contracts", cwd=owner) == ""


def test_fsck_reports_and_repairs_a_stale_lock_and_temp_files(world: Path, tmp_path: Path) -> None:
    trial = tmp_path / "t"
    shutil.copytree(world, trial, symlinks=True)
    owner = trial / "owner"
    (owner / ".git/index.lock").write_bytes(b"")
    (owner / ".git/gitcontracts-index-999999999-abcd").write_bytes(b"DIRC")
    (owner / ".git/gitcontracts-index-999999999-abcd.lock").write_bytes(b"DIRC")  # git's lock beside our temp index
    (owner / ".git/next-index-999999999.lock").write_bytes(b"DIRC")  # `git commit --only`'s own temp index
    (owner / ".git/config.lock").write_bytes(b"")  # `git branch -D` killed while dropping the branch's section
    (owner / ".git/gitcontracts-verdicts.json.999999999.tmp").write_text("{")  # a cache's half-written file
    (owner / ".contracts/stashes/.gctmp-job.yaml.1234").write_text("half")
    refused = run_cli("stash", "put", "x", "-", cwd=owner, agent="orchestrator", input="a: 1\n")  # git cannot commit now
    reported = gc("fsck", cwd=owner)
    assert reported.returncode == 3
    for what in ("index.lock: a stale lock", "gitcontracts-index-999999999-abcd: temporary file",
                 "gitcontracts-index-999999999-abcd.lock: temporary file", "next-index-999999999.lock: a stale lock",
                 "config.lock: a stale lock",
                 "gitcontracts-verdicts.json.999999999.tmp: temporary file", ".gctmp-job.yaml.1234: temporary file"):
        assert what in reported.stdout, reported.stdout
    assert gc("fsck", "--repair", cwd=owner).returncode == 0
    assert gc("fsck", cwd=owner).returncode == 0
    assert git_leftovers(owner) == []
    assert refused.code == 4 and "index.lock" in refused.err


def test_a_local_landing_killed_before_head_moved_leaves_no_new_file(world: Path, tmp_path: Path) -> None:
    """A `sync` journal of a dead process whose HEAD never moved: the files it had written are put back,
    and one that HEAD does not have (a new stash, another agent's shard from a merged claim) is removed."""
    trial = tmp_path / "t"
    shutil.copytree(world, trial, symlinks=True)
    owner = trial / "owner"
    dead = subprocess.Popen(["true"])
    dead.wait()
    head = git("rev-parse", "HEAD", cwd=owner)
    paths = [".contracts/stashes/report.yaml", ".contracts/stashes/job.yaml"]
    intent = {"kind": "sync", "message": "contracts: put report\n\nAction: put\nAgent: orchestrator\n",
              "agent": "orchestrator", "paths": paths, "head": head, "new": "1" * 40}
    (owner / ".git" / f"gitcontracts-pending-{dead.pid}.json").write_text(json.dumps(intent))
    (owner / paths[0]).write_text("name: report\n")  # written, then killed before HEAD moved
    (owner / paths[1]).write_text("name: job\n")
    assert gc("fsck", "--repair", cwd=owner).returncode == 0
    assert git("rev-parse", "HEAD", cwd=owner) == head
    assert git("status", "--porcelain", "--untracked-files=all", "--", ".contracts", cwd=owner) == ""
