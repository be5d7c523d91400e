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
from contextlib import contextmanager
from typing import Any, Callable, Iterator, NamedTuple

import yaml
from yaml import events as ev

from gitcontracts.errors import InvalidContent
from gitcontracts.formats.jsonpath import join_path

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
_EXPLICIT: dict[str, Callable[[str], Any]] = {_TAG + "str": str, _TAG + "int": lambda v: int(v, 0), _TAG + "float": float,
             _TAG + "bool": lambda v: _SPECIAL[v], _TAG + "null": lambda v: _SPECIAL[v]}
_COLLECTION_TAGS = {None, "!", _TAG + "map", _TAG + "seq", _TAG + "omap"}
_UNSET = object()


class Limits(NamedTuple):
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
        raise InvalidContent(f"{source}:{line}: contains a NUL byte", hint="save the file as UTF-8 text",
                             file=source, line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidContent(f"{source}:{line}: not valid UTF-8 (byte {exc.start})",
                             hint="save the file as UTF-8", file=source, line=line) from None
    return text[1:] if text.startswith("\ufeff") else text


def load(data: bytes | str, source: str = "<input>", limits: Limits = DEFAULT_LIMITS) -> Any:
    """One YAML document to plain data (dict, list, str, int, float, bool, None)."""
    text = decode(data, source, limits) if isinstance(data, bytes) else data
    if len(text) > limits.max_bytes:
        raise InvalidContent(f"{source}: over the limit of {limits.max_bytes} bytes")
    with _parser(text, source, limits.max_depth) as parser:
        return _build(parser, source, limits)


def resolve_plain(value: str) -> Any:
    """A plain (unquoted) scalar under the YAML 1.2 core schema."""
    if value in _SPECIAL:
        return _SPECIAL[value]
    if value[:1] in _NUMERIC_START:
        if _INT.fullmatch(value):
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
    return value


def _syntax_error(exc: yaml.MarkedYAMLError, source: str, text: str, max_depth: int) -> InvalidContent:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    where = f":{line}" if line else ""
    if _too_deep(exc, text, max_depth):
        return InvalidContent(f"{source}{where}: nesting deeper than {max_depth} levels", hint="flatten the document",
                              file=source, line=line)
    return InvalidContent(f"{source}{where}: YAML syntax error: {exc.problem or exc.context}",
                          hint="fix the YAML at that line", file=source, line=line)


def _too_deep(exc: yaml.MarkedYAMLError, text: str, max_depth: int) -> bool:
    """libyaml's own depth limit (0.2.5+: 1,000 levels, "exceeded maximum nesting depth") can fire before
    ours: its scanner reads ahead up to 1,024 characters for a possible simple key, so `[[[[...` fails in
    the scanner before the first event reaches _build. The wording is libyaml's, so the flow brackets
    still open at the error are counted too (an estimate: it is only ever asked on the error path)."""
    said = f"{exc.problem or ''} {exc.context or ''}".lower()
    if "nesting" in said:
        return True
    mark = exc.problem_mark or exc.context_mark
    if mark is None or not isinstance(mark.index, int):
        return False
    before = text[:mark.index + 1]
    return before.count("[") + before.count("{") - before.count("]") - before.count("}") > max_depth


@contextmanager
def _parser(text: str, source: str, max_depth: int = DEFAULT_LIMITS.max_depth) -> Iterator[Any]:
    """libyaml's parser over `text`; its errors become InvalidContent naming the line."""
    parser = _Parser(text)
    try:
        yield parser
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, source, text, max_depth) from None
    except yaml.YAMLError as exc:
        raise InvalidContent(f"{source}: YAML error: {exc}") from None
    finally:
        parser.dispose()


def _events(text: str, source: str) -> Iterator[Any]:
    with _parser(text, source) as parser:
        while parser.check_event():
            yield parser.get_event()


def _fail(source: str, event: Any, message: str, hint: str = "") -> InvalidContent:
    line = event.start_mark.line + 1
    return InvalidContent(f"{source}:{line}: {message}", hint=hint, file=source, line=line)


