"""Property (issue 11, item 6): whatever lines, files and ref names reach a clone through a remote without the hook,
every read command answers — exit 0, with warnings — and never fails with exit 1."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import commit_all, git, run_cli, write_tree

ENTRY = '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-11-21T22:40:01Z","agent":"mallory","label":"progress","data":{}}'
FRAGMENTS = [ENTRY, "{", "}", "[]", "null", '"ts"', '"\\ud800"', '"\\udfff"', "NaN", "Infinity", "1e999", "<<<<<<< HEAD",
             "=======", ">>>>>>> x", '{"id":1}', '{"ts":[]}', '{"agent":"Mallory Bot"}', '{"label":{}}', '"data":', ",",
             '{"id":"x","ts":"x","agent":"mallory","label":"x"}', "[" * 200, "\t", " "]
line = st.one_of(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join),
                 st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
shard = st.lists(line, min_size=1, max_size=5).map(lambda lines: "\n".join(lines) + "\n")
name = st.text(alphabet="abcxyzAZ0._-/", min_size=1, max_size=12).filter(lambda s: not s.startswith("/"))
file_path = st.one_of(
    name.map(lambda n: f".contracts/stashes/{n}"), name.map(lambda n: f".contracts/streams/site-execution/{n}"),
    name.map(lambda n: f".contracts/streams/{n}"), name.map(lambda n: f".contracts/schemas/{n}"))
yaml_text = st.lists(st.sampled_from(["name: x", "owner: [1]", "content: {", "schema: agent-contract", "- a",
                                      "&a [*a, *a]", "!!python/object:os.system x", "owner: mallory", "description: \x1b[2J"]),
                     max_size=4).map("\n".join)
ref = st.lists(st.text(alphabet="abcAB.-_", min_size=1, max_size=6), min_size=1, max_size=5).map(
    lambda parts: "refs/heads/claim/" + "/".join(parts))
READS = [("status",), ("status", "site"), ("discover",), ("stash", "get", "site"), ("stream", "read", "site-execution"),
         ("stream", "latest", "site-execution"), ("bids", "site"), ("log", "site")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An unguarded bare remote (no hook: anything may be pushed), the writer's clone and a reader's clone."""
    from conftest import make_hermetic
    with pytest.MonkeyPatch.context() as patch:
        make_hermetic(patch, tmp_path_factory.mktemp("home"))
        root = tmp_path_factory.mktemp("hostile")
        remote, writer, reader = root / "remote.git", root / "mallory", root / "reader"
        git("init", "-q", "--bare", "-b", "main", str(remote), cwd=root)
        git("clone", "-q", str(remote), str(writer), cwd=root)
        assert run_cli("init", "--remote", "origin", cwd=writer, agent="orchestrator").code == 0
        assert run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=writer, agent="orchestrator").code == 0
        assert run_cli("stream", "post", "site-execution", "--label", "note", "--data", "{}", cwd=writer,
                       agent="orchestrator").code == 0
        config = writer / ".contracts/config.yaml"
        config.write_text(config.read_text() + "fetch_ttl: 0\n")  # every read fetches what was just pushed
        commit_all(writer, "contracts: config\n\nAgent: orchestrator")
        git("push", "-q", "origin", "main", cwd=writer)
        git("clone", "-q", str(remote), str(reader), cwd=root)
        yield writer, reader


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=shard, files=st.dictionaries(file_path, yaml_text, max_size=2), refs=st.lists(ref, max_size=2))
def test_every_read_survives_what_an_unguarded_remote_let_in(world: tuple[Path, Path], lines: str, files: dict,
                                                            refs: list) -> None:
    writer, reader = world
    head = git("rev-parse", "HEAD", cwd=writer)
    try:
        write_tree(writer, {".contracts/streams/site-execution/mallory.jsonl": lines.encode("utf-8", "surrogateescape")})
        for path, text in files.items():
            try:
                write_tree(writer, {path: text})
            except OSError:
                continue  # a path the file system itself will not hold
        commit_all(writer, "contracts: hostile\n\nAgent: mallory")
        pushed = [f"HEAD:{name}" for name in refs] + ["+HEAD:main"]
        subprocess.run(["git", "push", "-q", "origin", *pushed], cwd=writer, capture_output=True)
        for args in READS:
            result = run_cli(*args, cwd=reader, agent="orchestrator")
            assert result.code == 0 and "Traceback" not in result.err, (args, result.code, result.err[-300:])
    finally:
        git("reset", "-q", "--hard", head, cwd=writer)
        git("clean", "-qfdx", cwd=writer)
        subprocess.run(["git", "push", "-q", "--force", "origin", "HEAD:main",
                        *[f":{name}" for name in refs]], cwd=writer, capture_output=True)
        git("fetch", "-q", "--prune", "origin", cwd=reader)
        git("reset", "-q", "--hard", "origin/main", cwd=reader)
        git("clean", "-qfdx", cwd=reader)
