"""Strict, safe, bounded YAML loading (SPEC 3) and a dump that reads back the same.

Values are built straight from the C parser's events, so nothing but plain data is ever
constructed. The scalars follow the YAML 1.2 core schema: timestamps stay the strings
they were written as, and `on:` or `yes` are strings, not booleans. Duplicate keys,
tags other than the standard ones, alias expansion past a bound (billion laughs),
nesting past a bound, multiple documents, NUL bytes, non-UTF-8 and oversized input
are each refused with InvalidContent naming the line.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml
from yaml import events as ev

from gitcontracts.errors import InvalidContent

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}
_NUMERIC_START = frozenset("-+0123456789.")
_TAG = "tag:yaml.org,2002:"
_EXPLICIT = {_TAG + "str": str, _TAG + "int": lambda v: int(v, 0), _TAG + "float": float,
             _TAG + "bool": lambda v: _SPECIAL[v], _TAG + "null": lambda v: _SPECIAL[v]}
_COLLECTION_TAGS = {None, "!", _TAG + "map", _TAG + "seq", _TAG + "omap"}
_UNSET = object()


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 1_048_576
    max_depth: int = 100
    max_nodes: int = 200_000


DEFAULT_LIMITS = Limits()


def decode(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> str:
    if len(data) > limits.max_bytes:
        raise InvalidContent(f"{source}: {len(data)} bytes is over the limit of {limits.max_bytes}",
                             hint="split the document, or raise limits.max_file_bytes in .contracts/config.yaml")
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise InvalidContent(f"{source}:{line}: contains a NUL byte", hint="save the file as UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidContent(f"{source}:{line}: not valid UTF-8 (byte {exc.start})",
                             hint="save the file as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


def load(data: bytes | str, source: str = "<input>", limits: Limits = DEFAULT_LIMITS) -> Any:
    """One YAML document to plain data (dict, list, str, int, float, bool, None)."""
    text = decode(data, source, limits) if isinstance(data, bytes) else data
    if len(text) > limits.max_bytes:
        raise InvalidContent(f"{source}: over the limit of {limits.max_bytes} bytes")
    return _Builder(source, limits).build(_events(text, source))


def resolve_plain(value: str) -> Any:
    """A plain (unquoted) scalar under the YAML 1.2 core schema."""
    if value in _SPECIAL:
        return _SPECIAL[value]
    if value[0] in _NUMERIC_START:
        if _INT.fullmatch(value):
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
    return value


def _events(text: str, source: str) -> Iterator[Any]:
    parser = _Parser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark else ""
        raise InvalidContent(f"{source}{where}: YAML syntax error: {exc.problem or exc.context}",
                             hint="fix the YAML at that line") from None
    except yaml.YAMLError as exc:
        raise InvalidContent(f"{source}: YAML error: {exc}") from None
    finally:
        parser.dispose()


class _Frame:
    __slots__ = ("value", "is_map", "key", "anchor", "start_nodes", "line")

    def __init__(self, value: Any, is_map: bool, anchor: str | None, start_nodes: int, line: int) -> None:
        self.value, self.is_map, self.key = value, is_map, _UNSET
        self.anchor, self.start_nodes, self.line = anchor, start_nodes, line


class _Builder:
    """Turns parser events into values with an explicit stack (no recursion, any depth is safe)."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.documents = 0
        self.root: Any = _UNSET

    def fail(self, event: Any, message: str, hint: str = "") -> InvalidContent:
        return InvalidContent(f"{self.source}:{event.start_mark.line + 1}: {message}", hint=hint)

    def build(self, events: Iterator[Any]) -> Any:
        for event in events:
            kind = type(event)
            if kind is ev.ScalarEvent:
                self.nodes += 1
                self.add(event, self.scalar(event), event.anchor, 1)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                self.start(event, kind is ev.MappingStartEvent)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                frame = self.stack.pop()
                self.add(event, frame.value, frame.anchor, self.nodes - frame.start_nodes + 1)
            elif kind is ev.AliasEvent:
                self.alias(event)
            elif kind is ev.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(event, "more than one YAML document", "keep one document per file")
        if self.root is _UNSET or self.root is None:
            raise InvalidContent(f"{self.source}: empty document", hint="write a YAML mapping")
        return self.root

    def start(self, event: Any, is_map: bool) -> None:
        if event.tag not in _COLLECTION_TAGS:
            raise self.fail(event, f"YAML tag {event.tag!r} is not allowed", "remove the tag; only plain data is accepted")
        if len(self.stack) >= self.limits.max_depth:
            raise self.fail(event, f"nesting deeper than {self.limits.max_depth} levels", "flatten the document")
        if self.stack and self.stack[-1].is_map and self.stack[-1].key is _UNSET:
            raise self.fail(event, "a mapping key must be a scalar", "use plain strings as keys")
        self.nodes += 1
        self.stack.append(_Frame({} if is_map else [], is_map, event.anchor, self.nodes, event.start_mark.line))

    def scalar(self, event: Any) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            return resolve_plain(value) if event.implicit[0] and tag is None else value
        convert = _EXPLICIT.get(tag)
        if convert is None:
            raise self.fail(event, f"YAML tag {tag!r} is not allowed", "remove the tag; only plain data is accepted")
        try:
            return convert(value)
        except (ValueError, KeyError):
            raise self.fail(event, f"{value!r} is not a valid {tag[len(_TAG):]}") from None

    def alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(event, f"unknown or recursive alias *{event.anchor}")
        value, size = self.anchors[event.anchor]
        self.nodes += size
        if self.nodes > self.limits.max_nodes:
            raise self.fail(event, f"aliases expand to more than {self.limits.max_nodes} nodes",
                            "write the data out instead of nesting aliases")
        self.add(event, copy.deepcopy(value) if isinstance(value, (dict, list)) else value, None, size)

    def add(self, event: Any, value: Any, anchor: str | None, size: int) -> None:
        if self.nodes > self.limits.max_nodes:
            raise self.fail(event, f"more than {self.limits.max_nodes} nodes")
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if not frame.is_map:
            frame.value.append(value)
        elif frame.key is _UNSET:
            if isinstance(value, (dict, list)):
                raise self.fail(event, "a mapping key must be a scalar", "use plain strings as keys")
            key = value if isinstance(value, str) else event.value if hasattr(event, "value") else str(value)
            if key in frame.value:
                raise self.fail(event, f"duplicate key {key!r}", "keep one of them")
            frame.key = key
        else:
            frame.value[frame.key] = value
            frame.key = _UNSET


