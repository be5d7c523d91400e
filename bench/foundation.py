"""Issue 2's figures: validate --all, stream latest, stream post, discover -q, --version.

    python bench/foundation.py [--contracts N] [--entries N] [--posts N]

Runs the real `gitcontracts` of this environment on a generated, committed workspace under bench/_work/.
`stream post` from one process is measured twice: each entry an action with its commit (the library's default)
and with `commit=False` (appended to the working tree only: issue 2's figure).
check-jsonschema is compared when installed (pip install check-jsonschema; not a dependency)."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, agent, gitcontracts, make_workspace, report, run, timed  # noqa: E402

POSTER = """
import sys
from gitcontracts import api
ws = api.open_workspace(sys.argv[1], agent="poster-bot", commit=sys.argv[4] == "commit")
for i in range(int(sys.argv[3])):
    api.post_entry(ws, sys.argv[2], "progress", {"subtask_id": "task-1", "progress": i})
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=1000, help="entries a posting process writes (a tenth committed)")
    args = parser.parse_args()
    start = time.perf_counter()
    ws = make_workspace(WORK / "foundation", args.contracts, args.entries)
    print(f"workspace: {args.contracts} contracts, a stream of {args.entries} entries "
          f"(made or reused in {time.perf_counter() - start:.1f} s)")
    gc = gitcontracts()
    rows = []

    validate = timed(lambda: run([*gc, "validate", ".contracts/stashes"], ws), repeat=3)
    rate = args.contracts / validate
    rows.append(("validate (contracts/s)", f"{rate:,.0f}/s", ">= 5,000/s"))
    cjs = check_jsonschema_rate(ws, args.contracts)
    if cjs:
        rows.append(("check-jsonschema (contracts/s)", f"{cjs:,.0f}/s", "for comparison"))
        rows.append(("  ratio", f"{rate / cjs:.1f}x", ">= 5x"))

    latest_cli = timed(lambda: run([*gc, "stream", "latest", "big-log"], ws), repeat=9)
    rows.append(("stream latest (command)", f"{latest_cli * 1000:.0f} ms", "< 50 ms"))
    from gitcontracts import api
    workspace = api.open_workspace(ws)
    latest_lib = timed(lambda: api.latest_entry(workspace, "big-log"), repeat=9)
    latest_label = timed(lambda: api.latest_entry(workspace, "big-log", "deliverable"), repeat=9)
    rows.append(("stream latest (library)", f"{latest_lib * 1000:.2f} ms", "< 50 ms"))
    rows.append(("stream latest --label (library)", f"{latest_label * 1000:.2f} ms", "< 50 ms"))

    small = fresh_stream(ws, "small-log")
    for i in range(10):
        api.post_entry(api.open_workspace(ws, agent=f"agent-{i % 3}"), small, "progress", {"n": i})
    small_cli = timed(lambda: run([*gc, "stream", "latest", small], ws), repeat=9)
    rows.append(("stream latest, 10 entries (command)", f"{small_cli * 1000:.0f} ms", "same as 1,000,000"))

    rows += post_figures(ws, args.posts)

    discover = timed(lambda: run([*gc, "discover", "-q", "checkout fraud"], ws), repeat=5)
    rows.append(("discover -q (command)", f"{discover * 1000:.0f} ms", "< 1 s"))
    discover_all = timed(lambda: run([*gc, "discover"], ws), repeat=3)
    rows.append(("discover, no query (command)", f"{discover_all * 1000:.0f} ms", "no target"))

    version = timed(lambda: run([*gc, "--version"], ws), repeat=15)
    rows.append(("gitcontracts --version", f"{version * 1000:.0f} ms", "< 150 ms"))
    helptime = timed(lambda: run([*gc, "--help"], ws), repeat=9)
    rows.append(("gitcontracts --help (imports click)", f"{helptime * 1000:.0f} ms", "no target"))
    report(rows)


def post_figures(ws: Path, count: int) -> list[tuple[str, str, str]]:
    """One process posting `count` entries uncommitted, a tenth of that committed, then `stream post` commands."""
    gc, rows = gitcontracts(), []
    loose = fresh_stream(ws, "post-loose")
    post = timed(lambda: run([sys.executable, "-c", POSTER, str(ws), loose, str(count), "no-commit"], ws), repeat=3)
    (ws / f".contracts/streams/{loose}/poster-bot.jsonl").unlink()  # the uncommitted entries
    rows.append(("stream post, 1 process, commit=False (entries/s)", f"{count / post:,.0f}/s", ">= 300/s, start included"))
    committed = fresh_stream(ws, "post-bench")
    few = max(count // 10, 1)
    post = timed(lambda: run([sys.executable, "-c", POSTER, str(ws), committed, str(few), "commit"], ws), repeat=3)
    rows.append(("stream post, 1 process, each committed (entries/s)", f"{few / post:,.0f}/s", "start included"))
    post_cli = timed(lambda: run([*gc, "stream", "post", committed, "--label", "progress", "--data", "{}"], ws,
                                 env=agent("cli-bot")), repeat=9)
    rows.append(("stream post (one command, with its commit)", f"{post_cli * 1000:.0f} ms", "per process"))
    return rows


def fresh_stream(ws: Path, prefix: str) -> str:
    """A new stream (the workspace is committed and reused: each run names its own)."""
    from gitcontracts import api

    name = f"{prefix}-{time.time_ns() % 10**12}"
    result = api.create_stream(api.open_workspace(ws, agent="orchestrator"), name)
    assert result["commit"], result
    return name


def check_jsonschema_rate(ws: Path, contracts: int) -> float | None:
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(exe).exists():
        print("  (check-jsonschema not installed: pip install check-jsonschema to compare)")
        return None
    from gitcontracts.store.schemas import BUILTIN_DIR
    from gitcontracts.formats import yamlsafe

    definition = yamlsafe.load((BUILTIN_DIR / "agent-contract@1.yaml").read_bytes())["definition"]
    wrapper = {"$schema": definition["$schema"], "type": "object", "required": ["content"],
               "properties": {"content": {k: v for k, v in definition.items() if k != "$schema"}}}
    schema = Path(tempfile.mkdtemp()) / "agent-contract.json"
    schema.write_text(json.dumps(wrapper))
    files = sorted(str(p) for p in (ws / ".contracts/stashes").glob("*.yaml"))[:2000]
    start = time.perf_counter()
    subprocess.run([exe, "--schemafile", str(schema), *files], capture_output=True, check=True)
    return len(files) / (time.perf_counter() - start)


if __name__ == "__main__":
    main()
