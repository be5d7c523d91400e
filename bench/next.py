"""Issue 12's figure for `next`: what waits for an agent, on a repository of 100 and of 1,000 contracts.

    python bench/next.py [--big N] [--repeat R]

`next --json --offline` (the read itself, no fetch) in load-bot's clone of a repository whose contracts each
have a subtask claimed by load-bot and three open ones (bench/engine.py makes it); the median wall-clock time
and the median CPU time (the command and every process it waited for), then `next --json` with a fetch from a
local bare remote (fetch_ttl 0), for the cost a fetch adds."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, agent, clone, commit_all, gitcontracts, run  # noqa: E402
from engine import median_ms, make_repo  # noqa: E402

AGENT = "load-bot"


def figures(contracts: int, repeat: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="gc-bench-next-") as temp:
        root = Path(temp)
        seed = make_repo(WORK / f"engine-{contracts}", contracts)
        remote = root / "remote.git"
        run(["git", "clone", "-q", "--bare", str(seed), str(remote)], root)
        mine = clone(remote, root / AGENT, AGENT)
        config = mine / ".contracts" / "config.yaml"
        config.write_text(config.read_text() + "remote: origin\nfetch_ttl: 0\n")
        commit_all(mine, "every read fetches")
        env = agent(AGENT)
        offline = [*gitcontracts(), "next", "--json", "--offline"]
        fetching = [*gitcontracts(), "next", "--json"]
        return (median_ms(offline, mine, env, repeat), median_ms(offline, mine, env, repeat, cpu=True),
                median_ms(fetching, mine, env, repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"`next` for load-bot (one claimed subtask and three open ones per contract), median of {args.repeat}")
    for contracts in (100, args.big):
        wall, cpu, fetched = figures(contracts, args.repeat)
        print(f"  {contracts:>6,} contracts: {wall:7.1f} ms without the fetch (CPU {cpu:6.1f} ms; target < 300 ms), "
              f"{fetched:7.1f} ms with a fetch from a local remote")


if __name__ == "__main__":
    main()
