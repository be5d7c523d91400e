"""One JSON vocabulary (SPEC 13): every command's `--json` output, and every error envelope, validates against the
JSON Schema the package publishes for it (`api.output_schema`), over one contract's life on a guarded shared remote."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from jsonschema import Draft202012Validator

from conftest import Shared
from gitcontracts import api
from helpers import Result

# every scenario here runs in both layouts: the flat default and the fan-out one (docs/fields.md)
pytestmark = pytest.mark.parametrize("layout", ["flat", "fanout"], indirect=True)

LATER = {"GITCONTRACTS_NOW": "+2h"}  # a read two hours on: the last fetch is past its fetch_ttl, so it fetches
OLD_KEYS = {"at", "what"}  # the keys `ts`, `action` and `label` replaced


def keys_and_values(doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield key, value
            yield from keys_and_values(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from keys_and_values(value)


def valid(doc: Any, command: str) -> Any:
    """`doc` checked against the command's schema and the vocabulary: `entry` is an entry object, never an id."""
    Draft202012Validator(api.output_schema(command)).validate(doc)
    for key, value in keys_and_values(doc):
        assert key not in OLD_KEYS, (command, key)
        assert key != "entry" or value is None or {"id", "ts", "agent", "label", "data"} <= set(value), (command, value)
    return doc


def out(result: Result, command: str) -> Any:
    assert result.code == 0, result.err
    return valid(json.loads(result.out), command)


def landed(result: Result, command: str) -> dict[str, Any]:
    """A mutating command's answer: the commit it landed on the shared main, pushed."""
    doc = out(result, command)
    assert len(doc["commit"]) == 40 and doc["pushed"] is True, doc
    return doc


def error(result: Result, exit_code: int, code: str) -> dict[str, Any]:
    assert (result.code, result.out) == (exit_code, ""), result.err
    envelope = valid(json.loads(result.err), "error")["error"]
    assert envelope["code"] == code and envelope["message"] and isinstance(envelope["hint"], str)
    return envelope


def as_agent(shared: Shared, agent: str) -> Callable[..., Result]:
    """The real command with --json, run by `agent` in its own clone."""
    return lambda *args, **kw: shared(agent, *args, "--json", **kw)


