"""Atomic writes, single locked appends and tail reads: the only ways the store touches bytes."""
from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from gitcontracts.errors import GitContractsError

TEMP_MARK = ".gctmp-"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, reading at most max_bytes + 1 so an oversized file is never slurped whole."""
    with open(path, "rb") as handle:
        # Size the read to the file: read(max_bytes + 1) would allocate the whole limit every time.
        size = os.fstat(handle.fileno()).st_size
        return handle.read(min(size, max_bytes) + 1)


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: before or after, never between."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f"{TEMP_MARK}{path.name}.{os.urandom(4).hex()}"
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def locked_append(path: Path) -> Iterator[Callable[[bytes], None]]:
    """Hold an exclusive lock on the file and give a function that appends bytes in one write.

    The lock (flock on the file itself) serialises processes appending to the same shard;
    O_APPEND puts each write at the end; a short write is undone before the lock is let go."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)

        def append(data: bytes) -> None:
            size = os.fstat(fd).st_size
            written = os.write(fd, data)
            if written != len(data):
                os.ftruncate(fd, size)
                raise GitContractsError(f"{path}: short write ({written} of {len(data)} bytes), nothing appended",
                                        hint="check free disk space and retry")
            os.fsync(fd)

        yield append
    finally:
        os.close(fd)  # closing releases the flock


def tail_chunks(path: Path, chunk: int = 65536) -> Iterator[bytes]:
    """The file's bytes from its end backwards, in chunks (a shard's newest lines cost the same at any length)."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        position = handle.seek(0, os.SEEK_END)
        while position > 0:
            step = min(chunk, position)
            position -= step
            handle.seek(position)
            yield handle.read(step)


def reverse_lines(path: Path) -> Iterator[tuple[bytes, bool]]:
    """Lines from last to first as (line, complete); only the very last can be incomplete (torn)."""
    rest = b""
    first = True
    for block in tail_chunks(path):
        rest = block + rest
        parts = rest.split(b"\n")
        rest = parts[0]
        for index in range(len(parts) - 1, 0, -1):
            if first:
                first = False
                if parts[index]:
                    yield parts[index], False
                continue
            yield parts[index], True
    if rest:
        yield rest, not first


def last_byte(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            if handle.seek(0, os.SEEK_END) == 0:
                return b""
            handle.seek(-1, os.SEEK_END)
            return handle.read(1)
    except FileNotFoundError:
        return b""


def is_temp(path: Path) -> bool:
    return path.name.startswith(TEMP_MARK)


def ensure_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise
