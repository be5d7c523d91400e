"""JSON paths as problems name them: content.subtasks[2].status."""
from __future__ import annotations

import re

_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_$-]+")


def join_path(base: str, key: object) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    part = str(key) if _SIMPLE_KEY.fullmatch(str(key)) else f"[{key!r}]"
    return f"{base}.{part}" if base and not part.startswith("[") else f"{base}{part}"
