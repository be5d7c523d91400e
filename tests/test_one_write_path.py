"""One write path (issue 10, section 1): every mutating command lands the same way — built on the shared
main, judged, committed, pushed — from the CLI and from the library, with no git choreography left to the user."""
from __future__ import annotations

import resource
import signal
from pathlib import Path

import pytest

from helpers import git, run_cli
from gitcontracts import api
from gitcontracts.protocol import claims


def make_shared(tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote guarded by the pre-receive hook, and the owner's clone that ran `init --remote origin`."""
    remote = tmp_path / "shared.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    assert run_cli("-C", str(remote), "hooks", "install", cwd=tmp_path).code == 0
    owner = clone_of(remote, "orchestrator")
    first = run_cli("init", "--remote", "origin", cwd=owner, agent="orchestrator")
    assert first.code == 0, first.err
    return remote, owner


def clone_of(remote: Path, agent: str) -> Path:
    path = remote.parent / agent
    git("clone", "-q", str(remote), str(path), cwd=remote.parent)
    git("config", "user.name", agent, cwd=path)
    git("config", "user.email", f"{agent}@example.com", cwd=path)
    return path


def remote_log(remote: Path, ref: str = "main") -> list[str]:
    return git("log", "--format=%s", ref, cwd=remote).splitlines()


def test_init_on_an_empty_remote_pushes_the_first_main_and_new_lands_on_it(tmp_path: Path) -> None:
    remote, owner = make_shared(tmp_path)
    assert remote_log(remote) == ["contracts: init .contracts"]
    made = run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=owner, agent="orchestrator")
    assert made.code == 0, made.err
    assert remote_log(remote) == ["contracts: announce site", "contracts: init .contracts"]
    assert git("rev-parse", "HEAD", cwd=owner) == git("rev-parse", "main", cwd=remote)
    assert git("status", "--porcelain", cwd=owner) == ""


def test_an_agent_puts_a_stash_and_delivers_it_without_pushing_by_hand(tmp_path: Path) -> None:
    remote, owner = make_shared(tmp_path)
    run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=owner, agent="orchestrator")
    run_cli("offer", "site", "a", "--to", "bot-1", cwd=owner, agent="orchestrator")
    bot = clone_of(remote, "bot-1")  # a clone that never ran init
    assert run_cli("accept", "site", "a", cwd=bot, agent="bot-1").code == 0
    assert run_cli("stash", "put", "plan", "-", input="steps: [1, 2]\n", cwd=bot, agent="bot-1").code == 0
    delivered = run_cli("deliver", "site", "a", "--stash", "plan", "--json", cwd=bot, agent="bot-1")
    assert delivered.code == 0, delivered.err
    assert delivered.json["pushed"] is True and delivered.json["commit"] == git("rev-parse", "main", cwd=remote)
    assert remote_log(remote)[:3] == ["contracts: deliver site/a", "contracts: put plan", "contracts: accept site/a"]
    assert "gitcontracts merge-shard" in git("config", "merge.gitcontracts-shard.driver", cwd=bot)
    assert run_cli("check", "--range", f"{git('rev-list', '--max-parents=0', 'main', cwd=remote)}..main",
                   cwd=remote).code == 0


def test_init_in_a_clone_of_a_remote_with_history_lands_on_top_of_it(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    seed = clone_of(remote, "seed")
    (seed / "README.md").write_text("hello\n")
    git("add", "README.md", cwd=seed)
    git("commit", "-qm", "readme", cwd=seed)
    git("push", "-q", "origin", "main", cwd=seed)
    owner = clone_of(remote, "orchestrator")
    assert run_cli("init", "--remote", "origin", cwd=owner, agent="orchestrator").code == 0
    assert remote_log(remote) == ["contracts: init .contracts", "readme"]
    assert git("rev-parse", "HEAD", cwd=owner) == git("rev-parse", "main", cwd=remote)


def test_a_library_claim_lands_like_the_commands(tmp_path: Path) -> None:
    remote, owner = make_shared(tmp_path)
    run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=owner, agent="orchestrator")
    bot = clone_of(remote, "bot-1")
    result = claims.claim(api.open_workspace(bot, agent="bot-1"), "site", "a", message="mine")
    assert result["branch"] == "claim/site/a/bot-1" and result["pushed"] is True
    assert git("rev-parse", "refs/heads/claim/site/a/bot-1", cwd=remote) == result["commit"]
    assert git("status", "--porcelain", cwd=bot) == ""  # the clone's main was not touched by a review claim


