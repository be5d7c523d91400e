"""Exceptions to messages and exit codes (SPEC 11): one or two lines, JSON on stderr with --json,
never a traceback unless --debug asks for it."""
from __future__ import annotations

import json
import sys
from typing import Any, Sequence

import click

from gitcontracts.errors import GitContractsError


def run(args: Sequence[str]) -> int:
    from gitcontracts.cli.app import cli

    as_json, debug = "--json" in args, "--debug" in args
    try:
        result = cli.main(args=list(args), prog_name="gitcontracts", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        return _fail(as_json, "aborted", "aborted", "", 1)
    except click.ClickException as exc:
        hint = "see `gitcontracts --help` or `gitcontracts COMMAND --help`"
        return _fail(as_json, "usage", exc.format_message(), hint, 2)
    except GitContractsError as exc:
        if debug:
            _print_traceback()
        return _fail(as_json, exc.code, exc.message, exc.hint, exc.exit_code, exc.details)
    except KeyboardInterrupt:
        return _fail(as_json, "interrupted", "interrupted", "", 130)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if debug:
            _print_traceback()
        message = f"unexpected {type(exc).__name__}: {exc}"
        return _fail(as_json, "unexpected", message, "rerun with --debug for the traceback, and report it", 1)


def _print_traceback() -> None:
    import traceback

    traceback.print_exc()


def _fail(as_json: bool, code: str, message: str, hint: str, exit_code: int, details: Sequence[Any] = ()) -> int:
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
