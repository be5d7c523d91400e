"""The board on disk (`board --out DIR`) and on 127.0.0.1 (`board --serve`).

A folder is replaced whole: the pages are written to a sibling folder, which then takes DIR's place, so a reader
(or a forge's pages job) sees the old site or the new one, never a mix. Only a folder the board made itself
(it holds MARKER) or an empty one is ever replaced."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from gitcontracts.board.collect import collect
from gitcontracts.board.render import render_site
from gitcontracts.errors import UsageError
from gitcontracts.workspace import Workspace

MARKER = ".gitcontracts-board"


def build(ws: Workspace, offline: bool = False, live: bool = False,
          progress: Callable[[int, int], None] | None = None) -> tuple[dict[str, Any], dict[str, str], str]:
    """(the board's data, its pages, their version): the version is a digest of the data, so an unchanged
    repository gives the same version and a served page does not reload for nothing."""
    board = collect(ws, offline, progress)
    version = board_version(board)
    return board, render_site(board, version, live), version


def board_version(board: dict[str, Any]) -> str:
    """A digest of what the board was built from — the shared main's tip, the claim branches' tips — and of
    each contract's state (a deadline passing changes it with no commit). Not of the time left, which moves
    every second: a page shows it as of when it was built."""
    import json

    basis = {"main": board.get("main"), "claims": board.get("claims"),
             "states": [(view["contract"], view["state"]) for view in board["contracts"]]}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def write_site(pages: dict[str, str], out: Path) -> Path:
    """Write `pages` as the folder `out`, replacing a board made before (atomically, by rename)."""
    out = out.resolve()
    if out.exists() and not _replaceable(out):
        raise UsageError(f"{out} exists and is not a board this tool wrote",
                         hint="name a new or empty folder, or one made by `gitcontracts board --out`")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise UsageError(f"cannot write the board in {out}: {exc.strerror}",
                         hint="name a folder you can write to") from None
    try:
        for rel, text in pages.items():
            path = fresh / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (fresh / MARKER).write_text("made by gitcontracts board; replaced whole by the next `board --out`\n")
        os.chmod(fresh, 0o755)  # mkdtemp's 0700 would hide the site from a web server's user
        _swap(fresh, out)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return out


def _replaceable(out: Path) -> bool:
    return out.is_dir() and not out.is_symlink() and ((out / MARKER).is_file() or not any(out.iterdir()))


def _swap(fresh: Path, out: Path) -> None:
    if not out.exists():
        fresh.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    old.rmdir()
    out.rename(old)  # two renames: a reader in between finds no folder for an instant, never a half-written one
    try:
        fresh.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
