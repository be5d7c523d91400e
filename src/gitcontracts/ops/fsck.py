"""`fsck [--repair]`: leftovers of crashes — torn last lines, temp files, streams whose stash is gone."""
from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass
from typing import Any

from gitcontracts.store.files import TEMP_MARK, last_byte, locked_append
from gitcontracts.workspace import Workspace


@dataclass(frozen=True)
class Finding:
    file: str
    problem: str
    repaired: bool

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "problem": self.problem, "repaired": self.repaired}


def fsck(ws: Workspace, repair: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    contracts = ws.layout.contracts
    if not contracts.is_dir():
        return findings
    for path in sorted(contracts.rglob(f"{TEMP_MARK}*")):
        if repair:
            path.unlink(missing_ok=True)
        findings.append(Finding(ws.layout.relative(path), "temporary file left by an interrupted write", repair))
    for stream in ws.streams.names():
        for shard in ws.streams.shards(stream):
            if last_byte(shard) not in (b"", b"\n"):
                if repair:
                    _cut_torn_line(shard)
                findings.append(Finding(ws.layout.relative(shard), "torn last line (a crash mid-write)", repair))
        linked = ws.streams.meta(stream).linked_stash
        if linked and not ws.stashes.exists(linked):
            findings.append(Finding(ws.layout.relative(ws.layout.meta(stream)),
                                    f"linked stash {linked!r} does not exist (an interrupted `new`?)", False))
    return findings


def _cut_torn_line(path: Path) -> None:
    with locked_append(path):
        data = path.read_bytes()
        cut = data.rfind(b"\n") + 1
        with open(path, "r+b") as handle:
            handle.truncate(cut)
            os.fsync(handle.fileno())
