"""Fuzzing (issue 6): hypothesis drives the real command line, in process, over stash YAML, shard
lines, patch documents and command arguments. Whatever comes in: no traceback and no "unexpected"
failure (exit 1), only the documented exit codes, and a refused write leaves no file changed."""
from __future__ import annotations

import io
import json
import string
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from gitcontracts.cli import main
from helpers import git

DOCUMENTED = {0, 2, 3, 4, 5, 6}
FUZZ = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def run(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """run(args, stdin) -> (code, out, err): the real `gitcontracts` entry point in this process."""
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GITCONTRACTS_AGENT", "orchestrator")

    def call(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main(args)
        out, err = capsys.readouterr()
        assert code in DOCUMENTED, (args, code, err)
        assert "Traceback" not in err and "error: unexpected" not in err, err
        return code, out, err
    return call


def snapshot(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in (repo / ".contracts").rglob("*") if p.is_file()}


def no_temp_files(repo: Path) -> None:
    assert not [p for p in (repo / ".contracts").rglob(".gctmp-*")]
    assert not list((repo / ".git").glob("gitcontracts-pending-*"))


YAML_TOKENS = st.sampled_from(["objective:", " ", "\n", "  ", "- ", "[", "]", "{", "}", ",", ": ", "&a", "*a", "!!str",
                               "!!python/object:os.system", "'", '"', "#", "|", ">", "---", "...", "? ", "subtasks:",
                               "id: a", "status: open", "\t", "null", "~", "1e309", "0x1F", "é", "\x00", "\ufeff",
                               "<<: *a", "%YAML 1.1", "name: x", "content:"])
YAML_LIKE = st.lists(YAML_TOKENS | st.text(max_size=8), max_size=60).map("".join).map(str.encode) | st.binary(max_size=400)


@FUZZ
@given(data=YAML_LIKE)
def test_stash_put_takes_any_bytes(run, repo: Path, data: bytes) -> None:
    before = snapshot(repo)
    code, _, _ = run(["stash", "put", "fz", "-", "--no-commit"], data)
    if code != 0:
        assert snapshot(repo) == before
    no_temp_files(repo)


SHARD_LINE = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["id", "ts", "agent", "label", "data", "x"]),
                    st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.integers(), max_size=3)),
                    max_size=6).map(lambda d: json.dumps(d).encode()),
    st.just(b'{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-11-21T22:40:01Z","agent":"orchestrator","label":"claim","data":{}}'),
)


@FUZZ
@given(lines=st.lists(SHARD_LINE, min_size=1, max_size=4), newline=st.booleans())
def test_readers_and_checks_take_any_shard_lines(run, repo: Path, lines: list[bytes], newline: bool) -> None:
    shard = repo / ".contracts/streams/log/orchestrator.jsonl"
    if not shard.parent.exists():
        run(["stream", "create", "log"])
    shard.write_bytes(b"\n".join(lines) + (b"\n" if newline else b""))
    run(["stream", "read", "log", "--json"])
    run(["stream", "latest", "log", "--json"])
    run(["validate", "--all"])
    git("add", "-A", cwd=repo)
    run(["check", "--staged"])
    git("reset", "-q", cwd=repo)
    shard.write_bytes(b"")


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                       max_leaves=12)
PATCH_DOC = st.one_of(
    JSONISH,
    st.builds(lambda items: {"update_items": items}, st.lists(st.fixed_dictionaries(
        {"path": st.sampled_from(["subtasks", "success_criteria", "x", "", "subtasks.0", None]),
         "match": st.one_of(st.dictionaries(st.sampled_from(["id", "status", "x"]), JSONISH, max_size=2), JSONISH),
         "set": st.one_of(st.dictionaries(st.sampled_from(["status", "assigned_agent", "budget_usdc", "id", "deadline"]),
                                          JSONISH, max_size=2), JSONISH)}), max_size=3)),
)


@FUZZ
@given(doc=PATCH_DOC)
def test_patch_takes_any_document(run, repo: Path, doc) -> None:
    if not (repo / ".contracts/stashes/job.yaml").exists():
        run(["new", "job", "--objective", "x", "--subtask", "a:do a"])
    before = snapshot(repo)
    code, _, _ = run(["patch", "job", "--json-file", "-", "--offline"], json.dumps(doc).encode())
    if code != 0:
        assert snapshot(repo) == before
    no_temp_files(repo)


COMMANDS = [["stash", "put"], ["stash", "get"], ["stream", "create"], ["stream", "post"], ["stream", "read"],
            ["stream", "latest"], ["schema", "show"], ["schema", "search"], ["discover"], ["new"], ["patch"],
            ["claim"], ["bids"], ["offer"], ["accept"], ["reject"], ["progress"], ["deliver"], ["complete"],
            ["release"], ["ask"], ["answer"], ["status"], ["log"], ["validate"], ["check"], ["agent", "show"],
            ["agent", "add"], ["fsck"], ["settle"]]
OPTIONS = ["--json", "--offline", "--no-commit", "--label", "--data", "--file", "--schema", "--to", "--expires",
           "--reason", "-m", "--set", "--match", "--path", "--since", "--limit", "--range", "--staged", "--agent",
           "--bid-usdc", "--fallback", "--then", "--subtask", "--objective", "--deadline", "--capacity", "-q", "-"]
WORD = st.one_of(st.sampled_from(["job", "a", "log", "../x", "con", "", "-", "1", "-1", "1e999", "{}", "[", "2s",
                                  "HEAD..", "..", "A..B", "orchestrator", "x" * 300, "é", "\x00"[:0] + "a b"]),
                 st.text(alphabet=string.printable, max_size=12))


@FUZZ
@given(command=st.sampled_from(COMMANDS), rest=st.lists(st.one_of(st.sampled_from(OPTIONS), WORD), max_size=6))
def test_any_command_line_gets_a_documented_exit_code(run, repo: Path, command: list[str], rest: list[str]) -> None:
    if not (repo / ".contracts/stashes/job.yaml").exists():
        run(["new", "job", "--objective", "x", "--subtask", "a:do a"])
        run(["stream", "create", "log"])
    run(command + [arg for arg in rest if "\x00" not in arg] + ["--offline"] * (command[0] in ("claim", "settle")),
        b"objective: fuzz\n")
    no_temp_files(repo)
