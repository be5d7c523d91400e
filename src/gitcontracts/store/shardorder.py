"""Which big shards are in stream order, remembered so that `stream read --limit N` stops after N entries.

A shard is written in time order (SPEC 5 and 12), except where the merge driver appended another branch's
entries after its own, or a clock ran ahead. A reader may merge the shards lazily, and stop early, only when
each is known to be in (`ts`, `id`) order; knowing it costs one pass over the shard. That proof is kept in
`.git/gitcontracts-order.json`, per shard, with the shard's size, inode and modification time (as git's index
keeps a file's): while they match, the proof holds. When the shard only grew (an append, a fast-forward), only
the new lines are checked, after making sure the line that ended the shard still ends the old size byte for
byte — shards are append-only, so what came before it is what was proven. Never a second source of truth: a
missing, stale or unreadable proof is made again; a shard not in order is read whole, as before.

Small shards are not tracked: reading one whole costs less than proving its order."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from gitcontracts.store import kept

FILE = "gitcontracts-order.json"
BIG = 1 << 20  # bytes: below this a shard is read whole
_CHUNK = 1 << 20


def line_key(raw: bytes) -> tuple[str, str] | None:
    """A line's place in stream order (ts, id), without a JSON parse for the lines the tool writes; None for a
    line that is not an entry (readers skip those)."""
    from gitcontracts.formats import jsonl

    lead = jsonl.leading_id_ts(raw)
    if lead is not None:
        return lead[1], lead[0]
    entry, _ = jsonl.read_entry(raw)
    return jsonl.sort_key(entry) if entry is not None else None


def lines_from(path: Path, offset: int = 0) -> Iterator[tuple[int, bytes, bool]]:
    """(end offset, line, complete) from `offset` on, read a chunk at a time; only the last can be incomplete."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        rest, position = b"", offset
        while True:
            block = handle.read(_CHUNK)
            if not block:
                break
            parts = (rest + block).split(b"\n")
            rest = parts.pop()
            for line in parts:
                position += len(line) + 1
                yield position, line, True
        if rest:
            yield position + len(rest), rest, False


class OrderProofs:
    """The proofs of one command, loaded from and saved to the git directory."""

    def __init__(self, git_dir: Path | None) -> None:
        self.path = git_dir / FILE if git_dir is not None else None
        self.proofs: dict[str, Any] = {}
        self.changed = False
        loaded = kept.read(self.path)
        self.proofs = loaded if isinstance(loaded, dict) else {}

    def ordered(self, shard: Path, key: str) -> bool:
        """Whether the shard at `shard` is in stream order (proving it, or the lines it gained, when needed)."""
        try:
            stat = shard.stat()
        except OSError:
            return False
        if stat.st_size < BIG:
            return False
        known = self.proofs.get(key)
        mark = [stat.st_size, stat.st_ino, stat.st_mtime_ns]
        if isinstance(known, dict) and known.get("stat") == mark:
            return bool(known.get("ordered"))
        start, end_key, end_line = 0, None, b""
        if isinstance(known, dict) and known.get("ordered") and _still_ends(shard, known, stat.st_size):
            start, end_key, end_line = int(known["size"]), tuple(known["key"]), str(known["line"]).encode("utf-8")
        ordered, size = True, start
        for end, line, complete in lines_from(shard, start):
            if not complete:
                break  # a torn last line: readers skip it, and the next append will not follow it
            found = line_key(line)
            if found is not None:
                if end_key is not None and found < end_key:
                    ordered = False
                    break
                end_key = found
            end_line, size = line, end
        self.proofs[key] = {"stat": mark, "ordered": ordered, "size": size, "key": list(end_key or ("", "")),
                            "line": end_line.decode("utf-8", "replace")}
        self.changed = True
        return ordered

    def save(self) -> None:
        if self.changed:
            kept.write(self.path, self.proofs)


def _still_ends(shard: Path, known: dict[str, Any], size: int) -> bool:
    """The line that ended the proven part is still there, ending at the same offset."""
    try:
        proven, line = int(known["size"]), str(known["line"]).encode("utf-8")
        key = known["key"]
    except (KeyError, TypeError, ValueError):
        return False
    if proven > size or not isinstance(key, list) or len(key) != 2 or not all(isinstance(k, str) for k in key) \
            or not isinstance(known.get("line"), str) or len(line) + 1 > proven:
        return False  # not what this module writes: prove the shard again from its start
    with open(shard, "rb") as handle:
        handle.seek(proven - len(line) - 1)
        before = handle.read(len(line) + 1)
    return before == line + b"\n" and (proven == len(line) + 1 or _starts_line(shard, proven - len(line) - 1))


def _starts_line(shard: Path, offset: int) -> bool:
    with open(shard, "rb") as handle:
        handle.seek(offset - 1)
        return handle.read(1) == b"\n"
