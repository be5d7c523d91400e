"""`gc` (SPEC 5): the owner's expired streams move to .contracts/archive/ in one commit, through the engine; nobody
else writes there, and an archived stream never changes (issue 10 section 1, issue 11 item 6)."""
from __future__ import annotations

from pathlib import Path

from helpers import git, write_tree

LATER = {"GITCONTRACTS_NOW": "+2h"}


def test_gc_archives_the_owners_expired_streams_in_one_commit(cli, repo: Path) -> None:
    assert cli("stream", "create", "chat", "--ttl", "3600").code == 0
    assert cli("stream", "create", "keep").code == 0  # no ttl: never expires
    assert cli("stream", "post", "chat", "--label", "note", "--data", "{}", agent="a-bot").code == 0
    assert cli("gc", "--json").json["archived"] == []  # not idle long enough yet
    assert cli("gc", "--json", agent="a-bot", env=LATER).json["archived"] == []  # not a-bot's stream
    before = git("rev-parse", "HEAD", cwd=repo)
    done = cli("gc", "--json", env=LATER)
    assert done.code == 0 and done.json["archived"] == ["chat"] and done.json["commit"]
    assert git("rev-parse", "HEAD~1", cwd=repo) == before
    assert not (repo / ".contracts/streams/chat").exists()
    assert sorted(p.name for p in (repo / ".contracts/archive/chat").iterdir()) == ["a-bot.jsonl", "meta.yaml"]
    assert cli("check", "--range", f"{before}..HEAD").code == 0
    assert cli("validate", "--all").code == 0


def test_nobody_else_writes_into_the_archive(cli, repo: Path) -> None:
    write_tree(repo, {".contracts/archive/chat/meta.yaml": "stream: chat\nowner: a-bot\n"})
    git("add", "-A", cwd=repo)
    result = cli("check", "--staged", "--json", agent="a-bot")
    assert result.code == 6 and "gc" in result.json["problems"][0]["message"]


def test_an_archived_stream_never_changes(cli, repo: Path) -> None:
    cli("stream", "create", "chat", "--ttl", "60")
    cli("gc", env=LATER)
    archived = repo / ".contracts/archive/chat/meta.yaml"
    archived.write_text(archived.read_text() + "description: rewritten\n")
    git("add", "-A", cwd=repo)
    assert cli("check", "--staged").code == 3
    git("reset", "-q", "--hard", cwd=repo)
    archived.unlink()
    git("add", "-A", cwd=repo)
    assert cli("check", "--staged").code == 3


def test_a_live_stream_cannot_be_moved_by_hand(cli, repo: Path) -> None:
    cli("stream", "create", "chat", "--ttl", "3600")
    (repo / ".contracts/archive/chat").mkdir(parents=True)
    (repo / ".contracts/streams/chat/meta.yaml").rename(repo / ".contracts/archive/chat/meta.yaml")
    git("add", "-A", cwd=repo)
    result = cli("check", "--staged", "--json")
    assert result.code == 6 and "has not expired" in result.err + result.out
