"""Regular expressions from schemas (`pattern`, `patternProperties`) run in RE2: time linear in the
input whatever the pattern, so `^(a+)+$` against a long string costs microseconds, not centuries.

RE2 has no lookaround and no backreferences (the features that need backtracking); a schema that
uses them is refused when it is added or compiled, with a hint. Its `$` ends the text, as in ECMA 262
(Python's `re` would also match before a final newline)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from gitcontracts.errors import InvalidContent


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Any:
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise InvalidContent(f"pattern {pattern!r} is not supported: {reason}",
                             hint="patterns run in RE2 (linear time): "
                                  "no lookaround (?=, (?!) and no backreferences (\\1)") from None


def search(pattern: str, text: str) -> bool:
    return compile_pattern(pattern).search(text) is not None
