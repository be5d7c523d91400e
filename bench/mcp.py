"""Issue 12's figures: a tool call through `gitcontracts mcp` against the same command run as a process.

    python bench/mcp.py [--calls N] [--contracts N]

One server (`gitcontracts mcp --agent load-bot`) in load-bot's clone of a local bare remote guarded by the
pre-receive hook, holding N (100) contracts; the MCP SDK's client calls `next` and `progress` (a commit pushed
through the hook each time) `--calls` times each over stdio; the median of each, beside the median of the same
command (`next --json`, `progress`) started as a process. Twice: with the default fetch_ttl (a read fetches at
most every 5 s) and with fetch_ttl 0 (every read fetches). Needs the MCP SDK: pip install '.[mcp]'."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

HERE = Path(__file__).resolve().parent
# This file is bench/mcp.py: Python puts its folder first on the path, where `import mcp` would find this script
# instead of the SDK. The SDK is imported with the folder left out, the helpers beside it after.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
import anyio  # noqa: E402
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402

sys.path.insert(0, str(HERE))
from _common import WORK, agent, clone, commit_all, gitcontracts, run  # noqa: E402
from engine import make_repo  # noqa: E402  (contracts whose task-0 is claimed by load-bot)

AGENT = "load-bot"


def world(root: Path, contracts: int, fetch_ttl: int | None) -> Path:
    """load-bot's clone of a guarded bare remote seeded with `contracts` contracts."""
    seed = make_repo(WORK / f"engine-{contracts}", contracts)
    remote = root / "remote.git"
    run(["git", "clone", "-q", "--bare", str(seed), str(remote)], root)
    run([*gitcontracts(), "-C", str(remote), "hooks", "install"], root, agent("orchestrator"))
    owner = clone(remote, root / "orchestrator", "orchestrator")
    run([*gitcontracts(), "init", "--remote", "origin"], owner, agent("orchestrator"))  # lands and pushes
    if fetch_ttl is not None:
        config = owner / ".contracts/config.yaml"
        config.write_text(config.read_text() + f"fetch_ttl: {fetch_ttl}\n")
        commit_all(owner, "contracts: config")
        run(["git", "push", "-q", "origin", "main"], owner)
    return clone(remote, root / AGENT, AGENT)


async def median_ms(call: Callable[[], Awaitable[Any]], times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - start) * 1000)
        if getattr(result, "is_error", False):
            raise SystemExit(f"tool error: {result.content}")
    return statistics.median(samples)


async def tool_figures(clone_dir: Path, calls: int) -> tuple[float, float]:
    params = StdioServerParameters(command=gitcontracts()[0], args=[*gitcontracts()[1:], "mcp", "--agent", AGENT],
                                   env=dict(os.environ), cwd=str(clone_dir))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await session.call_tool("next", {})  # the first call pays for the imports
        next_ms = await median_ms(lambda: session.call_tool("next", {}), calls)
        step = {"contract": "contract-00001", "subtask": "task-0", "message": "a step"}
        progress_ms = await median_ms(lambda: session.call_tool("progress", step), calls)
    return next_ms, progress_ms


def command_ms(args: list[str], clone_dir: Path, calls: int) -> float:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        run([*gitcontracts(), *args], clone_dir, agent(AGENT))
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def figures(contracts: int, calls: int, fetch_ttl: int | None) -> tuple[float, float, float, float]:
    with tempfile.TemporaryDirectory(prefix="gc-bench-mcp-") as temp:
        clone_dir = world(Path(temp), contracts, fetch_ttl)
        next_ms, progress_ms = anyio.run(tool_figures, clone_dir, calls)
        cli_next = command_ms(["next", "--json"], clone_dir, calls)
        cli_progress = command_ms(["progress", "contract-00001", "task-0", "-m", "a step"], clone_dir, calls)
    return next_ms, cli_next, progress_ms, cli_progress


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--contracts", type=int, default=100)
    args = parser.parse_args()
    print(f"gitcontracts mcp: median of {args.calls} tool calls vs the same command as a process; guarded local "
          f"remote, {args.contracts} contracts")
    for label, ttl in (("fetch_ttl 5 (default)", None), ("fetch_ttl 0", 0)):
        next_ms, cli_next, progress_ms, cli_progress = figures(args.contracts, args.calls, ttl)
        print(f"  {label:<22} next: tool {next_ms:6.1f} ms, command {cli_next:6.1f} ms   "
              f"progress (pushed): tool {progress_ms:6.1f} ms, command {cli_progress:6.1f} ms")


if __name__ == "__main__":
    main()
