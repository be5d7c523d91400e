"""`gitcontracts check --staged`, exactly as the pre-commit hook calls it, without loading click.

The hook runs on every commit that touches .contracts/; click's import is a fifth of its time."""
from __future__ import annotations

from gitcontracts.cli.failure import fail, unexpected
from gitcontracts.errors import GitContractsError


def check_staged() -> int:
    from gitcontracts.cli.render import check_text
    from gitcontracts.ops.check import check_staged as run_check
    from gitcontracts.workspace import open_workspace

    try:
        result = run_check(open_workspace())
        print(check_text(result))
        return result.exit_code
    except GitContractsError as exc:
        return fail(False, exc.code, exc.message, exc.hint, exc.exit_code, exc.details)
    except Exception as exc:  # a message, never a traceback
        return unexpected(exc, False, False)
