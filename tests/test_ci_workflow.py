"""The documented CI workflow (docs/ci.md), run over the refs a forge gives it (issue 11, item 9): a claim pull
request passes with `--ref`, a merge made with the forge's button under a person's name counts as that person's
agent (by the email agents.yaml gives it), and a first push whose `before` is all zeros is checked from the root."""
from __future__ import annotations

from pathlib import Path

from helpers import git, run_cli, write_tree

ZERO = "0" * 40


def pr_check(clone: Path, base: str, head: str, branch: str):
    return run_cli("check", "--range", f"{base}..{head}", "--ref", f"refs/heads/{branch}", "--format", "github", cwd=clone)


def push_check(clone: Path, before: str, after: str):
    return run_cli("check", "--range", f"{before}..{after}", "--format", "github", cwd=clone)


def test_a_claim_pull_request_and_its_merge_by_the_forges_button(tmp_path: Path) -> None:
    from conftest import Shared
    shared = Shared(tmp_path)  # the forge's repository (its own checks aside)
    assert shared("orchestrator", "agent", "add", "orchestrator", "--email", "ada@example.com",
                  "--email", "orchestrator@example.com").code == 0
    assert shared("orchestrator", "new", "site", "--objective", "x", "--subtask", "a:first").code == 0
    assert shared("bot", "claim", "site", "a").code == 0
    ci = shared.clone("ci")  # actions/checkout with fetch-depth: 0
    git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*", cwd=ci)
    main, head = git("rev-parse", "origin/main", cwd=ci), git("rev-parse", "origin/claim/site/a/bot", cwd=ci)
    assert pr_check(ci, main, head, "claim/site/a/bot").code == 0
    without_ref = run_cli("check", "--range", f"{main}..{head}", cwd=ci)
    assert without_ref.code == 6  # why the workflow passes --ref: a claim is only a claim on its branch
    # the owner presses the merge button: a merge commit under her name and forge email
    forge = shared.clone("forge")
    git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*", cwd=forge)
    git("-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com", "merge", "-q", "--no-ff",
        "-m", "Merge pull request #1 from org/claim/site/a/bot", "origin/claim/site/a/bot", cwd=forge)
    git("push", "-q", "origin", "HEAD:main", cwd=forge)
    git("fetch", "-q", "origin", cwd=ci)
    assert push_check(ci, main, git("rev-parse", "origin/main", cwd=ci)).code == 0
    # the same button pressed by someone agents.yaml does not know is refused
    git("reset", "-q", "--hard", main, cwd=forge)
    git("-c", "user.name=Eve Stranger", "-c", "user.email=eve@example.com", "merge", "-q", "--no-ff",
        "-m", "Merge pull request #1", "origin/claim/site/a/bot", cwd=forge)
    refused = push_check(forge, main, git("rev-parse", "HEAD", cwd=forge))
    assert refused.code == 6 and "::error" in refused.out


def test_a_first_push_is_checked_from_the_root(repo: Path, cli) -> None:
    write_tree(repo, {".contracts/stashes/bad.yaml": "name: bad\nowner: orchestrator\ncontent: [unclosed\n"})
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "contracts: bad", "--no-verify", cwd=repo)
    result = push_check(repo, ZERO, git("rev-parse", "HEAD", cwd=repo))
    assert result.code == 3 and "bad.yaml" in result.out
