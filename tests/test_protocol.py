"""The contract-net protocol over a shared bare remote, agents in their own clones (issue 4).

The remote runs the pre-receive hook, so every action below also passes the referee."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest

from helpers import Result, commit_all, git, run_cli, write_tree

LATER = {"GITCONTRACTS_NOW": "+2h"}  # the clock two hours on: leases, offers, bids and deadlines set 1h ahead are past


def in_an_hour() -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def clock_at(start: datetime, seconds: float) -> dict[str, str]:
    """The environment that fixes the tool's clock `seconds` after `start` (docs/formats.md, Time)."""
    return {"GITCONTRACTS_NOW": (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def tomorrow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)


@dataclass(frozen=True)
class Agent:
    """An agent in its own clone of the shared remote."""
    name: str
    root: Path

    def __call__(self, *args: str, **kw) -> Result:
        return run_cli(*args, cwd=self.root, agent=self.name, **kw)

    def push(self) -> None:
        """Publish local commits (patch and stash put commit locally) on top of the remote's main."""
        git("pull", "-q", "--rebase", "origin", "main", cwd=self.root)
        git("push", "-q", "origin", "main", cwd=self.root)


@pytest.fixture
def net(cli, repo: Path, remote: Path, clone) -> Callable[[str], Agent]:
    """net("load-bot") is that agent in its own clone; the remote runs the pre-receive hook."""
    assert run_cli("hooks", "install", cwd=remote).code == 0
    cli("init", "--remote", "origin")
    config = repo / ".contracts/config.yaml"  # every read fetches: these tests read right after another agent acted
    config.write_text(config.read_text() + "fetch_ttl: 0\n")
    commit_all(repo, "fetch_ttl: 0")
    git("push", "-q", "origin", "main", cwd=repo)
    made: dict[str, Agent] = {"orchestrator": Agent("orchestrator", repo)}

    def agent(name: str) -> Agent:
        if name not in made:
            made[name] = Agent(name, clone(name))
            made[name]("init")
        return made[name]
    return agent


def contract(owner: Agent, *tasks: str, **fields: dict) -> None:
    args = ["new", "job", "--objective", "Load test the API", "--budget", "30"]
    for task in tasks:
        args += ["--subtask", f"{task}:{task} it"]
    assert owner(*args).code == 0
    for task, values in fields.items():
        sets = [a for k, v in values.items() for a in ("--set", f"{k}={json.dumps(v)}")]
        patched = owner("patch", "job", "--path", "subtasks", "--match", f"id={task}", *sets)
        assert patched.code == 0, patched.err
    owner.push()


def state(agent: Agent) -> dict:
    return {t["id"]: t for t in agent("status", "job", "--json").json["subtasks"]}


def test_two_bids_an_award_and_a_stale_claim(net, repo: Path) -> None:
    owner, planner, loader = net("orchestrator"), net("planner-bot"), net("load-bot")
    contract(owner, "plan", "run")
    assert planner("claim", "job", "plan", "-m", "I plan", "--bid-usdc", "8").code == 0
    assert loader("claim", "job", "plan", "-m", "me too", "--bid-usdc", "9").code == 0
    bids = owner("bids", "job", "--json").json["bids"]
    assert {(b["agent"], b["bid_usdc"], b["branch"]) for b in bids} == {
        ("planner-bot", 8.0, "claim/job/plan/planner-bot"), ("load-bot", 9.0, "claim/job/plan/load-bot")}
    assert {(b["agent"], b["entry"]["label"], b["entry"]["data"]["bid_usdc"]) for b in bids} == {
        ("planner-bot", "bid", 8.0), ("load-bot", "bid", 9.0)}  # `entry` is the bid entry itself
    losing_bid = next(b["entry"]["id"] for b in bids if b["agent"] == "load-bot")
    awarded = owner("award", "job", "plan", "planner-bot", "--json")
    assert awarded.code == 0 and awarded.json["rejected"] == ["load-bot"]
    assert git("log", "-1", "--format=%P", "origin/main", cwd=repo).count(" ") == 1  # the owner's merge commit
    assert "claim/" not in git("ls-remote", "origin", cwd=repo)
    assert state(owner)["plan"]["assigned_agent"] == "planner-bot"
    talk = owner("stream", "read", "job-discussion", "--label", "reject", "--json").json["entries"]
    assert [(e["agent"], e["data"]["agent_name"], e["data"]["reason"]) for e in talk] == [
        ("orchestrator", "load-bot", "awarded-to-other")]
    assert talk[0]["data"]["in_reply_to"] == losing_bid
    stale = loader("claim", "job", "plan")
    assert stale.code == 4 and "planner-bot" in stale.err


def test_a_claim_without_the_capability(net, repo: Path) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    write_tree(repo, {".contracts/agents.yaml":
                      "admins: [orchestrator]\nagents:\n  load-bot: {capabilities: [k6], capacity: 1}\n"})
    commit_all(repo, "agents\n\nAgent: orchestrator")
    owner.push()
    contract(owner, "run", "analyze", run={"requires": ["locust"]})
    refused = loader("claim", "job", "run")
    assert refused.code == 6 and "locust" in refused.err


def test_release_and_reclaim(net) -> None:
    owner, loader, other = net("orchestrator"), net("load-bot"), net("other-bot")
    contract(owner, "run", run={"award": "first"})
    assert loader("claim", "job", "run").code == 0
    assert other("release", "job", "run").code == 6
    assert loader("release", "job", "run", "-m", "cannot make it").code == 0
    assert state(owner)["run"]["status"] == "open"
    assert other("claim", "job", "run").code == 0
    assert state(owner)["run"]["assigned_agent"] == "other-bot"


@pytest.mark.parametrize("then", ["announce", "revise"])
def test_an_offer_chain_runs_out(net, then: str) -> None:
    owner, loader, analyst = net("orchestrator"), net("load-bot"), net("analyst-bot")
    contract(owner, "run")
    offered = owner("offer", "job", "run", "--to", "load-bot", "--fallback", "analyst-bot", "--expires", "1h", "--then", then)
    assert offered.code == 0
    assert analyst("claim", "job", "run").code == 6  # offered to someone else
    assert analyst("accept", "job", "run").code == 6
    assert loader("reject", "job", "run", "--reason", "scheduling-conflict", "-m", "busy").code == 0
    assert state(owner)["run"]["offer"]["to"] == "analyst-bot"
    assert analyst("reject", "job", "run", "--reason", "missing-capability").code == 0
    offer = state(owner)["run"]["offer"]
    if then == "announce":
        assert offer is None and loader("claim", "job", "run").code == 0
    else:
        assert offer["exhausted"] is True
        assert loader("claim", "job", "run").code == 6
        revised = owner("patch", "job", "--path", "subtasks", "--match", "id=run", "--set", "budget_usdc=20", "--unset", "offer")
        assert revised.code == 0
        owner.push()
        assert owner("offer", "job", "run", "--to", "load-bot").code == 0
        assert loader("accept", "job", "run", "-m", "better now").code == 0
        assert state(owner)["run"]["assigned_agent"] == "load-bot"


def test_lowest_bid_wins_and_a_tie_goes_to_the_earliest(net) -> None:
    owner = net("orchestrator")
    contract(owner, "run", run={"award": "lowest-bid", "bids_close": in_an_hour(), "budget_usdc": 10})
    assert net("a-bot")("claim", "job", "run").code == 3  # a lowest-bid claim needs a bid
    assert net("a-bot")("claim", "job", "run", "--bid-usdc", "11").code == 3  # over the budget
    for agent, bid in (("b-bot", "7"), ("c-bot", "5"), ("d-bot", "5")):
        assert net(agent)("claim", "job", "run", "--bid-usdc", bid).code == 0
    assert owner("settle", "--json").json["steps"] == []  # bidding is still open
    steps = owner("settle", "--json", env=LATER).json["steps"]
    assert [(s["step"], s["agent"], s["bid_usdc"]) for s in steps] == [("bids-closed", "c-bot", 5.0)]
    assert state(owner)["run"]["assigned_agent"] == "c-bot"


def test_a_lease_expires(net) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    contract(owner, "run", run={"award": "first", "lease": "1h"})
    start = tomorrow()
    assert loader("claim", "job", "run", env=clock_at(start, 0)).code == 0
    assert owner("settle", "--json", env=clock_at(start, 3599)).json["steps"] == []
    steps = owner("settle", "--json", env=clock_at(start, 3601)).json["steps"]
    assert [(s["step"], s["agent"]) for s in steps] == [("lease-expired", "load-bot")]
    assert state(owner)["run"]["status"] == "open"
    revoke = owner("stream", "latest", "job-discussion", "--label", "revoke", "--json").json
    assert revoke["data"]["reason"] == "lease-expired"


def test_a_claim_on_an_expired_contract(net) -> None:
    owner = net("orchestrator")
    assert owner("new", "old", "--objective", "x", "--subtask", "a:b", "--deadline", "2020-01-01T00:00:00Z",
                 "--force").code == 0
    refused = net("load-bot")("claim", "old", "a")
    assert refused.code == 4 and "expired" in refused.err


def test_a_child_contract_completes_its_parent_subtask(net) -> None:
    owner, planner, helper = net("orchestrator"), net("planner-bot"), net("helper-bot")
    contract(owner, "plan", plan={"award": "first", "budget_usdc": 10})
    assert planner("claim", "job", "plan").code == 0
    too_much = planner("new", "job-plan", "--objective", "Plan in parts", "--subtask", "draft:d", "--budget", "20",
                       "--parent", "job/plan")
    assert too_much.code == 3 and "exceeds" in too_much.err
    assert planner("new", "job-plan", "--objective", "Plan in parts", "--subtask", "draft:d", "--budget", "8",
                   "--parent", "job/plan").code == 0
    assert state(owner)["plan"]["subcontract"] == {"contract": "job-plan", "state": "open"}
    assert planner("patch", "job-plan", "--path", "subtasks", "--match", "id=draft", "--set", "award=first").code == 0
    planner.push()
    assert helper("claim", "job-plan", "draft").code == 0
    assert helper("stash", "put", "draft-doc", "-", input="text: a draft\n").code == 0
    helper.push()
    assert helper("deliver", "job-plan", "draft", "--stash", "draft-doc").code == 0
    assert owner("settle", "--json").json["steps"] == []  # the child is not done yet
    assert planner("complete", "job-plan", "draft").code == 0
    steps = owner("settle", "--json").json["steps"]
    assert [(s["step"], s["subtask"], s["child"]) for s in steps] == [("child-done", "plan", "job-plan")]
    assert state(owner)["plan"]["status"] == "completed"


def test_typed_deliverables_and_completion(net, tmp_path: Path) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    (tmp_path / "report.yaml").write_text("name: load-report\nversion: 1\ndefinition: {type: object, required: [p95_ms]}\n")
    assert owner("schema", "add", str(tmp_path / "report.yaml")).code == 0
    contract(owner, "run", run={"award": "first", "deliverable_schema": "load-report"})
    assert loader("claim", "job", "run").code == 0
    assert owner("complete", "job", "run").code == 4  # no deliverable yet
    assert loader("progress", "job", "run", "-m", "ramping up", "--data", '{"rps": 100}').code == 0
    assert net("other-bot")("progress", "job", "run", "-m", "not mine").code == 6
    assert loader("stash", "put", "bad-report", "-", input="rps: 100\n").code == 0
    assert loader("stash", "put", "report", "-", input="p95_ms: 120\n").code == 0
    loader.push()
    bad = loader("deliver", "job", "run", "--stash", "bad-report")
    assert bad.code == 3 and "p95_ms" in bad.err
    assert loader("deliver", "job", "run", "--stash", "report", "--summary", "p95 120 ms").code == 0
    assert owner("complete", "job", "run").code == 0
    assert owner("status", "job", "--json").json["state"] == "done"


def test_questions_and_answers_and_status(net) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    contract(owner, "run")
    asked = loader("ask", "job", "run", "-m", "Which region?", "--json")
    assert asked.code == 0
    status = owner("status", "job", "--json").json
    assert set(status) >= {"name", "owner", "state", "subtasks"} and status["state"] == "open"
    assert set(status["subtasks"][0]) >= {"id", "status", "assigned_agent", "offer", "bids"}
    assert [q["id"] for q in status["open_questions"]] == [asked.json["entry"]["id"]]
    assert owner("answer", "job", "--in-reply-to", asked.json["entry"]["id"], "-m", "eu-west").code == 0
    assert owner("status", "job", "--json").json["open_questions"] == []
    assert owner("answer", "job", "--in-reply-to", "01NOPE", "-m", "x").code == 5
    assert "job" in owner("status").out


RACER = """
import sys
from gitcontracts.cli import main
sys.exit(main(["claim", "job", "run", "--agent", sys.argv[1]]))
"""


@pytest.mark.parametrize("round_", [1, 2])
def test_twenty_agents_race_for_one_first_subtask_and_one_wins(net, round_: int) -> None:
    owner = net("orchestrator")
    contract(owner, "run", run={"award": "first"})
    racers = [net(f"racer-{n}-bot") for n in range(20)]
    procs = [subprocess.Popen([sys.executable, "-c", RACER, r.name], cwd=r.root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for r in racers]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read() for p in procs]
    assert sorted(codes) == [0] + [4] * 19, errors
    winner = racers[codes.index(0)].name
    assert state(owner)["run"]["assigned_agent"] == winner
    assert all(winner in e for e, c in zip(errors, codes, strict=True) if c == 4)
    git("pull", "-q", "origin", "main", cwd=owner.root)
    claims = owner("stream", "read", "job-discussion", "--label", "claim", "--json").json["entries"]
    assert [e["agent"] for e in claims] == [winner]


def test_settle_moves_an_expired_offer_along_the_chain(net) -> None:
    owner = net("orchestrator")
    contract(owner, "run")
    start = tomorrow()
    offered = owner("offer", "job", "run", "--to", "load-bot", "--fallback", "analyst-bot", "--expires", "1h",
                    env=clock_at(start, 0))
    assert offered.code == 0, offered.err
    assert owner("settle", "--json", env=clock_at(start, 3599)).json["steps"] == []
    steps = owner("settle", "--json", env=clock_at(start, 3601)).json["steps"]
    assert [(s["step"], s["agent"], s["offer"]["to"]) for s in steps] == [("offer-expired", "load-bot", "analyst-bot")]
    offer = state(owner)["run"]["offer"]
    assert offer["to"] == "analyst-bot" and "fallback" not in offer
    assert net("analyst-bot")("accept", "job", "run").code == 0


def test_capacity_is_checked_at_claim_time(net, repo: Path) -> None:
    owner, loader = net("orchestrator"), net("load-bot")
    write_tree(repo, {".contracts/agents.yaml": "admins: [orchestrator]\nagents:\n  load-bot: {capacity: 1}\n"})
    commit_all(repo, "agents\n\nAgent: orchestrator")
    owner.push()
    contract(owner, "a", "b", a={"award": "first"}, b={"award": "first"})
    assert loader("claim", "job", "a").code == 0
    refused = loader("claim", "job", "b")
    assert refused.code == 6 and "capacity" in refused.err


def test_the_github_provider_says_clearly_when_gh_is_not_available(net, repo: Path) -> None:
    import shutil
    if shutil.which("gh"):
        pytest.skip("gh is installed here; this test is about its absence")
    owner = net("orchestrator")
    contract(owner, "plan")
    config = repo / ".contracts/config.yaml"
    config.write_text(config.read_text().replace("provider: local", "provider: github"))
    commit_all(repo, "github\n\nAgent: orchestrator")
    owner.push()
    bot = net("planner-bot")
    refused = bot("claim", "job", "plan")
    assert refused.code == 2 and "gh" in refused.err and "provider: local" in refused.err
    assert "claim/" not in git("ls-remote", "origin", cwd=repo)
