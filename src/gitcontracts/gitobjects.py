"""Git objects written straight into the object database: blobs, the trees along the changed paths,
and the commit — no temporary index, no process per object.

Why: an action changes a few files, but `read-tree` + `update-index` + `write-tree` through a
temporary index cost as much as the whole repository (31,000 files: hundreds of ms). Git's object
format is simple and stable: `<type> <size>\\0<body>`, zlib-compressed under objects/xx/yyyy. Only the
trees on the way from the root to a changed file are rewritten; every other tree is reused by id."""
from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

TREE_MODE = b"40000"
FILE_MODE = b"100644"


@dataclass(frozen=True)
class TreeEntry:
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
                handle.write(zlib.compress(data, 1))
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


def parse_tree(body: bytes, width: int) -> dict[bytes, TreeEntry]:
    entries, position = {}, 0
    while position < len(body):
        space = body.index(b" ", position)
        nul = body.index(b"\0", space)
        entries[body[space + 1:nul]] = TreeEntry(body[position:space], body[nul + 1:nul + 1 + width])
        position = nul + 1 + width
    return entries


def _sort_key(item: tuple[bytes, TreeEntry]) -> bytes:
    name, entry = item
    return name + b"/" if entry.is_tree else name  # git's order: a folder sorts as if its name ended in '/'


def tree_body(entries: Mapping[bytes, TreeEntry]) -> bytes:
    return b"".join(b"%s %s\0%s" % (e.mode, name, e.oid) for name, e in sorted(entries.items(), key=_sort_key))


def edit_tree(store: ObjectStore, read_tree: Callable[[bytes], bytes | None], tree: bytes | None,
              changes: Mapping[str, bytes | None], width: int) -> bytes | None:
    """The id of `tree` with `changes` (path -> content, None: removed) applied; None when it ends empty.

    Reads and writes only the trees on the paths of the changes."""
    entries = parse_tree(read_tree(tree) or b"", width) if tree else {}
    nested: dict[str, dict[str, bytes | None]] = {}
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
            entries[name] = TreeEntry(mode, store.write(b"blob", data))
    for folder, sub in nested.items():
        name = folder.encode("utf-8", "surrogateescape")
        old = entries.get(name)
        child = edit_tree(store, read_tree, old.oid if old is not None and old.is_tree else None, sub, width)
        if child is None:
            entries.pop(name, None)
        else:
            entries[name] = TreeEntry(TREE_MODE, child)
    if not entries:
        return None
    return store.write(b"tree", tree_body(entries))


def signature_line(name: str, email: str, seconds: int, offset_minutes: int) -> bytes:
    clean = "".join(c for c in name if c not in "<>\n").strip()
    mail = "".join(c for c in email if c not in "<>\n").strip()
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{clean} <{mail}> {seconds} {sign}{hours:02d}{minutes:02d}".encode()


def commit_body(tree: str, parents: tuple[str, ...], author: bytes, committer: bytes, message: str) -> bytes:
    lines = [b"tree " + tree.encode()] + [b"parent " + p.encode() for p in parents]
    lines += [b"author " + author, b"committer " + committer]
    return b"\n".join(lines) + b"\n\n" + message.encode("utf-8", "surrogateescape")
