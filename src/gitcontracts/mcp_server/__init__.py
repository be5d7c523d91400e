"""`gitcontracts mcp`: a Model Context Protocol server over standard input and output, for agents whose client
speaks MCP. Its tools (tools.py) call gitcontracts.api and answer with the JSON the commands print with --json.

The MCP SDK is an optional dependency (`pip install 'gitcontracts[mcp]'`): it is imported only when the
server starts, so gitcontracts works without it."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from gitcontracts.errors import GitContractsError

INSTALL = "pip install 'gitcontracts[mcp]'"
_SDK = ("mcp", "mcp_types", "anyio", "pydantic")  # the SDK and what it brings along


def load_server() -> Callable[[Path, str, bool], int]:
    """`serve(root, agent, offline)`: serve the tools for `agent` in the clone at `root` until the client closes
    standard input. Raises GitContractsError (1) saying how to install the MCP SDK when it is missing."""
    try:
        from gitcontracts.mcp_server.server import serve
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _SDK:
            raise
        raise GitContractsError(f"gitcontracts mcp needs the MCP SDK (the `mcp` package, 2.x): {INSTALL}") from exc
    return serve
