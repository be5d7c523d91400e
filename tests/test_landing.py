"""Queued actions and the lander (docs/protocol.md, "Many agents on one remote"): an action on the agent's own
files goes to refs/heads/queue/<agent>/<id> and lands on main in a batch; decided actions still race for main;
a kill -9 of the lander or of an agent at any point loses nothing and doubles nothing, and the next pass finishes."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Shared
from helpers import git, run_cli

KILL_POINTS = 6


def queued_shared(root: Path, subtasks: int = 2, award: str = "first") -> Shared:
    """A guarded remote whose config names a lander, with the contract `work` (subtasks t0, t1, … under `award`)."""
    root.mkdir(parents=True, exist_ok=True)
    shared = Shared(root)
    turned_on = shared("orchestrator", "init", "--remote", "origin", "--lander", "lander")
    assert turned_on.code == 0, turned_on.err
    content = {"objective": "Work", "subtasks": [{"id": f"t{n}", "description": f"task {n}", "status": "open",
                                                  "award": award} for n in range(subtasks)]}
    (root / "work.json").write_text(json.dumps(content))
    assert shared("orchestrator", "new", "work", "--file", str(root / "work.json")).code == 0
    return shared


def queue_refs(remote: Path) -> list[str]:
    return git("for-each-ref", "--format=%(refname)", "refs/heads/queue/", cwd=remote).split()


def entries(remote: Path, stream: str = "work-execution") -> list[dict]:
    names = git("ls-tree", "--name-only", f"main:.contracts/streams/{stream}", cwd=remote).split()
    return [json.loads(line) for name in names if name.endswith(".jsonl")
            for line in git("show", f"main:.contracts/streams/{stream}/{name}", cwd=remote).splitlines()]


def assert_main_is_sound(remote: Path) -> None:
    root = git("rev-list", "--max-parents=0", "main", cwd=remote).split()[0]
    checked = run_cli("-C", str(remote), "check", "--range", f"{root}..main", cwd=remote)
    assert checked.code == 0, checked.out + checked.err
    ids = [entry["id"] for stream in ("work-execution", "work-discussion") for entry in entries(remote, stream)]
    assert len(ids) == len(set(ids)), "an entry was doubled"


@pytest.fixture
def queued(tmp_path: Path) -> Shared:
    return queued_shared(tmp_path)


def first_parents(remote: Path, count: int) -> list[tuple[str, str, str, int]]:
    """(subject, author, committer, number of parents) of main's last `count` first-parent commits, oldest first."""
    lines = git("log", "--first-parent", "--format=%s|%an|%cn|%p", f"-{count}", "main", cwd=remote).splitlines()
    return [(subject, author, committer, len(parents.split())) for subject, author, committer, parents
            in (line.split("|") for line in reversed(lines))]


def test_an_agent_alone_goes_straight_to_main_after_its_first_landing(queued: Shared) -> None:
    claimed = queued("bot", "claim", "work", "t0", "--json")
    assert claimed.code == 0
    # the commit it names is the one on main (the lander's replay), not the queued one behind it
    assert json.loads(claimed.out)["commit"] == git("rev-parse", "main", cwd=queued.remote)
    assert queued("bot", "progress", "work", "t0", "-m", "half way").code == 0
    assert queued("bot", "progress", "work", "t0", "-m", "nearly").code == 0
    assert first_parents(queued.remote, 3) == [("contracts: claim work/t0", "bot", "lander", 2),  # landed alone:
                                              ("contracts: progress work/t0", "bot", "bot", 1),   # then straight
                                              ("contracts: progress work/t0", "bot", "bot", 1)]
    assert queue_refs(queued.remote) == []


