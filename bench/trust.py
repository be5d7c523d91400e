"""Issue 6 figures: what trust and failure handling cost.

- check --range over 100 first-parent commits, signed and verified (require_signed) vs. not required;
- stream post with its commit (journal and commit lock included), median;
- hostile input refused: an alias bomb, a 50 MB file, a pathological pattern (RE2 vs Python's re).

python bench/trust.py [--commits N]"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import time

from _common import WORK, agent, git_repo, gitcontracts, run, timed


def git(*args: str, cwd) -> str:
    return run(["git", *args], cwd=cwd).stdout.strip()


def signed_repo(path, require: bool, commits: int):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    key = path.parent / f"key-{path.name}"
    key.unlink(missing_ok=True)
    key.with_suffix(".pub").unlink(missing_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    git_repo(path, "orchestrator")
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("commit.gpgsign", "true")):
        git("config", name, value, cwd=path)
    (path / ".contracts").mkdir()
    pub = key.with_suffix(".pub").read_text().strip()
    (path / ".contracts/agents.yaml").write_text(
        f'admins: [orchestrator]\nagents:\n  orchestrator:\n    signing_keys: ["{pub}"]\n')
    (path / ".contracts/config.yaml").write_text(f"require_signed: {'true' if require else 'false'}\n")
    git("add", "-A", cwd=path)
    git("commit", "-qm", "base", cwd=path)
    base = git("rev-parse", "HEAD", cwd=path)
    for index in range(commits):
        (path / "work.txt").write_text(f"{index}\n")
        git("add", "-A", cwd=path)
        git("commit", "-qm", f"work {index}\n\nAgent: orchestrator", cwd=path)
    return base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=100, help="signed commits checked by check --range")
    commits = parser.parse_args().commits
    WORK.mkdir(exist_ok=True)
    exe = gitcontracts()
    env = agent("orchestrator")
    print(f"check --range over {commits} signed first-parent commits:")
    for require in (False, True):
        repo = WORK / f"trust-{'signed' if require else 'plain'}"
        base = signed_repo(repo, require, commits)
        check = [*exe, "check", "--range", f"{base}..HEAD"]
        seconds = timed(lambda: run(check, cwd=repo, env=env), repeat=3)  # noqa: B023 (called before the loop moves on)
        print(f"  require_signed: {str(require).lower():5}  {seconds * 1000:7.0f} ms  "
              f"({seconds / commits * 1000:.1f} ms a commit)")

    repo = WORK / "trust-post"
    if repo.exists():
        shutil.rmtree(repo)
    git_repo(repo, "orchestrator")
    run([*exe, "init"], cwd=repo, env=env)
    run([*exe, "stream", "create", "log"], cwd=repo, env=env)
    post_args = [*exe, "stream", "post", "log", "--label", "progress", "--data", "{}"]
    post = timed(lambda: run(post_args, cwd=repo, env=env), repeat=15)
    print(f"stream post, committed (journal and commit lock included): {post * 1000:.0f} ms median")

    bomb = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
        b"%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n" % ((98 + i, 98 + i) + (97 + i,) * 9) for i in range(8))
    big = WORK / "trust-50mb.yaml"
    big.write_bytes(b"objective: '" + b"a" * (50 << 20) + b"'\n")
    for label, args, stdin in (("alias bomb", ["stash", "put", "x", "-"], bomb),
                               ("50 MB file", ["stash", "put", "x", "--file", str(big)], b"")):
        start = time.perf_counter()
        result = subprocess.run([*exe, *args], cwd=repo, input=stdin, capture_output=True, env={**os.environ, **env})
        elapsed = time.perf_counter() - start
        print(f"refused {label}: exit {result.returncode} in {elapsed * 1000:.0f} ms (process start included)")
    big.unlink()

    from gitcontracts.rules.regex import search
    text = "a" * 100_000 + "b"
    start = time.perf_counter()
    search("^(a+)+$", text)
    re2_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    re.search("^(a+)+$", "a" * 24 + "b")
    re_s = time.perf_counter() - start
    print(f"^(a+)+$ : RE2 on 100,001 chars {re2_ms:.2f} ms; Python re on 25 chars {re_s:.2f} s "
          "(doubling with each further char)")


if __name__ == "__main__":
    main()
