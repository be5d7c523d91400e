"""`next` (what waits for the acting agent, with the command acting on it) and `prime` (the onboarding text),
over real clones of a guarded shared remote (issue 12)."""
from __future__ import annotations

import json
import re
import shlex
from typing import Any

import click
import pytest

from conftest import Shared
from gitcontracts import api
from gitcontracts.cli.app import cli
from gitcontracts.protocol.prime import EXAMPLES


def items(shared: Shared, agent: str) -> list[dict[str, Any]]:
    result = shared(agent, "next", "--json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["agent"] == agent
    return list(answer["items"])


@pytest.fixture
def site(shared: Shared) -> Shared:
    """orchestrator's contract `site`: `a` offered to bot-1, `b` claimed by bot-2 (review: a claim branch), `c` open."""
    new = shared("orchestrator", "new", "site", "--objective", "A site", "--subtask", "a:Write the copy",
                 "--subtask", "b:Draw the layout", "--subtask", "c:Test it", "--deadline", "2099-01-01T00:00:00Z")
    assert new.code == 0, new.err
    assert shared("orchestrator", "offer", "site", "a", "--to", "bot-1", "--expires", "2h").code == 0
    claimed = shared("bot-2", "claim", "site", "b", "-m", "mine")
    assert claimed.code == 0, claimed.err
    return shared


def test_next_lists_the_offer_first_then_what_may_be_claimed(site: Shared) -> None:
    found = items(site, "bot-1")
    assert found[0]["kind"] == "offer" and found[0]["command"] == "gitcontracts accept site a"
    assert (found[0]["contract"], found[0]["subtask"]) == ("site", "a")
    assert 0 < found[0]["expires_in"] <= 7200
    claimable = [(i["subtask"], i["command"]) for i in found if i["kind"] == "claim"]
    assert claimable == [("b", "gitcontracts claim site b"), ("c", "gitcontracts claim site c")]
    text = site("bot-1", "next")
    assert text.code == 0 and text.out.splitlines()[0].startswith("gitcontracts accept site a  # offered to you")
    assert re.search(r"\(expires in (2h00m|1h59m)\)$", text.out.splitlines()[0])


def test_next_shows_the_owner_the_claim_to_award_and_the_claimant_its_pending_claim(site: Shared) -> None:
    owner = items(site, "orchestrator")
    assert [(i["kind"], i["command"]) for i in owner] == [("award", "gitcontracts award site b bot-2")]
    mine = [i for i in items(site, "bot-2") if i["kind"] == "claim-pending"]
    assert [(i["subtask"], i["command"]) for i in mine] == [("b", "gitcontracts bids site b")]


def test_after_accepting_the_subtask_needs_a_deliverable_then_the_owner_completes_it(site: Shared, tmp_path: Any) -> None:
    assert site("bot-1", "accept", "site", "a").code == 0
    found = items(site, "bot-1")
    assert found[0]["kind"] == "deliver" and found[0]["command"] == "gitcontracts deliver site a --stash STASH"
    assert "offer" not in {i["kind"] for i in found}
    note = tmp_path / "copy.yaml"
    note.write_text("text: hello\n")
    assert site("bot-1", "stash", "put", "copy", "--file", str(note)).code == 0
    delivered = site("bot-1", "deliver", "site", "a", "--stash", "copy")
    assert delivered.code == 0, delivered.err
    assert [i["kind"] for i in items(site, "bot-1") if i["subtask"] == "a"] == ["delivered"]
    owner = items(site, "orchestrator")
    assert ("complete", "gitcontracts complete site a") in [(i["kind"], i["command"]) for i in owner]
    complete = next(i for i in owner if i["kind"] == "complete")
    assert "the stash copy" in complete["detail"] and "gitcontracts stash get copy" in complete["detail"]


def test_a_deliver_item_names_the_schema_the_deliverable_must_match(site: Shared) -> None:
    typed = site("orchestrator", "patch", "site", "--path", "subtasks", "--match", "id=a", "--set",
                 "deliverable_schema=agent-contract")
    assert typed.code == 0, typed.err
    assert site("bot-1", "accept", "site", "a").code == 0
    deliver = next(i for i in items(site, "bot-1") if i["kind"] == "deliver")
    assert "it must match the schema agent-contract (`gitcontracts schema show agent-contract`)" in deliver["detail"]


def test_the_owner_sees_questions_without_answers(site: Shared) -> None:
    assert site("bot-2", "ask", "site", "c", "-m", "Which browsers?").code == 0
    question = [i for i in items(site, "orchestrator") if i["kind"] == "answer"]
    assert len(question) == 1 and question[0]["subtask"] == "c" and "Which browsers?" in question[0]["detail"]
    argv = shlex.split(question[0]["command"])
    assert site("orchestrator", *argv[1:-1], "All of them").code == 0
    assert not [i for i in items(site, "orchestrator") if i["kind"] == "answer"]


def test_next_with_nothing_waiting(shared: Shared) -> None:
    result = shared("bot-1", "next")
    assert result.code == 0 and result.out.strip() == "nothing waiting for you"


def parse(line: str) -> None:
    """Parse a command line as the CLI would, down to its command, without running it (click raises on error)."""
    argv = shlex.split(line)
    assert argv[0] == "gitcontracts", line
    command: click.Command = cli
    ctx = click.Context(cli, info_name="gitcontracts")
    args = argv[1:]
    while isinstance(command, click.Group):
        found = command.get_command(ctx, args[0])
        assert found is not None, line
        command, args = found, args[1:]
        ctx = click.Context(command, info_name=command.name, parent=ctx)
    command.make_context(str(command.name), args, parent=ctx.parent)


def test_every_example_in_prime_parses() -> None:
    text = api.prime(api.open_workspace(agent="bot-1"))
    shown = [line for line in text.splitlines() if line.startswith("gitcontracts ")]
    assert len(shown) == len(EXAMPLES) >= 10
    for line in shown:
        parse(line)
    for _ in ("accept", "claim", "progress", "deliver", "next"):
        assert any(line.startswith(f"gitcontracts {_}") for line in shown), _


def test_a_broken_example_is_caught() -> None:
    with pytest.raises(click.UsageError):
        parse("gitcontracts deliver site a --no-such-option")
    with pytest.raises(click.UsageError):
        parse("gitcontracts deliver site a")  # --stash is required


def test_prime_names_the_agent_and_its_source_or_how_to_set_one(shared: Shared) -> None:
    result = shared("bot-1", "prime")
    assert result.code == 0, result.err
    assert "You are the agent `bot-1` (from $GITCONTRACTS_AGENT)" in result.out
    assert "0.1.0" in result.out and "4 conflict" in result.out and "6 forbidden" in result.out
    bad = shared("bot-1", "--agent", "Not A Name", "prime")
    assert bad.code == 0 and "No valid acting agent" in bad.out and "export GITCONTRACTS_AGENT=NAME" in bad.out


def test_next_offers_only_what_the_registry_lets_the_agent_take(shared: Shared) -> None:
    for args in (("agent", "add", "orchestrator"), ("agent", "add", "bot-1", "--capability", "writing", "--capacity", "1")):
        assert shared("orchestrator", *args).code == 0
    made = shared("orchestrator", "new", "jobs", "--objective", "Jobs", "--subtask", "copy:Write", "--subtask", "load:Test",
                  "--subtask", "more:Write more")
    assert made.code == 0, made.err
    needs = shared("orchestrator", "patch", "jobs", "--path", "subtasks", "--match", "id=load",
                   "--set", 'requires=["load-testing"]')
    assert needs.code == 0, needs.err
    assert [i["subtask"] for i in items(shared, "bot-1") if i["kind"] == "claim"] == ["copy", "more"]
    assert shared("orchestrator", "patch", "jobs", "--path", "subtasks", "--match", "id=copy", "--set", "award=first").code == 0
    assert shared("bot-1", "claim", "jobs", "copy").code == 0
    found = items(shared, "bot-1")
    assert [i["kind"] for i in found] == ["deliver"]  # at its capacity of 1: nothing more to claim


def test_next_brings_a_question_to_the_assignee_and_the_answer_back_to_who_asked(site: Shared) -> None:
    assert site("bot-1", "accept", "site", "a").code == 0
    assert site("bot-2", "ask", "site", "a", "-m", "Which tone?").code == 0
    answer = [i for i in items(site, "bot-1") if i["kind"] == "answer"]
    assert len(answer) == 1 and answer[0]["detail"] == "bot-2 asks: Which tone?"
    argv = ["Plain and short" if word == "ANSWER" else word for word in shlex.split(answer[0]["command"])]
    replied = site("bot-1", *argv[1:])
    assert replied.code == 0, replied.err
    assert not [i for i in items(site, "bot-1") if i["kind"] == "answer"]
    back = [i for i in items(site, "bot-2") if i["kind"] == "answered"]
    assert len(back) == 1 and back[0]["detail"].endswith(": Plain and short")
    read = site("bot-2", *shlex.split(back[0]["command"])[1:], "--json")
    assert [e["data"]["message"] for e in read.json["entries"]] == ["Plain and short"]
    assert site("bot-2", "ask", "site", "-m", "And the deadline?").code == 0  # moving on: the answer was seen
    assert not [i for i in items(site, "bot-2") if i["kind"] == "answered"]


def test_status_agent_shows_what_concerns_that_agent(site: Shared) -> None:
    assert site("orchestrator", "new", "other", "--objective", "Not theirs", "--subtask", "x:X").code == 0
    rows = site("bot-1", "status", "--agent", "bot-1", "--json").json
    assert [r["contract"] for r in rows["contracts"]] == ["site"] and rows["agent"] == "bot-1"
    one = site("bot-2", "status", "site", "--agent", "bot-2", "--json").json
    assert [t["id"] for t in one["subtasks"]] == ["b"]  # its claim branch
    assert len(site("orchestrator", "status", "site", "--agent", "orchestrator", "--json").json["subtasks"]) == 3
    assert {r["contract"] for r in site("bot-1", "status", "--json").json["contracts"]} == {"site", "other"}
