"""Names of stashes, streams, schemas, subtasks and agents (SPEC 2)."""
from __future__ import annotations

import re

from gitcontracts.errors import InvalidContent

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
# Names that Windows refuses as file stems; a repository is shared across platforms.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)}


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a valid name, or None when it is."""
    if not isinstance(name, str):
        return "a name must be a string"
    if not NAME_RE.fullmatch(name):
        return "a name is 1-128 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
    if ".." in name:
        return "a name may not contain '..'"
    if name.endswith(".") or name.endswith(".lock"):
        return "a name may not end in '.' or '.lock' (it must be usable inside a git ref)"
    if name.split(".")[0] in _RESERVED:
        return f"'{name.split('.')[0]}' is a reserved device name on some systems"
    return None


def check_name(name: object, what: str = "name") -> str:
    problem = name_problem(name)
    if problem:
        raise InvalidContent(f"invalid {what} {name!r}: {problem}",
                             hint="use lowercase letters, digits, '.', '_' and '-' (e.g. website-redesign)")
    return name  # type: ignore[return-value]


def split_versioned(ref: str) -> tuple[str, int | None]:
    """'research-contract@2' -> ('research-contract', 2); a bare name -> (name, None)."""
    name, sep, version = ref.partition("@")
    check_name(name, "schema name")
    if not sep:
        return name, None
    if not version.isdigit() or int(version) < 1:
        raise InvalidContent(f"invalid schema version in {ref!r}", hint="write NAME@N with N a positive whole number")
    return name, int(version)
