"""Git objects written straight into the object database: blobs, the trees along the changed paths,
and the commit — no temporary index, no process per object.

Why: an action changes a few files, but `read-tree` + `update-index` + `write-tree` through a
temporary index cost as much as the whole repository (31,000 files: hundreds of ms). Git's object
format is simple and stable: `<type> <size>\\0<body>`, zlib-compressed under objects/xx/yyyy. Only the
trees on the way from the root to a changed file are rewritten; every other tree is reused by id."""
from __future__ import annotations

import hashlib
import os
import re
import zlib
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple

TREE_MODE = b"40000"
FILE_MODE = b"100644"


class TreeEntry(NamedTuple):
    mode: bytes
    oid: bytes  # raw object id (20 bytes for sha1, 32 for sha256)

    @property
    def is_tree(self) -> bool:
        return self.mode == TREE_MODE


class ObjectStore:
    """Writes loose objects into a repository's object folder; `algorithm` is sha1 or sha256."""

    def __init__(self, objects: Path, algorithm: str = "sha1") -> None:
        self.objects, self.algorithm = objects, algorithm
        self.written: list[str] = []

    def oid(self, kind: bytes, body: bytes) -> bytes:
        return hashlib.new(self.algorithm, b"%s %d\0" % (kind, len(body)) + body).digest()

    def write(self, kind: bytes, body: bytes) -> bytes:
        data = b"%s %d\0" % (kind, len(body)) + body
        raw = hashlib.new(self.algorithm, data).digest()
        hexid = raw.hex()
        folder = self.objects / hexid[:2]
        path = folder / hexid[2:]
        if not path.exists():
            folder.mkdir(exist_ok=True)
            temp = folder / f"tmp_obj_gitcontracts_{os.getpid()}_{os.urandom(4).hex()}"
            with open(temp, "wb") as handle:
                # a big tree (a folder of thousands) is stored, not squeezed: its ids do not compress, and
                # `git gc` packs it soon anyway; small objects get zlib's fastest level
                handle.write(zlib.compress(data, 0 if len(data) > SPLICE_FROM else 1))
            os.chmod(temp, 0o444)
            os.replace(temp, path)
            self.written.append(hexid)
        return raw


def object_folder(git_dir: Path) -> Path:
    """The object folder of a repository, a linked worktree's (through `commondir`) included."""
    common = git_dir / "commondir"
    if common.is_file():
        git_dir = (git_dir / common.read_text().strip()).resolve()
    return git_dir / "objects"


# A tree's entries, `<octal mode> <name>\0<raw id>`, by the width of an id: matched in C (twice as fast as a Python
# loop over a folder of 20,000), each entry in turn, as git writes every tree.
TREE_ENTRY = {width: re.compile(rb"([0-7]+) ([^\0]+)\0(.{%d})" % width, re.DOTALL) for width in (20, 32)}


def parse_tree(body: bytes, width: int) -> dict[bytes, TreeEntry]:
    """A tree's entries, in the tree's own (git's sorted) order. One regex pass in C: each match starts where
    the last ended, so an object id that happens to hold a space or a NUL cannot shift the parse."""
    return {m[2]: TreeEntry(m[1], m[3]) for m in TREE_ENTRY[width].finditer(body)}


def _sort_key(item: tuple[bytes, TreeEntry]) -> bytes:
    name, entry = item
    return name + b"/" if entry.is_tree else name  # git's order: a folder sorts as if its name ended in '/'


def tree_body(entries: Mapping[bytes, TreeEntry], in_order: bool = False) -> bytes:
    """The tree's bytes; `in_order`: the entries are already in git's order (only ids changed), no sort."""
    items = entries.items() if in_order else sorted(entries.items(), key=_sort_key)
    return b"".join(b"%s %s\0%s" % (e.mode, name, e.oid) for name, e in items)


