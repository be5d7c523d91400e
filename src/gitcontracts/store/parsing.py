"""Many YAML documents parsed on two cores: the first read of a big repository in a fresh clone (10,000 contracts
new to it: 2 s of parsing on one core) hands part of the blobs to a second Python process, which parses them with
the same strict loader and the same limits while this one parses the rest.

The worker is this module run by the same interpreter; documents travel back pickled (exactly as parsed, which
JSON would not promise), over its pipes, from code of our own. If the worker cannot start or fails, its share is
parsed here: the result never depends on it."""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence

from gitcontracts.errors import GitContractsError
from gitcontracts.formats import yamlsafe

WORKER_AT_LEAST = 1000   # fewer than this and a second process (≈ 60 ms to start) is not worth it
WORKER_SHARE = 0.45      # it starts late: it takes a little less than half of the bytes
Progress = Callable[[int, int], None]


def parse(data: bytes | None, where: str) -> Any:
    """One document, or None when it does not parse (its own check says why)."""
    if data is None:
        return None
    try:
        return yamlsafe.load(data, where)
    except GitContractsError:
        return None


def parse_all(blobs: Sequence[tuple[str, bytes | None]], progress: Progress | None = None) -> list[Any]:
    """The documents of `blobs` ((where, bytes) each), in order; `progress(done, total)` as they are parsed."""
    total = len(blobs)
    cut = _cut(blobs) if total >= WORKER_AT_LEAST and (os.cpu_count() or 1) > 1 else total
    worker = _start(blobs[cut:]) if cut < total else None
    docs = []
    for number, (where, data) in enumerate(blobs[:cut], 1):
        docs.append(parse(data, where))
        if progress:
            progress(number, total)
    theirs = _finish(worker) if worker is not None else None
    if theirs is None or len(theirs) != total - cut:
        theirs = []
        for number, (where, data) in enumerate(blobs[cut:], cut + 1):
            theirs.append(parse(data, where))
            if progress:
                progress(number, total)
    elif progress:
        progress(total, total)
    return docs + theirs


def _cut(blobs: Sequence[tuple[str, bytes | None]]) -> int:
    """Where the worker's share begins: the last WORKER_SHARE of the bytes (parsing time follows the size)."""
    mine, size = 0, sum(len(data or b"") for _, data in blobs) * (1 - WORKER_SHARE)
    for number, (_, data) in enumerate(blobs):
        mine += len(data or b"")
        if mine >= size:
            return number + 1
    return len(blobs)


def _start(blobs: Sequence[tuple[str, bytes | None]]) -> Any:
    """The worker, fed its share by a thread (the pipe holds 64 KiB; the worker reads only once it has started)."""
    import subprocess
    import threading

    if not sys.executable:
        return None
    # this very package first on its path, whatever else is installed: both halves are parsed by the same code
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))}
    try:
        process = subprocess.Popen([sys.executable, "-c", "from gitcontracts.store.parsing import serve; serve()"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    except (OSError, ValueError):
        return None
    import pickle

    payload = pickle.dumps(list(blobs), protocol=pickle.HIGHEST_PROTOCOL)

    def feed() -> None:
        try:
            assert process.stdin is not None
            process.stdin.write(payload)
            process.stdin.close()
        except OSError:
            pass  # the worker died: _finish finds no answer, and its share is parsed here

    feeding = threading.Thread(target=feed, daemon=True)
    feeding.start()
    return process, feeding


def _finish(worker: Any) -> list[Any] | None:
    import pickle

    process, feeding = worker
    try:
        answer = process.stdout.read()
        feeding.join()
        if process.wait() != 0:
            return None
        result = pickle.loads(answer)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        process.kill()
        return None
    return result if isinstance(result, list) else None


def serve() -> None:
    """The worker: blobs in on standard input, their documents out on standard output, both pickled."""
    import pickle

    blobs = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps([parse(data, where) for where, data in blobs],
                                         protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
