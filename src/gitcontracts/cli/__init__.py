"""The command line: parse, call the library, print. `main` is the one place errors become exit codes."""
from __future__ import annotations

import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # answer without importing click, yaml or jsonschema
        from gitcontracts import __version__
        print(f"gitcontracts {__version__}")
        return 0
    if args == ["check", "--staged"]:  # the pre-commit hook's call, answered without click
        from gitcontracts.cli.fast import check_staged
        return check_staged()
    from gitcontracts.cli.edge import run
    return run(args)
