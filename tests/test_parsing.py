"""Many documents parsed on two cores (store/parsing.py): the same documents, in the same order, as one process
parses them — bad ones as None, big numbers and infinities as they were — and the same when the second process
cannot start."""
from __future__ import annotations

import json
import subprocess
import sys

from gitcontracts.store.parsing import WORKER_AT_LEAST, parse, parse_all

KINDS = [
    "name: c{n}\nowner: orchestrator\ncontent:\n  objective: item {n}\n  subtasks: [{{id: t{n}, status: open}}]\n",
    "a: [unclosed {n}\n",                      # does not parse: None
    "1: one\nbig: 123456789012345678901234567890\ninf: .inf\nn: {n}\n",
    "x: &a [1, 2]\ny: *a\nn: {n}\n",
]


def blobs(count: int) -> list[tuple[str, bytes]]:
    return [(f"blob-{n}", KINDS[n % len(KINDS)].format(n=n).encode()) for n in range(count)]


def test_two_processes_parse_what_one_does_in_order() -> None:
    items = blobs(WORKER_AT_LEAST + 101)
    seen: list[tuple[int, int]] = []
    shared = parse_all(items, progress=lambda done, total: seen.append((done, total)))
    assert shared == [parse(data, where) for where, data in items]
    assert shared[1] is None and shared[2] == {"1": "one", "big": 123456789012345678901234567890, "inf": float("inf"),
                                               "n": 2}
    assert shared[3] == {"x": [1, 2], "y": [1, 2], "n": 3} and shared[-1]["name"] == f"c{len(items) - 1}"
    done = [d for d, _ in seen]
    assert seen[-1] == (len(items), len(items)) and done == sorted(done)
    assert max(b - a for a, b in zip(done, done[1:], strict=False)) > 400  # the worker's share came at once


def test_when_the_second_process_cannot_start_this_one_parses_everything() -> None:
    items = blobs(WORKER_AT_LEAST + 7)
    script = """
import json, sys
sys.executable = "/bin/false"   # the interpreter the worker would run: it exits at once, with status 1
from gitcontracts.store.parsing import parse, parse_all
items = [(where, data.encode()) for where, data in json.load(sys.stdin)]
print(json.dumps(repr(parse_all(items)) == repr([parse(data, where) for where, data in items])))
"""
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps([(w, d.decode()) for w, d in items]),
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) is True
