"""Exceptions to messages and exit codes (SPEC 11): one or two lines, JSON on stderr with --json,
never a traceback unless --debug asks for it."""
from __future__ import annotations

from typing import Sequence

import click

from gitcontracts.cli.failure import fail as _fail, print_traceback as _print_traceback, unexpected
from gitcontracts.errors import GitContractsError, SystemRefused


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
    except OSError as exc:  # a path the system refuses: too long, missing, not ours to read
        refused = SystemRefused(exc)
        return _fail(as_json, refused.code, refused.message, refused.hint, refused.exit_code)
    except Exception as exc:  # the last line of defence: a message, not a traceback
        return unexpected(exc, as_json, debug)


