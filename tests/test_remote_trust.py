"""The shared remote trusts nothing a client says (issue 11): claim branches, ref shapes and time are judged by
the pre-receive hook at the moment the push is received."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import git


def push(clone: Path, *refspecs: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os
    return subprocess.run(["git", "push", "origin", *refspecs], cwd=clone, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def claimed(shared):
    """site/a (award: review) with alice's pending claim branch on the remote; mallory has a clone."""
    assert shared("orchestrator", "new", "site", "--objective", "x", "--subtask", "a:first").code == 0
    assert shared("alice", "claim", "site", "a", "-m", "mine").code == 0
    mallory = shared.clone("mallory")
    git("fetch", "-q", "origin", "+refs/heads/claim/*:refs/remotes/origin/claim/*", cwd=mallory)
    return shared


def test_nobody_deletes_another_agents_pending_claim(claimed) -> None:
    result = push(claimed.clone("mallory"), ":refs/heads/claim/site/a/alice")
    assert result.returncode != 0 and "deleted only by the award" in result.stderr
    assert git("rev-parse", "--verify", "-q", "refs/heads/claim/site/a/alice", cwd=claimed.remote)


def test_nobody_resets_another_agents_claim_to_nothing(claimed) -> None:
    result = push(claimed.clone("mallory"), "+origin/main:refs/heads/claim/site/a/alice")
    assert result.returncode != 0 and "carries nothing" in result.stderr


def test_nobody_replaces_another_agents_claim_with_their_own_commit(claimed) -> None:
    mallory = claimed.clone("mallory")
    assert claimed("mallory", "claim", "site", "a").code == 0
    result = push(mallory, "+refs/remotes/origin/claim/site/a/mallory:refs/heads/claim/site/a/alice")
    assert result.returncode != 0 and "may carry only alice" in result.stderr


def test_the_award_deletes_the_losers_claims(claimed) -> None:
    assert claimed("bob", "claim", "site", "a").code == 0
    assert claimed("orchestrator", "award", "site", "a", "alice").code == 0
    assert git("for-each-ref", "refs/heads/claim", cwd=claimed.remote) == ""


@pytest.mark.parametrize("ref", ["refs/heads/claim/site/a/alice/x", "refs/heads/x/refs/heads/claim/site/a/alice",
                                 "refs/tags/claim/site/a/alice", "refs/heads/claim/site/A/alice",
                                 "refs/heads/claim/site/a"])
def test_refs_shaped_like_claims_but_not_are_refused(claimed, ref: str) -> None:
    result = push(claimed.clone("mallory"), f"origin/main:{ref}")
    assert result.returncode != 0 and "not a claim branch" in result.stderr


def test_time_is_the_remotes_not_the_commits(shared) -> None:
    """A claim on a subtask whose deadline passed is refused at receive time, whatever date the commit claims."""
    assert shared("orchestrator", "new", "site", "--objective", "x", "--subtask", "a:first",
                  "--deadline", "2h").code == 0
    assert shared("orchestrator", "patch", "site", "--path", "subtasks", "--match", "id=a", "--set", "award=first").code == 0
    bot = shared.clone("bot")
    later = {"GITCONTRACTS_NOW": "+3h"}  # the tool acts early on its own clock: make the commit by hand instead
    made = shared("bot", "claim", "site", "a", "--no-commit", "--offline")
    assert made.code == 0, made.err
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "contracts: claim site/a\n\nAgent: bot", cwd=bot)  # author date: now, before the deadline
    refused = push(bot, "HEAD:refs/heads/main", env=later)  # received after the deadline
    assert refused.returncode != 0 and "deadline" in refused.stderr
    assert push(bot, "HEAD:refs/heads/main").returncode == 0  # received before it: lands


def test_a_registry_without_admins_gives_nobody_its_keys(repo: Path, cli) -> None:
    """An agents.yaml that slipped in without admins (a remote without the hook) lets no agent rewrite it."""
    from helpers import commit_all, write_tree

    write_tree(repo, {".contracts/agents.yaml": "agents:\n  alice: {capabilities: [sql]}\n"})
    commit_all(repo, "registry without admins")
    write_tree(repo, {".contracts/agents.yaml": "admins: [mallory]\nagents:\n  mallory: {capabilities: [sql]}\n"})
    git("add", "-A", cwd=repo)
    result = cli("check", "--staged", agent="mallory")
    assert result.code == 6 and "names no admins" in result.out
