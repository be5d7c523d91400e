"""Every git call the toolkit makes, each a small function named after the question it answers.

Plain `git` subprocesses: a commit hook pays ~3 ms per call instead of GitPython's import
and per-call overhead, and `git cat-file --batch` reads many blobs through one process."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

from gitcontracts.errors import GitContractsError


class GitError(GitContractsError):
    exit_code = 1
    code = "git"


def run(root: Path, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(("git", *args), cwd=root, input=input, capture_output=True)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", hint="install git and retry") from None
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {message[-1] if message else result.returncode}")
    return result


def output(root: Path, *args: str) -> str:
    return run(root, *args).stdout.decode("utf-8", "replace").strip()


def toplevel(path: Path) -> Path | None:
    result = run(path, "rev-parse", "--show-toplevel", check=False)
    return Path(result.stdout.decode().strip()) if result.returncode == 0 else None


def config_get(root: Path, key: str) -> str | None:
    result = run(root, "config", "--get", key, check=False)
    return result.stdout.decode("utf-8", "replace").strip() or None if result.returncode == 0 else None


def config_set(root: Path, key: str, value: str) -> None:
    run(root, "config", key, value)


def remotes(root: Path) -> list[str]:
    result = run(root, "remote", check=False)
    return result.stdout.decode().split() if result.returncode == 0 else []


def current_branch(root: Path) -> str | None:
    result = run(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return result.stdout.decode().strip() or None if result.returncode == 0 else None


def is_repo(root: Path) -> bool:
    return toplevel(root) is not None


def init_repo(root: Path, branch: str = "main") -> None:
    run(root, "init", "--quiet", "--initial-branch", branch)


def add_paths(root: Path, paths: Sequence[str]) -> None:
    run(root, "add", "--", *paths)
