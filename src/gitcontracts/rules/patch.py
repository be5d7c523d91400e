"""`update_items` (SPEC 6.5), on plain data: which elements match, and what they become."""
from __future__ import annotations

import copy
from typing import Any, NamedTuple

from gitcontracts.errors import InvalidContent

Address = tuple  # keys and indices from the document root to an element


class UpdateItem(NamedTuple):
    path: str
    match: dict[str, Any]
    set: dict[str, Any]
    unset: tuple[str, ...] = ()


class Change(NamedTuple):
    address: Address          # from the document root, e.g. ('content', 'subtasks', 0)
    set: dict[str, Any]
    unset: tuple[str, ...]


def parse_update_items(doc: Any) -> list[UpdateItem]:
    if not isinstance(doc, dict) or not isinstance(doc.get("update_items"), list):
        raise InvalidContent("a patch is {\"update_items\": [{\"path\": ..., \"match\": {...}, \"set\": {...}}, ...]}",
                             hint="see `gitcontracts patch --help` and docs/formats.md (Patch)")
    items = []
    for number, item in enumerate(doc["update_items"]):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
            raise InvalidContent(f"update_items[{number}]: needs a 'path' (a dotted path to an array in content)")
        extra = set(item) - {"path", "match", "set", "unset"}
        if extra:
            raise InvalidContent(f"update_items[{number}]: unknown field(s) {sorted(extra)}",
                                 hint="an item has path, match, set (and optionally unset)")
        match, values, unset = item.get("match", {}), item.get("set", {}), item.get("unset", [])
        if not isinstance(match, dict) or not isinstance(values, dict):
            raise InvalidContent(f"update_items[{number}]: 'match' and 'set' must be objects")
        if not isinstance(unset, list) or not all(isinstance(k, str) for k in unset):
            raise InvalidContent(f"update_items[{number}]: 'unset' must be a list of field names")
        if not values and not unset:
            raise InvalidContent(f"update_items[{number}]: nothing to set", hint="give 'set' (or 'unset')")
        items.append(UpdateItem(item["path"], match, values, tuple(unset)))
    return items


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON means it: true is not 1, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) in (int, float) and type(b) in (int, float) and a == b or (a == b and type(a) is type(b))


def _array(content: Any, path: str) -> tuple[list[Any], Address]:
    node: Any = content
    address: Address = ("content",)
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node, address = node[int(part)], address + (int(part),)
        elif isinstance(node, dict) and part in node:
            node, address = node[part], address + (part,)
        else:
            raise InvalidContent(f"patch path {path!r}: content has no {part!r} there",
                                 hint="path is a dotted path from content to an array, e.g. subtasks")
    if not isinstance(node, list):
        raise InvalidContent(f"patch path {path!r} is not an array in content")
    return node, address


def apply(content: Any, items: list[UpdateItem]) -> tuple[Any, list[int], list[Change]]:
    """The new content, the number of elements each item matched, and the changes made."""
    result = copy.deepcopy(content)
    counts, changes = [], []
    for item in items:
        array, address = _array(result, item.path)
        matched = 0
        for index, element in enumerate(array):
            if isinstance(element, dict) and all(k in element and json_equal(element[k], v)
                                                 for k, v in item.match.items()):
                matched += 1
                element.update(copy.deepcopy(item.set))
                for key in item.unset:
                    element.pop(key, None)
                changes.append(Change(address + (index,), item.set, item.unset))
        counts.append(matched)
    return result, counts, changes
