"""The repository as git users have it (issue 10, section 4): a remote whose main is `master`, hook scripts
copied by hand, commands run inside git's own hooks, a path with spaces, `-C` to nowhere, no repository,
a `user.name` that is not an agent name, a remote the clone lacks, a deadline already past."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import commit_all, git, run_cli, write_tree
from gitcontracts import api, gitlayer
from gitcontracts.errors import NotFound
from gitcontracts.ops.hooks import SCRIPTS
from gitcontracts.store.config import parse_config

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ("pre-commit", "pre-push", "pre-receive", "post-receive")
BAD_DATA = '{"message": 1}'  # a question's message must be a string (builtin discussion schema)


def try_git(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(("git", *args), cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})


def master_remote(tmp_path: Path) -> Path:
    """A shared remote as `git init --bare` makes it with git's own default branch name."""
    bare = tmp_path / "shared.git"
    git("init", "-q", "--bare", "--initial-branch", "master", str(bare), cwd=tmp_path)
    return bare


def own_clone(bare: Path, tmp_path: Path, agent: str) -> Path:
    path = tmp_path / agent
    git("clone", "-q", str(bare), str(path), cwd=tmp_path)
    git("config", "user.name", agent, cwd=path)
    git("config", "user.email", f"{agent}@example.com", cwd=path)
    return path


def workspace_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", cwd=path)
    assert run_cli("init", cwd=path, agent="orchestrator").code == 0
    return path


# --- 1. the main branch ------------------------------------------------------------------------------

def test_config_tells_an_unset_main_branch_from_a_set_one() -> None:
    assert parse_config({}, "config.yaml").main_branch is None
    assert parse_config({"main_branch": "master"}, "config.yaml").main_branch == "master"
    with pytest.raises(Exception, match="branch name"):
        parse_config({"main_branch": "main:refs/heads/other"}, "config.yaml")


def test_the_main_branch_is_config_else_the_remotes_head_else_the_current_branch(tmp_path: Path) -> None:
    bare = master_remote(tmp_path)
    seed = own_clone(bare, tmp_path, "seed")
    commit_all(seed, "first")
    git("push", "-q", "origin", "master", cwd=seed)
    cloned = own_clone(bare, tmp_path, "cloned")  # git clone records refs/remotes/origin/HEAD
    git("checkout", "-qb", "feature", cwd=cloned)
    assert api.open_workspace(cloned).main_branch == "master"
    added = tmp_path / "added"  # git init + remote add + fetch: no origin/HEAD, so the remote is asked
    added.mkdir()
    git("init", "-q", cwd=added)
    git("remote", "add", "origin", str(bare), cwd=added)
    git("fetch", "-q", "origin", cwd=added)
    git("checkout", "-qb", "elsewhere", "origin/master", cwd=added)
    assert api.open_workspace(added).main_branch == "master"
    write_tree(added, {".contracts/config.yaml": "main_branch: trunk\n"})
    assert api.open_workspace(added).main_branch == "trunk"
    alone = tmp_path / "alone"  # no remote: the branch checked out, and `main` when detached
    alone.mkdir()
    git("init", "-q", "--initial-branch", "develop", cwd=alone)
    commit_all(alone, "first")
    assert api.open_workspace(alone).main_branch == "develop"
    git("checkout", "-q", "--detach", cwd=alone)
    assert api.open_workspace(alone).main_branch == "main"
    assert api.open_workspace(bare).main_branch == "master"  # in the shared remote itself: its HEAD
    git("config", "gitcontracts.main", "release", cwd=bare)
    assert api.open_workspace(bare).main_branch == "release"


