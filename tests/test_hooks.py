"""The hooks on real repositories: pre-commit refuses bad commits, pre-receive guards the shared remote."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import git, run_cli


def try_git(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(("git", *args), cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})


def test_install_chains_to_an_existing_hook(cli, repo: Path) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\necho mine > \"$(git rev-parse --show-toplevel)/ran.txt\"\n")
    (hooks / "pre-commit").chmod(0o755)
    assert cli("hooks", "install").code == 0
    assert (hooks / "pre-commit.local").exists()
    (repo / "x.txt").write_text("x")
    git("add", "x.txt", cwd=repo)
    git("commit", "-qm", "x", cwd=repo)
    assert (repo / "ran.txt").read_text() == "mine\n"
    (hooks / "pre-commit.local").write_text("#!/bin/sh\nexit 1\n")
    (repo / "y.txt").write_text("y")
    git("add", "y.txt", cwd=repo)
    assert try_git("commit", "-qm", "y", cwd=repo).returncode != 0


def test_pre_commit_refuses_a_bad_contract_and_passes_a_good_one(cli, repo: Path) -> None:
    cli("hooks", "install")
    cli("new", "site", "--objective", "x", "--subtask", "a:b")
    path = repo / ".contracts/stashes/site.yaml"
    path.write_text(path.read_text().replace("status: open", "status: done"))
    git("add", "-A", cwd=repo)
    refused = try_git("commit", "-m", "bad", cwd=repo)
    assert refused.returncode != 0 and "content.subtasks[0].status" in refused.stderr + refused.stdout
    path.write_text(path.read_text().replace("status: done", "status: open").replace("objective: x", "objective: y"))
    git("add", "-A", cwd=repo)
    assert try_git("commit", "-m", "good", cwd=repo).returncode == 0


def test_hooks_fail_closed_without_the_tool(cli, repo: Path) -> None:
    cli("hooks", "install")
    hook = repo / ".git/hooks/pre-commit"
    assert sys.executable in hook.read_text()  # the interpreter that installed it, recorded in the hook itself
    hook.write_text(hook.read_text().replace(sys.executable, "/nonexistent/python"))
    bare_path = "/usr/bin:/bin"
    (repo / "notes.txt").write_text("n")
    git("add", "notes.txt", cwd=repo)
    assert try_git("commit", "-m", "no contracts touched", cwd=repo, env={"PATH": bare_path}).returncode == 0
    (repo / ".contracts/stashes/s.yaml").write_text("name: s\nowner: orchestrator\ncontent: {}\n")
    git("add", "-A", cwd=repo)
    refused = try_git("commit", "-m", "contracts touched", cwd=repo, env={"PATH": bare_path})
    assert refused.returncode != 0 and "not installed" in refused.stderr


@pytest.fixture
def guarded(remote: Path) -> Path:
    assert run_cli("hooks", "install", cwd=remote).code == 0
    return remote


def push(clone: Path, *args: str) -> subprocess.CompletedProcess:
    return try_git("push", "origin", *args, cwd=clone)


def test_pre_receive_guards_the_shared_remote(cli, repo: Path, guarded: Path, clone) -> None:
    cli("new", "site", "--objective", "x", "--subtask", "a:b")
    git("push", "-q", "origin", "main", cwd=repo)
    bot = clone("intruder-bot")
    path = bot / ".contracts/stashes/site.yaml"
    path.write_text(path.read_text().replace("objective: x", "objective: mine"))
    git("commit", "-qam", "take it", cwd=bot)
    refused = push(bot, "main")
    assert refused.returncode != 0 and "intruder-bot may change only subtasks" in refused.stderr
    git("reset", "-q", "--hard", "origin/main", cwd=bot)
    shard = bot / ".contracts/streams/site-discussion/intruder-bot.jsonl"
    shard.write_text('{"id":"01A","ts":"2026-01-01T00:00:00Z","agent":"intruder-bot","label":"question","data":{"message":1}}\n')
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "invalid entry", cwd=bot)
    refused = push(bot, "main")
    assert refused.returncode != 0 and "data.message" in refused.stderr
    git("reset", "-q", "--hard", "origin/main", cwd=bot)
    assert run_cli("stream", "post", "site-discussion", "--label", "question", "--data", '{"message": "hi"}',
                   cwd=bot, agent="intruder-bot").code == 0
    landed = push(bot, "main")
    assert landed.returncode == 0, landed.stderr
    git("commit", "-q", "--amend", "-m", "rewritten", cwd=bot)
    rewritten = push(bot, "--force", "main")
    assert rewritten.returncode != 0 and "rewrite the history of main" in rewritten.stderr


def test_pre_receive_holds_claim_branches_to_the_claim(cli, repo: Path, guarded: Path, clone) -> None:
    cli("new", "site", "--objective", "x", "--subtask", "a:b")
    git("push", "-q", "origin", "main", cwd=repo)
    bot = clone("design-bot")
    git("checkout", "-qb", "claim/site/a/design-bot", cwd=bot)
    run_cli("patch", "site", "--path", "subtasks", "--match", "id=a", "--set", "status=claimed",
            "--set", "assigned_agent=design-bot", "--no-commit", cwd=bot, agent="orchestrator")
    run_cli("stream", "post", "site-discussion", "--label", "claim", "--data", '{"subtask_id": "a"}', "--no-commit",
            cwd=bot, agent="design-bot")
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "claim a\n\nAgent: design-bot", cwd=bot)
    assert push(bot, "claim/site/a/design-bot").returncode == 0
    (bot / "extra.yaml").write_text("x: 1\n")
    run_cli("patch", "site", "--path", "subtasks", "--match", "id=a", "--set", "budget_usdc=1000", "--no-commit",
            cwd=bot, agent="orchestrator")
    git("add", "-A", cwd=bot)
    git("commit", "-qm", "and a raise\n\nAgent: design-bot", cwd=bot)
    refused = push(bot, "claim/site/a/design-bot")
    assert refused.returncode != 0 and "design-bot may not make this change" in refused.stderr


def test_pre_push_checks_what_is_pushed(cli, repo: Path, remote: Path, clone) -> None:
    bot = clone("intruder-bot")
    assert run_cli("hooks", "install", cwd=bot).code == 0
    cli("new", "site", "--objective", "x")
    git("push", "-q", "origin", "main", cwd=repo)
    git("pull", "-q", cwd=bot)
    path = bot / ".contracts/stashes/site.yaml"
    path.write_text(path.read_text().replace("objective: x", "objective: mine"))
    git("commit", "-qam", "take it", "--no-verify", cwd=bot)
    refused = push(bot, "main")
    assert refused.returncode != 0 and "permission" in refused.stderr


def by_hand(clone: Path, message: str, *args: str) -> subprocess.CompletedProcess:
    """Jane's edit of the contract, committed with git as people do (the hooks run unless --no-verify)."""
    path = clone / ".contracts/stashes/site.yaml"
    path.write_text(re.sub(r"objective: .*", f"objective: {message}", path.read_text()))
    return try_git("commit", "-am", message, *args, cwd=clone)


