"""Streams (SPEC 5): shards per agent, ordered reads, latest from the ends, torn lines, concurrent posts."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gitcontracts import api


@pytest.fixture
def stream(ws: api.Workspace) -> str:
    api.create_stream(ws, "log", discoverable=True)
    return "log"


def post(ws: api.Workspace, agent: str, label: str, **data) -> dict:
    return api.post_entry(api.open_workspace(ws.root, agent=agent), "log", label, data)


def test_each_agent_writes_its_own_shard(ws: api.Workspace, stream: str) -> None:
    post(ws, "a-bot", "progress", message="1")
    post(ws, "b-bot", "progress", message="2")
    folder = ws.layout.stream("log")
    assert sorted(p.name for p in folder.iterdir()) == ["a-bot.jsonl", "b-bot.jsonl", "meta.yaml"]
    line = (folder / "a-bot.jsonl").read_bytes()
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and b": " not in line
    entry = json.loads(line)
    assert set(entry) == {"id", "ts", "agent", "label", "data"} and entry["agent"] == "a-bot"
    assert len(entry["id"]) == 26 and entry["ts"].endswith("Z")


def test_read_merges_shards_in_entry_order_with_filters(ws: api.Workspace, stream: str) -> None:
    ids = [post(ws, agent, label, n=i)["id"] for i, (agent, label) in
           enumerate([("a-bot", "progress"), ("b-bot", "question"), ("a-bot", "progress"), ("b-bot", "answer")])]
    entries = api.read_stream(ws, "log").entries
    assert [e["id"] for e in entries] == ids
    assert [e["data"]["n"] for e in api.read_stream(ws, "log", label="progress").entries] == [0, 2]
    assert [e["id"] for e in api.read_stream(ws, "log", since=ids[1]).entries] == ids[2:]
    assert [e["id"] for e in api.read_stream(ws, "log", since=ids[0], limit=2).entries] == ids[1:3]
    with pytest.raises(api.NotFound):
        api.read_stream(ws, "log", since="01NOPE")


def test_latest_with_and_without_label(ws: api.Workspace, stream: str) -> None:
    post(ws, "a-bot", "progress", n=1)
    question = post(ws, "b-bot", "question", message="?")
    last = post(ws, "a-bot", "progress", n=2)
    assert api.latest_entry(ws, "log")[0]["id"] == last["id"]
    assert api.latest_entry(ws, "log", "question")[0]["id"] == question["id"]
    with pytest.raises(api.NotFound):
        api.latest_entry(ws, "log", "deliverable")


def test_a_torn_last_line_is_skipped_with_a_warning_and_blocks_appends_until_repaired(ws: api.Workspace, stream: str) -> None:
    post(ws, "a-bot", "progress", n=1)
    shard = ws.layout.shard("log", "a-bot")
    with open(shard, "ab") as handle:
        handle.write(b'{"id":"01J","ts":"2026')
    result = api.read_stream(ws, "log")
    assert len(result.entries) == 1 and "torn" in result.warnings[0]
    with pytest.raises(api.InvalidContent, match="torn line") as caught:
        post(ws, "a-bot", "progress", n=2)
    assert "fsck --repair" in caught.value.hint
    assert [f.problem for f in api.fsck(ws)] == ["torn last line (a crash mid-write)"]
    api.fsck(ws, repair=True)
    post(ws, "a-bot", "progress", n=2)
    assert [e["data"]["n"] for e in api.read_stream(ws, "log").entries] == [1, 2]
    assert api.validate_all(ws).valid


def test_shard_stays_in_time_order_when_the_clock_steps_back(ws: api.Workspace, stream: str) -> None:
    from datetime import datetime, timezone
    late = api.open_workspace(ws.root, agent="a-bot", clock=lambda: datetime(2030, 1, 1, 0, 0, 2, tzinfo=timezone.utc))
    early = api.open_workspace(ws.root, agent="a-bot", clock=lambda: datetime(2030, 1, 1, tzinfo=timezone.utc))
    first = api.post_entry(late, "log", "progress", {})
    second = api.post_entry(early, "log", "progress", {})  # two seconds back: within max_clock_skew
    assert second["ts"] > first["ts"]
    assert api.latest_entry(ws, "log")[0]["id"] == second["id"]


def test_a_clock_that_ran_ahead_does_not_pin_later_entries_to_its_future(ws: api.Workspace, stream: str) -> None:
    from datetime import datetime, timezone
    ahead = api.open_workspace(ws.root, agent="a-bot", clock=lambda: datetime(2030, 1, 1, tzinfo=timezone.utc))
    fixed = api.open_workspace(ws.root, agent="a-bot", clock=lambda: datetime(2026, 12, 4, tzinfo=timezone.utc))
    api.post_entry(ahead, "log", "progress", {}, offline=True)
    later = [api.post_entry(fixed, "log", "progress", {"n": n}) for n in range(2)]
    assert [e["ts"][:10] for e in later] == ["2026-12-04", "2026-12-04"] and later[1]["ts"] > later[0]["ts"]


@pytest.mark.parametrize("label, data, message", [
    ("reject", {"reason": "bored"}, "reason is one of"),
    ("claim", {"subtask_id": "Bad Name"}, "data.subtask_id"),
    ("progress", ["not", "an", "object"], "has an object as data"),
    ("", {}, "label must be"),
])
def test_conventional_labels_have_conventional_data(ws: api.Workspace, stream: str, label: str, data, message: str) -> None:
    with pytest.raises(api.InvalidContent, match=message):
        api.post_entry(api.open_workspace(ws.root, agent="a-bot"), "log", label, data)
    assert api.read_stream(ws, "log").entries == []


def test_oversized_entry_is_refused(ws: api.Workspace, stream: str) -> None:
    with pytest.raises(api.InvalidContent, match="over the limit"):
        post(ws, "a-bot", "progress", blob="x" * 300_000)
    assert not ws.layout.shard("log", "a-bot").exists() or ws.layout.shard("log", "a-bot").read_bytes() == b""


def test_post_to_a_missing_stream_is_not_found(ws: api.Workspace) -> None:
    with pytest.raises(api.NotFound):
        api.post_entry(ws, "nope", "progress", {})


def test_stream_schema_checks_each_entry(ws: api.Workspace, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("name: metric\nversion: 1\ntarget_type: stream\n"
                                     "definition: {type: object, required: [value], properties: {value: {type: number}}}\n")
    api.add_schema(ws, tmp_path / "m.yaml")
    ws = api.open_workspace(ws.root, agent="orchestrator")
    api.create_stream(ws, "metrics", schema="metric")
    api.post_entry(ws, "metrics", "sample", {"value": 3})
    with pytest.raises(api.InvalidContent, match="data.value"):
        api.post_entry(ws, "metrics", "sample", {"value": "high"})


def test_create_twice_and_bad_link(ws: api.Workspace, stream: str) -> None:
    with pytest.raises(api.Conflict):
        api.create_stream(ws, "log")
    with pytest.raises(api.NotFound):
        api.create_stream(ws, "other", linked_stash="missing")


POSTER = """
import sys
from gitcontracts import api
ws = api.open_workspace(sys.argv[1], agent=sys.argv[2])
for i in range(int(sys.argv[3])):
    api.post_entry(ws, "log", "progress", {"n": i, "pad": "x" * 2000})
