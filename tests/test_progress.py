"""Long commands show their progress on a terminal — on standard error, only when it is a terminal, never with
--json (issue 14)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import commit_all, on_a_terminal, run_cli


@pytest.fixture
def stashes(repo: Path) -> Path:
    for n in range(30):
        (repo / f".contracts/stashes/note-{n}.yaml").write_text(f"name: note-{n}\nowner: orchestrator\ncontent: {{}}\n")
    commit_all(repo, "thirty stashes")
    return repo


def test_validate_shows_progress_on_a_terminal_and_clears_it(stashes: Path) -> None:
    code, out, terminal = on_a_terminal("validate", "--all", cwd=stashes)
    assert code == 0 and "all valid" in out
    assert "validating: " in terminal and "(100%)" in terminal
    assert terminal.endswith("\r")  # the line is cleared: what follows on the terminal starts clean


def test_no_progress_with_json_or_when_standard_error_is_not_a_terminal(stashes: Path) -> None:
    code, out, terminal = on_a_terminal("validate", "--all", "--json", cwd=stashes)
    assert code == 0 and json.loads(out)["valid"] is True and "validating" not in terminal
    plain = run_cli("validate", "--all", cwd=stashes)
    assert plain.code == 0 and "validating" not in plain.err


def test_fsck_shows_the_files_it_checked(stashes: Path) -> None:
    code, out, terminal = on_a_terminal("fsck", cwd=stashes)
    assert code == 0 and "no problems found" in out
    assert "checking: " in terminal and "(100%)" in terminal and terminal.endswith("\r")


def test_check_range_shows_the_commits_it_judged(stashes: Path) -> None:
    code, out, terminal = on_a_terminal("check", "--range", "HEAD~1..HEAD", cwd=stashes)
    assert code == 0 and "checking commits: 1/1 (100%)" in terminal


def test_board_out_shows_the_contracts_it_read(cli, repo: Path, tmp_path: Path) -> None:
    for n in range(3):
        cli("new", f"site-{n}", "--objective", "x", "--subtask", "research:r")
    code, out, terminal = on_a_terminal("board", "--out", str(tmp_path / "site"), "--offline", cwd=repo)
    assert code == 0 and "board of 3 contracts" in out
    assert "building the board: 3/3 (100%)" in terminal and terminal.endswith("\r")
    code, out, terminal = on_a_terminal("board", "--out", str(tmp_path / "site"), "--offline", "--json", cwd=repo)
    assert code == 0 and json.loads(out)["contracts"] == 3 and "building the board" not in terminal


def test_the_first_read_of_many_contracts_shows_progress_once(repo: Path) -> None:
    """Thousands of contracts new to a clone take seconds to parse, once (the parse is kept by blob id)."""
    for n in range(500):
        (repo / f".contracts/stashes/note-{n}.yaml").write_text(f"name: note-{n}\nowner: orchestrator\ncontent: {{}}\n")
    commit_all(repo, "five hundred stashes")
    code, _, terminal = on_a_terminal("status", "--offline", cwd=repo)
    assert code == 0 and "reading the contracts new to this clone: 1/500" in terminal
    assert terminal.endswith("\r")  # cleared before the answer
    code, _, terminal = on_a_terminal("status", "--offline", cwd=repo)
    assert code == 0 and "reading the contracts" not in terminal  # parsed once: nothing long left
    (repo / ".git/gitcontracts-docs.json").unlink()
    code, out, terminal = on_a_terminal("status", "--offline", "--json", cwd=repo)
    assert code == 0 and isinstance(json.loads(out), (list, dict)) and "reading the contracts" not in terminal


def test_a_short_step_shows_nothing_and_a_long_one_is_cleared_as_it_ends(capsys: pytest.CaptureFixture[str]) -> None:
    from gitcontracts.cli.progress import StepsProgress

    shown = StepsProgress(at_least=10, clock=lambda: 0.0)
    for done in range(1, 4):
        shown("short", done, 3)
    assert capsys.readouterr().err == ""
    for done in range(1, 11):
        shown("long", done, 10)
    err = capsys.readouterr().err
    assert err.startswith("\rlong: 1/10 (10%)") and err.endswith("\r") and "10/10" not in err