def test_after_a_lost_race_each_action_lands_through_its_queue(queued: Shared) -> None:
    # one clock for everyone, the remote's included: bot's last fetch stays fresh, so it builds on it
    clock = {"GITCONTRACTS_NOW": "2026-12-05T12:00:00Z", "GITCONTRACTS_RECEIVE_NOW": "2026-12-05T12:00:00Z"}
    assert queued("bot", "claim", "work", "t0", env=clock).code == 0
    asked = queued("orchestrator", "stream", "post", "work-discussion", "--label", "question",
                   "--data", '{"message": "how is it going?"}', env=clock)
    assert asked.code == 0, asked.err  # main moved: bot's next push to main loses, and it turns to its queue
    for args in (("progress", "work", "t0", "-m", "half way"), ("progress", "work", "t0", "-m", "nearly"),
                 ("stream", "post", "work-discussion", "--label", "question", "--data", '{"message": "format?"}')):
        done = queued("bot", *args, "--json", env=clock)
        assert done.code == 0, done.err
        assert json.loads(done.out)["pushed"] is True
    (queued.root / "result.json").write_text('{"summary": "t0 done"}')
    assert queued("bot", "stash", "put", "result-bot", "--file", str(queued.root / "result.json"), env=clock).code == 0
    assert queued("bot", "deliver", "work", "t0", "--stash", "result-bot", env=clock).code == 0

    # each action is on main's first-parent line once, by its author: replayed by the lander (two parents: main so
    # far and the queued commit) until bot's action landed alone again, then straight to main
    assert first_parents(queued.remote, 7) == [
        ("contracts: claim work/t0", "bot", "lander", 2),
        ("contracts: post work-discussion", "orchestrator", "lander", 2),
        ("contracts: progress work/t0", "bot", "lander", 2),   # lost the race for main: through the queue
        ("contracts: progress work/t0", "bot", "lander", 2),   # built on the main it fetched as the last landed
        ("contracts: post work-discussion", "bot", "bot", 1),  # ... alone: straight to main again
        ("contracts: put result-bot", "bot", "bot", 1), ("contracts: deliver work/t0", "bot", "bot", 1)]
    assert queue_refs(queued.remote) == []
    mine = [e["label"] for e in entries(queued.remote) if e["agent"] == "bot"]
    assert sorted(mine) == ["deliverable", "progress", "progress"]
    assert_main_is_sound(queued.remote)
    # the agent's clone follows main, and its log shows each action once
    bot = queued.clone("bot")
    assert git("rev-parse", "HEAD", cwd=bot) == git("rev-parse", "main", cwd=queued.remote)
    log = run_cli("log", "work", "--json", cwd=bot, agent="bot")
    actions = [item.get("action") for item in json.loads(log.out)["timeline"] if item.get("kind") == "commit"]
    assert sorted(actions) == sorted(["announce", "claim", "post", "progress", "progress", "post", "deliver"])


def test_the_same_subtask_race_keeps_one_winner(tmp_path: Path) -> None:
    for round_ in range(2):
        shared = queued_shared(tmp_path / f"round-{round_}", subtasks=1)
        racers = [f"racer-{n}" for n in range(20)]
        for name in racers:
            shared.clone(name)
        procs = [subprocess.Popen([sys.executable, "-m", "gitcontracts", "claim", "work", "t0", "--json"],
                                  cwd=shared.clone(name), env={**os.environ, "GITCONTRACTS_AGENT": name},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in racers]
        codes = [proc.wait(timeout=300) for proc in procs]
        for proc in procs:
            proc.communicate()
        assert sorted(codes) == [0] + [4] * 19, codes
        assert_main_is_sound(shared.remote)


def push(clone: Path, *refspecs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "push", "origin", *refspecs], cwd=clone, capture_output=True, text=True)


def test_the_lander_judges_each_queued_action_as_its_author(queued: Shared) -> None:
    assert queued("bot", "claim", "work", "t0").code == 0
    bot = queued.clone("bot")
    before = git("rev-parse", "main", cwd=queued.remote)
    # a commit by hand that writes into the owner's shard: queued fine, refused when replayed, and removed
    shard = bot / ".contracts/streams/work-execution/orchestrator.jsonl"
    shard.write_text('{"id": "01jx0000000000000000000000", "ts": "2026-12-05T00:00:00Z", "agent": "orchestrator", '
                     '"label": "progress", "data": {"subtask": "t0", "message": "forged"}}\n')
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "forge", cwd=bot)
    pushed = push(bot, "HEAD:refs/heads/queue/bot/a1")
    assert pushed.returncode == 0
    assert "refused refs/heads/queue/bot/a1: " in pushed.stderr and "orchestrator" in pushed.stderr
    # bot's action put in alice's queue is dropped
    git("reset", "-q", "--hard", "origin/main", cwd=bot)
    assert queued("bot", "progress", "work", "t0", "-m", "mine", "--offline").code == 0
    pushed = push(bot, "HEAD:refs/heads/queue/alice/a2")
    assert "dropped refs/heads/queue/alice/a2: the queue of alice carries only alice's actions" in pushed.stderr
    assert git("rev-parse", "main", cwd=queued.remote) == before and queue_refs(queued.remote) == []
    # names are checked before anything runs
    pushed = push(bot, "HEAD:refs/heads/queue/Bot/a3")
    assert pushed.returncode != 0 and "not a queue ref" in pushed.stderr
    # a queue ref is written once, and nobody removes a pending one
    (queued.remote / "hooks" / "post-receive").rename(queued.remote / "hooks" / "post-receive.off")
    assert push(bot, "HEAD:refs/heads/queue/bot/a4").returncode == 0
    again = push(bot, "+HEAD~1:refs/heads/queue/bot/a4")
    assert again.returncode != 0 and "written once" in again.stderr
    deleted = push(bot, ":refs/heads/queue/bot/a4")
    assert deleted.returncode != 0 and "removed only once main contains it" in deleted.stderr
    assert queue_refs(queued.remote) == ["refs/heads/queue/bot/a4"]
    # the next landing (here by hand, as after a stopped lander) brings it in
    landed = run_cli("-C", str(queued.remote), "land", "--json", cwd=queued.root)
    assert landed.code == 0, landed.err
    assert [item["ref"] for item in json.loads(landed.out)["landed"]] == ["refs/heads/queue/bot/a4"]
    assert queue_refs(queued.remote) == []
    assert [e["data"]["message"] for e in entries(queued.remote) if e["agent"] == "bot"] == ["mine"]
    assert_main_is_sound(queued.remote)


