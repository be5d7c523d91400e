"""The shard merge driver: one agent's shard appended on several branches merges with no conflict."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import commit_all, git, run_cli
from gitcontracts.errors import Conflict
from gitcontracts.ops.merge_shard import merge_shards

SHARD = ".contracts/streams/log/a-bot.jsonl"


def line(n: int) -> bytes:
    return b'{"id":"01J%023d","ts":"2026-01-01T00:00:00Z","agent":"a-bot","label":"l","data":{}}\n' % n


def test_ours_unchanged_and_theirs_missing_entries_appended_once_in_order() -> None:
    base = line(1)
    ours = base + line(2) + line(4)
    theirs = base + line(3) + line(4) + line(5)
    assert merge_shards(base, ours, theirs) == ours + line(3) + line(5)


@pytest.mark.parametrize("theirs", [line(9) + line(3), line(1).replace(b'"l"', b'"x"') + line(3), b""])
def test_a_side_that_rewrote_history_fails_loudly(theirs: bytes) -> None:
    with pytest.raises(Conflict, match="rewrote history"):
        merge_shards(line(1), line(1) + line(2), theirs)


def post(repo: Path, **data) -> None:
    import json
    assert run_cli("stream", "post", "log", "--label", "l", "--data", json.dumps(data), cwd=repo, agent="a-bot").code == 0


def ids(repo: Path) -> list:
    import json
    return [json.loads(raw)["data"] for raw in (repo / SHARD).read_text().splitlines()]


@pytest.fixture
def log_repo(cli, repo: Path) -> Path:
    cli("stream", "create", "log")
    post(repo, n=0)
    return repo


def test_three_branches_merge_without_conflict(log_repo: Path) -> None:
    for branch in ("one", "two", "three"):
        git("checkout", "-qb", branch, "main", cwd=log_repo)
        post(log_repo, b=branch)
        post(log_repo, b=branch + "-2")
    git("checkout", "-q", "main", cwd=log_repo)
    post(log_repo, b="main")
    for branch in ("one", "two", "three"):
        git("merge", "-q", "--no-edit", branch, cwd=log_repo)
    data = ids(log_repo)
    assert len(data) == 8 and data[:2] == [{"n": 0}, {"b": "main"}]
    assert data[2:] == [{"b": "one"}, {"b": "one-2"}, {"b": "two"}, {"b": "two-2"}, {"b": "three"}, {"b": "three-2"}]
    assert run_cli("validate", "--all", cwd=log_repo).code == 0


def test_a_rebase_keeps_every_entry(log_repo: Path) -> None:
    git("checkout", "-qb", "feature", cwd=log_repo)
    post(log_repo, b="feature")
    git("checkout", "-q", "main", cwd=log_repo)
    post(log_repo, b="main")
    git("checkout", "-q", "feature", cwd=log_repo)
    git("rebase", "-q", "main", cwd=log_repo)
    assert ids(log_repo) == [{"n": 0}, {"b": "main"}, {"b": "feature"}]


def test_the_same_entry_cherry_picked_on_both_sides_appears_once(log_repo: Path) -> None:
    git("checkout", "-qb", "x", cwd=log_repo)
    post(log_repo, picked=1)
    picked = git("rev-parse", "HEAD", cwd=log_repo)
    git("checkout", "-qb", "y", "main", cwd=log_repo)
    git("cherry-pick", picked, cwd=log_repo)
    post(log_repo, b="y")
    git("checkout", "-q", "x", cwd=log_repo)
    git("merge", "-q", "--no-edit", "y", cwd=log_repo)
    assert ids(log_repo) == [{"n": 0}, {"picked": 1}, {"b": "y"}]


def test_a_branch_that_rewrote_the_shard_conflicts(log_repo: Path) -> None:
    git("checkout", "-qb", "bad", cwd=log_repo)
    (log_repo / SHARD).write_text("")
    commit_all(log_repo, "a hand-made rewrite of the shard")
    post(log_repo, b="bad")
    git("checkout", "-q", "main", cwd=log_repo)
    post(log_repo, b="main")
    merged = subprocess.run(["git", "merge", "--no-edit", "bad"], cwd=log_repo, capture_output=True, text=True)
    assert merged.returncode != 0 and "rewrote history" in merged.stderr + merged.stdout


def test_latest_is_right_after_a_merge_appended_older_entries(log_repo: Path) -> None:
    """main posts later than the branch, so the merge appends the branch's older entries after main's newest."""
    git("checkout", "-qb", "side", cwd=log_repo)
    post(log_repo, b="side-1")
    post(log_repo, b="side-2")
    git("checkout", "-q", "main", cwd=log_repo)
    post(log_repo, b="main-newest")
    assert subprocess.run(["git", "merge", "--no-edit", "-q", "side"], cwd=log_repo).returncode == 0
    assert ids(log_repo)[-1] == {"b": "side-2"}  # the shard now ends with an older entry
    latest = run_cli("stream", "latest", "log", "--json", cwd=log_repo)
    assert latest.code == 0 and latest.json["data"] == {"b": "main-newest"}