def line_map(text: str) -> dict[str, int]:
    """JSON path ('content.subtasks[0].status') -> 1-based line, for reporting problems.

    Only called when there is something to report, so the fast path never pays for it."""
    lines: dict[str, int] = {}
    stack: list[list[Any]] = []  # [path, is_map, pending_key, index]
    try:
        for event in _events(text, "<lines>"):
            kind = type(event)
            if kind in (ev.ScalarEvent, ev.AliasEvent, ev.MappingStartEvent, ev.SequenceStartEvent):
                path = _child_path(stack, event)
                if path is None:
                    continue
                lines.setdefault(path, event.start_mark.line + 1)
                if kind in (ev.MappingStartEvent, ev.SequenceStartEvent):
                    stack.append([path, kind is ev.MappingStartEvent, _UNSET, 0])
            elif kind in (ev.MappingEndEvent, ev.SequenceEndEvent):
                stack.pop()
                if stack and stack[-1][1]:
                    stack[-1][2] = _UNSET
    except InvalidContent:
        pass
    return lines


def _child_path(stack: list[list[Any]], event: Any) -> str | None:
    if not stack:
        return ""
    frame = stack[-1]
    if not frame[1]:
        frame[3] += 1
        return f"{frame[0]}[{frame[3] - 1}]"
    if frame[2] is _UNSET:
        frame[2] = getattr(event, "value", "")
        return None
    key, frame[2] = frame[2], _UNSET
    return join_path(frame[0], key)


_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_$-]+")


def join_path(base: str, key: object) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    part = str(key) if _SIMPLE_KEY.fullmatch(str(key)) else f"[{key!r}]"
    return f"{base}.{part}" if base and not part.startswith("[") else f"{base}{part}"


class _StrictDumper(_Dumper):  # type: ignore[misc, valid-type]
    """Quotes every string that YAML 1.1 *or* 1.2 readers would take for something else."""


_StrictDumper.add_implicit_resolver(_TAG + "int", re.compile(r"^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$"),
                                    list("-+0123456789"))
_StrictDumper.add_implicit_resolver(_TAG + "float", re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
                                    list("-+0123456789."))
_StrictDumper.add_implicit_resolver(_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_StrictDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
