"""`gitcontracts mcp` (issue 12): one server process per module, started in bot-1's clone of a guarded shared
remote and driven by the MCP SDK's own client over stdio, while the owner acts through the CLI. Each tool's
answer is checked against what the CLI and the bare remote's git history show."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator

import anyio.from_thread
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult

from conftest import Shared, make_hermetic
from helpers import commit_all, git

AGENT = "bot-1"


class Agent:
    """bot-1's MCP session, held open on an event loop in a thread (anyio's blocking portal): `call(tool, **args)`."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, session: ClientSession) -> None:
        self.portal = portal
        self.session = session

    def raw(self, tool: str, **arguments: Any) -> CallToolResult:
        return self.portal.call(self.session.call_tool, tool, arguments)

    def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        result = self.raw(tool, **arguments)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]
        return result.structured_content

    def error(self, tool: str, **arguments: Any) -> dict[str, Any]:
        result = self.raw(tool, **arguments)
        assert result.is_error and result.structured_content is not None, result
        return result.structured_content["error"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """A guarded shared remote (whose reads always fetch) where the owner (orchestrator) announced `site`: `a`
    for the first taker, `b` and `c` for review; bot-1's clone made."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        make_hermetic(monkeypatch, tmp_path_factory.mktemp("home"))
        shared = Shared(tmp_path_factory.mktemp("mcp"))
        owner = shared.clone("orchestrator")
        config = owner / ".contracts/config.yaml"
        config.write_text(config.read_text() + "fetch_ttl: 0\n")  # every read fetches what was just pushed
        commit_all(owner, "contracts: config\n\nAgent: orchestrator")
        git("push", "-q", "origin", "main", cwd=owner)
        announce(shared, "site")
        shared.clone(AGENT)
        yield shared


def announce(shared: Shared, name: str) -> None:
    new = shared("orchestrator", "new", name, "--objective", f"Build the {name}", "--subtask", "a:Write the copy",
                 "--subtask", "b:Draw the layout", "--subtask", "c:Test it", "--deadline", "2099-01-01T00:00:00Z")
    assert new.code == 0, new.err
    first = shared("orchestrator", "patch", name, "--path", "subtasks", "--match", "id=a", "--set", "award=first")
    assert first.code == 0, first.err


@pytest.fixture(scope="module")
def agent(world: Shared) -> Iterator[Agent]:
    """The one server process of this module: `gitcontracts mcp --agent bot-1 --dir CLONE`, started elsewhere."""
    args = ["-m", "gitcontracts", "mcp", "--agent", AGENT, "--dir", str(world.clone(AGENT))]
    params = StdioServerParameters(command=sys.executable, args=args, env=dict(os.environ), cwd=str(world.root))
    with ExitStack() as stack, open(world.root / "server.log", "w") as errlog:
        portal = stack.enter_context(anyio.from_thread.start_blocking_portal())
        read, write = stack.enter_context(portal.wrap_async_context_manager(stdio_client(params, errlog=errlog)))
        session = stack.enter_context(portal.wrap_async_context_manager(ClientSession(read, write)))
        portal.call(session.initialize)
        yield Agent(portal, session)


def remote_head(shared: Shared) -> str:
    return git("rev-parse", "main", cwd=shared.remote)


def test_the_tools_are_listed_with_typed_parameters(agent: Agent) -> None:
    tools = {tool.name: tool for tool in agent.portal.call(agent.session.list_tools).tools}
    assert set(tools) == {"next", "discover", "status", "claim", "accept", "reject", "progress", "deliver", "ask",
                          "answer", "release", "stream_read"}
    claim = tools["claim"].input_schema
    assert claim["required"] == ["contract", "subtask"] and claim["additionalProperties"] is False
    assert claim["properties"]["bid_usdc"]["type"] == "number" and claim["properties"]["contract"]["description"]
    assert tools["stream_read"].input_schema["properties"]["limit"] == {
        "description": "At most this many entries.", "type": "integer", "minimum": 0}
    assert tools["progress"].output_schema == {"type": "object", "required": ["commit", "pushed"]}


def test_next_then_claim_progress_and_deliver_land_on_the_shared_main(world: Shared, agent: Agent) -> None:
    waiting = agent.call("next")
    assert waiting["agent"] == AGENT
    assert ("claim", "site", "a", "gitcontracts claim site a") in [
        (i["kind"], i["contract"], i["subtask"], i["command"]) for i in waiting["items"]]
    assert waiting == world(AGENT, "next", "--json").json  # the same JSON the command prints

    claimed = agent.call("claim", contract="site", subtask="a", message="on it")
    assert (claimed["agent"], claimed["award"], claimed["branch"], claimed["pushed"]) == (AGENT, "first", None, True)
    assert claimed["commit"] == remote_head(world)
    status = world("orchestrator", "status", "site", "--json").json
    assert {s["id"]: (s["status"], s["assigned_agent"]) for s in status["subtasks"]}["a"] == ("claimed", AGENT)

    progressed = agent.call("progress", contract="site", subtask="a", message="half done", data={"percent": 50})
    assert progressed["pushed"] and progressed["commit"] == remote_head(world)
    assert progressed["entry"]["data"] == {"subtask_id": "a", "message": "half done", "percent": 50}

    delivered = agent.call("deliver", contract="site", subtask="a", stash="site-copy", content={"text": "Hello"},
                           summary="the copy")
    written = delivered["stash_written"]
    assert (written["stash"], written["content"], written["pushed"]) == ("site-copy", {"text": "Hello"}, True)
    assert delivered["commit"] == remote_head(world) != written["commit"]
    assert delivered["entry"]["label"] == "deliverable" and delivered["entry"]["data"]["deliverable"] == "site-copy"
    got = world("orchestrator", "stash", "get", "site-copy", "--json")
    assert got.code == 0, got.err
    assert got.json["content"] == {"text": "Hello"}
    assert world.log()[:4] == ["contracts: deliver site/a", "contracts: put site-copy", "contracts: progress site/a",
                               "contracts: claim site/a"]
    owner = world("orchestrator", "next", "--json").json["items"]
    assert ("complete", "gitcontracts complete site a") in [(i["kind"], i["command"]) for i in owner]


def test_a_question_the_owner_answers_reaches_the_agent(world: Shared, agent: Agent) -> None:
    asked = agent.call("ask", contract="site", subtask="c", message="Which browsers?")
    assert asked["pushed"] and asked["commit"] == remote_head(world)
    question = asked["entry"]["id"]
    owner = [i for i in world("orchestrator", "next", "--json").json["items"] if i["kind"] == "answer"]
    assert [(i["subtask"], i["detail"]) for i in owner] == [("c", f"{AGENT} asks: Which browsers?")]
    answered = world("orchestrator", "answer", "site", "--in-reply-to", question, "-m", "All of them", "--json")
    assert answered.code == 0, answered.err

    read = agent.call("stream_read", stream="site-discussion", label="answer")
    assert read["stream"] == "site-discussion"
    assert [(e["agent"], e["data"]["in_reply_to"], e["data"]["message"]) for e in read["entries"]] == [
        ("orchestrator", question, "All of them")]
    assert read == world(AGENT, "stream", "read", "site-discussion", "--label", "answer", "--json").json
    since = agent.call("stream_read", stream="site-discussion", since=question)
    assert [e["id"] for e in since["entries"]] == [answered.json["entry"]["id"]]


def test_reads_answer_as_the_commands_do(world: Shared, agent: Agent) -> None:
    assert agent.call("status", contract="site") == world(AGENT, "status", "site", "--json").json
    assert agent.call("status") == world(AGENT, "status", "--json").json
    found = agent.call("discover", schema="agent-contract", query="site")
    assert [r["name"] for r in found["results"]] == ["site"]
    assert found == world(AGENT, "discover", "--schema", "agent-contract", "-q", "site", "--json").json


def test_errors_carry_the_code_hint_and_details_of_the_cli(world: Shared, agent: Agent) -> None:
    announce(world, "blog")
    assert world("bot-2", "claim", "blog", "a").code == 0  # the first taker's
    before = remote_head(world)
    error = agent.error("claim", contract="blog", subtask="no-such-subtask")
    assert error["code"] == "not_found" and "no-such-subtask" in error["message"] and "a, b, c" in error["hint"]
    assert error == world(AGENT, "claim", "blog", "no-such-subtask", "--json").error
    assert list(error) == ["code", "message", "hint", "details"]  # every key, always
    taken = agent.error("claim", contract="blog", subtask="a")
    assert taken == world(AGENT, "claim", "blog", "a", "--json").error and taken["code"] == "conflict"
    assert remote_head(world) == before


@pytest.mark.parametrize(("tool", "arguments", "says"), [
    ("claim", {"contract": "site"}, "argument 'subtask' is required"),
    ("claim", {"contract": "site", "subtask": "b", "bid": 3}, "unknown argument 'bid'"),
    ("stream_read", {"stream": "site-discussion", "limit": "3"}, "argument 'limit' must be of type integer"),
    ("stream_read", {"stream": "site-discussion", "limit": -1}, "argument 'limit' must be at least 0"),
    ("progress", {"contract": "site", "subtask": "a", "message": "x", "data": True}, "must be of type object"),
    ("no-such-tool", {}, "no tool named 'no-such-tool'"),
])
def test_a_wrong_call_is_a_usage_error_naming_the_argument(agent: Agent, tool: str, arguments: dict[str, Any],
                                                           says: str) -> None:
    error = agent.error(tool, **arguments)
    assert error["code"] == "usage" and says in error["message"] and error["hint"], error


def test_an_action_on_another_agents_subtask_is_forbidden(world: Shared, agent: Agent) -> None:
    assert world("bot-2", "claim", "site", "b", "-m", "mine").code == 0
    assert world("orchestrator", "award", "site", "b", "bot-2").code == 0
    error = agent.error("progress", contract="site", subtask="b", message="sneaky")
    assert error["code"] == "forbidden" and error == world(AGENT, "progress", "site", "b", "-m", "sneaky", "--json").error


def test_offers_accepted_rejected_and_a_subtask_released(world: Shared, agent: Agent) -> None:
    announce(world, "shop")
    for task in ("b", "c"):
        offered = world("orchestrator", "offer", "shop", task, "--to", AGENT, "--fallback", "bot-2", "--expires", "2h")
        assert offered.code == 0, offered.err
    waiting = [(i["kind"], i["subtask"]) for i in agent.call("next")["items"] if i["contract"] == "shop"]
    assert waiting[:2] == [("offer", "b"), ("offer", "c")]

    accepted = agent.call("accept", contract="shop", subtask="b", message="gladly")
    assert (accepted["agent"], accepted["commit"], accepted["pushed"]) == (AGENT, remote_head(world), True)
    rejected = agent.call("reject", contract="shop", subtask="c", reason="scheduling-conflict", message="busy")
    assert rejected["offer"]["to"] == "bot-2" and rejected["commit"] == remote_head(world)
    released = agent.call("release", contract="shop", subtask="b", message="after all, no")
    assert released["commit"] == remote_head(world)
    subtasks = {s["id"]: s for s in world("orchestrator", "status", "shop", "--json").json["subtasks"]}
    assert (subtasks["b"]["status"], subtasks["c"]["offer"]["to"]) == ("open", "bot-2")
    assert world.log()[:3] == ["contracts: release shop/b", "contracts: reject shop/c", "contracts: accept shop/b"]
    bad = agent.error("reject", contract="shop", subtask="c", reason="scheduling-conflict")
    cli = world(AGENT, "reject", "shop", "c", "--reason", "scheduling-conflict", "--json").error
    # the same refusal; each names where its agent's name came from (the server's --agent, the CLI's environment)
    assert bad["message"] == f"subtask c is offered to bot-2, not to {AGENT} (from the --agent flag)"
    assert cli["message"] == f"subtask c is offered to bot-2, not to {AGENT} (from $GITCONTRACTS_AGENT)"
    assert bad["code"] == cli["code"] == "forbidden" and bad["details"] == cli["details"] == []


def test_without_the_sdk_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    blocked = "import sys; sys.modules['mcp'] = None; from gitcontracts.cli import main; sys.exit(main(['mcp']))"
    result = subprocess.run((sys.executable, "-c", blocked), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: gitcontracts mcp needs the MCP SDK (the `mcp` package, 2.x): pip install 'gitcontracts[mcp]'"]


def test_the_library_and_the_cli_do_not_import_the_sdk() -> None:
    probe = ("import sys, gitcontracts.api, gitcontracts.cli.app, gitcontracts.cli.serve, gitcontracts.mcp_server; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types', 'pydantic')))")
    result = subprocess.run((sys.executable, "-c", probe), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


def test_a_bad_agent_name_is_refused_before_serving(world: Shared) -> None:
    refused = world(AGENT, "mcp", "--agent", "Not A Name", "--json")
    assert refused.code == 3 and refused.error["code"] == "invalid" and "GITCONTRACTS_AGENT" in refused.error["hint"]
