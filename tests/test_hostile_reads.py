"""What slips past a remote without the hook never breaks a reader (issue 11, items 6 and 8): each bad line, file
or folder is skipped with a warning, `fsck` reports it, and every read command exits 0 — never 1."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import commit_all, write_tree

SHARD = ".contracts/streams/site-execution/mallory.jsonl"
GOOD = '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-11-21T22:40:01.123456Z","agent":"mallory","label":"progress","data":{}}\n'
HOSTILE = {
    "an escaped lone surrogate": {SHARD: GOOD + '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3F","ts":"2026-11-21T22:40:02Z",'
                                          '"agent":"mallory","label":"x\\ud800","data":{}}\n'},
    "an entry without ts": {SHARD: GOOD + '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3G","agent":"mallory","label":"x","data":{}}\n'},
    "NaN in an entry": {SHARD: GOOD + '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3H","ts":"2026-11-21T22:40:02Z","agent":"mallory",'
                                      '"label":"x","data":{"n":NaN}}\n'},
    "conflict markers in a shard": {SHARD: "<<<<<<< HEAD\n" + GOOD + "=======\n>>>>>>> theirs\n"},
    "conflict markers in a stash": {".contracts/stashes/other.yaml": "<<<<<<< HEAD\nname: other\n=======\nname: x\n>>>>>>> b\n"},
    "a folder where a stash file goes": {".contracts/stashes/trap.yaml/inner.txt": "boo\n"},
}
READS = [("status",), ("status", "site"), ("discover",), ("stash", "get", "site"), ("stream", "read", "site-execution"),
         ("stream", "latest", "site-execution"), ("bids", "site"), ("log", "site"), ("validate", "--all")]


@pytest.fixture
def site(cli, repo: Path) -> Path:
    assert cli("new", "site", "--objective", "x", "--subtask", "a:first").code == 0
    assert cli("stream", "post", "site-execution", "--label", "note", "--data", "{}").code == 0
    return repo


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_readers_skip_what_is_invalid_and_fsck_reports_it(cli, site: Path, case: str) -> None:
    write_tree(site, HOSTILE[case])
    commit_all(site, "contracts: hostile\n\nAgent: mallory")  # as if pushed to a remote without the hook
    for args in READS:
        result = cli(*args)
        expected = {0, 3} if args[0] == "validate" else {0}
        assert result.code in expected and "Traceback" not in result.err, (args, result.code, result.err)
    found = cli("fsck", "--json")
    assert found.code == 3 and found.json["findings"], found.out


def test_text_from_other_agents_cannot_drive_the_owners_terminal(cli, site: Path) -> None:
    """ANSI escapes and bidi overrides in what agents write are shown as escapes in text output; JSON stays exact."""
    evil = "done\x1b[2J\x1b[31m\r\u202eevil"
    assert cli("ask", "site", "-m", evil, agent="mallory").code == 0
    for args in (("log", "site"), ("stream", "read", "site-discussion"), ("stream", "latest", "site-discussion")):
        shown = cli(*args)
        assert shown.code == 0 and "\x1b" not in shown.out and "\u202e" not in shown.out and "\r" not in shown.out
    exact = cli("stream", "latest", "site-discussion", "--json")
    assert exact.json["data"]["message"] == evil


def test_refs_shaped_like_claims_but_not_are_ignored_by_readers(cli, site: Path) -> None:
    from helpers import git
    for ref in ("refs/heads/claim/site/a/mallory/x", "refs/heads/claim/site/a/Bad Bot".replace(" ", "-"),
                "refs/heads/claim/other-site"):
        git("update-ref", ref, "HEAD", cwd=site)
    for args in (("bids", "site"), ("status", "site"), ("watch", "--once")):
        result = cli(*args)
        assert result.code == 0 and "Traceback" not in result.err, (args, result.err)