def test_without_a_lander_in_config_nothing_is_queued(shared: Shared) -> None:
    assert shared("orchestrator", "stream", "create", "notes").code == 0
    assert shared("bot", "stream", "post", "notes", "--label", "note", "--data", '{"text": "hi"}').code == 0
    assert not any("queued" in s for s in shared.log())
    bot = shared.clone("bot")
    assert shared("bot", "stream", "post", "notes", "--label", "note", "--data", '{"text": "again"}', "--offline").code == 0
    pushed = push(bot, "HEAD:refs/heads/queue/bot/x1")
    assert pushed.returncode != 0 and "does not land queued actions" in pushed.stderr


def pending_world(root: Path, agents: int = 3) -> Shared:
    """Queued actions of several agents pushed while no lander ran (its hook switched off): refs left to land."""
    shared = queued_shared(root, subtasks=agents, award="first")
    for n in range(agents):
        assert shared(f"bot-{n}", "claim", "work", f"t{n}").code == 0
    hook = shared.remote / "hooks" / "post-receive"
    hook.rename(hook.with_suffix(".off"))
    for n in range(agents):
        name = f"bot-{n}"
        git("pull", "-q", "--ff-only", cwd=shared.clone(name))
        for step in range(2):
            assert shared(name, "progress", "work", f"t{n}", "-m", f"step {step}", "--offline").code == 0
            git("push", "-q", "origin", f"HEAD:refs/heads/queue/{name}/s{step}", cwd=shared.clone(name))
            git("reset", "-q", "--hard", "origin/main", cwd=shared.clone(name))
    hook.with_suffix(".off").rename(hook)
    assert len(queue_refs(shared.remote)) == 2 * agents
    return shared


