"""Stashes through the real CLI: validated on write, nothing written on failure, exit codes of SPEC 11."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import git

from gitcontracts.demo import EXAMPLES

GOOD = "objective: Survey five competitors\nsubtasks:\n  - {id: a, description: b, status: open}\n"


def test_put_then_get_round_trips(cli, repo: Path) -> None:
    assert cli("stash", "put", "notes", "--schema", "agent-contract", "--label", "x", "-", input=GOOD).code == 0
    got = cli("stash", "get", "notes", "--json").json
    assert got["name"] == "notes" and got["owner"] == "orchestrator" and got["labels"] == ["x"]
    assert got["content"]["subtasks"][0]["status"] == "open"
    assert got["created"].endswith("Z")


def test_example_with_a_timestamp_round_trips_unchanged(cli) -> None:
    cli("stash", "put", "ex", "--schema", "agent-contract", "--file", str(EXAMPLES / "website-redesign.yaml"))
    got = cli("stash", "get", "ex", "--json").json
    assert got["content"]["deadline"] == "2027-05-01T00:00:00Z"


def test_invalid_content_lists_every_problem_with_its_path_and_writes_nothing(cli, repo: Path) -> None:
    bad = GOOD + "  - {id: c, description: d, status: done}\n  - {id: e, description: f, status: nope}\ndeadline: not-a-date\n"
    result = cli("stash", "put", "notes", "--schema", "agent-contract", "--json", "-", input=bad)
    assert result.code == 3
    paths = {d["path"] for d in result.error["details"]}
    assert paths == {"content.subtasks[1].status", "content.subtasks[2].status", "content.deadline"}
    assert not (repo / ".contracts/stashes/notes.yaml").exists()


@pytest.mark.parametrize("data, message", [
    (b"a: 1\na: 2\n", "duplicate key"),
    (b"a: !!python/object/apply:os.system [id]\n", "is not allowed"),
    (b"\xff\xfe", "not valid UTF-8"),
    (b"a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
     "aliases expand"),
    (b"a: " + b"x" * 1_100_000, "over the limit"),
])
def test_hostile_files_are_refused_with_exit_3(cli, repo: Path, data: bytes, message: str) -> None:
    result = cli("stash", "put", "h", "-", input=data)
    assert result.code == 3 and message in result.err
    assert "Traceback" not in result.err
    assert not (repo / ".contracts/stashes/h.yaml").exists()


@pytest.mark.parametrize("name", ["Bad", "../etc", "a/b", "a..b", "_x", "con", "x" * 129, ""])
def test_bad_names_are_refused_with_exit_3(cli, name: str) -> None:
    result = cli("stash", "put", name, "-", input=GOOD)
    assert result.code == 3 and "invalid stash name" in result.err


def test_only_the_owner_changes_a_stash(cli) -> None:
    cli("stash", "put", "notes", "-", input=GOOD)
    result = cli("stash", "put", "notes", "-", input=GOOD, agent="intruder-bot")
    assert result.code == 6 and "owned by 'orchestrator'" in result.err


def test_missing_stash_is_exit_5(cli) -> None:
    result = cli("stash", "get", "nope", "--json")
    assert result.code == 5 and result.error["code"] == "not_found"


def test_write_is_atomic_no_temp_files_left(cli, repo: Path) -> None:
    for _ in range(3):
        cli("stash", "put", "notes", "-", input=GOOD)
    assert sorted(p.name for p in (repo / ".contracts/stashes").iterdir()) == [".gitkeep", "notes.yaml"]


def test_patch_reports_matches_validates_and_keeps_comments(cli, repo: Path) -> None:
    path = repo / ".contracts/stashes/c.yaml"
    cli("new", "c", "--objective", "x", "--subtask", "a:first", "--subtask", "b:second")
    path.write_text(path.read_text().replace("content:\n", "content:\n  # reviewed by a human\n"))
    uncommitted = cli("patch", "c", "--path", "subtasks", "--match", "id=a", "--set", "status=claimed",
                      "--set", "assigned_agent=research-bot")
    assert uncommitted.code == 4 and "uncommitted changes" in uncommitted.err  # never clobbers a human's edit
    assert "# reviewed by a human" in path.read_text()
    git("commit", "-qam", "a human's note", cwd=repo)
    result = cli("patch", "c", "--path", "subtasks", "--match", "id=a", "--set", "status=claimed",
                 "--set", "assigned_agent=research-bot", "--json")
    assert result.code == 0 and result.json["items_matched"] == [1]
    assert "# reviewed by a human" in path.read_text()
    before = path.read_text()
    bad = cli("patch", "c", "--path", "subtasks", "--match", "id=b", "--set", "status=finished")
    assert bad.code == 3 and "content.subtasks[1].status" in bad.err and path.read_text() == before
    none = cli("patch", "c", "--path", "subtasks", "--match", "id=zzz", "--set", "status=open", "--json")
    assert none.code == 0 and none.json["items_matched"] == [0]


def test_patch_from_a_json_file_with_two_items(cli, repo: Path, tmp_path: Path) -> None:
    cli("new", "c", "--objective", "x", "--subtask", "a:first", "--subtask", "b:second")
    doc = ('{"update_items":[{"path":"subtasks","match":{"id":"a"},"set":{"budget_usdc":3}},'
           '{"path":"subtasks","match":{"status":"open"},"set":{"requires":["sql"]}}]}')
    result = cli("patch", "c", "--json-file", "-", "--json", input=doc)
    assert result.json["items_matched"] == [1, 2]
    assert cli("patch", "c", "--json-file", "-", input="{not json").code == 3


def test_new_creates_the_contract_and_its_linked_streams(cli, repo: Path) -> None:
    result = cli("new", "website-redesign", "--objective", "Redesign", "--subtask", "research:Research it",
                 "--budget", "50", "--deadline", "2030-01-01T00:00:00Z", "--json")
    assert result.code == 0
    stash = cli("stash", "get", "website-redesign", "--json").json
    assert stash["schema"] == "agent-contract" and stash["discoverable"] is True
    task = stash["content"]["subtasks"][0]
    assert task == {"id": "research", "description": "Research it", "status": "open",
                    "linked_stream": "website-redesign-execution"}
    for stream in ("website-redesign-execution", "website-redesign-discussion"):
        meta = (repo / f".contracts/streams/{stream}/meta.yaml").read_text()
        assert "linked_stash: website-redesign" in meta and "owner: orchestrator" in meta
    assert cli("new", "website-redesign", "--objective", "again").code == 4


def test_new_from_a_file(cli) -> None:
    result = cli("new", "site", "--file", str(EXAMPLES / "website-redesign.yaml"), "--json")
    assert result.code == 0
    assert len(cli("stash", "get", "site", "--json").json["content"]["subtasks"]) == 4


def test_new_with_an_invalid_deadline_writes_nothing(cli, repo: Path) -> None:
    assert cli("new", "c", "--objective", "x", "--deadline", "someday").code == 2
    assert not (repo / ".contracts/streams/c-execution").exists()
