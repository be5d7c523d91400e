"""Stashes already found valid, remembered by the id of their bytes, so `validate` of 10,000 unchanged contracts
reads and hashes them instead of parsing and checking each again.

A stash's check looks at nothing but its bytes, its file name, the schemas and the limits (referee/content.py,
`stash_content`). The verdicts are kept in `.git/gitcontracts-verdicts.json` under a digest of everything else
they depend on — every schema file (those of .contracts/schemas/ and the built-in ones), the limits, and the
tool's own rules (its version and its rule modules' files) — so a change to any of them starts the verdicts
afresh. Only "valid" is kept: an invalid file is checked again, for its problems. Never a second source of
truth: a missing or unreadable file of verdicts only makes the next run slower."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from gitcontracts.store import kept

FILE = "gitcontracts-verdicts.json"
_PACKAGE = Path(__file__).resolve().parents[1]


def blob_id(data: bytes) -> str:
    """The id git gives these bytes (so a verdict also matches what `git hash-object` says)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def context_digest(root: Path, limits: Any) -> str:
    """What a stash's verdict depends on besides the stash: the schemas, the limits, the rules."""
    digest = hashlib.sha1()
    from gitcontracts import __version__

    digest.update(f"{__version__}|{limits!r}".encode())
    for folder in (_PACKAGE / "referee", _PACKAGE / "rules", _PACKAGE / "formats", _PACKAGE / "builtin_schemas"):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file():
                stat = entry.stat()
                digest.update(f"{entry.name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    schemas = root / ".contracts" / "schemas"
    if schemas.is_dir():
        for path in sorted(schemas.iterdir()):
            try:
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
            except OSError:
                digest.update(path.name.encode() + b"\0unreadable\0")
    return digest.hexdigest()


class Verdicts:
    def __init__(self, git_dir: Path | None, context: str) -> None:
        self.path = git_dir / FILE if git_dir is not None else None
        self.context = context
        self.valid: set[str] = set()
        self.seen: set[str] = set()
        self.changed = False
        loaded = kept.read(self.path)
        if isinstance(loaded, dict) and loaded.get("context") == context and isinstance(loaded.get("valid"), list):
            self.valid = {key for key in loaded["valid"] if isinstance(key, str)}

    @staticmethod
    def key(name: str, data: bytes) -> str:
        return f"{name}:{blob_id(data)}"

    def known_valid(self, key: str) -> bool:
        self.seen.add(key)
        return key in self.valid

    def found_valid(self, key: str) -> None:
        self.valid.add(key)
        self.changed = True

    def save(self) -> None:
        """Keep the verdicts; once they are many more than this run saw (most of them of files since changed or
        removed), only those of the files it saw."""
        if not self.changed:
            return
        if len(self.valid) > 2 * max(len(self.seen), 10_000):
            self.valid &= self.seen
        kept.write(self.path, {"context": self.context, "valid": sorted(self.valid)})
