"""Round-trip edits of a YAML document's text: change some fields of some mappings and keep
everything else (key order, comments, quoting, blank lines) byte for byte.

The edit works on the text spans the parser reports for each node. The caller re-reads
the result and compares it with the data it expects; where they differ (anchors shared
by aliases, exotic layouts) it falls back to writing the whole document anew."""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gitcontracts.formats.yamlsafe import resolve_plain

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./@-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "null", "true", "false", "~"}


class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[misc]
                yaml.composer.Composer, yaml.resolver.BaseResolver):
    """The pure-Python composer: its marks index characters of the text, which the edit needs."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)


def render(value: Any) -> str:
    """A value as YAML text on one line: plain where that is safe, else JSON (which YAML reads)."""
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and isinstance(resolve_plain(value), str) and value.lower() not in _YAML11_WORDS:
            return value
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def edit(text: str, targets: Sequence[tuple[tuple, dict[str, Any], Sequence[str]]]) -> str | None:
    """Apply (address, set, unset) to the mappings at those addresses; None when it cannot be done in place."""
    composer = _Composer(text)
    try:
        root = composer.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        composer.dispose()
    splices: list[tuple[int, int, str]] = []
    if root is None:
        return None
    for address, values, unset in targets:
        node = _locate(root, address)
        if not isinstance(node, MappingNode):
            return None
        for key, value in values.items():
            splice = _replace(text, node, key, value) or _insert(text, node, key, value)
            if splice is None:
                return None
            splices.append(splice)
        for key in unset:
            splice = _remove(text, node, key)
            if splice is None:
                return None
            if splice[0] != splice[1]:
                splices.append(splice)
    return _apply(text, splices)


def _apply(text: str, splices: list[tuple[int, int, str]]) -> str | None:
    # Insertions at the same point keep the order they were asked in.
    ordered = sorted(enumerate(splices), key=lambda item: (item[1][0], item[1][1], item[0]))
    out, position = [], 0
    for _, (start, end, replacement) in ordered:
        if start < position:
            return None  # overlapping edits: let the caller rewrite the document
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)


def _locate(root: Node, address: tuple) -> Node | None:
    node: Node | None = root
    for part in address:
        if isinstance(node, MappingNode) and isinstance(part, str):
            node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == part), None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node


def _content_end(text: str, node: Node) -> int:
    """Where a node's own text ends (block collections and block scalars report the next line)."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:  # type: ignore[attr-defined]
        last = node.value[-1]
        return _content_end(text, last[1] if isinstance(last, tuple) else last)
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _is_block(node: Node) -> bool:
    if isinstance(node, ScalarNode):
        return node.style in ("|", ">")
    return not getattr(node, "flow_style", False) and bool(node.value)


def _replace(text: str, mapping: MappingNode, key: str, value: Any) -> tuple[int, int, str] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            end = _content_end(text, value_node)
            if _is_block(value_node) or value_node.start_mark.index == end:
                colon = text.index(":", key_node.end_mark.index)
                return colon + 1, max(end, colon + 1), " " + render(value)
            return value_node.start_mark.index, end, render(value)
    return None


def _insert(text: str, mapping: MappingNode, key: str, value: Any) -> tuple[int, int, str] | None:
    pair = f"{render(key)}: {render(value)}"
    if mapping.flow_style or not mapping.value:
        close = text.rfind("}", mapping.start_mark.index, mapping.end_mark.index)
        if close < 0:
            return None
        return close, close, (", " if mapping.value else "") + pair
    indent = mapping.value[0][0].start_mark.column
    end = _content_end(text, mapping)
    line_end = text.find("\n", end)
    if line_end < 0:
        return len(text), len(text), "\n" + " " * indent + pair + "\n"
    return line_end + 1, line_end + 1, " " * indent + pair + "\n"


def _remove(text: str, mapping: MappingNode, key: str) -> tuple[int, int, str] | None:
    for _number, (key_node, value_node) in enumerate(mapping.value):
        if not (isinstance(key_node, ScalarNode) and key_node.value == key):
            continue
        line_start = text.rfind("\n", 0, key_node.start_mark.index) + 1
        if mapping.flow_style or text[line_start:key_node.start_mark.index].strip():
            return None  # `- key: ...` or `{key: ...}`: not a line of its own
        line_end = text.find("\n", _content_end(text, value_node))
        return line_start, (len(text) if line_end < 0 else line_end + 1), ""
    return (0, 0, "")