def test_on_a_master_remote_claims_awards_and_the_hooks_work(tmp_path: Path) -> None:
    bare = master_remote(tmp_path)
    assert run_cli("hooks", "install", cwd=bare).code == 0
    owner = own_clone(bare, tmp_path, "orchestrator")
    assert run_cli("hooks", "install", cwd=owner).code == 0
    made = run_cli("init", "--remote", "origin", cwd=owner, agent="orchestrator")
    assert made.code == 0, made.err
    announced = run_cli("new", "site", "--objective", "x", "--subtask", "a:b", cwd=owner, agent="orchestrator")
    assert announced.code == 0, announced.err
    assert git("rev-parse", "master", cwd=bare) == git("rev-parse", "HEAD", cwd=owner)
    bot = own_clone(bare, tmp_path, "design-bot")
    assert run_cli("hooks", "install", cwd=bot).code == 0
    claimed = run_cli("claim", "site", "a", cwd=bot, agent="design-bot")
    assert claimed.code == 0, claimed.err
    assert "refs/heads/claim/site/a/design-bot" in git("ls-remote", str(bare), cwd=tmp_path)
    awarded = run_cli("award", "site", "a", "design-bot", cwd=owner, agent="orchestrator")
    assert awarded.code == 0, awarded.err
    status = run_cli("status", "site", "--json", cwd=owner, agent="orchestrator").json
    assert [(t["id"], t["status"], t["assigned_agent"]) for t in status["subtasks"]] == [("a", "claimed", "design-bot")]
    git("pull", "-q", "origin", "master", cwd=bot)
    posted = run_cli("stream", "post", "site-discussion", "--label", "question", "--data", '{"message": "hi"}',
                     "--offline", cwd=bot, agent="design-bot")
    assert posted.code == 0, posted.err
    assert try_git("push", "origin", "master", cwd=bot).returncode == 0
    git("commit", "-q", "--amend", "-m", "rewritten", cwd=bot)
    rewritten = try_git("push", "--force", "origin", "master", cwd=bot)
    assert rewritten.returncode != 0 and "refusing to rewrite the history of master" in rewritten.stderr
    deleted = try_git("push", "origin", ":master", cwd=bot)
    assert deleted.returncode != 0 and "refusing to delete master" in deleted.stderr
    assert git("rev-parse", "master", cwd=bare) == git("rev-parse", "origin/master", cwd=bot)


def test_a_bare_head_naming_a_branch_nobody_pushed_still_guards_main(repo: Path, tmp_path: Path) -> None:
    """`git init --bare` says master; a clone made with `git init` (main) pushes main: main is the one guarded."""
    bare = master_remote(tmp_path)
    assert run_cli("hooks", "install", cwd=bare).code == 0
    git("remote", "add", "origin", str(bare), cwd=repo)
    assert try_git("push", "origin", "main", cwd=repo).returncode == 0
    assert api.open_workspace(bare).main_branch == "main"
    git("commit", "-q", "--amend", "--allow-empty", "-m", "rewritten", cwd=repo)
    rewritten = try_git("push", "--force", "origin", "main", cwd=repo)
    assert rewritten.returncode != 0 and "refusing to rewrite the history of main" in rewritten.stderr


# --- 2. the hook scripts: one copy, each working as it is --------------------------------------------

def test_one_copy_of_the_scripts_each_self_contained() -> None:
    source = ROOT / "src/gitcontracts/hook_scripts"
    assert (ROOT / "hooks").resolve() == source.resolve()  # the project's hooks/ is the package's folder
    # installed (editable or not), the package ships exactly these scripts
    assert all((SCRIPTS / name).read_bytes() == (source / name).read_bytes() for name in HOOKS)
    assert sorted(p.name for p in SCRIPTS.iterdir()) == sorted(HOOKS)
    shared = set()
    for name in HOOKS:
        text = (SCRIPTS / name).read_text()
        assert text.startswith("#!/bin/sh\n") and os.access(SCRIPTS / name, os.X_OK)
        assert not any(line.lstrip().startswith((". ", "source ")) for line in text.splitlines())  # sources nothing
        start, end = text.index("# --- the same in each"), text.index("# --- end of the shared part ---")
        shared.add(text[start:end])
        assert subprocess.run(("sh", "-n", str(SCRIPTS / name))).returncode == 0
    assert len(shared) == 1


def copy_hooks_by_hand(hooks_dir: Path, *names: str) -> None:
    for name in names:
        shutil.copy(SCRIPTS / name, hooks_dir / name)


