"""Reads show the shared main (SPEC 13, issue 10 section 3): agents in their own clones of a bare remote read
what others pushed without any `git pull`; a fresh fetch is trusted for fetch_ttl seconds; --offline, an
unreachable remote and a local main that differs from the remote's answer from the clone, and say so."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from helpers import Result, commit_all, git, run_cli, write_tree

LATER = {"GITCONTRACTS_NOW": "+2h"}  # the tool's clock two hours on: any earlier fetch is past its fetch_ttl


@dataclass(frozen=True)
class Agent:
    name: str
    root: Path

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return run_cli(*args, cwd=self.root, agent=self.name, env=env)

    def ok(self, *args: str, env: dict[str, str] | None = None) -> Result:
        result = self(*args, env=env)
        assert result.code == 0, result.err
        return result

    def json(self, *args: str, env: dict[str, str] | None = None) -> dict:
        return self.ok(*args, "--json", env=env).json


def shared_repo(cli, repo: Path, ttl: float) -> None:
    assert cli("init", "--remote", "origin").code == 0
    config = repo / ".contracts/config.yaml"
    config.write_text(config.read_text() + f"fetch_ttl: {ttl:g}\n")
    commit_all(repo, "fetch_ttl")
    git("push", "-q", "origin", "main", cwd=repo)


@pytest.fixture
def agents(cli, repo: Path, remote: Path, clone) -> Callable[..., dict[str, Agent]]:
    """agents(ttl, "a-bot", "b-bot") are those agents, each in its own clone made now."""
    def make(ttl: float, *names: str) -> dict[str, Agent]:
        shared_repo(cli, repo, ttl)
        return {name: Agent(name, clone(name)) for name in names}
    return make


def announce(owner: Agent) -> None:
    owner.ok("new", "job", "--objective", "Load test the API", "--subtask", "plan:plan it", "--subtask", "run:run it")


def head(agent: Agent) -> str:
    return git("rev-parse", "HEAD", cwd=agent.root)


def test_a_clone_reads_what_others_pushed_without_pulling(agents) -> None:
    crew = agents(0, "a-bot", "b-bot", "c-bot")
    owner, reader, bidder = crew["a-bot"], crew["b-bot"], crew["c-bot"]
    before = head(reader)
    announce(owner)                                   # lands on the remote's main by itself
    owner.ok("ask", "job", "plan", "-m", "which endpoints?")
    bidder.ok("claim", "job", "plan", "-m", "I plan")  # a claim branch on the remote

    found = reader.json("discover")["results"]
    assert ("job", "stash") in {(r["name"], r["kind"]) for r in found}
    assert {"job-execution", "job-discussion"} <= {r["name"] for r in found}
    assert head(reader) != before and head(reader) == git("rev-parse", "origin/main", cwd=reader.root)

    assert [c["contract"] for c in reader.json("status")["contracts"]] == ["job"]
    state = reader.json("status", "job")
    assert state["owner"] == "a-bot" and "stale" not in state
    assert [b["agent"] for t in state["subtasks"] for b in t["bids"]] == ["c-bot"]
    assert reader.json("stash", "get", "job")["content"]["objective"] == "Load test the API"
    assert reader.ok("stash", "get", "job").out.startswith("name: job")
    talk = reader.json("stream", "read", "job-discussion")["entries"]
    assert [(e["agent"], e["label"]) for e in talk] == [("a-bot", "question")]
    assert reader.json("stream", "latest", "job-discussion")["label"] == "question"
    assert reader.json("stream", "latest", "job-discussion", "--label", "question")["agent"] == "a-bot"
    assert [(b["agent"], b["branch"]) for b in reader.json("bids", "job")["bids"]] == [("c-bot", "claim/job/plan/c-bot")]
    timeline = reader.json("log", "job")["timeline"]
    assert {"announce", "question"} <= {item.get("action") or item.get("label") for item in timeline}
    assert "git pull" not in reader.ok("status", "job").err and reader.ok("status", "job").err == ""


def test_a_clone_made_after_the_announcement_discovers_it(agents, clone) -> None:
    owner = agents(5, "a-bot")["a-bot"]
    announce(owner)
    late = Agent("late-bot", clone("late-bot"))
    assert "job" in {r["name"] for r in late.json("discover")["results"]}
    assert "job" in late.ok("discover").out


def test_bids_forget_a_claim_branch_the_award_deleted(agents) -> None:
    crew = agents(0, "a-bot", "b-bot", "c-bot", "d-bot")
    owner, reader = crew["a-bot"], crew["b-bot"]
    announce(owner)
    crew["c-bot"].ok("claim", "job", "plan")
    crew["d-bot"].ok("claim", "job", "plan")
    assert {b["agent"] for b in reader.json("bids", "job")["bids"]} == {"c-bot", "d-bot"}
    owner.ok("award", "job", "plan", "c-bot")
    assert reader.json("bids", "job")["bids"] == []  # the glob fetch prunes the deleted branches
    assert "claim/" not in git("for-each-ref", "refs/remotes", cwd=reader.root)
    plan = next(t for t in reader.json("status", "job")["subtasks"] if t["id"] == "plan")
    assert (plan["status"], plan["assigned_agent"], plan["bids"]) == ("claimed", "c-bot", [])


def test_a_fresh_fetch_is_trusted_for_fetch_ttl_seconds(agents) -> None:
    crew = agents(3600, "a-bot", "b-bot")
    owner, reader = crew["a-bot"], crew["b-bot"]
    announce(owner)
    owner.ok("ask", "job", "-m", "first")
    assert [e["data"]["message"] for e in reader.json("stream", "read", "job-discussion")["entries"]] == ["first"]
    seen = head(reader)

    owner.ok("ask", "job", "-m", "second")  # the remote moves on; the reader's last fetch is still fresh
    assert [e["data"]["message"] for e in reader.json("stream", "read", "job-discussion")["entries"]] == ["first"]
    assert reader.json("stream", "latest", "job-discussion")["data"]["message"] == "first"
    assert head(reader) == seen and git("rev-parse", "origin/main", cwd=reader.root) == seen  # nothing fetched

    offline = reader("stream", "read", "job-discussion", "--offline", "--json", env=LATER)
    assert offline.code == 0 and [e["data"]["message"] for e in offline.json["entries"]] == ["first"]
    assert offline.json["stale"] is True and offline.err.startswith("note: --offline")
    assert head(reader) == seen

    later = reader.json("stream", "read", "job-discussion", env=LATER)  # past fetch_ttl: it fetches
    assert [e["data"]["message"] for e in later["entries"]] == ["first", "second"]
    assert head(reader) == git("rev-parse", "origin/main", cwd=reader.root) != seen


def test_stream_latest_within_fetch_ttl_starts_no_git_process(agents) -> None:
    crew = agents(3600, "a-bot", "b-bot")
    owner, reader = crew["a-bot"], crew["b-bot"]
    announce(owner)
    owner.ok("ask", "job", "-m", "first")
    assert reader.json("stream", "latest", "job-discussion")["data"]["message"] == "first"  # fetched
    owner.ok("ask", "job", "-m", "second")
    no_git = {"PATH": str(Path(sys.executable).parent)}  # no `git` to start: any git process would fail
    for args in (("--json",), ("--label", "question", "--json"), ()):
        fresh = reader("stream", "latest", "job-discussion", *args, env=no_git)
        assert fresh.code == 0 and fresh.err == "" and "first" in fresh.out
    stale = reader("stream", "latest", "job-discussion", "--json", env=LATER)  # past fetch_ttl: one fetch
    assert stale.code == 0 and stale.json["data"]["message"] == "second"


def test_an_unreachable_remote_answers_from_the_clone_and_says_so(agents) -> None:
    crew = agents(0, "a-bot", "b-bot")
    owner, reader = crew["a-bot"], crew["b-bot"]
    announce(owner)
    owner.ok("ask", "job", "-m", "hello")
    assert reader.json("status", "job")["contract"] == "job"
    git("remote", "set-url", "origin", str(reader.root.parent / "nowhere.git"), cwd=reader.root)
    for args in (("discover",), ("status",), ("status", "job"), ("stash", "get", "job"), ("stream", "read", "job-discussion"),
                 ("stream", "latest", "job-discussion"), ("bids", "job"), ("log", "job")):
        text, as_json = reader(*args), reader(*args, "--json")
        assert text.code == 0 and as_json.code == 0, (args, text.err)
        assert text.err.startswith("note: could not fetch from origin") and "may be stale" in text.err, args
        assert as_json.err.startswith("note: could not fetch from origin"), args
        parsed = json.loads(as_json.out)  # stdout stays one JSON document
        if args[0] in ("discover", "status", "bids", "log") or args[:2] == ("stream", "read"):
            assert parsed["stale"] is True, args
    assert reader.json("stream", "latest", "job-discussion")["data"]["message"] == "hello"
    quiet = reader("status", "job", "--offline")
    assert quiet.code == 0 and quiet.err.startswith("note: --offline") and "could not fetch" not in quiet.err


def test_a_remote_that_does_not_answer_is_given_up_on_in_time(agents) -> None:
    reader = agents(0, "b-bot")["b-bot"]
    git("remote", "set-url", "origin", "ssh://example.invalid/remote.git", cwd=reader.root)
    git("config", "core.sshCommand", "sleep 60 #", cwd=reader.root)  # an ssh that never answers
    started = time.monotonic()
    answer = reader("status", env={"GITCONTRACTS_FETCH_TIMEOUT": "1"})
    assert answer.code == 0 and "no answer within 1 s" in answer.err
    assert time.monotonic() - started < 30  # the timeout ended ssh too, not only git
    assert not list((reader.root / ".git").glob("refs/remotes/origin/*.lock"))


def test_local_commits_not_pushed_are_shown_with_a_note(agents) -> None:
    crew = agents(0, "a-bot", "b-bot")
    owner, reader = crew["a-bot"], crew["b-bot"]
    write_tree(reader.root, {"notes.txt": "mine\n"})
    mine = commit_all(reader.root, "a local commit")
    ahead = reader("discover")
    assert ahead.code == 0 and head(reader) == mine
    assert ahead.err == "note: showing your local main, which differs from origin/main (it has commits not pushed); " \
                        "push them to share them\n"
    assert reader("discover", "--json").json["stale"] is True

    announce(owner)
    diverged = reader("discover")
    assert diverged.code == 0 and head(reader) == mine and "job" not in diverged.out  # nothing touched
    assert diverged.err.startswith("note: showing your local main, which differs from origin/main (they have diverged)")


def test_uncommitted_changes_stay_and_other_branches_are_left_alone(agents) -> None:
    crew = agents(0, "a-bot", "b-bot")
    owner, reader = crew["a-bot"], crew["b-bot"]
    write_tree(reader.root, {"draft.txt": "not yet\n", "README.extra": "x\n"})
    announce(owner)
    assert "job" in reader.ok("discover").out  # fast-forwarded around the untracked files
    assert (reader.root / "draft.txt").read_text() == "not yet\n"

    git("switch", "-q", "-c", "feature", cwd=reader.root)
    owner.ok("ask", "job", "-m", "anyone?")
    on_branch = reader("stream", "read", "job-discussion")
    assert on_branch.code == 0 and on_branch.out.strip() == "no entries"
    assert on_branch.err.startswith("note: showing your branch feature, not origin/main")
    assert git("rev-parse", "main", cwd=reader.root) != git("rev-parse", "origin/main", cwd=reader.root)

    git("switch", "-q", "main", cwd=reader.root)
    assert "anyone?" in reader.ok("stream", "read", "job-discussion").out


def test_without_a_remote_reads_say_nothing_and_take_offline(cli) -> None:
    assert cli("new", "job", "--objective", "Local only", "--subtask", "a:do").code == 0
    for args in (("status", "job"), ("bids", "job"), ("discover",), ("log", "job"), ("stash", "get", "job"),
                 ("stream", "read", "job-discussion")):
        for extra in ((), ("--offline",)):
            result = cli(*args, *extra, "--json")
            assert result.code == 0 and result.err == "" and "stale" not in result.json, (args, extra)
