"""Exceptions, each standing for one exit code of SPEC 11 and a stable code string.

A failed validation is data (a list of Problem); an exception means "could not do it".
The CLI edge (cli/errors.py) is the one place that turns these into messages.
"""
from __future__ import annotations

from typing import Any, Sequence


class GitContractsError(Exception):
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
    exit_code = 2
    code = "usage"


class InvalidContent(GitContractsError):
    exit_code = 3
    code = "invalid"


class Conflict(GitContractsError):
    exit_code = 4
    code = "conflict"


class NotFound(GitContractsError):
    exit_code = 5
    code = "not_found"


class Forbidden(GitContractsError):
    exit_code = 6
    code = "forbidden"
