"""`stream read --limit` on big shards: merged lazily where a shard is known to be in order, whole where it is not,
and the same answer either way (issue 14)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitcontracts import api
from gitcontracts.store.shardorder import BIG, FILE
from helpers import commit_all

LINES = BIG // 150 + 200  # enough lines of ~170 bytes for a shard over the size that is tracked


def entry_line(agent: str, second: int, n: int, label: str = "progress") -> str:
    ts = f"2026-06-01T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.{n % 1_000_000:06d}Z"
    return json.dumps({"id": f"01J{agent[0].upper()}{second:010d}{n:08d}", "ts": ts, "agent": agent, "label": label,
                       "data": {"subtask_id": "task-1", "message": f"step {n} of a long job, written down"}},
                      separators=(",", ":")) + "\n"


@pytest.fixture
def big(ws: api.Workspace) -> Path:
    """Stream `log`: a-bot's shard over the tracked size, in time order (even seconds), and b-bot's small one
    (odd seconds)."""
    api.create_stream(ws, "log")
    folder = ws.layout.stream("log")
    (folder / "a-bot.jsonl").write_text("".join(entry_line("a-bot", 2 * n, n, "progress" if n % 3 else "question")
                                                for n in range(LINES)))
    (folder / "b-bot.jsonl").write_text("".join(entry_line("b-bot", 2 * n + 1, n) for n in range(50)))
    commit_all(ws.root, "a long stream")
    return folder


def full_order(ws: api.Workspace, **filters) -> list[str]:
    """The answer of a read with no limit (every shard read whole and sorted), cut where a limit would."""
    limit = filters.pop("limit")
    return [e["id"] for e in api.read_stream(ws, "log", **filters).entries][:limit]


def proofs(ws: api.Workspace) -> dict:
    return json.loads((ws.root / ".git" / FILE).read_text())


def test_a_limited_read_of_an_ordered_big_shard_matches_the_whole_read_and_is_remembered(
        ws: api.Workspace, big: Path) -> None:
    for filters in ({"limit": 10}, {"label": "question", "limit": 7}, {"limit": 5, "since": None}):
        filters = {k: v for k, v in filters.items() if v is not None}
        got = [e["id"] for e in api.read_stream(ws, "log", **filters).entries]
        assert got == full_order(ws, **dict(filters)) and len(got) == filters["limit"]
    shard = proofs(ws)[".contracts/streams/log/a-bot.jsonl"]
    assert shard["ordered"] is True and shard["size"] == (big / "a-bot.jsonl").stat().st_size
    assert ".contracts/streams/log/b-bot.jsonl" not in proofs(ws)  # small shards are read whole, never tracked
    since = api.read_stream(ws, "log", limit=30).entries[20]["id"]
    assert [e["id"] for e in api.read_stream(ws, "log", since=since, limit=3).entries] == \
        full_order(ws, since=since, limit=3)


def test_an_append_is_checked_alone_and_an_older_line_sends_the_shard_back_to_a_whole_read(
        ws: api.Workspace, big: Path) -> None:
    api.read_stream(ws, "log", limit=1)
    before = proofs(ws)[".contracts/streams/log/a-bot.jsonl"]["size"]
    post = api.post_entry(api.open_workspace(ws.root, agent="a-bot"), "log", "progress", {"message": "now"})
    assert api.read_stream(ws, "log", limit=1).entries[0]["agent"] in ("a-bot", "b-bot")
    after = proofs(ws)[".contracts/streams/log/a-bot.jsonl"]
    assert after["ordered"] is True and after["size"] > before and after["key"][1] == post["id"]
    # What the merge driver does when one agent appended on two branches: the other branch's entries, older
    # than the newest here, appended after them. The oldest entry of the stream is now the shard's last line.
    with open(big / "a-bot.jsonl", "a") as shard:
        shard.write(entry_line("a-bot", 0, 0, "progress").replace("01JA", "01JZ"))
    first = api.read_stream(ws, "log", limit=2).entries
    assert [e["id"] for e in first] == full_order(ws, limit=2)
    assert first[0]["id"].startswith("01JA") and first[1]["id"].startswith("01JZ")  # (ts, id): the same ts
    assert proofs(ws)[".contracts/streams/log/a-bot.jsonl"]["ordered"] is False


def test_a_rewritten_shard_is_proven_again_from_its_start(ws: api.Workspace, big: Path) -> None:
    """Shards are append-only: what is checked is that the proven part still ends where and as it did."""
    api.read_stream(ws, "log", limit=1)
    shard = big / "a-bot.jsonl"
    lines = shard.read_text().splitlines(keepends=True)
    lines[-1], lines[-2] = lines[-2], lines[-1]  # not what a commit may do, but a working tree can hold anything
    shard.write_text("".join(lines) + entry_line("a-bot", 10 * LINES, LINES))
    assert [e["id"] for e in api.read_stream(ws, "log", since=json.loads(lines[-3])["id"], limit=4).entries] == \
        full_order(ws, since=json.loads(lines[-3])["id"], limit=4)
    assert proofs(ws)[".contracts/streams/log/a-bot.jsonl"]["ordered"] is False


def test_a_torn_last_line_is_skipped_with_a_warning_in_a_lazy_read_too(ws: api.Workspace, big: Path) -> None:
    with open(big / "a-bot.jsonl", "a") as shard:
        shard.write('{"id":"01JX","ts":"2026-')
    result = api.read_stream(ws, "log", limit=LINES + 100)
    assert len(result.entries) == LINES + 50
    assert any("torn" in warning for warning in result.warnings)


@pytest.mark.parametrize("kept", ["{not json", '{".contracts/streams/log/a-bot.jsonl": {"ordered": true, "size": 50, '
                                               '"key": [1, 2], "line": 7}}'])
def test_a_proof_that_does_not_load_is_made_again(ws: api.Workspace, big: Path, kept: str) -> None:
    (ws.root / ".git" / FILE).write_text(kept)
    assert [e["id"] for e in api.read_stream(ws, "log", limit=3).entries] == full_order(ws, limit=3)
    assert proofs(ws)[".contracts/streams/log/a-bot.jsonl"]["ordered"] is True
