"""The shard merge driver (SPEC 5): `gitcontracts merge-shard %O %A %B %P`.

Ours stays as it is; theirs' entries that ours lacks (by id) are appended once, in their order.
A side that changed or dropped a line of the common ancestor rewrote history: the merge fails."""
from __future__ import annotations

from pathlib import Path

from gitcontracts.errors import Conflict
from gitcontracts.formats.jsonl import leading_id_ts, parse_json
from gitcontracts.store.files import atomic_write

def entry_id(line: bytes) -> str | None:
    """The entry's id; the tool writes it first, so most lines need no JSON parse."""
    lead = leading_id_ts(line)
    if lead is not None:
        return lead[0]
    try:
        value = parse_json(line)
    except ValueError:
        return None
    return value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None


def _lines(data: bytes, side: str, path: str) -> list[bytes]:
    if data and not data.endswith(b"\n"):
        raise Conflict(f"merge-shard: {path}: {side} ends in a torn line",
                       hint="run `gitcontracts fsck --repair` and merge again")
    return data.split(b"\n")[:-1] if data else []


def _appended(base: bytes, side: bytes, base_lines: list[bytes], side_lines: list[bytes], name: str, path: str) -> list[bytes]:
    """The lines `side` added to the ancestor; Conflict when it changed or dropped an ancestor line."""
    if side.startswith(base):
        return side_lines[len(base_lines):]
    kept = set(side_lines)
    lost = [line for line in base_lines if line not in kept]
    if lost:
        raise Conflict(f"merge-shard: {path}: {name} rewrote history ({len(lost)} committed line(s) changed or removed)",
                       hint="stream shards are append-only; restore the removed lines, then merge")
    return [line for line in side_lines if line not in set(base_lines)]


def merge_shards(base: bytes, ours: bytes, theirs: bytes, path: str = "shard") -> bytes:
    base_lines = _lines(base, "the ancestor", path)
    ours_lines = _lines(ours, "ours", path)
    theirs_lines = _lines(theirs, "theirs", path)
    _appended(base, ours, base_lines, ours_lines, "ours", path)
    new_theirs = _appended(base, theirs, base_lines, theirs_lines, "theirs", path)
    have = {entry_id(line) for line in ours_lines}
    have.discard(None)
    extra = []
    for line in new_theirs:
        key = entry_id(line)
        if key is None or key not in have:
            extra.append(line)
            if key is not None:
                have.add(key)
    return ours + b"".join(line + b"\n" for line in extra)


def merge_files(ancestor: Path, ours: Path, theirs: Path, path: str) -> None:
    """What git's driver call does: the result replaces the `ours` file."""
    merged = merge_shards(ancestor.read_bytes(), ours.read_bytes(), theirs.read_bytes(), path)
    atomic_write(ours, merged)
