"""Pull request providers (issue 4): `local` (the claim branches on the remote are the pull requests) and
`github`, which opens, and closes, real pull requests through the `gh` command.

The award itself is always the owner's merge commit pushed to main; a forge marks the winner's pull
request merged when its head lands on main, so `github` only opens claims and closes the losing ones."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from gitcontracts.errors import GitContractsError


class ProviderUnavailable(GitContractsError):
    """config.yaml asks for a forge whose command this machine lacks (or is not logged in to): set up the
    machine or the config — a usage error, 2."""
    exit_code = 2
    code = "provider_unavailable"


def require_available(provider: str, root: Path) -> None:
    """Fail before acting when the configured provider cannot be used."""
    if provider != "github":
        return
    if shutil.which("gh") is None:
        raise ProviderUnavailable("provider github needs the gh command, which is not installed",
                                  hint="install gh and run `gh auth login`, or set provider: local in .contracts/config.yaml")
    if subprocess.run(("gh", "auth", "status"), cwd=root, capture_output=True).returncode != 0:
        raise ProviderUnavailable("provider github needs gh to be logged in",
                                  hint="run `gh auth login`, or set provider: local in .contracts/config.yaml")


def _gh(root: Path, *args: str) -> None:
    result = subprocess.run(("gh", *args), cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise GitContractsError(f"gh {args[0]} {args[1]} failed: {result.stderr.strip().splitlines()[-1:]}",
                                hint="the git side of the action landed; open or close the pull request by hand")


def opened(provider: str, root: Path, branch: str, base: str, title: str, body: str) -> None:
    if provider == "github":
        _gh(root, "pr", "create", "--head", branch, "--base", base, "--title", title, "--body", body)


def closed(provider: str, root: Path, branches: Sequence[str], comment: str) -> None:
    if provider == "github":
        for branch in branches:
            _gh(root, "pr", "close", branch, "--comment", comment)