@pytest.fixture
def jane(cli, repo: Path, guarded: Path, clone) -> Path:
    """Jane Doe's clone of the guarded remote, with the hooks; she owns no agent name of her own."""
    cli("new", "site", "--objective", "x", "--subtask", "a:b")
    git("push", "-q", "origin", "main", cwd=repo)
    path = clone("orchestrator")
    git("config", "user.name", "Jane Doe", cwd=path)
    git("config", "user.email", "jane@example.com", cwd=path)
    assert run_cli("hooks", "install", cwd=path).code == 0
    return path


def test_the_push_refuses_a_commit_by_a_person_and_the_commit_hook_refuses_it_first(jane: Path) -> None:
    git("config", "gitcontracts.agent", "orchestrator", cwd=jane)  # what the CLI's own hint proposes
    assert by_hand(jane, "unchecked", "--no-verify").returncode == 0
    pushed = push(jane, "--no-verify", "main")  # past her own pre-push hook: the shared remote's answer
    assert pushed.returncode != 0 and "remote:" in pushed.stderr
    assert "commit by 'Jane Doe': not a valid agent name" in pushed.stderr
    git("reset", "-q", "--hard", "origin/main", cwd=jane)
    refused = by_hand(jane, "checked")
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "commit by 'Jane Doe': not a valid agent name" in said, said
    assert "git config user.name orchestrator" in said
    git("config", "user.name", "orchestrator", cwd=jane)  # the fix the hook names
    made = try_git("commit", "-qam", "checked", cwd=jane)
    assert made.returncode == 0, made.stdout + made.stderr
    landed = push(jane, "main")
    assert landed.returncode == 0, landed.stderr