def edit_tree(store: ObjectStore, read_tree: Callable[[bytes], bytes | None], tree: bytes | None,
              changes: Mapping[str, bytes | None], width: int) -> bytes | None:
    """The id of `tree` with `changes` (path -> content, None: removed) applied; None when it ends empty.

    Reads and writes only the trees on the paths of the changes; a tree whose names stay the same (the common
    case: a file or folder that was there changes) keeps its order and is not sorted again."""
    body = (read_tree(tree) or b"") if tree else b""
    if len(body) > SPLICE_FROM:
        spliced = _splice(store, read_tree, body, changes, width)
        if spliced is not None:
            return store.write(b"tree", spliced)
    entries = parse_tree(body, width)
    reorder = False
    nested: dict[str, dict[str, bytes | None]] = {}

    def put(name: bytes, entry: TreeEntry) -> None:
        nonlocal reorder
        old = entries.get(name)
        reorder = reorder or old is None or old.is_tree != entry.is_tree
        entries[name] = entry

    for path, data in changes.items():
        head, sep, rest = path.partition("/")
        if sep:
            nested.setdefault(head, {})[rest] = data
            continue
        name = head.encode("utf-8", "surrogateescape")
        if data is None:
            entries.pop(name, None)
        else:
            old = entries.get(name)
            mode = old.mode if old is not None and not old.is_tree and old.mode.startswith(b"100") else FILE_MODE
            put(name, TreeEntry(mode, store.write(b"blob", data)))
    for folder, sub in nested.items():
        name = folder.encode("utf-8", "surrogateescape")
        old = entries.get(name)
        child = edit_tree(store, read_tree, old.oid if old is not None and old.is_tree else None, sub, width)
        if child is None:
            entries.pop(name, None)
        else:
            put(name, TreeEntry(TREE_MODE, child))
    if not entries:
        return None
    return store.write(b"tree", tree_body(entries, in_order=not reorder and tree is not None))


SPLICE_FROM = 65_536  # bytes: a tree this big (a folder of thousands) is edited in place, not parsed whole


def _entry_at(body: bytes, name: bytes, width: int) -> tuple[int, int, TreeEntry] | None:
    """Where the entry `name` lies in a tree's bytes: (start, end, entry), found with one search in C and
    proven to start at an entry boundary (a mode after the previous entry's id, or the start)."""
    at = body.find(b" " + name + b"\0")
    while at != -1:
        start = at
        while start > 0 and 0x30 <= body[start - 1] <= 0x37:
            start -= 1
        end = at + len(name) + 2 + width
        boundary = start == 0 or (start > width and body[start - width - 1] == 0)
        if at - start in (5, 6) and boundary and end <= len(body):
            return start, end, TreeEntry(body[start:at], body[end - width:end])
        at = body.find(b" " + name + b"\0", at + 1)
    return None


def _splice(store: ObjectStore, read_tree: Callable[[bytes], bytes | None], body: bytes,
            changes: Mapping[str, bytes | None], width: int) -> bytes | None:
    """The big tree with its changed entries replaced in place; None when a change adds or removes a name
    (then the caller parses and sorts)."""
    nested: dict[str, dict[str, bytes | None]] = {}
    direct: dict[str, bytes | None] = {}
    for path, data in changes.items():
        head, sep, rest = path.partition("/")
        if sep:
            nested.setdefault(head, {})[rest] = data
        else:
            direct[head] = data
    edits = []
    pending: list[tuple[str, Any]] = [*direct.items(), *nested.items()]
    for name, data in pending:
        raw = name.encode("utf-8", "surrogateescape")
        found = _entry_at(body, raw, width)
        if found is None or data is None:
            return None
        start, end, old = found
        if isinstance(data, dict):
            if not old.is_tree:
                return None
            child = edit_tree(store, read_tree, old.oid, data, width)
            if child is None:
                return None
            entry = TreeEntry(TREE_MODE, child)
        else:
            if old.is_tree:
                return None
            entry = TreeEntry(old.mode if old.mode.startswith(b"100") else FILE_MODE, store.write(b"blob", data))
        edits.append((start, end, b"%s %s\0%s" % (entry.mode, raw, entry.oid)))
    out, position = [], 0
    for start, end, replacement in sorted(edits):
        out += [body[position:start], replacement]
        position = end
    return b"".join([*out, body[position:]])


def signature_line(name: str, email: str, seconds: int, offset_minutes: int) -> bytes:
    clean = "".join(c for c in name if c not in "<>\n").strip()
    mail = "".join(c for c in email if c not in "<>\n").strip()
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{clean} <{mail}> {seconds} {sign}{hours:02d}{minutes:02d}".encode()


def split_commit(raw: bytes) -> tuple[dict[bytes, list[bytes]], str]:
    """A commit object's headers (name -> values, in order: `parent` may repeat) and its message."""
    head, _, message = raw.partition(b"\n\n")
    headers: dict[bytes, list[bytes]] = {}
    for line in head.split(b"\n"):
        if line and not line.startswith(b" "):  # a continued header (a signature) is not needed here
            name, _, value = line.partition(b" ")
            headers.setdefault(name, []).append(value)
    return headers, message.decode("utf-8", "surrogateescape")


def commit_body(tree: str, parents: tuple[str, ...], author: bytes, committer: bytes, message: str) -> bytes:
    lines = [b"tree " + tree.encode()] + [b"parent " + p.encode() for p in parents]
    lines += [b"author " + author, b"committer " + committer]
    return b"\n".join(lines) + b"\n\n" + message.encode("utf-8", "surrogateescape")
