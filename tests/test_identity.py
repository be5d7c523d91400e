"""Who made a commit, proven by SSH signatures (issue 6, SPEC 6.4): real keys, real `git` signing,
`check --range` and the pre-receive hook of a shared remote."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import commit_all, git, run_cli, write_tree


@pytest.fixture
def keys(tmp_path: Path):
    """keys("analyst-bot") is the path of that agent's private key (made once); .pub is next to it."""
    folder = tmp_path / "keys"
    folder.mkdir()

    def key(agent: str) -> Path:
        path = folder / agent
        if not path.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", agent, "-f", str(path)], check=True)
        return path
    return key


def public(key: Path) -> str:
    return key.with_suffix(".pub").read_text().strip()


def sign_as(root: Path, key: Path | None) -> None:
    """Commits in `root` are signed with `key` from now on (None: not signed)."""
    if key is None:
        git("config", "commit.gpgsign", "false", cwd=root)
        return
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("commit.gpgsign", "true")):
        git("config", name, value, cwd=root)


def registry(keys, *agents: str, admins: str = "orchestrator") -> str:
    lines = [f"admins: [{admins}]", "agents:"]
    lines += [f"  {agent}:\n    signing_keys: [\"{public(keys(agent))}\"]" for agent in agents]
    return "\n".join(lines) + "\n"


@pytest.fixture
def signed_repo(repo: Path, cli, keys) -> Path:
    """A repository whose main requires signed commits of orchestrator and analyst-bot."""
    write_tree(repo, {".contracts/agents.yaml": registry(keys, "orchestrator", "analyst-bot"),
                      ".contracts/config.yaml": "require_signed: true\n"})
    commit_all(repo, "contracts: agents\n\nAgent: orchestrator")
    git("tag", "base", cwd=repo)
    sign_as(repo, keys("orchestrator"))
    return repo


def commit_as(repo: Path, agent: str, files: dict[str, str], trailer_agent: str | None = None) -> str:
    write_tree(repo, files)
    return commit_all(repo, f"contracts: work\n\nAgent: {trailer_agent or agent}")


def check(repo: Path, span: str = "base..HEAD"):
    return run_cli("check", "--range", span, cwd=repo)


def test_commits_signed_by_their_agents_pass_and_the_tool_signs_its_own(signed_repo: Path, cli, keys) -> None:
    assert cli("new", "job", "--objective", "Study", "--subtask", "a:do a").code == 0  # plumbing-free local commit
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in git("cat-file", "commit", "HEAD", cwd=signed_repo)
    sign_as(signed_repo, keys("analyst-bot"))
    commit_as(signed_repo, "analyst-bot", {"notes.txt": "analyst was here\n"})
    result = check(signed_repo)
    assert result.code == 0, result.out + result.err


def test_an_unsigned_commit_is_refused_naming_it(signed_repo: Path) -> None:
    sign_as(signed_repo, None)
    sha = commit_as(signed_repo, "orchestrator", {"notes.txt": "x\n"})
    result = check(signed_repo)
    assert result.code == 6
    assert sha[:10] in result.out and "not signed" in result.out


def test_a_commit_signed_by_one_agent_naming_another_is_refused(signed_repo: Path, keys) -> None:
    sign_as(signed_repo, keys("analyst-bot"))
    sha = commit_as(signed_repo, "analyst-bot", {"notes.txt": "x\n"}, trailer_agent="orchestrator")
    result = check(signed_repo)
    assert result.code == 6
    assert sha[:10] in result.out and "signed by analyst-bot's key but names Agent: orchestrator" in result.out


def test_a_key_not_in_the_base_registry_is_refused(signed_repo: Path, keys) -> None:
    sign_as(signed_repo, keys("stranger-bot"))
    commit_as(signed_repo, "analyst-bot", {"notes.txt": "x\n"})
    result = check(signed_repo)
    assert result.code == 6 and "not analyst-bot's" in result.out