def test_without_an_agent_configured_the_hook_suggests_a_name_made_from_the_author(jane: Path) -> None:
    refused = by_hand(jane, "checked")
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "'Jane Doe'" in said and "git config user.name jane-doe" in said, said
    assert "Traceback" not in said


def test_an_author_email_agents_yaml_gives_an_agent_acts_as_that_agent(cli, repo: Path, jane: Path) -> None:
    (repo / ".contracts/agents.yaml").write_text(
        "admins: [orchestrator]\nagents:\n  orchestrator:\n    emails: [jane@example.com, orchestrator@example.com]\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "agents", cwd=repo)
    git("push", "-q", "origin", "main", cwd=repo)
    git("pull", "-q", cwd=jane)
    made = by_hand(jane, "by-email")
    assert made.returncode == 0, made.stdout + made.stderr
    landed = push(jane, "main")
    assert landed.returncode == 0, landed.stderr
    git("config", "user.email", "jane@elsewhere.example", cwd=jane)
    refused = by_hand(jane, "elsewhere")
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "not a valid agent name" in said, said


def test_check_staged_with_file_names_validates_what_the_staged_change_leaves_alone(cli, repo: Path) -> None:
    """What the pre-commit framework runs: `check --staged FILE...` (all files on `run --all-files`)."""
    cli("new", "site", "--objective", "x", "--subtask", "a:b")
    cli("new", "blog", "--objective", "x", "--subtask", "a:b")
    files = git("ls-files", ".contracts", cwd=repo).split()
    assert cli("check", "--staged", *files).code == 0
    site = repo / ".contracts/stashes/site.yaml"
    site.write_text(site.read_text().replace("status: open", "status: bogus"))
    unstaged = cli("check", "--staged", *files)
    assert unstaged.code == 3 and "'bogus' is not one of" in unstaged.out, unstaged.out
    assert cli("check", "--staged").code == 0  # nothing staged, no file named: nothing to say
    blog = repo / ".contracts/stashes/blog.yaml"
    blog.write_text(blog.read_text().replace("objective: x", "objective: y"))
    git("add", str(blog), cwd=repo)
    both = cli("check", "--staged", "--json", *files)
    assert both.code == 3 and {p["file"] for p in both.json["problems"]} == {".contracts/stashes/site.yaml"}
    wrong = cli("check", "--range", "HEAD~1..HEAD", *files)
    assert wrong.code == 2 and "only with --staged" in wrong.err


def test_under_require_signed_the_commit_hook_asks_for_a_signature(cli, repo: Path) -> None:
    cli("new", "site", "--objective", "x", "--subtask", "a:b")
    (repo / ".contracts/agents.yaml").write_text("admins: [orchestrator]\nagents:\n  orchestrator: {}\n")
    (repo / ".contracts/config.yaml").write_text("require_signed: true\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "signed from now on", cwd=repo)
    path = repo / ".contracts/stashes/site.yaml"
    path.write_text(path.read_text().replace("objective: x", "objective: y"))
    git("add", "-A", cwd=repo)
    unsigned = cli("check", "--staged")
    assert unsigned.code == 6 and "is not signed; require_signed is on" in unsigned.out, unsigned.out
    git("config", "commit.gpgsign", "true", cwd=repo)  # git will sign it: the push checks by whose key
    assert cli("check", "--staged").code == 0
