"""`gitcontracts board`: the human view, as a static site or served on 127.0.0.1 (docs/board.md)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from gitcontracts import api
from gitcontracts.cli.app import emit, example, options, read_workspace, reading
from gitcontracts.errors import UsageError


@click.command("board", epilog=example("gitcontracts board --out site", "gitcontracts board --serve --port 8765"))
@click.option("--out", "out", metavar="DIR",
              help="Write the board as a static site in DIR (a folder it made before is replaced).")
@click.option("--serve", is_flag=True, help="Serve the board on 127.0.0.1, refreshed as the repository changes.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port of --serve (0 picks a free one).")
@click.option("--interval", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="With --serve, fetch the shared main and the claim branches every N seconds.")
@reading()
def board(out: str | None, serve: bool, port: int, interval: float) -> None:
    """The board for people who review: every contract with its state, subtasks by status, pending claims with
    their diffs and the command that awards each, the streams as a timeline, deliverables and the execution log.

    \b
    --out DIR writes index.html and contracts/NAME.html (no network when viewed; publish it as a forge's pages).
    --serve shows the same pages on http://127.0.0.1:PORT/, read-only; they reload when the repository changes."""
    if out and serve:
        raise UsageError("give --out DIR or --serve, not both", hint="run the command twice to do both")
    if not out and not serve:
        raise UsageError("board needs one of --out DIR or --serve",
                         hint="gitcontracts board --out site  (a static site), or gitcontracts board --serve")
    ws, _ = read_workspace()
    if out:
        from gitcontracts.cli.progress import progress

        with progress("building the board", options().as_json) as shown:
            done = api.write_board(ws, Path(out), options().offline, shown)
        count = f"{done['contracts']:,} contract" + ("" if done["contracts"] == 1 else "s")
        emit(done, f"board of {count} written to {done['out']} "
                   f"(open {done['out']}/index.html)")
        return

    def ready(url: str) -> None:
        emit({"url": url}, f"board at {url} (read-only; Ctrl-C stops it)")
        sys.stdout.flush()

    try:
        api.serve_board(ws, port, options().offline, interval, ready)
    except KeyboardInterrupt:  # Ctrl-C is how the server is stopped: a normal end, not an error
        return


COMMANDS = {"board": board}