def test_a_range_that_adds_an_agent_and_acts_as_it_is_refused(signed_repo: Path, keys) -> None:
    commit_as(signed_repo, "orchestrator",
              {".contracts/agents.yaml": registry(keys, "orchestrator", "analyst-bot", "mallory-bot")})
    sign_as(signed_repo, keys("mallory-bot"))
    sha = commit_as(signed_repo, "mallory-bot", {"notes.txt": "mine now\n"})
    result = check(signed_repo)
    assert result.code == 6
    assert sha[:10] in result.out and "adds the agent to agents.yaml and acts as it" in result.out
    assert check(signed_repo, "HEAD~1..HEAD").code == 0  # once the registry change has landed, mallory-bot may act


def test_only_admins_change_the_registry_or_the_config(signed_repo: Path, keys) -> None:
    sign_as(signed_repo, keys("analyst-bot"))
    commit_as(signed_repo, "analyst-bot", {".contracts/config.yaml": "require_signed: false\n"})
    result = check(signed_repo)
    assert result.code == 6 and "only admins (orchestrator) may change config.yaml" in result.out


def test_the_author_email_must_be_the_agents(repo: Path) -> None:
    write_tree(repo, {".contracts/agents.yaml":
                      "admins: [orchestrator]\nagents:\n  orchestrator: {emails: [boss@example.com]}\n"})
    commit_all(repo, "contracts: agents\n\nAgent: orchestrator")
    git("tag", "base", cwd=repo)
    sha = commit_as(repo, "orchestrator", {"notes.txt": "x\n"})  # the fixture's email: orchestrator@example.com
    result = check(repo)
    assert result.code == 6 and sha[:10] in result.out and "<orchestrator@example.com>" in result.out


def test_the_pre_receive_hook_refuses_an_unsigned_push_and_takes_signed_actions(signed_repo: Path, remote: Path,
                                                                               clone, keys, cli) -> None:
    assert run_cli("hooks", "install", cwd=remote).code == 0
    git("push", "-q", "origin", "main", cwd=signed_repo)
    assert cli("init", "--remote", "origin").code == 0  # a protocol action of the owner, signed by the tool
    assert cli("new", "job", "--objective", "Study", "--subtask", "a:do a").code == 0
    analyst = clone("analyst-bot")
    sign_as(analyst, keys("analyst-bot"))
    assert run_cli("init", cwd=analyst, agent="analyst-bot").code == 0
    claimed = run_cli("claim", "job", "a", cwd=analyst, agent="analyst-bot")
    assert claimed.code == 0, claimed.err
    awarded = cli("award", "job", "a", "analyst-bot")  # the owner's merge commit, signed by the tool
    assert awarded.code == 0, awarded.err
    sign_as(analyst, None)
    git("fetch", "-q", "origin", cwd=analyst)
    git("reset", "-q", "--hard", "origin/main", cwd=analyst)
    sha = commit_as(analyst, "analyst-bot", {"notes.txt": "unsigned\n"})
    pushed = subprocess.run(["git", "push", "origin", "main"], cwd=analyst, capture_output=True, text=True)
    assert pushed.returncode != 0
    assert sha[:10] in pushed.stderr and "not signed" in pushed.stderr


def test_a_signed_merge_cannot_bring_in_unsigned_forgeries(signed_repo: Path, cli, keys) -> None:
    """mallory's signed merge brings unsigned commits that write alice's shard and create a stash 'owned by alice'."""
    cli("stream", "create", "notes")
    write_tree(signed_repo, {".contracts/agents.yaml": registry(keys, "orchestrator", "analyst-bot", "mallory")})
    commit_all(signed_repo, "contracts: agents\n\nAgent: orchestrator")
    git("tag", "-f", "base", cwd=signed_repo)
    git("checkout", "-qb", "forged", cwd=signed_repo)
    sign_as(signed_repo, None)
    commit_as(signed_repo, "analyst-bot", {
        ".contracts/streams/notes/analyst-bot.jsonl":
            '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-11-21T22:40:01.123456Z","agent":"analyst-bot","label":"x","data":{}}\n',
        ".contracts/stashes/gift.yaml": "name: gift\nowner: analyst-bot\ncontent: {}\n"})
    git("checkout", "-q", "main", cwd=signed_repo)
    sign_as(signed_repo, keys("mallory"))
    git("merge", "-q", "--no-ff", "-m", "contracts: merge\n\nAgent: mallory", "forged", cwd=signed_repo)
    result = check(signed_repo)
    assert result.code == 6 and "not signed" in result.out, result.out
