"""Errors as SPEC 11 says: one or two lines, `{"error": ...}` on stderr with --json. No click here,
so the fast paths of the entry point can report errors without loading it."""
from __future__ import annotations

import json
import sys
from typing import Any, Sequence

from gitcontracts.errors import envelope


# Text other agents wrote (objectives, messages, names) reaches a person's terminal: control characters (ANSI
# escapes that move the cursor or recolour, a carriage return that overwrites) and bidi overrides (that reorder
# what is read) are shown as escapes instead. Line breaks and tabs stay; JSON output is never touched.
_UNSAFE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f)}
_UNSAFE.update({c: f"\\u{c:04x}" for c in (*range(0x80, 0xa0), 0x061c, 0x200e, 0x200f, *range(0x202a, 0x202f),
                                             *range(0x2066, 0x206a))})


def printable(text: str) -> str:
    return text.translate(_UNSAFE)


def print_traceback() -> None:
    import traceback

    traceback.print_exc()


def fail(as_json: bool, code: str, message: str, hint: str, exit_code: int, details: Sequence[Any] = ()) -> int:
    """Print the error (SPEC 11): with --json the envelope, every key always there (json_schemas/error.json)."""
    if as_json:
        print(json.dumps(envelope(code, message, hint, details), ensure_ascii=False), file=sys.stderr)
    else:
        print(printable(f"error: {message}"), file=sys.stderr)
        if hint:
            print(printable(f"hint: {hint}"), file=sys.stderr)
    return exit_code


def unexpected(exc: Exception, as_json: bool, debug: bool) -> int:
    if debug:
        print_traceback()
    message = f"unexpected {type(exc).__name__}: {exc}"
    return fail(as_json, "unexpected", message, "rerun with --debug for the traceback, and report it", 1)
