"""Test helpers: plain subprocess git (so a bug in our git layer cannot hide in set-up), file trees, the real CLI."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(("git", *args), cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def commit_all(repo: Path, message: str = "commit") -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-qm", message, "--allow-empty", cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error(self) -> dict[str, Any]:
        return json.loads(self.err)["error"]


def run_cli(*args: str, cwd: Path, agent: str | None = None, input: str | bytes | None = None,
            env: Mapping[str, str] | None = None) -> Result:
    """The real `gitcontracts` command, as its own process."""
    full_env = {**os.environ, **(env or {})}
    # A test that moves the clock moves the remote's too, unless it sets the receiving side's on its own
    # (the pre-receive hook reads GITCONTRACTS_RECEIVE_NOW, never the pushing client's GITCONTRACTS_NOW).
    if "GITCONTRACTS_NOW" in full_env and "GITCONTRACTS_RECEIVE_NOW" not in full_env:
        full_env["GITCONTRACTS_RECEIVE_NOW"] = full_env["GITCONTRACTS_NOW"]
    if agent:
        full_env["GITCONTRACTS_AGENT"] = agent
    text = not isinstance(input, bytes)
    proc = subprocess.run((sys.executable, "-m", "gitcontracts", *args), cwd=cwd, env=full_env,
                          input=input, capture_output=True, text=text)
    out = proc.stdout if text else proc.stdout.decode()
    err = proc.stderr if text else proc.stderr.decode()
    return Result(proc.returncode, out, err)


def on_a_terminal(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run the command with its standard error on a pseudo-terminal; (exit code, stdout, what the terminal got)."""
    main, secondary = pty.openpty()
    env = {**os.environ, "GITCONTRACTS_AGENT": "orchestrator", **(env or {})}
    proc = subprocess.Popen((sys.executable, "-m", "gitcontracts", *args), cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    out, _ = proc.communicate()
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    return proc.returncode, out.decode(), seen.decode(errors="replace")
