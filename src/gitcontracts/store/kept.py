"""Files the tool keeps in the git directory beside git's own — caches and proofs (docs/formats.md) — each one
JSON file written whole: a temp file named after the process, then a rename (`fsck --repair` removes the temp
file of a process that died). Any of them may be missing, broken or written by another version: reading gives
None then, and the caller makes it again."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def read(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(path: Path | None, value: Any) -> None:
    if path is None:
        return
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temp, path)
    except OSError:  # a read-only clone: nothing kept, only slower
        temp.unlink(missing_ok=True)
