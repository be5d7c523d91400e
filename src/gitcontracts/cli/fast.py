"""The hottest calls, answered without loading click: `check --staged` (the pre-commit hook, on every
commit that touches .contracts/) and `stream latest NAME [--label L] [--json]` (agents polling a stream).
Click's import is a fifth to a third of their time. Any other form goes through click as usual."""
from __future__ import annotations

import json
from typing import Callable, Sequence

from gitcontracts.cli.failure import fail, unexpected
from gitcontracts.errors import GitContractsError


def fast_path(args: Sequence[str]) -> int | None:
    """The exit code of a fast call, or None when `args` is not one of them."""
    if list(args) == ["check", "--staged"]:
        return _guarded(check_staged_quiet, False)
    if len(args) >= 3 and args[:2] == ["stream", "latest"] and not args[2].startswith("-"):
        rest, as_json, label = list(args[3:]), "--json" in args, None
        rest = [a for a in rest if a != "--json"]
        if rest[:1] == ["--label"] and len(rest) == 2:
            label, rest = rest[1], []
        if not rest:
            return _guarded(lambda: latest(args[2], label, as_json), as_json)
    return None


def _guarded(run: Callable[[], int], as_json: bool) -> int:
    try:
        return run()
    except GitContractsError as exc:
        return fail(as_json, exc.code, exc.message, exc.hint, exc.exit_code, exc.details)
    except Exception as exc:  # a message, never a traceback
        return unexpected(exc, as_json, False)


def latest(stream: str, label: str | None, as_json: bool) -> int:
    import sys

    from gitcontracts.cli.render import entry_line
    from gitcontracts.ops.freshness import refresh
    from gitcontracts.ops.streams import latest_entry
    from gitcontracts.workspace import open_workspace

    ws = open_workspace()
    note = refresh(ws, compare=False).note  # within fetch_ttl of the last fetch: a stat, no git process
    if note:
        print(note, file=sys.stderr)
    entry, warnings = latest_entry(ws, stream, label)
    for warning in warnings:
        print(warning, file=sys.stderr)
    print(json.dumps(entry, ensure_ascii=False) if as_json else entry_line(entry))
    return 0


def check_staged_quiet() -> int:
    from gitcontracts.cli.render import check_text
    from gitcontracts.referee.commits import check_staged as run_check
    from gitcontracts.workspace import open_workspace

    result = run_check(open_workspace())
    print(check_text(result))
    return result.exit_code