def test_every_command_speaks_one_vocabulary(shared: Shared, tmp_path: Path) -> None:
    o, a, b = (as_agent(shared, agent) for agent in ("orchestrator", "bot-a", "bot-b"))
    assert out(o("init"), "init")["commit"] is None  # the fixture's init landed it; again, nothing changes
    report = tmp_path / "report@1.yaml"
    report.write_text("name: report\nversion: 1\ndescription: a scored report\n"
                      "definition: {type: object, required: [score]}\n")
    landed(o("schema", "add", str(report)), "schema add")
    assert [r["name"] for r in out(o("schema", "search", "scored"), "schema search")["schemas"]] == ["report"]
    out(o("schema", "list"), "schema list")
    out(o("schema", "show", "report@1"), "schema show")
    landed(o("agent", "add", "orchestrator"), "agent add")
    landed(o("agent", "add", "bot-a", "--capacity", "3", "--capability", "copy"), "agent add")
    out(o("agent", "list"), "agent list")
    assert out(o("agent", "show", "bot-a"), "agent show")["agent"] == "bot-a"

    new = landed(o("new", "site", "--objective", "A site", "--subtask", "a:copy", "--subtask", "b:layout",
                   "--subtask", "c:test", "--deadline", "2099-01-01T00:00:00Z"), "new")
    assert new["contract"] == "site" and new["stash"]["name"] == "site"
    assert landed(o("stash", "put", "notes", "--discoverable", "-", input="items: [{id: 1, done: false}]\n"),
                  "stash put")["stash"] == "notes"
    assert out(o("stash", "get", "notes"), "stash get")["content"] == {"items": [{"id": 1, "done": False}]}
    patched = landed(o("patch", "notes", "--path", "items", "--match", "id=1", "--set", "done=true"), "patch")
    assert (patched["stash"], patched["contract"], patched["items_matched"]) == ("notes", None, [1])
    landed(o("stream", "create", "chat", "--discoverable"), "stream create")
    posted = landed(o("stream", "post", "chat", "--label", "hello", "--data", '{"n": 1}'), "stream post")
    kept = out(o("stream", "post", "chat", "--label", "hello", "--no-commit"), "stream post")
    assert (kept["commit"], kept["pushed"]) == (None, False)
    assert [e["id"] for e in out(o("stream", "read", "chat"), "stream read")["entries"]] == [posted["id"], kept["id"]]
    assert out(o("stream", "latest", "chat", "--label", "hello"), "stream latest")["id"] == kept["id"]
    assert {"site", "notes", "chat"} <= {r["name"] for r in out(o("discover"), "discover")["results"]}

    claimed = landed(a("claim", "site", "b", "-m", "mine"), "claim")
    assert (claimed["contract"], claimed["subtask"], claimed["agent"], claimed["entry"]["label"]) == ("site", "b", "bot-a",
                                                                                                      "claim")
    landed(b("claim", "site", "b"), "claim")
    bids = out(o("bids", "site", env=LATER), "bids")
    assert bids["contract"] == "site" and {bid["entry"]["agent"] for bid in bids["bids"]} == {"bot-a", "bot-b"}
    first = o("watch", "--once")
    assert (first.code, first.out) == (0, "")  # the watcher's first pass: nothing is news yet
    assert landed(o("award", "site", "b", "bot-a"), "award")["rejected"] == ["bot-b"]
    offered = landed(o("offer", "site", "a", "--to", "bot-b", "--fallback", "bot-a", "--expires", "2h"), "offer")
    assert offered["offer"]["to"] == "bot-b" and offered["entry"]["label"] == "offer"
    assert landed(b("reject", "site", "a", "--reason", "other"), "reject")["offer"]["to"] == "bot-a"
    landed(a("accept", "site", "a"), "accept")
    waiting = out(a("next"), "next")
    assert waiting["agent"] == "bot-a" and waiting["items"][0]["kind"] == "deliver"
    landed(a("progress", "site", "a", "-m", "half"), "progress")
    landed(a("stash", "put", "copy-a", "-", input="score: 1\n"), "stash put")
    assert landed(a("deliver", "site", "a", "--stash", "copy-a"), "deliver")["entry"]["data"]["deliverable"] == "copy-a"
    landed(o("complete", "site", "a"), "complete")
    landed(a("release", "site", "b"), "release")
    asked = landed(b("ask", "site", "c", "-m", "why?"), "ask")
    assert landed(o("answer", "site", "--in-reply-to", asked["entry"]["id"], "-m", "because"), "answer")["subtask"] == "c"
    assert out(o("settle"), "settle") == {"commit": None, "pushed": False, "steps": []}

    events = [valid(json.loads(line), "watch") for line in shared("orchestrator", "watch", "--once", "--json").out.splitlines()]
    assert {"awarded", "offer-made", "entry-posted"} <= {e["type"] for e in events}
    summary = out(o("status"), "status")["contracts"]
    assert [(c["contract"], c["completed"]) for c in summary] == [("site", 1)]
    state = out(o("status", "site"), "status")
    assert state["contract"] == state["name"] == "site"
    timeline = out(o("log", "site"), "log")["timeline"]
    assert {"announce", "award", "complete"} <= {i["action"] for i in timeline if i["kind"] == "commit"}
    assert {"claim", "question", "answer"} <= {i["label"] for i in timeline if i["kind"] == "entry"}
    assert "gitcontracts" in out(a("prime"), "prime")["text"]
    assert out(o("validate", "--all"), "validate")["valid"] is True
    assert out(o("check", "--range", "HEAD~3..HEAD"), "check")["valid"] is True
    assert out(o("fsck"), "fsck") == {"findings": []}
    assert out(o("gc"), "gc")["archived"] == []
    assert out(o("layout"), "layout")["layout"] == "flat" or shared.layout == "fanout"
    assert out(o("layout", "fanout"), "layout")["layout"] == "fanout"
    out(o("hooks", "install"), "hooks install")


def test_every_error_is_one_envelope_with_details_as_objects(shared: Shared, tmp_path: Path) -> None:
    o, b = as_agent(shared, "orchestrator"), as_agent(shared, "bot-b")
    bad = tmp_path / "bad@1.yaml"
    bad.write_text("name: bad\nversion: 1\ndefinition: {type: 12}\n")
    refused = error(o("schema", "add", str(bad)), 3, "invalid")
    assert refused["details"] and all(d["file"] and d["message"] for d in refused["details"])
    assert out(o("new", "site", "--objective", "A site", "--subtask", "a:copy"), "new")["contract"] == "site"
    assert error(o("new", "site", "--objective", "again"), 4, "conflict")["details"] == []
    error(o("status", "nope"), 5, "not_found")
    error(o("stream", "latest", "nope"), 5, "not_found")  # the fast path's own edge
    error(b("complete", "site", "a"), 6, "forbidden")
    error(o("claim", "site"), 2, "usage")
    error(o("stream", "post", "site-execution", "--label", "x", "--data", "{nope"), 3, "invalid")
    broken = error(o("stash", "put", "notes", "-", input="a: [1,\n"), 3, "invalid")
    assert broken["details"][0]["file"] == "<stdin>" and broken["details"][0]["line"]
