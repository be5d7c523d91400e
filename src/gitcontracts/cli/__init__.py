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
    from gitcontracts.cli.fast import fast_path

    answer = fast_path(args)  # the hot calls of hooks and polling agents, answered without click
    if answer is not None:
        return answer
    from gitcontracts.cli.edge import run
    return run(args)