def run_and_kill(cmd: list[str], cwd: Path, delay: float, env: dict[str, str] | None = None) -> None:
    proc = subprocess.Popen(cmd, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    time.sleep(delay)  # where it dies, not whether the assertions hold, depends on this
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def test_a_lander_killed_at_any_point_is_finished_by_the_next_pass(tmp_path: Path) -> None:
    world = pending_world(tmp_path / "world")
    land = [sys.executable, "-m", "gitcontracts", "-C", str(world.remote), "land"]
    trial = tmp_path / "trial"
    shutil.copytree(world.remote, trial)
    start = time.perf_counter()
    subprocess.run([*land[:4], str(trial), "land"], check=True, capture_output=True)
    duration = time.perf_counter() - start
    for point in range(KILL_POINTS):
        shutil.rmtree(trial)
        shutil.copytree(world.remote, trial)
        run_and_kill([*land[:4], str(trial), "land"], tmp_path, duration * (0.2 + 0.8 * point / KILL_POINTS))
        again = run_cli("-C", str(trial), "land", "--json", cwd=tmp_path)
        assert again.code == 0, again.err
        assert queue_refs(trial) == []
        progress = sorted((e["agent"], e["data"]["message"]) for e in entries(trial) if e["label"] == "progress")
        assert progress == [(f"bot-{n}", f"step {s}") for n in range(3) for s in range(2)]  # each exactly once
        assert_main_is_sound(trial)


def test_an_agent_killed_mid_action_leaves_its_action_landed_once_or_not_at_all(tmp_path: Path) -> None:
    world = queued_shared(tmp_path / "world", subtasks=1)
    clock = {"GITCONTRACTS_NOW": "2026-12-05T12:00:00Z", "GITCONTRACTS_RECEIVE_NOW": "2026-12-05T12:00:00Z"}
    assert world("bot", "claim", "work", "t0", env=clock).code == 0
    # main moves after bot's fetch: its next action loses the race for main and goes through its queue
    assert world("orchestrator", "stream", "post", "work-discussion", "--label", "question",
                 "--data", '{"message": "news?"}', env=clock).code == 0
    trial = tmp_path / "trial"

    def fresh_trial() -> None:
        shutil.rmtree(trial, ignore_errors=True)
        shutil.copytree(tmp_path / "world", trial)
        git("remote", "set-url", "origin", str(trial / "shared.git"), cwd=trial / "bot")

    cmd = [sys.executable, "-m", "gitcontracts", "progress", "work", "t0", "-m", "killed?"]
    env = {"GITCONTRACTS_AGENT": "bot", **clock}
    fresh_trial()
    start = time.perf_counter()
    subprocess.run(cmd, cwd=trial / "bot", check=True, capture_output=True, env={**os.environ, **env})
    duration = time.perf_counter() - start
    for point in range(KILL_POINTS):
        fresh_trial()
        run_and_kill(cmd, trial / "bot", duration * (0.2 + 0.8 * point / KILL_POINTS), env)
        assert run_cli("-C", str(trial / "shared.git"), "land", cwd=trial, env=clock).code == 0  # the next pass
        assert queue_refs(trial / "shared.git") == []
        seen = [e for e in entries(trial / "shared.git") if e["label"] == "progress"]
        assert len(seen) <= 1
        assert_main_is_sound(trial / "shared.git")
        # and the agent goes on: its next action lands, after whatever the killed one left
        assert run_cli("fsck", "--repair", cwd=trial / "bot", agent="bot").code in (0, 3)
        nxt = run_cli("progress", "work", "t0", "-m", "after", cwd=trial / "bot", agent="bot", env=clock)
        assert nxt.code == 0, nxt.err
        assert [e["data"]["message"] for e in entries(trial / "shared.git") if e["label"] == "progress"][-1] == "after"


def test_an_action_on_what_appeared_since_its_agents_last_landing_fetches_it(queued: Shared) -> None:
    clock = {"GITCONTRACTS_NOW": "2026-12-05T12:00:00Z"}  # bot's last fetch stays fresh: it would build on it
    assert queued("bot", "claim", "work", "t0", env=clock).code == 0
    assert queued("orchestrator", "new", "later", "--objective", "Later", "--subtask", "x:do x", env=clock).code == 0
    claimed = queued("bot", "claim", "later", "x", env=clock)  # not "no contract named 'later'": it fetched again
    assert claimed.code == 0, claimed.err


def test_an_award_built_on_the_owners_last_landing_still_fetches_the_claims(tmp_path: Path) -> None:
    shared = queued_shared(tmp_path, award="review")
    clock = {"GITCONTRACTS_NOW": "2026-12-05T12:00:00Z"}  # the owner's last fetch stays fresh: the award builds on it
    assert shared("orchestrator", "ask", "work", "-m", "anyone?", env=clock).code == 0
    assert shared("bot", "claim", "work", "t0", "-m", "me", env=clock).code == 0  # a claim branch, after that fetch
    awarded = shared("orchestrator", "award", "work", "t0", "bot", "--json", env=clock)
    assert awarded.code == 0, awarded.err
    assert git("log", "-1", "--format=%s", "main", cwd=shared.remote) == "contracts: award work/t0"
    assert git("for-each-ref", "refs/heads/claim/", cwd=shared.remote) == ""


def test_queued_actions_are_dropped_once_config_names_no_lander(queued: Shared) -> None:
    assert queued("bot", "claim", "work", "t0").code == 0
    owner = queued.clone("orchestrator")
    git("pull", "-q", "--ff-only", cwd=owner)
    config = owner / ".contracts" / "config.yaml"
    config.write_text("".join(line for line in config.read_text().splitlines(keepends=True)
                              if not line.startswith("lander:")))
    git("commit", "-qam", "config: no lander", cwd=owner)
    git("push", "-q", "origin", "main", cwd=owner)
    bot = queued.clone("bot")
    git("pull", "-q", "--ff-only", cwd=bot)
    assert queued("bot", "progress", "work", "t0", "-m", "queued?", "--offline").code == 0
    pushed = push(bot, "HEAD:refs/heads/queue/bot/late")
    assert "dropped refs/heads/queue/bot/late: main no longer lands queued actions" in pushed.stderr
    assert queue_refs(queued.remote) == []
    refused = push(bot, "HEAD:refs/heads/queue/bot/later")  # and from then on the remote refuses queue refs
    assert refused.returncode != 0 and "does not land queued actions" in refused.stderr
    # the agent's own action goes straight to main
    git("reset", "-q", "--hard", "origin/main", cwd=bot)
    assert queued("bot", "progress", "work", "t0", "-m", "straight").code == 0
    assert first_parents(queued.remote, 1) == [("contracts: progress work/t0", "bot", "bot", 1)]