def test_scripts_copied_as_they_are_guard_a_bare_remote(repo: Path, remote: Path, clone) -> None:
    copy_hooks_by_hand(remote / "hooks", "pre-receive")
    assert run_cli("new", "site", "--objective", "x", "--offline", cwd=repo, agent="orchestrator").code == 0
    landed = try_git("push", "origin", "main", cwd=repo)
    assert landed.returncode == 0, landed.stderr
    bot = clone("intruder-bot")
    copy_hooks_by_hand(bot / ".git/hooks", "pre-commit", "pre-push")
    assert run_cli("stream", "post", "site-discussion", "--label", "question", "--data", '{"message": "ok"}',
                   "--offline", cwd=bot, agent="intruder-bot").code == 0
    pushed = try_git("push", "origin", "main", cwd=bot)
    assert pushed.returncode == 0, pushed.stderr
    shard = bot / ".contracts/streams/site-discussion/intruder-bot.jsonl"
    with shard.open("a") as out:
        out.write('{"id":"01JZZZZZZZZZZZZZZZZZZZZZZZ","ts":"2026-01-01T00:00:00Z","agent":"intruder-bot",'
                  f'"label":"question","data":{BAD_DATA}}}\n')
    git("add", "-A", cwd=bot)
    refused = try_git("commit", "-m", "invalid entry", cwd=bot)
    assert refused.returncode != 0 and "data.message" in refused.stdout + refused.stderr
    git("commit", "-q", "--no-verify", "-m", "invalid entry", cwd=bot)
    (bot / ".git/hooks/pre-push").unlink()
    refused = try_git("push", "origin", "main", cwd=bot)
    assert refused.returncode != 0 and "data.message" in refused.stderr


