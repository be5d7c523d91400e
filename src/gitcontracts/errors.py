"""Exceptions, each standing for one exit code of SPEC 11 and a stable code string.

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
        self.details = list(details)
        self.file = file   # where the problem is, when it is in one file
        self.line = line


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
    """Exit 6: the acting agent may not do that (SPEC 6.4)."""
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
    return {"error": {"code": code, "message": message, "hint": hint, "details": list(details)}}
