"""Errors as SPEC 11 says: one or two lines, `{"error": ...}` on stderr with --json. No click here,
so the fast paths of the entry point can report errors without loading it."""
from __future__ import annotations

import json
import sys
from typing import Any, Sequence


def print_traceback() -> None:
    import traceback

    traceback.print_exc()


def fail(as_json: bool, code: str, message: str, hint: str, exit_code: int, details: Sequence[Any] = ()) -> int:
    if as_json:
        error = {"code": code, "message": message, "details": list(details)}
        if hint:
            error["hint"] = hint
        print(json.dumps({"error": error}, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"error: {message}", file=sys.stderr)
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
    return exit_code


def unexpected(exc: Exception, as_json: bool, debug: bool) -> int:
    if debug:
        print_traceback()
    message = f"unexpected {type(exc).__name__}: {exc}"
    return fail(as_json, "unexpected", message, "rerun with --debug for the traceback, and report it", 1)