def _scalar(event: Any, source: str) -> Any:
    tag, value = event.tag, event.value
    if tag is None:
        if not event.implicit[0]:
            return value
        if value in _SPECIAL:
            return _SPECIAL[value]
        if value[0] in _NUMERIC_START:
            return resolve_plain(value)
        return value
    if tag == "!":
        return value
    convert = _EXPLICIT.get(tag)
    if convert is None:
        raise _fail(source, event, f"YAML tag {tag!r} is not allowed", "remove the tag; only plain data is accepted")
    try:
        return convert(value)
    except (ValueError, KeyError):
        raise _fail(source, event, f"{value!r} is not a valid {tag[len(_TAG):]}") from None


def _build(parser: Any, source: str, limits: Limits) -> Any:
    """Parser events to values with an explicit stack: any nesting is safe to parse, and is bounded.

    One tight loop, because it runs for every node of every document `validate --all` reads.
    A frame is [container, is_map, pending_key, anchor, nodes_at_start]."""
    get_event, max_depth, max_nodes = parser.get_event, limits.max_depth, limits.max_nodes
    stack: list[list[Any]] = []
    anchors: dict[str, tuple[Any, int]] = {}
    nodes, documents, root = 0, 0, _UNSET
    while True:
        event = get_event()
        kind = event.__class__
        if kind is _SCALAR:
            nodes += 1
            value, anchor, size = event.value, event.anchor, 1
            if event.tag is not None or not event.implicit[0]:
                value = _scalar(event, source)
            elif value in _SPECIAL or value[:1] in _NUMERIC_START:
                value = resolve_plain(value)
        elif kind is _MAP_START or kind is _SEQ_START:
            if event.tag not in _COLLECTION_TAGS:
                raise _fail(source, event, f"YAML tag {event.tag!r} is not allowed",
                            "remove the tag; only plain data is accepted")
            if len(stack) >= max_depth:
                raise _fail(source, event, f"nesting deeper than {max_depth} levels", "flatten the document")
            if stack and stack[-1][1] and stack[-1][2] is _UNSET:
                raise _fail(source, event, "a mapping key must be a scalar", "use plain strings as keys")
            nodes += 1
            stack.append([{} if kind is _MAP_START else [], kind is _MAP_START, _UNSET, event.anchor, nodes])
            continue
        elif kind is _MAP_END or kind is _SEQ_END:
            frame = stack.pop()
            value, anchor, size = frame[0], frame[3], nodes - frame[4] + 1
        elif kind is _ALIAS:
            if event.anchor not in anchors:
                raise _fail(source, event, f"unknown or recursive alias *{event.anchor}")
            value, size = anchors[event.anchor]
            nodes += size
            if nodes > max_nodes:
                raise _fail(source, event, f"aliases expand to more than {max_nodes} nodes",
                            "write the data out instead of nesting aliases")
            value, anchor = (copy.deepcopy(value) if isinstance(value, (dict, list)) else value), None
        elif kind is _DOC_START:
            documents += 1
            if documents > 1:
                raise _fail(source, event, "more than one YAML document", "keep one document per file")
            continue
        elif kind is _STREAM_END:
            break
        else:
            continue
        if nodes > max_nodes:
            raise _fail(source, event, f"more than {max_nodes} nodes")
        if anchor is not None:
            anchors[anchor] = (value, size)
        if not stack:
            root = value
            continue
        frame = stack[-1]
        if not frame[1]:
            frame[0].append(value)
        elif frame[2] is _UNSET:
            if isinstance(value, (dict, list)):
                raise _fail(source, event, "a mapping key must be a scalar", "use plain strings as keys")
            key = value if isinstance(value, str) else getattr(event, "value", str(value))
            if key in frame[0]:
                raise _fail(source, event, f"duplicate key {key!r}", "keep one of them")
            frame[2] = key
        else:
            frame[0][frame[2]] = value
            frame[2] = _UNSET
    if root is _UNSET or root is None:
        raise InvalidContent(f"{source}: empty document", hint="write a YAML mapping", file=source)
    return root


_SCALAR, _ALIAS = ev.ScalarEvent, ev.AliasEvent
_MAP_START, _MAP_END = ev.MappingStartEvent, ev.MappingEndEvent
_SEQ_START, _SEQ_END = ev.SequenceStartEvent, ev.SequenceEndEvent
_DOC_START, _STREAM_END = ev.DocumentStartEvent, ev.StreamEndEvent


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
