"""Hostile input (issue 6): each refused with a short error and exit 3, in bounded time and memory,
and nothing written. Every case runs the real command under a memory cap."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import commit_all, git

MEMORY_CAP = 1 << 30  # 1 GiB of address space: a file that expanded in memory would die here
HANG_GUARD = 120      # seconds; not a timing assertion, a guard against a runaway test
BILLION_LAUGHS = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    b"%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n" % ((98 + i, 98 + i) + (97 + i,) * 9) for i in range(8))


def capped(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    env = {**os.environ, "GITCONTRACTS_AGENT": "orchestrator"}
    proc = subprocess.run((sys.executable, "-m", "gitcontracts", *args), cwd=cwd, env=env, input=input,
                          capture_output=True, timeout=HANG_GUARD, preexec_fn=limit)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode(errors="replace"))


def refused(result: subprocess.CompletedProcess[str], *words: str, code: int = 3) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3 and lines[0].startswith("error:"), result.stderr  # error + hint (+ one detail)
    for word in words:
        assert word in result.stderr, result.stderr


def untouched(repo: Path) -> None:
    """Nothing written: no new file, no temp file, no commit; the working tree as committed."""
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo) == ""


HOSTILE_CONTENT = {
    "alias bomb": (BILLION_LAUGHS, "aliases expand"),
    "nesting 100,000 deep": (b"objective: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nesting deeper"),
    "duplicate keys": (b"objective: a\nobjective: b\n", "duplicate key"),
    "object-constructing tag": (b"objective: !!python/object/apply:os.system [touch pwned]\n", "is not allowed"),
    "a 50 MB file": (b"objective: '" + b"a" * (50 << 20) + b"'\n", "over the limit"),
    "a 10 MB line": (b"objective: " + b"a" * (10 << 20) + b"\n", "over the limit"),
    "non-UTF-8": (b"objective: caf\xe9\n", "UTF-8"),
    "NUL bytes": (b"objective: a\x00b\n", ""),
}


@pytest.mark.parametrize("case", list(HOSTILE_CONTENT))
def test_hostile_stash_content_is_refused_and_nothing_written(repo: Path, tmp_path: Path, case: str) -> None:
    data, words = HOSTILE_CONTENT[case]
    source = tmp_path / "hostile.yaml"
    source.write_bytes(data)
    refused(capped("stash", "put", "job", "--file", str(source), cwd=repo), words)
    refused(capped("stash", "put", "job", "-", cwd=repo, input=data), words)
    untouched(repo)


@pytest.mark.parametrize("case", list(HOSTILE_CONTENT))
def test_hostile_files_committed_behind_the_tools_back_are_refused_by_the_checks(repo: Path, case: str) -> None:
    data, _ = HOSTILE_CONTENT[case]
    (repo / ".contracts/stashes/job.yaml").write_bytes(b"name: job\nowner: orchestrator\ncontent:\n  " + data)
    refused_check = capped("validate", "--all", cwd=repo)
    assert refused_check.returncode == 3 and "Traceback" not in refused_check.stderr + refused_check.stdout
    git("add", "-A", cwd=repo)
    staged = capped("check", "--staged", cwd=repo)
    assert staged.returncode == 3 and "Traceback" not in staged.stderr + staged.stdout


@pytest.mark.parametrize("line, words", [
    (b'{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-11-21T22:40:01Z","agent":"orchestrator","label":"x","data":"'
     + b"a" * (10 << 20) + b'"}\n', "over 262144 bytes"),
    (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply"),
    (b'{"id":"\xff\xfe"}\n', "not JSON"),
    (b'{"id":"a\x00"}\n', "not JSON"),
])
def test_hostile_shard_lines_are_refused_by_the_checks_and_skipped_by_readers(repo: Path, line: bytes, words: str) -> None:
    assert capped("stream", "create", "log", cwd=repo).returncode == 0
    commit_all(repo, "log stream")
    shard = repo / ".contracts/streams/log/orchestrator.jsonl"
    shard.write_bytes(line)
    git("add", "-A", cwd=repo)
    result = capped("check", "--staged", cwd=repo)
    assert result.returncode == 3 and words in result.stdout, result.stdout + result.stderr
    read = capped("stream", "read", "log", "--json", cwd=repo)
    assert read.returncode == 0 and "Traceback" not in read.stderr
    assert '"entries": []' in read.stdout


@pytest.mark.parametrize("args, words", [
    (("stash", "put", "../evil", "-"), "invalid"),
    (("stash", "put", "a/b", "-"), "invalid"),
    (("stash", "put", "con", "-"), "reserved device name"),
    (("stash", "put", "lpt1.yaml", "-"), "reserved device name"),
    (("stream", "create", "nul"), "reserved device name"),
    (("stream", "create", "..x"), "invalid"),
    (("stash", "get", "../../etc/passwd"), "invalid"),
    (("--agent", "../root", "stream", "create", "log"), "agent"),
    (("schema", "show", "../x"), "invalid"),
])
def test_hostile_names_are_refused(repo: Path, args: tuple[str, ...], words: str) -> None:
    refused(capped(*args, cwd=repo, input=b"objective: x\n"), words)
    untouched(repo)


def test_a_symlink_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: evil\nowner: orchestrator\ncontent: {objective: stolen}\n")
    (repo / ".contracts/stashes/evil.yaml").symlink_to(secret)
    refused(capped("stash", "get", "evil", cwd=repo), "symlink")
    refused(capped("stash", "put", "evil", "-", cwd=repo, input=b"objective: x\n"), "symlink")
    assert secret.read_text().endswith("stolen}\n")
    (repo / ".contracts/stashes/evil.yaml").unlink()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "meta.yaml").write_text("stream: leak\nowner: orchestrator\ncreated: 2026-11-21T22:39:32Z\n")
    (repo / ".contracts/streams/leak").symlink_to(outside, target_is_directory=True)
    refused(capped("stream", "read", "leak", cwd=repo), "symlink")
    refused(capped("stream", "post", "leak", "--label", "x", cwd=repo), "symlink")
    assert not list(outside.glob("*.jsonl"))
    (repo / ".contracts/streams/leak").unlink()
    assert capped("stream", "create", "log", cwd=repo).returncode == 0
    (repo / ".contracts/streams/log/orchestrator.jsonl").symlink_to(secret)
    refused(capped("stream", "read", "log", cwd=repo), "symlink")
    refused(capped("stream", "latest", "log", cwd=repo), "symlink")


def schema_file(tmp_path: Path, definition: str, name: str = "strict") -> Path:
    path = tmp_path / f"{name}@1.yaml"
    path.write_text(f"name: {name}\nversion: 1\ntarget_type: stash\ndefinition:\n{definition}")
    return path


@pytest.mark.parametrize("definition, words", [
    ('  $ref: "http://example.com/schema.json"\n', "never reach the network"),
    ('  $ref: "file:///etc/passwd"\n', "never reach the network"),
    ("  properties: {a: {$ref: 'https://evil.example/x'}}\n", "never reach the network"),
    ("  type: 12\n", "not a valid JSON Schema"),
    ("  properties: {a: {pattern: '(?=a)b'}}\n", "RE2"),
    ("  properties: {a: {pattern: '(a)\\1'}}\n", "RE2"),
])
def test_hostile_schemas_are_refused(repo: Path, tmp_path: Path, definition: str, words: str) -> None:
    refused(capped("schema", "add", str(schema_file(tmp_path, definition)), cwd=repo), words)
    untouched(repo)


def test_a_pathological_pattern_runs_in_linear_time(repo: Path, tmp_path: Path) -> None:
    """^(a+)+$ against 'aaaa...b' takes exponential time in a backtracking engine; RE2 answers at once."""
    definition = ("  type: object\n  properties:\n    objective: {type: string, pattern: '^(a+)+$'}\n"
                  "  patternProperties: {'^(x+x+)+y$': {type: string}}\n  additionalProperties: false\n")
    assert capped("schema", "add", str(schema_file(tmp_path, definition)), cwd=repo).returncode == 0
    commit_all(repo, "schema")
    evil = b"objective: " + b"a" * 100_000 + b"b\n"
    refused(capped("stash", "put", "job", "--schema", "strict", "-", cwd=repo, input=evil), "does not match")
    key = b"objective: aaa\n" + b"x" * 1_000 + b": v\n"
    refused(capped("stash", "put", "job", "--schema", "strict", "-", cwd=repo, input=key), "not match any of the regexes")
    assert capped("stash", "put", "job", "--schema", "strict", "-", cwd=repo, input=b"objective: aaaa\n").returncode == 0
