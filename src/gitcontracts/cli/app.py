"""The `gitcontracts` group, the options every command shares, and printing."""
from __future__ import annotations

import functools
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from gitcontracts import __version__


@dataclass
class Options:
    directory: str | None = None
    agent: str | None = None
    as_json: bool = False
    no_commit: bool = False
    offline: bool = False

    def workspace(self, recover: bool = True) -> Any:
        """The workspace, after finishing or forgetting any action a killed process left (ops/journal.py).

        Outside a git repository, or in one without .contracts/, a command that needs them says what to run
        (NEEDS). `check` (run inside git's own hooks) and `fsck` (which reports them) pass recover=False."""
        from gitcontracts import api
        ws = api.open_workspace(self.directory, agent=self.agent, commit=not self.no_commit)
        from gitcontracts.cli.progress import on_terminal
        shown = ws.progress = on_terminal(self.as_json)  # a long step of the library, shown on a terminal
        if shown is not None:
            click.get_current_context().call_on_close(shown.close)
        git, contracts = NEEDS.get(_command_path(), NEEDS[""])
        if contracts and git and not ws.layout.contracts.is_dir() and api.in_repository(ws.root):
            note = api.join_shared(ws)  # a clone made before the shared main had .contracts/: bring it along
            if note and not ws.layout.contracts.is_dir():
                warn([f"note: {note}"])
        api.require(ws, git=git, contracts=contracts)
        if recover:
            warn([f"gitcontracts: {line}" for line in api.recover_interrupted(ws.root)])
        return ws


# What each command needs around it: (a git repository, a .contracts/ workspace). Anything not named needs both.
NEEDS = {"": (True, True), "init": (True, False), "check": (True, False), "hooks install": (True, False), "land": (True, False),
         "validate": (False, False), "schema list": (False, False), "schema search": (False, False),
         "schema show": (False, False), "prime": (False, False)}


def _command_path() -> str:
    """'schema list' for `gitcontracts -C x schema list --json`."""
    return " ".join(click.get_current_context().command_path.split()[1:])


def example(*lines: str) -> str:
    """A command's epilog: its example command lines, printed by --help as written (click's `\\b`: no re-wrapping)
    and rendered into docs/reference.md (cli/reference.py)."""
    head = "Example:" if len(lines) == 1 else "Examples:"
    return "\b\n" + "\n".join(f"{head if n == 0 else ' ' * len(head)} {line}" for n, line in enumerate(lines))


def options() -> Options:
    return click.get_current_context().find_root().obj


def shared(mutating: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Every command takes --json and --agent; every command that changes something --no-commit and --offline."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, json_out: bool, agent: str | None, **kwargs: Any) -> Any:
            opts = options()
            opts.as_json = opts.as_json or json_out
            opts.agent = agent or opts.agent
            if mutating:
                opts.no_commit = opts.no_commit or kwargs.pop("no_commit")
                opts.offline = opts.offline or kwargs.pop("offline")
            return func(*args, **kwargs)

        wrapper = click.option("--json", "json_out", is_flag=True, help="Print JSON.")(wrapper)
        wrapper = click.option("--agent", help="The acting agent.")(wrapper)
        if mutating:
            wrapper = click.option("--no-commit", is_flag=True, help="Leave the change in the working tree.")(wrapper)
            wrapper = click.option("--offline", is_flag=True, help="No fetch or push.")(wrapper)
        return wrapper
    return decorate


def reading() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A command that reads the shared state (SPEC 13): --json, --agent, and --offline (read the local clone)."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, offline: bool, **kwargs: Any) -> Any:
            options().offline = options().offline or offline
            return func(*args, **kwargs)

        wrapper = click.option("--offline", is_flag=True, help="Read the local clone as it is; do not fetch.")(wrapper)
        return shared()(wrapper)
    return decorate


def read_workspace(compare: bool = True) -> tuple[Any, Any]:
    """The workspace of a read and its Freshness, after the clone was brought to the shared main where it
    could be (ops/freshness.py); when what it shows may not be the shared main, a note on stderr."""
    from gitcontracts import api

    ws = options().workspace()
    state = api.refresh(ws, options().offline, compare)
    warn([state.note] if state.note else [])
    return ws, state


def emit(data: Any, text: str | Callable[[], str]) -> None:
    """JSON with --json, else the text (a string, or a function making it, so JSON runs never build it)."""
    if options().as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        out = text() if callable(text) else text
        if out:
            from gitcontracts.cli.failure import printable

            sys.stdout.write(printable(out if out.endswith("\n") else out + "\n"))


def warn(lines: list[str]) -> None:
    for line in lines:
        from gitcontracts.cli.failure import printable

        print(printable(line), file=sys.stderr)


class LazyGroup(click.Group):
    """Commands are imported when they run: `stream latest` never imports what `new` or `validate` need."""

    modules = {"init": "documents", "schema": "documents", "stash": "documents", "new": "documents",
               "patch": "documents", "validate": "documents", "fsck": "documents", "demo": "documents",
               "gc": "documents", "layout": "documents", "mcp": "serve", "board": "board",
               "stream": "streams", "discover": "streams",
               "check": "referee", "hooks": "referee", "merge-shard": "referee", "log": "referee", "land": "referee",
               "watch": "referee",
               **{name: "protocol" for name in ("agent", "claim", "bids", "award", "offer", "accept", "reject", "progress",
                                                "deliver", "complete", "release", "ask", "answer", "settle", "status",
                                                "next", "prime")}}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.modules)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = self.modules.get(name)
        if module is None:
            return None
        return importlib.import_module(f"gitcontracts.cli.{module}").COMMANDS[name]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=example("gitcontracts next", "gitcontracts -C ../owner --json status website-redesign"))
@click.version_option(__version__, "--version", "-V", prog_name="gitcontracts")
@click.option("-C", "directory", metavar="PATH", help="Run as if started in PATH.")
@click.option("--agent", help="The acting agent (else $GITCONTRACTS_AGENT, git config gitcontracts.agent, user.name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, directory: str | None, agent: str | None, as_json: bool, debug: bool) -> None:
    """Coordinate many agents through one git repository: contracts, streams, claims."""
    if directory is not None and not Path(directory).is_dir():
        from gitcontracts.errors import NotFound
        raise NotFound(f"no such directory: {directory}", hint="-C takes a folder that exists (a clone, or a bare repository)")
    ctx.obj = Options(directory=directory, agent=agent, as_json=as_json)

