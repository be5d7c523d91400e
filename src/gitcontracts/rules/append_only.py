"""Append-only shards (SPEC 5): what was committed stays, byte for byte; new lines come at the end."""
from __future__ import annotations

from typing import Iterator

from gitcontracts.model import Problem

RULE = "append-only"


def appended_lines(old: bytes, new: bytes, file: str) -> tuple[list[Problem], list[tuple[int, bytes]]]:
    """Problems, and the (line number, line) pairs appended to `old` to make `new`."""
    if new.startswith(old) and (not old or old.endswith(b"\n")):
        base = old.count(b"\n")
        tail = new[len(old):]
        lines = tail.split(b"\n")
        problems = []
        if lines[-1]:
            problems.append(Problem(file, "the last line is torn (no final newline)", "torn-line", line=base + len(lines)))
        return problems, [(base + number, raw) for number, raw in enumerate(lines[:-1], 1)]
    return [_rewrite(old, new, file)], []


def _rewrite(old: bytes, new: bytes, file: str) -> Problem:
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    pairs = enumerate(zip(old_lines, new_lines, strict=False))
    index = next((i for i, (a, b) in pairs if a != b), min(len(old_lines), len(new_lines)))
    line = index + 1
    if index < len(old_lines) and old_lines[index] and old_lines[index] in new_lines[index + 1:]:
        what = f"line {line} was moved: committed lines may not be reordered"
    elif len(new_lines) < len(old_lines):
        what = f"line {line} was removed: committed lines may not be deleted"
    else:
        what = f"line {line} was edited: committed lines may not change"
    return Problem(file, what, RULE, line=line)


def entry_ids(lines: list[tuple[int, bytes]]) -> Iterator[tuple[int, str]]:
    from gitcontracts.formats.jsonl import parse_json

    for number, raw in lines:
        try:
            entry = parse_json(raw)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            yield number, entry["id"]


def duplicate_id_problems(old: bytes, added: list[tuple[int, bytes]], file: str) -> list[Problem]:
    """An appended id seen earlier in the shard or among the appended lines.

    Ids in other shards are never compared: an entry stands only in its writer's shard, so a copy
    in another shard is already refused as an entry in someone else's shard."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, entry_id in entry_ids(added):
        earlier = seen.get(entry_id) or (_old_line(old, entry_id) if old else None)
        if earlier:
            problems.append(Problem(file, f"duplicate entry id {entry_id} (line {earlier})", "unique-id", "id", number))
        seen[entry_id] = number
    return problems


def _old_line(old: bytes, entry_id: str) -> int | None:
    """The line of `old` holding an entry with this id (a C-speed search first, then a parse of the hit)."""
    from gitcontracts.formats.jsonl import parse_json

    needle = entry_id.encode()
    start = old.find(needle)
    while start >= 0:
        line_start = old.rfind(b"\n", 0, start) + 1
        line_end = old.find(b"\n", start)
        try:
            entry = parse_json(old[line_start:line_end])
            if isinstance(entry, dict) and entry.get("id") == entry_id:
                return old.count(b"\n", 0, line_start) + 1
        except ValueError:
            pass
        start = old.find(needle, line_end)
    return None
