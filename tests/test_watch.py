"""The watcher (SPEC 9): events from git, the owner's automatic steps, hooks, restarts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jsonschema import Draft202012Validator

from gitcontracts import api
from helpers import git, run_cli
from test_protocol import LATER, Agent, contract, in_an_hour, net, state  # noqa: F401  (the shared-remote fixture)


def watcher_env(**extra: str) -> dict[str, str]:
    """A watcher process's environment as run_cli makes it: a moved clock moves the remote's too."""
    env = {**os.environ, "GITCONTRACTS_AGENT": "orchestrator", **extra}
    if "GITCONTRACTS_NOW" in env:
        env.setdefault("GITCONTRACTS_RECEIVE_NOW", env["GITCONTRACTS_NOW"])
    return env


def once(agent: Agent, env: dict[str, str] | None = None) -> list[dict]:
    result = agent("watch", "--once", "--json", env=env)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines() if line]


def first_pass_done(where: Path, agent: str = "orchestrator", within: float = 60.0) -> None:
    """A started watcher has finished its first pass: it saves its state to a ref after each pass
    (protocol/observe.py), and watches for changes from before that pass on. A bounded wait for that."""
    deadline = time.monotonic() + within
    while subprocess.run(("git", "rev-parse", "-q", "--verify", f"refs/gitcontracts/watch/{agent}"), cwd=where,
                         capture_output=True).returncode != 0:
        assert time.monotonic() < deadline, "the watcher did not finish its first pass"
        time.sleep(0.05)


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def test_claims_and_main_commits_become_events_once(net) -> None:
    owner, planner, loader = net("orchestrator"), net("planner-bot"), net("load-bot")
    contract(owner, "plan", "run")
    assert once(owner) == []  # the first pass does not replay history
    assert planner("claim", "job", "plan", "--bid-usdc", "8").code == 0
    events = once(owner)
    assert [(e["type"], e["agent"], e["ref"]) for e in events if e["type"].startswith("claim")] == [
        ("claim-opened", "planner-bot", "claim/job/plan/planner-bot")]
    assert once(owner) == []  # nothing new, nothing repeated
    assert owner("offer", "job", "run", "--to", "load-bot").code == 0
    assert loader("reject", "job", "run", "--reason", "policy", "-m", "no").code == 0
    assert owner("award", "job", "plan", "planner-bot").code == 0
    events = once(owner)
    assert {"offer-made", "offer-rejected", "awarded", "entry-posted"} <= set(types(events))
    posted = [e for e in events if e["type"] == "entry-posted"]
    assert {(e["stream"], e["label"]) for e in posted} >= {("job-discussion", "offer"), ("job-discussion", "reject")}
    assert all(set(e) >= {"type", "contract", "subtask", "agent", "ref", "commit", "ts"} for e in events)
    for e in events:
        Draft202012Validator(api.output_schema("watch")).validate(e)


def test_owner_automation_revokes_a_lease_once_even_with_two_watchers(net) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    contract(owner, "run", run={"award": "first", "lease": "1h"})
    once(owner)
    assert loader("claim", "job", "run").code == 0
    second = net("orchestrator-2")  # the same owner watching from a second clone
    procs = [subprocess.Popen([sys.executable, "-m", "gitcontracts", "watch", "--once", "--json"], cwd=a.root,
                              env=watcher_env(**LATER), stdout=subprocess.PIPE,
                              text=True)
             for a in (owner, second)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    revokes = [json.loads(line) for out in outputs for line in out.splitlines() if '"lease-expired"' in line]
    assert len(revokes) == 1 and revokes[0]["agent"] == "load-bot" and revokes[0]["action"] is True
    git("pull", "-q", "origin", "main", cwd=owner.root)
    entries = owner("stream", "read", "job-discussion", "--label", "revoke", "--json").json["entries"]
    assert len(entries) == 1
    assert state(owner)["run"]["status"] == "open"
    assert "lease-expired" not in types(once(owner, LATER))


def test_invalid_claims_on_an_unguarded_remote(cli, repo: Path, remote: Path, clone) -> None:
    cli("init", "--remote", "origin")
    git("push", "-q", "origin", "main", cwd=repo)
    assert cli("new", "job", "--objective", "x", "--subtask", "plan:p").code == 0
    owner = Agent("orchestrator", repo)
    once(owner)
    cheat = Agent("cheat-bot", clone("cheat-bot"))
    cheat("init")
    git("checkout", "-qb", "claim/job/plan/cheat-bot", cwd=cheat.root)
    run_cli("patch", "job", "--path", "subtasks", "--match", "id=plan", "--set", "status=claimed", "--set",
            "assigned_agent=cheat-bot", "--set", "budget_usdc=999", "--no-commit", "--offline", cwd=cheat.root,
            agent="orchestrator")
    git("add", "-A", cwd=cheat.root)
    git("commit", "-qm", "claim\n\nAgent: cheat-bot", cwd=cheat.root)
    git("push", "-q", "origin", "claim/job/plan/cheat-bot", cwd=cheat.root)
    events = once(owner)
    invalid = [e for e in events if e["type"] == "invalid-push"]
    assert invalid and "cheat-bot may not make this change" in invalid[0]["problems"]
    assert "claim-rejected" in types(events)
    assert "claim-rejected" not in types(once(owner))
    git("pull", "-q", "origin", "main", cwd=repo)
    rejects = owner("stream", "read", "job-discussion", "--label", "reject", "--json").json["entries"]
    assert [(r["data"]["agent_name"], r["data"]["reason"]) for r in rejects] == [("cheat-bot", "policy")]


def test_bids_close_and_the_lowest_is_awarded_by_the_watcher(net) -> None:
    owner = net("orchestrator")
    contract(owner, "run", run={"award": "lowest-bid", "bids_close": in_an_hour()})
    for agent, bid in (("b-bot", "7"), ("c-bot", "5")):
        assert net(agent)("claim", "job", "run", "--bid-usdc", bid).code == 0
    once(owner)
    events = once(owner, LATER)
    assert ("bids-closed", "c-bot") in [(e["type"], e["agent"]) for e in events]
    assert ("awarded", "c-bot") in [(e["type"], e["agent"]) for e in events]


def test_on_hooks_get_the_event_and_failures_are_reported(net, tmp_path: Path) -> None:
    owner, planner = net("orchestrator"), net("planner-bot")
    contract(owner, "plan")
    out = tmp_path / "events.txt"
    # the watching machine's own configuration, never the repository's (SPEC 10)
    git("config", "gitcontracts.on.claim-opened", f'echo "$GITCONTRACTS_EVENT" >> {out}; exit 3', cwd=owner.root)
    once(owner)
    assert planner("claim", "job", "plan").code == 0
    events = once(owner)  # `--once` waits for the `on:` commands it started (watch.py)
    assert json.loads(out.read_text().splitlines()[0])["type"] == "claim-opened"
    failed = [e for e in events if e["type"] == "hook-failed"]
    assert failed and failed[0]["event"] == "claim-opened" and "exit 3" in failed[0]["message"]
    Draft202012Validator(api.output_schema("watch")).validate(failed[0])  # the keys of every event, too


def test_watch_on_adds_a_command_for_this_run(net, tmp_path: Path) -> None:
    owner, planner = net("orchestrator"), net("planner-bot")
    contract(owner, "plan")
    out = tmp_path / "events.txt"
    once(owner)
    assert planner("claim", "job", "plan").code == 0
    result = owner("watch", "--once", "--json", "--on", f'claim-opened=echo "$GITCONTRACTS_EVENT" >> {out}')
    assert result.code == 0 and json.loads(out.read_text().splitlines()[0])["type"] == "claim-opened"
    assert owner("watch", "--once", "--on", "no-equals-sign").code == 2


def test_on_in_the_shared_config_is_refused_and_never_run(net, tmp_path: Path) -> None:
    owner = net("orchestrator")
    marker = tmp_path / "ran"
    config = owner.root / ".contracts/config.yaml"
    config.write_text(config.read_text() + f"on:\n  claim-opened: 'touch {marker}'\n")
    git("add", ".contracts/config.yaml", cwd=owner.root)
    assert owner("check", "--staged").code == 3
    git("commit", "-qm", "contracts: config\n\nAgent: orchestrator", "--no-verify", cwd=owner.root)
    pushed = subprocess.run(["git", "push", "origin", "main"], cwd=owner.root, capture_output=True, text=True)
    assert pushed.returncode != 0 and "on:" in pushed.stderr
    watched = owner("watch", "--once", "--offline")
    assert watched.code == 3 and "gitcontracts.on" in watched.err and not marker.exists()


def test_the_loop_reacts_to_a_local_change_and_stops_on_sigterm(cli, repo: Path) -> None:
    cli("new", "job", "--objective", "x", "--subtask", "plan:p")
    proc = subprocess.Popen([sys.executable, "-m", "gitcontracts", "watch", "--json", "--interval", "60"], cwd=repo,
                            env={**os.environ, "GITCONTRACTS_AGENT": "orchestrator"}, stdout=subprocess.PIPE, text=True)
    try:
        first_pass_done(repo)
        started = time.monotonic()
        cli("ask", "job", "plan", "-m", "anyone?", agent="planner-bot")
        line = proc.stdout.readline()
        while '"entry-posted"' not in line:
            assert line, "the watcher stopped (its output ended)"
            line = proc.stdout.readline()
        assert time.monotonic() - started < 10
        assert json.loads(line)["label"] == "question"
        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0 and time.monotonic() - stopping < 2
    finally:
        proc.kill()


def test_an_unreachable_remote_at_start_is_a_clear_error(cli, repo: Path) -> None:
    git("remote", "add", "origin", str(repo.parent / "missing.git"), cwd=repo)
    assert cli("init", "--remote", "origin", "--offline").code == 0  # records the remote without reaching it
    result = cli("watch", "--once")
    assert result.code == 4 and "cannot reach the remote origin" in result.err and "Traceback" not in result.err


def test_killed_and_restarted_it_neither_repeats_nor_misses_an_action(net) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    contract(owner, "a", "b", a={"award": "first", "lease": "1h"}, b={"award": "first", "lease": "1h"})
    once(owner)
    assert loader("claim", "job", "a").code == 0
    assert loader("claim", "job", "b").code == 0
    for delay in (0.05, 0.2, 0.4):  # killed at these points of its run (where does not decide the outcome)
        proc = subprocess.Popen([sys.executable, "-m", "gitcontracts", "watch", "--interval", "0.2"], cwd=owner.root,
                                env=watcher_env(**LATER),
                                stdout=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait()
    once(owner, LATER)
    git("pull", "-q", "origin", "main", cwd=owner.root)
    revokes = owner("stream", "read", "job-discussion", "--label", "revoke", "--json").json["entries"]
    assert sorted(r["data"]["subtask_id"] for r in revokes) == ["a", "b"]
    assert {t["status"] for t in state(owner).values()} == {"open"}


def test_claim_updates_withdrawals_deadlines_and_done_contracts(net) -> None:
    owner, planner = net("orchestrator"), net("planner-bot")
    assert owner("new", "job", "--objective", "x", "--subtask", "plan:p", "--deadline", in_an_hour()).code == 0
    once(owner)
    assert planner("claim", "job", "plan", "-m", "first try").code == 0
    assert "claim-opened" in types(once(owner))
    assert planner("claim", "job", "plan", "-m", "second try").code == 0  # claiming again replaces one's own claim
    assert "claim-updated" in types(once(owner))
    git("push", "-q", "-o", "agent=planner-bot", "origin", "--delete", "claim/job/plan/planner-bot", cwd=planner.root)
    assert "claim-withdrawn" in types(once(owner))
    assert [e["contract"] for e in once(owner, LATER) if e["type"] == "deadline-passed"] == ["job"]
    assert "deadline-passed" not in types(once(owner, LATER))


def test_contract_done_and_an_invalid_main(cli, repo: Path, remote: Path, clone) -> None:
    cli("init", "--remote", "origin")
    git("push", "-q", "origin", "main", cwd=repo)
    owner = Agent("orchestrator", repo)
    assert owner("new", "job", "--objective", "x", "--subtask", "a:b").code == 0
    once(owner)
    worker = Agent("worker-bot", clone("worker-bot"))
    assert owner("patch", "job", "--path", "subtasks", "--match", "id=a", "--set", "award=first").code == 0
    assert worker("claim", "job", "a").code == 0
    assert worker("stash", "put", "out", "-", input="x: 1\n").code == 0
    git("push", "-q", "origin", "main", cwd=worker.root)
    assert worker("deliver", "job", "a", "--stash", "out").code == 0
    assert owner("complete", "job", "a").code == 0
    assert [e["contract"] for e in once(owner) if e["type"] == "contract-done"] == ["job"]
    path = worker.root / ".contracts/stashes/job.yaml"
    git("pull", "-q", "origin", "main", cwd=worker.root)
    path.write_text(path.read_text().replace("objective: x", "objective: taken over"))
    git("commit", "-qam", "mine now", cwd=worker.root)
    git("push", "-q", "origin", "main", cwd=worker.root)  # no pre-receive hook on this remote
    invalid = [e for e in once(owner) if e["type"] == "invalid-push"]
    assert invalid and invalid[0]["ref"] == "main" and "worker-bot may change only subtasks" in invalid[0]["problems"]


def test_an_expired_offer_is_moved_by_the_watcher(net) -> None:
    owner = net("orchestrator")
    contract(owner, "run")
    once(owner)
    assert owner("offer", "job", "run", "--to", "load-bot", "--fallback", "analyst-bot", "--expires", "1h").code == 0
    once(owner)
    events = once(owner, LATER)
    assert ("offer-expired", "load-bot") in [(e["type"], e["agent"]) for e in events]
    assert ("offer-moved", "analyst-bot") in [(e["type"], e["agent"]) for e in events]
    assert "offer-expired" not in types(once(owner, LATER))


def test_a_finished_child_contract_completes_its_parent_through_the_watcher(net) -> None:
    owner, planner, helper = net("orchestrator"), net("planner-bot"), net("helper-bot")
    contract(owner, "plan", plan={"award": "first"})
    once(owner)
    assert planner("claim", "job", "plan").code == 0
    assert planner("new", "job-plan", "--objective", "parts", "--subtask", "draft:d", "--parent", "job/plan").code == 0
    assert planner("patch", "job-plan", "--path", "subtasks", "--match", "id=draft", "--set", "award=first").code == 0
    assert helper("claim", "job-plan", "draft").code == 0
    assert helper("stash", "put", "draft-doc", "-", input="text: a draft\n").code == 0
    helper.push()
    assert helper("deliver", "job-plan", "draft", "--stash", "draft-doc").code == 0
    assert planner("complete", "job-plan", "draft").code == 0
    events = once(owner)
    assert "contract-done" in types(events)
    assert [(e["type"], e["subtask"]) for e in events if e["type"] == "child-done"] == [("child-done", "plan")]
    assert state(owner)["plan"]["status"] == "completed"


def test_a_remote_that_stops_answering_is_a_warning_not_an_exit(net, remote: Path) -> None:
    owner = net("orchestrator")
    contract(owner, "plan")
    proc = subprocess.Popen([sys.executable, "-m", "gitcontracts", "watch", "--json", "--interval", "0.5"], cwd=owner.root,
                            env={**os.environ, "GITCONTRACTS_AGENT": "orchestrator"}, stdout=subprocess.PIPE, text=True)
    try:
        first_pass_done(owner.root)  # an unreachable remote at start is an error; later, a warning
        remote.rename(remote.with_name("gone.git"))
        line = proc.stdout.readline()
        while '"warning"' not in line:
            assert line, "the watcher stopped (its output ended)"
            line = proc.stdout.readline()
        assert "cannot reach the remote origin" in json.loads(line)["message"]
        Draft202012Validator(api.output_schema("watch")).validate(json.loads(line))
        assert proc.poll() is None  # still running
    finally:
        proc.kill()
        proc.wait()