def test_scripts_copied_as_they_are_fail_closed_with_a_message_without_the_tool(repo: Path, remote: Path) -> None:
    copy_hooks_by_hand(remote / "hooks", "pre-receive")
    copy_hooks_by_hand(repo / ".git/hooks", "pre-commit")
    no_tool = {"PATH": "/usr/bin:/bin"}
    (repo / "notes.txt").write_text("n")
    git("add", "notes.txt", cwd=repo)
    assert try_git("commit", "-m", "nothing under .contracts", cwd=repo, env=no_tool).returncode == 0
    write_tree(repo, {".contracts/stashes/s.yaml": "name: s\nowner: orchestrator\ncontent: {}\n"})
    git("add", "-A", cwd=repo)
    refused = try_git("commit", "-m", "contracts touched", cwd=repo, env=no_tool)
    assert refused.returncode != 0 and "not installed or not on PATH" in refused.stderr
    git("commit", "-q", "--no-verify", "-m", "contracts touched", cwd=repo)
    pushed = subprocess.run(("git", "push", "origin", "main"), cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert pushed.returncode != 0 and "not installed or not on PATH" in pushed.stderr


# --- 3. inside git's own hooks ------------------------------------------------------------------------

def write_hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git/hooks" / name
    hook.write_text("#!/bin/sh\nset -e\n" + body)
    hook.chmod(0o755)


def test_commands_inside_git_hooks_address_the_right_repository(tmp_path: Path) -> None:
    """git gives its hooks GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE (here .git/index.lock, for `commit -a`):
    a hook of one repository checks it and posts into it and into a second one, and every write lands where
    it belongs."""
    gc = f"{sys.executable} -m gitcontracts"
    here, there = workspace_repo(tmp_path / "here"), workspace_repo(tmp_path / "there")
    for root in (here, there):
        assert run_cli("stream", "create", "notes", cwd=root, agent="orchestrator").code == 0
    post = "stream post notes --label progress --data"
    write_hook(here, "pre-commit", f"{gc} check --staged\n{gc} -C '{there}' {post} '{{\"from\": \"pre-commit\"}}'\n")
    write_hook(here, "post-commit", f"{gc} {post} '{{\"from\": \"post-commit\"}}'\n"
                                    f"{gc} -C '{there}' {post} '{{\"from\": \"post-commit\"}}'\n")
    env = {"GITCONTRACTS_AGENT": "orchestrator"}
    outside = ("--git-dir", str(here / ".git"), "--work-tree", str(here))
    (here / "notes.txt").write_text("one\n")
    git("add", "notes.txt", cwd=here)
    (here / "notes.txt").write_text("two\n")
    made = try_git(*outside, "commit", "-a", "-m", "user's commit", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    assert git("log", "--format=%s", "-2", cwd=here).splitlines() == ["contracts: post notes", "user's commit"]
    assert git("show", "HEAD~1:notes.txt", cwd=here) == "two"
    assert git("log", "--format=%s", "-2", cwd=there).splitlines() == ["contracts: post notes"] * 2
    for root in (here, there):
        assert git("status", "--porcelain", cwd=root) == ""
    entries = run_cli("stream", "read", "notes", "--json", cwd=there, agent="orchestrator").json["entries"]
    assert [e["data"]["from"] for e in entries] == ["pre-commit", "post-commit"]
    stash = here / ".contracts/stashes/s.yaml"
    write_tree(here, {".contracts/stashes/s.yaml": "name: s\nowner: orchestrator\ncontent: {}\n"})
    git("add", str(stash), cwd=here)
    stash.write_text("name: other\nowner: orchestrator\ncontent: {}\n")  # staged only by `commit -a` below
    refused = try_git(*outside, "commit", "-a", "-m", "a bad stash", cwd=tmp_path, env=env)
    assert refused.returncode != 0 and "must equal the file stem" in refused.stdout + refused.stderr


def test_git_calls_drop_the_locations_a_hook_inherits_for_another_repository(tmp_path: Path, monkeypatch) -> None:
    here, there = workspace_repo(tmp_path / "here"), workspace_repo(tmp_path / "there")
    monkeypatch.chdir(here)
    monkeypatch.setenv("GIT_DIR", ".git")
    monkeypatch.setenv("GIT_WORK_TREE", str(here))
    monkeypatch.setenv("GIT_INDEX_FILE", str(here / ".git/index"))
    assert gitlayer.toplevel(there) == there.resolve()
    assert gitlayer.git_env(there)["GIT_CONFIG_NOSYSTEM"] == "1"
    assert not {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} & set(gitlayer.git_env(there))
    assert gitlayer.git_env(here)["GIT_INDEX_FILE"] == str(here / ".git/index")  # its own index stays
    reader = gitlayer.BlobReader(there)
    try:
        assert reader.read("HEAD:.gitattributes") == (there / ".gitattributes").read_bytes()
    finally:
        reader.close()


# --- 4. a path with spaces ----------------------------------------------------------------------------

def test_the_pre_commit_hook_in_a_path_with_spaces(tmp_path: Path) -> None:
    root = workspace_repo(tmp_path / "my repo")
    assert run_cli("hooks", "install", cwd=root).code == 0
    assert run_cli("new", "site", "--objective", "x", "--subtask", "a:b", "--no-commit", cwd=root,
                   agent="orchestrator").code == 0
    git("add", "-A", cwd=root)
    assert run_cli("check", "--staged", cwd=root, agent="orchestrator").code == 0
    made = try_git("commit", "-m", "a contract", cwd=root, env={"GITCONTRACTS_AGENT": "orchestrator"})
    assert made.returncode == 0, made.stdout + made.stderr
    path = root / ".contracts/stashes/site.yaml"
    path.write_text(path.read_text().replace("status: open", "status: done"))
    git("add", "-A", cwd=root)
    refused = try_git("commit", "-m", "bad", cwd=root, env={"GITCONTRACTS_AGENT": "orchestrator"})
    assert refused.returncode != 0 and "content.subtasks[0].status" in refused.stdout + refused.stderr


# --- 5. -C to a folder that is not there ----------------------------------------------------------------

def test_dash_c_to_a_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run_cli("-C", str(missing), "status", cwd=tmp_path)
    assert result.code == 5 and f"no such directory: {missing}" in result.err and "git is not installed" not in result.err
    as_json = run_cli("-C", str(missing), "--json", "stream", "read", "x", cwd=tmp_path)
    assert as_json.code == 5 and as_json.error["code"] == "not_found"
    with pytest.raises(NotFound, match="no such directory"):
        gitlayer.run(missing, "status")


# --- 6. outside a repository, and a repository without .contracts/ --------------------------------------

@pytest.mark.parametrize("args", [("status",), ("check", "--staged"), ("init",), ("discover",),
                                  ("stream", "post", "x", "--label", "l", "--data", "{}"), ("hooks", "install")])
def test_outside_a_git_repository_commands_say_so(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=tmp_path, agent="orchestrator")
    assert result.code == 5, result.err
    assert "not a git repository" in result.err and "git init" in result.err
    assert not (tmp_path / ".contracts").exists()


def test_validate_outside_a_repository(tmp_path: Path) -> None:
    nothing = run_cli("validate", "--all", cwd=tmp_path)
    assert nothing.code == 5 and "nothing to validate" in nothing.err and "gitcontracts init" in nothing.err
    write_tree(tmp_path, {"loose.yaml": "name: loose\nowner: o\ncontent: {}\n"})
    assert run_cli("validate", "loose.yaml", cwd=tmp_path).code == 0  # explicit files need no git


@pytest.mark.parametrize("args", [("status",), ("discover",), ("stream", "read", "x"), ("fsck",),
                                  ("new", "c", "--objective", "x")])
def test_a_repository_without_a_workspace_says_to_run_init(tmp_path: Path, args: tuple[str, ...]) -> None:
    git("init", "-q", cwd=tmp_path)
    result = run_cli(*args, cwd=tmp_path, agent="orchestrator")
    assert result.code == 5 and "gitcontracts init" in result.err, result.err
    assert not (tmp_path / ".contracts").exists()
    assert run_cli("schema", "list", cwd=tmp_path).code == 0  # the built-in schemas need no workspace
    assert run_cli("init", cwd=tmp_path, agent="orchestrator").code == 0


@pytest.mark.parametrize("args", [("fsck",), ("status", "--offline")])
def test_a_bare_repository_says_to_run_it_in_a_clone(tmp_path: Path, args: tuple[str, ...]) -> None:
    git("init", "-q", "--bare", str(tmp_path / "shared.git"), cwd=tmp_path)
    result = run_cli("-C", str(tmp_path / "shared.git"), *args, cwd=tmp_path, agent="orchestrator")
    assert result.code == 5 and "bare repository" in result.err and "in a clone" in result.err, result.err
    assert "gitcontracts init" not in result.err


# --- 7. a git user.name that is not an agent name -------------------------------------------------------

def test_init_with_a_people_name_says_what_to_do_and_writes_nothing(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    git("config", "user.name", "Ada Lovelace", cwd=tmp_path)
    refused = run_cli("init", cwd=tmp_path)
    assert refused.code == 3
    for words in ("'Ada Lovelace'", "git config user.name", "--agent ada-lovelace", "GITCONTRACTS_AGENT=ada-lovelace",
                  "git config gitcontracts.agent ada-lovelace"):
        assert words in refused.err, refused.err
    assert os.listdir(tmp_path) == [".git"]
    git("config", "gitcontracts.agent", "ada-lovelace", cwd=tmp_path)
    made = run_cli("init", "--json", cwd=tmp_path)
    assert made.code == 0 and ".contracts/config.yaml" in made.json["created"]
    assert git("log", "-1", "--format=%an", cwd=tmp_path) == "ada-lovelace"


# --- 8. init --remote NAME for a remote the clone does not have ------------------------------------------

def test_init_with_a_remote_the_clone_lacks(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    refused = run_cli("init", "--remote", "shared", cwd=tmp_path, agent="orchestrator")
    assert refused.code == 5 and "no remote 'shared'" in refused.err and "git remote add shared URL" in refused.err
    assert os.listdir(tmp_path) == [".git"]


# --- 9. new --deadline already past ---------------------------------------------------------------------

def test_new_with_a_past_deadline_needs_force(cli, repo: Path) -> None:
    head = git("rev-parse", "HEAD", cwd=repo)
    refused = cli("new", "late", "--objective", "x", "--deadline", "2020-01-01T00:00:00Z")
    assert refused.code == 3 and "in the past" in refused.err and "--force" in refused.err
    assert git("rev-parse", "HEAD", cwd=repo) == head and not (repo / ".contracts/stashes/late.yaml").exists()
    assert cli("new", "late", "--objective", "x", "--deadline", "2020-01-01T00:00:00Z", "--force").code == 0
    assert cli("new", "soon", "--objective", "x", "--deadline", "7d").code == 0


def test_a_contract_file_takes_durations_and_past_deadlines_as_the_flag_does(cli, repo: Path) -> None:
    now = {"GITCONTRACTS_NOW": "2026-12-04T10:00:00Z"}
    write_tree(repo.parent, {"c.yaml": "objective: x\ndeadline: 30d\nsubtasks:\n  - {id: a, description: A, deadline: 2h}\n",
                             "late.yaml": "objective: x\ndeadline: '2020-01-01T00:00:00Z'\n"})
    assert cli("new", "timed", "--file", str(repo.parent / "c.yaml"), env=now).code == 0
    content = cli("stash", "get", "timed", "--json").json["content"]
    assert (content["deadline"], content["subtasks"][0]["deadline"]) == ("2027-01-03T10:00:00Z", "2026-12-04T12:00:00Z")
    refused = cli("new", "late", "--file", str(repo.parent / "late.yaml"), env=now)
    assert refused.code == 3 and "in the past" in refused.err and "--force" in refused.err
