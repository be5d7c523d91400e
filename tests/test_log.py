"""log CONTRACT: the timeline from commit trailers and stream entries."""
from __future__ import annotations

from pathlib import Path


def test_log_orders_commits_and_entries_with_who_what_when_commit(cli, repo: Path) -> None:
    cli("new", "site", "--objective", "x", "--subtask", "research:r")
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed",
        "--set", "assigned_agent=research-bot")
    cli("stream", "post", "site-execution", "--label", "progress", "--data", '{"subtask_id": "research", "message": "half"}',
        agent="research-bot")
    timeline = cli("log", "site", "--json").json["timeline"]
    kinds = [(i["kind"], i.get("action") or i.get("label"), i["agent"]) for i in timeline]
    assert kinds == [("commit", "announce", "orchestrator"), ("commit", "patch", "orchestrator"),
                     ("commit", "post", "research-bot"), ("entry", "progress", "research-bot")]
    assert timeline[-1]["commit"] == timeline[-2]["commit"] and timeline[-1]["message"] == "half"
    assert all(i["ts"].endswith("Z") for i in timeline)  # commits' dates in UTC, as entries' times are written
    assert [i.get("label") for i in timeline if i["kind"] == "entry"] == ["progress"]
    assert "action" not in timeline[-1] and "label" not in timeline[0]
    text = cli("log", "site").out
    assert "announce" in text and "half" in text
    assert cli("log", "nope").code == 5
