"""Exceptions, each standing for one exit code (docs/reference.md, Exit codes) and a stable code string.

A failed validation is data (a list of Problem); an exception means "could not do it".
The CLI edge (cli/edge.py) turns these into messages and exit codes, the MCP server into tool errors; both
describe an error with `envelope`, and an OSError with `SystemRefused`.
"""
from __future__ import annotations

import errno
from typing import Any, Sequence


class GitContractsError(Exception):
    """Could not do it: a message, a hint of what to do, and the exit code and code string of its kind."""
    exit_code = 1
    code = "unexpected"

    def __init__(self, message: str, hint: str = "", details: Sequence[Any] = (),
                 file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = file   # where the problem is, when it is in one file
        self.line = line
        self.details = [detail_object(d) for d in details] or self._where()

    def _where(self) -> list[dict[str, Any]]:
        """An error about one place in one file names it in `details` too, for programs that read them."""
        return [{"file": self.file, "line": self.line, "message": self.message}] if self.file else []

    def to_dict(self) -> dict[str, Any]:
        """The `error` of the JSON envelope (docs/reference.md, JSON output): always code, message, hint and details (objects)."""
        return {"code": self.code, "message": self.message, "hint": self.hint, "details": list(self.details)}


def detail_object(detail: Any) -> dict[str, Any]:
    """One entry of an error's `details` as an object: a Problem (anything with to_dict) as its dict, a dict as
    it is, anything else as {"message": text}."""
    if isinstance(detail, dict):
        return dict(detail)
    to_dict = getattr(detail, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    return {"message": str(detail)}


class UsageError(GitContractsError):
    """Exit 2: the call itself is wrong (an option, a name, a missing argument)."""
    exit_code = 2
    code = "usage"


class InvalidContent(GitContractsError):
    """Exit 3: content a schema or rule refuses; nothing was written."""
    exit_code = 3
    code = "invalid"


class Conflict(GitContractsError):
    """Exit 4: the state moved on (taken, already there, expired, main kept moving)."""
    exit_code = 4
    code = "conflict"


class NotFound(GitContractsError):
    """Exit 5: no such contract, stream, stash, schema, repository or workspace."""
    exit_code = 5
    code = "not_found"


class Forbidden(GitContractsError):
    """Exit 6: the acting agent may not do that (not the owner, offered to another, a capability or its capacity)."""
    exit_code = 6
    code = "forbidden"


class SystemRefused(GitContractsError):
    """An OSError: a path the system refuses (too long, missing, not ours to read); the exit code by its errno."""
    code = "os-error"

    def __init__(self, exc: OSError) -> None:
        where = f": {str(exc.filename)[:120]}" if exc.filename else ""
        super().__init__(f"{exc.strerror or exc}{where}", hint="check the path and its permissions")
        self.exit_code = _OS_EXIT_CODES.get(exc.errno or 0, 1)


_OS_EXIT_CODES = {errno.EACCES: 6, errno.EPERM: 6, errno.ENOENT: 5, errno.ENOTDIR: 5, errno.ENAMETOOLONG: 5, errno.ELOOP: 3}


def envelope(code: str, message: str, hint: str = "", details: Sequence[Any] = ()) -> dict[str, Any]:
    """The JSON shape of an error: `{"error": {"code", "message", "hint", "details"}}`, every key always there
    (hint "" when there is none to give), as the CLI prints it on stderr with --json and the MCP server returns
    it in a tool error."""
    return {"error": {"code": code, "message": message, "hint": hint, "details": [detail_object(d) for d in details]}}
