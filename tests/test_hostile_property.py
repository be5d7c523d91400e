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
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import make_hermetic
    with pytest.MonkeyPatch.context() as patch:
        make_hermetic(patch, tmp_path_factory.mktemp("home"))
        root = tmp_path_factory.mktemp("hostile") / "repo"
        root.mkdir()
        git("init", "-q", "-b", "main", cwd=root)
        assert run_cli("init", cwd=root, agent="orchestrator").code == 0
        assert run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=root, agent="orchestrator").code == 0
        assert run_cli("stream", "post", "site-execution", "--label", "note", "--data", "{}", cwd=root,
                       agent="orchestrator").code == 0
        yield root


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=shard, files=st.dictionaries(file_path, yaml_text, max_size=2), refs=st.lists(ref, max_size=2))
def test_every_read_survives_what_an_unguarded_remote_let_in(site: Path, lines: str, files: dict, refs: list) -> None:
    head = git("rev-parse", "HEAD", cwd=site)
    try:
        write_tree(site, {".contracts/streams/site-execution/mallory.jsonl": lines.encode("utf-8", "surrogateescape")})
        for path, text in files.items():
            try:
                write_tree(site, {path: text})
            except OSError:
                continue  # a path the file system itself will not hold
        commit_all(site, "contracts: hostile\n\nAgent: mallory")
        for name in refs:
            subprocess.run(["git", "update-ref", name, "HEAD"], cwd=site, capture_output=True)
        for args in READS:
            result = run_cli(*args, "--offline", cwd=site, agent="orchestrator")
            assert result.code == 0 and "Traceback" not in result.err, (args, result.code, result.err[-300:])
    finally:
        git("reset", "-q", "--hard", head, cwd=site)
        git("clean", "-qfdx", cwd=site)
        for line_ in git("for-each-ref", "--format=%(refname)", "refs/heads/claim", cwd=site).splitlines():
            git("update-ref", "-d", line_, cwd=site)
