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
