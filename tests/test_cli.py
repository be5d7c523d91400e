"""The command line's edges: exit codes, error shapes, the acting agent, --version, validate."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import git, run_cli, write_tree


def test_version_is_quick_and_plain(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.code == 0 and result.out.startswith("gitcontracts ")


def test_usage_errors_exit_2_without_traceback(cli) -> None:
    result = cli("stream", "post", "log")
    assert result.code == 2 and "Missing option '--label'" in result.err and "Traceback" not in result.err
    assert cli("no-such-command").code == 2


def test_json_errors_are_one_envelope_on_stderr(cli) -> None:
    result = cli("stash", "get", "missing", "--json")
    assert result.out == ""
    assert set(json.loads(result.err)) == {"error"}
    assert {"code", "message", "hint", "details"} <= set(result.error)
    assert all(isinstance(d, dict) for d in result.error["details"])


def test_agent_resolution_order(cli, repo: Path) -> None:
    cli("stream", "create", "log")
    def who(**kwargs) -> str:
        return cli("stream", "post", "log", "--label", "x", "--json", **kwargs).json["agent"]
    assert who(agent=None) == "orchestrator"  # git user.name
    git("config", "gitcontracts.agent", "config-bot", cwd=repo)
    assert who(agent=None) == "config-bot"
    assert who(agent="env-bot") == "env-bot"
    posted = cli("stream", "post", "log", "--label", "x", "--json", "--agent", "flag-bot", agent="env-bot")
    assert posted.json["agent"] == "flag-bot"


def test_an_invalid_agent_name_is_refused_with_a_hint(cli, repo: Path) -> None:
    cli("stream", "create", "log")
    git("config", "user.name", "Jane Doe", cwd=repo)
    result = cli("stream", "post", "log", "--label", "x", agent=None)
    assert result.code == 3 and "Jane Doe" in result.err and "--agent" in result.err


def test_validate_all_reports_every_problem_with_file_line_and_rule(cli, repo: Path) -> None:
    cli("new", "c", "--objective", "x", "--subtask", "a:b")
    write_tree(repo, {
        ".contracts/stashes/bad.yaml": "name: other\nowner: o\ncontent: {}\n",
        ".contracts/stashes/dup.yaml": "name: dup\nowner: o\nowner: p\ncontent: {}\n",
        ".contracts/streams/c-execution/x-bot.jsonl":
            '{"id":"01A","ts":"2026-01-01T00:00:00Z","agent":"y-bot","label":"l","data":{}}\n<<<<<<< HEAD\n',
    })
    result = cli("validate", "--all", "--json")
    assert result.code == 3
    problems = result.json["problems"]
    rules = {(Path(p["file"]).name, p["rule"]) for p in problems}
    assert ("bad.yaml", "name") in rules and ("x-bot.jsonl", "own-shard") in rules and ("x-bot.jsonl", "entry") in rules
    assert any(p["line"] == 3 for p in problems if p["file"].endswith("dup.yaml"))
    text = cli("validate", "--all")
    assert "problems" in text.out.splitlines()[-1]


def test_validate_single_paths_and_outside_files(cli, repo: Path, tmp_path: Path) -> None:
    write_tree(tmp_path, {"loose.yaml": "name: loose\nowner: o\nschema: agent-contract\ncontent: {objective: x}\n"})
    assert cli("validate", str(tmp_path / "loose.yaml")).code == 0
    assert cli("validate").code == 2


def test_validate_needs_no_git(tmp_path: Path) -> None:
    write_tree(tmp_path, {".contracts/stashes/s.yaml": "name: s\nowner: o\ncontent: {}\n"})
    result = run_cli("validate", "--all", cwd=tmp_path)
    assert result.code == 0, result.err


@pytest.mark.parametrize("args", [["stream", "read", "x"], ["schema", "show", "nope"],
                                  ["patch", "nope", "--path", "a", "--set", "x=1"]])
def test_missing_things_exit_5(cli, args: list) -> None:
    assert cli(*args).code == 5


def test_agent_add_list_show_and_only_admins_change_the_registry(cli, repo: Path) -> None:
    assert cli("agent", "add", "analyst-bot", "--email", "a@example.com", "--capability", "sql", "--capacity", "2").code == 0
    shown = cli("agent", "show", "analyst-bot", "--json").json
    assert shown == {"agent": "analyst-bot", "emails": ["a@example.com"], "capabilities": ["sql"], "capacity": 2}
    assert "analyst-bot" in cli("agent", "list", "--json").json["agents"]
    assert cli("agent", "list", "--json").json["admins"] == ["orchestrator"]
    refused = cli("agent", "add", "intruder-bot", "--capability", "root", agent="intruder-bot")
    assert refused.code == 6 and "only admins" in refused.err
    assert cli("agent", "show", "nobody").code == 5
    assert git("log", "-1", "--format=%s", cwd=repo) == "contracts: agent-add analyst-bot"


def test_every_action_line_names_the_commit_it_landed(cli, repo: Path) -> None:
    write_tree(repo, {"notes.yaml": "a: 1\n"})
    lines = [cli("stash", "put", "notes", "--file", str(repo / "notes.yaml")).out.strip()]
    lines.append(cli("new", "site", "--objective", "x", "--subtask", "a:A").out.strip().splitlines()[0])
    asked = cli("ask", "site", "-m", "which?", agent="bot-1")
    lines.append(asked.out.strip())
    question = json.loads(cli("stream", "read", "site-discussion", "--json").out)["entries"][-1]["id"]
    lines.append(cli("answer", "site", "--in-reply-to", question, "-m", "this").out.strip())
    shas = git("log", "--format=%h", "--abbrev=10", "-4", cwd=repo).split()
    for line, sha in zip(lines, reversed(shas), strict=True):
        assert line.endswith(f"({sha})"), (line, sha)