"""


@pytest.mark.parametrize("same_agent", [True, False])
def test_processes_posting_at_once_lose_and_interleave_nothing(ws: api.Workspace, stream: str, same_agent: bool) -> None:
    writers, per_writer = 20, 40
    procs = [subprocess.Popen([sys.executable, "-c", POSTER, str(ws.root), "a-bot" if same_agent else f"w{i}-bot",
                               str(per_writer)]) for i in range(writers)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    entries = api.read_stream(ws, "log").entries
    assert len(entries) == writers * per_writer
    assert len({e["id"] for e in entries}) == writers * per_writer
    report = api.validate_all(ws)
    assert report.valid, report.problems[:3]


def test_cli_stream_commands(cli, repo: Path) -> None:
    assert cli("stream", "create", "log", "--discoverable", "--ttl", "3600").code == 0
    posted = cli("stream", "post", "log", "--label", "progress", "--data", '{"message": "hi"}', "--json", agent="a-bot")
    assert posted.code == 0 and posted.json["agent"] == "a-bot" and posted.json["data"] == {"message": "hi"}
    read = cli("stream", "read", "log", "--json").json
    assert read["stream"] == "log" and [e["id"] for e in read["entries"]] == [posted.json["id"]]
    assert cli("stream", "latest", "log", "--json").json["id"] == posted.json["id"]
    bad = cli("stream", "post", "log", "--label", "x", "--data", "{nope", "--json")
    assert bad.code == 3 and "not valid JSON" in bad.error["message"]
