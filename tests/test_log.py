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
    missing = cli("log", "nope")
    assert missing.code == 5 and "no contract named 'nope'" in missing.err


def test_each_entry_follows_the_commit_that_appended_it_within_one_second(cli, repo: Path) -> None:
    clock = {"GITCONTRACTS_NOW": "2026-12-05T12:00:00Z"}  # both actions in one second: commits keep whole seconds
    assert cli("new", "site", "--objective", "x", "--subtask", "research:r", env=clock).code == 0
    for message in ("first", "second"):
        posted = cli("stream", "post", "site-execution", "--label", "progress", "--data",
                     f'{{"subtask_id": "research", "message": "{message}"}}', env=clock)
        assert posted.code == 0, posted.err
    timeline = cli("log", "site", "--json").json["timeline"]
    assert [(i["kind"], i.get("message") if i["kind"] == "entry" else i["action"]) for i in timeline] == [
        ("commit", "announce"), ("commit", "post"), ("entry", "first"), ("commit", "post"), ("entry", "second")]
    assert timeline[2]["commit"] == timeline[1]["commit"] and timeline[4]["commit"] == timeline[3]["commit"]
    text = cli("log", "site").out.splitlines()
    assert len({line.index("commit " if " commit " in line else "entry ") for line in text}) == 1  # one column
