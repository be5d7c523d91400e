"""Issue 15's figures: `board --out` for 1,000 contracts (seconds and size), and `board --serve`'s latency for one
contract's page.

    python bench/board.py [--contracts N] [--repeat R]

The repository is big.py's (seeded, cached under bench/_work/big-N): N contracts with 4-10 subtasks, 200N
entries (half of them in one stream: its page shows the last 500 of each stream), 100 commits by the tool and
N/2 pending claim branches on the remote, fetched into the clone the board is built in."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import agent, run  # noqa: E402
from big import GC, make_big, median_ms, scratch  # noqa: E402

OWNER = agent("orchestrator")


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def served_latency(clone: Path, page: str, requests: int) -> tuple[float, float, float]:
    """(seconds to the first answer after start, median ms of a page, p95 ms) of `board --serve` in `clone`."""
    started = time.perf_counter()
    server = subprocess.Popen([*GC, "--json", "board", "--serve", "--port", "0", "--offline"], cwd=clone,
                              env={**os.environ, **OWNER}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    try:
        url = json.loads(server.stdout.readline())["url"]  # type: ignore[union-attr]
        ready = time.perf_counter() - started
        samples = []
        for _ in range(requests):
            began = time.perf_counter()
            with urllib.request.urlopen(url + page) as answer:
                answer.read()
            samples.append((time.perf_counter() - began) * 1000)
        samples.sort()
        return ready, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = make_big(args.contracts)
    with tempfile.TemporaryDirectory(prefix="gc-board-") as temp:
        work = Path(temp)
        owner = scratch(home, work)  # a clone of the shared remote, its claim branches fetched by the board's read
        run([*GC, "status", "--json"], owner, OWNER)  # the first read: the fetch, and the parse cache every read keeps
        out = work / "site"
        board = [*GC, "board", "--out", str(out), "--offline"]
        took = median_ms(board, owner, OWNER, args.repeat)
        files, total = size_of(out)
        one = (out / "contracts" / "contract-00003.html").stat().st_size
        big_page = (out / "contracts" / "contract-00000.html").stat().st_size
        ready, median, p95 = served_latency(owner, "contracts/contract-00003.html", 200)
    print(f"board of {args.contracts:,} contracts ({args.contracts // 2:,} pending claim branches, "
          f"{args.contracts * 200:,} entries), this machine:")
    print(f"  board --out            {took / 1000:,.2f} s   {files:,} files, {total / 1e6:,.1f} MB "
          f"(one contract's page {one / 1024:,.0f} KiB; the one with {args.contracts * 100:,} entries, the last 500 of "
          f"each stream shown: {big_page / 1024:,.0f} KiB)")
    print(f"  board --serve          ready in {ready:,.2f} s; one contract's page {median:,.2f} ms median, "
          f"{p95:,.2f} ms p95 (200 requests)")


if __name__ == "__main__":
    main()
