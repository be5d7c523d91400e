"""Parsed contracts kept by blob id (store/doccache.py): a read of every contract parses only what is new, and
the cache can never say something the repository does not — changed, broken or odd files included."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from helpers import Result, commit_all, write_tree

CACHE = ".git/gitcontracts-docs.json"


def states(cli: Callable[..., Result]) -> dict[str, tuple[str, int]]:
    result = cli("status", "--json")
    assert result.code == 0, result.err
    return {row["contract"]: (row["state"], row["open"]) for row in result.json["contracts"]}


def test_a_changed_contract_is_read_anew_and_a_broken_cache_rebuilt(repo: Path, cli: Callable[..., Result]) -> None:
    for name in ("one", "two"):
        assert cli("new", name, "--objective", "x", "--subtask", "a:A", "--subtask", "b:B").code == 0
    assert states(cli) == {"one": ("open", 2), "two": ("open", 2)}
    assert len(json.loads((repo / CACHE).read_text())) == 2
    assert cli("patch", "one", "--path", "subtasks", "--match", "id=a", "--set", "award=first").code == 0
    assert cli("claim", "one", "a", agent="bot-1").code == 0
    assert states(cli) == {"one": ("open", 1), "two": ("open", 2)}
    assert len(json.loads((repo / CACHE).read_text())) == 2  # the old version of `one` is not kept
    (repo / CACHE).write_text("{not json")
    assert states(cli) == {"one": ("open", 1), "two": ("open", 2)}


def test_a_document_json_cannot_give_back_is_read_but_not_kept(repo: Path, cli: Callable[..., Result]) -> None:
    write_tree(repo, {".contracts/stashes/odd.yaml": "name: odd\nschema: agent-contract\nowner: orchestrator\n"
                      "created: '2026-01-01T00:00:00Z'\ncontent:\n  objective: x\n  score: .nan\n"
                      "  subtasks: [{id: a, description: A, status: open}]\n"})
    commit_all(repo, "odd\n\nAgent: orchestrator")
    assert states(cli) == {"odd": ("open", 1)}
    assert not (repo / CACHE).exists()  # nothing worth keeping: nothing written
    assert states(cli) == {"odd": ("open", 1)}


def test_one_workspace_reads_the_kept_parses_once_and_keeps_them_current(repo: Path, cli: Callable[..., Result]) -> None:
    """A watcher's passes share the parses of their workspace: what changed between two reads is read anew, the
    file keeps only the current versions, and a file broken meanwhile does not matter to that workspace."""
    from gitcontracts import api

    for name in ("one", "two"):
        assert cli("new", name, "--objective", "x", "--subtask", "a:A", "--subtask", "b:B").code == 0
    ws = api.open_workspace(repo, agent="orchestrator")
    assert {row["contract"]: row["open"] for row in api.status(ws)["contracts"]} == {"one": 2, "two": 2}
    assert cli("patch", "one", "--path", "subtasks", "--match", "id=a", "--set", "award=first").code == 0
    assert cli("claim", "one", "a", agent="bot-1").code == 0
    (repo / CACHE).write_text("{not json")  # what this workspace read stays in its memory
    assert {row["contract"]: row["open"] for row in api.status(ws)["contracts"]} == {"one": 1, "two": 2}
    assert len(json.loads((repo / CACHE).read_text())) == 2  # written again: the current `one`, and `two`