def test_an_action_never_leaves_another_worktree_behind_its_branch(tmp_path: Path) -> None:
    remote, owner = make_shared(tmp_path)
    run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=owner, agent="orchestrator")
    other = tmp_path / "feature-tree"
    git("worktree", "add", "-q", "-b", "feature", str(other), cwd=owner)
    posted = run_cli("ask", "site", "-m", "which region?", cwd=other, agent="orchestrator")
    assert posted.code == 0, posted.err
    assert git("rev-parse", "HEAD", cwd=owner) == git("rev-parse", "main", cwd=remote)
    assert git("status", "--porcelain", cwd=owner) == ""  # main's own worktree followed, no staged revert


def test_a_detached_head_is_refused_before_anything_is_written(repo: Path, cli) -> None:
    cli("new", "site", "--objective", "x")
    git("checkout", "-q", "--detach", cwd=repo)
    head = git("rev-parse", "HEAD", cwd=repo)
    result = cli("stream", "post", "site-execution", "--label", "note", "--data", "{}")
    assert result.code == 2 and "detached" in result.err and "git switch" in result.err
    assert git("rev-parse", "HEAD", cwd=repo) == head and git("status", "--porcelain", cwd=repo) == ""


def _file_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) like a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_failed_write_leaves_nothing_behind_and_a_retry_posts_once(repo: Path, cli) -> None:
    import subprocess
    import sys

    cli("new", "site", "--objective", "x")
    before = git("rev-parse", "HEAD", cwd=repo)
    big = '{"text": "' + "x" * 100_000 + '"}'
    failed = subprocess.run([sys.executable, "-m", "gitcontracts", "stream", "post", "site-execution", "--label", "note",
                             "--data", big], cwd=repo, capture_output=True, text=True,
                            env={**__import__("os").environ, "GITCONTRACTS_AGENT": "orchestrator"},
                            preexec_fn=_file_limit(64_000))
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert git("rev-parse", "HEAD", cwd=repo) == before and git("status", "--porcelain", cwd=repo) == ""
    assert cli("stream", "post", "site-execution", "--label", "note", "--data", big).code == 0
    entries = api.read_stream(api.open_workspace(repo), "site-execution").entries
    assert len(entries) == 1


@pytest.mark.parametrize("command", [
    ("stash", "put", "plan", "-"),
    ("stream", "create", "notes"),
    ("agent", "add", "bot-1", "--capability", "sql"),
])
def test_every_document_command_is_one_commit_with_trailers(repo: Path, cli, command: tuple[str, ...]) -> None:
    before = git("rev-parse", "HEAD", cwd=repo)
    result = cli(*command, "--json", input="a: 1\n")
    assert result.code == 0, result.err
    assert result.json["commit"] == git("rev-parse", "HEAD", cwd=repo) and result.json["pushed"] is False
    assert git("rev-parse", "HEAD~1", cwd=repo) == before
    assert "Agent: orchestrator" in git("log", "-1", "--format=%B", cwd=repo)


def test_a_clone_made_before_init_joins_the_shared_main_by_itself(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    owner, early, later_init = clone_of(remote, "orchestrator"), clone_of(remote, "bot-1"), clone_of(remote, "bot-2")
    assert run_cli("init", "--remote", "origin", cwd=owner, agent="orchestrator").code == 0
    assert run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=owner, agent="orchestrator").code == 0
    found = run_cli("discover", "--json", cwd=early, agent="bot-1")
    assert found.code == 0 and "site" in [r["name"] for r in found.json["results"]]
    assert run_cli("claim", "site", "a", cwd=early, agent="bot-1").code == 0
    again = run_cli("init", cwd=later_init, agent="bot-2")
    assert again.code == 0 and (later_init / ".contracts/stashes/site.yaml").exists()


def test_no_hint_ever_suggests_acting_as_another_agent(tmp_path: Path) -> None:
    remote, owner = make_shared(tmp_path)
    run_cli("new", "site", "--objective", "x", "--subtask", "a:first", cwd=owner, agent="orchestrator")
    result = run_cli("complete", "site", "a", cwd=clone_of(remote, "bot-1"), agent="bot-1")
    assert result.code == 6 and "orchestrator" in result.err and "--agent" not in result.err
