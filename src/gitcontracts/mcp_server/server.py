"""`gitcontracts mcp`: the tools of tools.py served over the Model Context Protocol on standard input and
output, with the official SDK's low-level server. The one module that imports `mcp` (an import-linter contract).

A result is the tool's JSON (structured content, and the same JSON as text for clients that read only text);
a failure is a tool error (isError) whose structured content is the CLI's JSON error envelope
({"error": {"code", "message", "hint", "details"}}). Calls run one at a time, off the event loop: they share
one clone, as the commands of one agent do."""
from __future__ import annotations

import json
import logging
import sys
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.types import CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams, TextContent
from mcp.types import Tool as McpTool

from gitcontracts import __version__, api
from gitcontracts.errors import GitContractsError, SystemRefused, envelope
from gitcontracts.mcp_server.arguments import checked, input_schema
from gitcontracts.mcp_server.tools import TOOLS, Call, Tool

INSTRUCTIONS = ("gitcontracts: contracts, claims and streams shared through one git repository. Call `next` first: "
                "it lists what waits for you, most urgent first. Errors carry a stable `code` and a `hint`.")

log = logging.getLogger("gitcontracts.mcp")


def serve(root: Path, agent: str, offline: bool) -> int:
    """Serve the tools for `agent` in the clone at `root` until the client closes standard input."""
    anyio.run(_serve, root, agent, offline)
    return 0


async def _serve(root: Path, agent: str, offline: bool) -> None:
    server = build_server(root, agent, offline)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def build_server(root: Path, agent: str, offline: bool) -> Server[Any]:
    by_name = {tool.name: tool for tool in TOOLS}
    listed = ListToolsResult(tools=[_described(tool) for tool in TOOLS])
    one_at_a_time = anyio.Lock()

    async def list_tools(ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None) -> ListToolsResult:
        return listed

    async def call_tool(ctx: ServerRequestContext[Any], params: CallToolRequestParams) -> CallToolResult:
        async with one_at_a_time:
            run = partial(answer, by_name.get(params.name), params.name, params.arguments or {}, root, agent, offline)
            return await anyio.to_thread.run_sync(run)

    return Server("gitcontracts", version=__version__, instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool)


def _described(tool: Tool) -> McpTool:
    output = {"type": "object", "required": list(tool.returns)}
    return McpTool(name=tool.name, description=tool.description, input_schema=input_schema(tool.params),
                   output_schema=output)


def answer(tool: Tool | None, name: str, arguments: dict[str, Any], root: Path, agent: str, offline: bool) -> CallToolResult:
    """One call's result, or its failure as a tool error carrying the CLI's error envelope."""
    try:
        if tool is None:
            raise api.UsageError(f"no tool named {name!r}", hint=f"the tools: {', '.join(t.name for t in TOOLS)}")
        args = checked(name, tool.params, arguments)
        ws = api.open_workspace(root, agent=agent)
        return _result(tool.run(Call(ws, args, offline, _warn)), failed=False)
    except GitContractsError as exc:
        return _failure(exc)
    except OSError as exc:  # a path the system refuses, as the CLI reports it
        return _failure(SystemRefused(exc))
    except Exception as exc:  # the last line of defence: an error result, the traceback on the server's stderr
        log.exception("tool %s failed unexpectedly", name)
        return _result(envelope("unexpected", f"unexpected {type(exc).__name__}: {exc}",
                                "the server's standard error has the traceback; report it"), failed=True)


def _failure(exc: GitContractsError) -> CallToolResult:
    return _result(envelope(exc.code, exc.message, exc.hint, exc.details), failed=True)


def _result(data: dict[str, Any], failed: bool) -> CallToolResult:
    text = json.dumps(data, ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data, is_error=failed)


def _warn(line: str) -> None:
    print(line, file=sys.stderr)
