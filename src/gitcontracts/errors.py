"""Exceptions, each standing for one exit code (docs/reference.md, Exit codes) and a stable code string.

A failed validation is data (a list of Problem); an exception means "could not do it".
The CLI edge (cli/errors.py) is the one place that turns these into messages.
"""
from __future__ import annotations

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
    """Exit 6: the acting agent may not do that (not the owner, offered to another, a capability or its capacity)."""
    exit_code = 6
    code = "forbidden"
