"""Stream shard lines (SPEC 5): one compact JSON object per line, every line ending in '\\n'.

Pure functions over bytes; the store does the file I/O."""
from __future__ import annotations

import json
from typing import Any, Iterator, NamedTuple

from gitcontracts.errors import InvalidContent

CONFLICT_MARKERS = (b"<<<<<<< ", b"=======", b">>>>>>> ", b"||||||| ")


def encode(entry: dict[str, Any]) -> bytes:
    """One compact line of UTF-8 JSON; text that is not Unicode (a lone surrogate) or a number that is not
    JSON (NaN, Infinity) is refused, never written."""
    try:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidContent("the entry holds text that is not valid Unicode (a lone surrogate or invalid UTF-8)",
                             hint="pass UTF-8 text") from None
    except ValueError as exc:
        raise InvalidContent(f"the entry is not JSON: {exc}", hint="numbers must be finite") from None
    except RecursionError:
        raise InvalidContent("the entry is nested too deeply", hint="flatten the data") from None


class Line(NamedTuple):
    number: int          # 1-based
    raw: bytes           # without the '\n'
    entry: Any           # the decoded object, or None when the line is not JSON
    error: str | None    # why the line is not an entry-shaped JSON object


def parse_json(raw: bytes | str) -> Any:
    """json.loads, with nesting too deep for the decoder reported as the ValueError it is, not a crash."""
    try:
        return json.loads(raw, parse_constant=_not_json)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (a number must be finite)")


def decode_line(raw: bytes) -> tuple[Any, str | None]:
    if raw.startswith(CONFLICT_MARKERS):
        return None, "merge conflict marker"
    try:
        value = parse_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(value, dict):
        return None, "not a JSON object"
    if b"\\u" in raw and _has_lone_surrogate(raw):
        return None, "text that is not Unicode (an escaped lone surrogate)"
    return value, None


def read_entry(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """A line as readers take it: an entry with a string id, ts, agent and label, else (None, why) — so that
    what slipped past a remote without the hook is skipped with a warning, never a crash (SPEC 13)."""
    value, error = decode_line(raw)
    if error is not None:
        return None, error
    for key in ("id", "ts", "agent", "label"):
        if not isinstance(value.get(key), str):
            return None, f"an entry has a string {key!r}"
    return value, None


def _has_lone_surrogate(raw: bytes) -> bool:
    """An escaped surrogate (\\ud800) decodes to text that cannot be written out again: such a line is no entry."""
    try:
        json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (ValueError, RecursionError):
        return False
    return False


def split(data: bytes) -> tuple[list[bytes], bytes]:
    """Complete lines, and the torn tail (bytes after the last '\\n'; empty when none)."""
    cut = data.rfind(b"\n") + 1
    body, tail = data[:cut], data[cut:]
    return (body[:-1].split(b"\n") if body else []), tail


def lines(data: bytes) -> Iterator[Line]:
    complete, _ = split(data)
    for number, raw in enumerate(complete, 1):
        entry, error = decode_line(raw)
        yield Line(number, raw, entry, error)


def lines_mentioning(data: bytes, words: tuple[bytes, ...]) -> list[bytes]:
    """The complete lines of `data` that may hold one of `words` (non-empty, ASCII letters, digits or `._-`), in
    order: those where one of them is written as it is, or with a `\\u` escape (the only way JSON can spell such a
    character otherwise). A reader that wants only some labels, or one agent's entries, decodes those alone: a
    shard of a million lines that mentions none of them is searched, not parsed."""
    end = data.rfind(b"\n") + 1
    starts: set[int] = set()
    for word in (*words, b"\\u"):
        found = data.find(word, 0, end)
        while found >= 0:
            start = data.rfind(b"\n", 0, found) + 1
            starts.add(start)
            stop = data.find(b"\n", found)
            found = data.find(word, stop + 1, end)  # one hit per line: go on from the next line
    return [data[start:data.find(b"\n", start)] for start in sorted(starts)]


def entries_mentioning(data: bytes, words: tuple[bytes, ...]) -> list[dict[str, Any]]:
    """The entries of the lines that may hold one of `words` (`lines_mentioning`), decoded; the rest never are."""
    return [entry for entry, _ in map(decode_line, lines_mentioning(data, words)) if entry is not None]


_LEAD_ID, _LEAD_TS = b'{"id":"', b'","ts":"'


def leading_id_ts(raw: bytes) -> tuple[str, str] | None:
    """(id, ts) of a line as the tool writes it — `{"id":"…","ts":"…",` first — read without a JSON parse; None
    for a line of any other shape (parse that one)."""
    if not raw.startswith(_LEAD_ID):
        return None
    end = raw.find(b'"', len(_LEAD_ID))
    if end < 0 or not raw.startswith(_LEAD_TS, end):
        return None
    stop = raw.find(b'"', end + len(_LEAD_TS))
    if stop < 0 or b"\\" in raw[:stop]:
        return None
    return raw[len(_LEAD_ID):end].decode("utf-8", "replace"), raw[end + len(_LEAD_TS):stop].decode("utf-8", "replace")


def sort_key(entry: dict[str, Any]) -> tuple[str, str]:
    """Stream order: ts, then id (SPEC 5)."""
    return (str(entry.get("ts", "")), str(entry.get("id", "")))


def last_ts(data: bytes) -> str | None:
    """The `ts` of a shard's last complete line (None when there is none, or it is not an entry)."""
    body = data[:data.rfind(b"\n") + 1]
    if not body:
        return None
    entry, error = decode_line(body[body.rfind(b"\n", 0, len(body) - 1) + 1:-1])
    ts = entry.get("ts") if error is None else None
    return ts if isinstance(ts, str) else None
