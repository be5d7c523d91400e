"""`gitcontracts mcp`: serve the acting agent's tools over the Model Context Protocol (issue 12)."""
from __future__ import annotations

import click

from gitcontracts.cli.app import example, options, shared


@click.command("mcp", epilog=example("gitcontracts mcp --agent research-bot --dir ~/work/shared-repo"))
@click.option("--dir", "directory", metavar="PATH", help="The clone to serve (default: the current directory).")
@click.option("--offline", is_flag=True, help="No fetch or push: every tool reads and writes the local clone.")
@shared()
def mcp_command(directory: str | None, offline: bool) -> None:
    """A Model Context Protocol server on standard input and output: next, discover, status, claim, accept,
    reject, progress, deliver, ask, answer, release and stream_read as tools, for the acting agent.

    \b
    Register it with an MCP client as: {"command": "gitcontracts", "args": ["mcp", "--agent", "NAME"]}
    It needs the MCP SDK: pip install 'gitcontracts[mcp]'
    """
    from gitcontracts.mcp_server import load_server

    serve = load_server()  # first: without the SDK, say how to install it wherever this runs
    opts = options()
    opts.directory = directory or opts.directory
    ws = opts.workspace()  # a clone with .contracts/, interrupted actions recovered, before serving
    serve(ws.root, ws.agent, offline or opts.offline)


COMMANDS = {"mcp": mcp_command}
