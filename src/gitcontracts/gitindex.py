"""The index entries of files an action rewrote, updated in place — or None, and git does it.

Why: `git update-index PATH` reads and rewrites the whole index, with its checksum: at 30,000 files a
4.4 MB file, 30 ms or more for one path, the only part of an action whose cost grew with the repository.
An action changes files that are already tracked (a stream shard, a contract): their entries keep their
length, so the new object id and stat data go where the old ones were, the cache tree (TREE extension,
which would name the old trees) is replaced by an invalid root so git rebuilds it when it next needs
it, and the checksum is recomputed — a read, a hash and a write of the file, no parse of its entries.

Racily clean entries are handled as git handles them when it writes an index. Git trusts an entry's stat
data only when the file's mtime is older than the index file's (second granularity); an entry whose file
changed in the very second the index was written looks clean by its stat alone, so git compares such an
entry's content and, when it differs, "smudges" it (size 0) before it writes a newer index, which would
otherwise make the entry look clean. Here the index's second is looked for among the entries' stat data
(a search of the file, no parse): each entry found is checked the same way; more than a few, or a hit that
is not an entry's time, and git does it.

Only the plain case is done here (index version 2 or 3, every path a stage-0 regular file already in
the index, no split index, no extension but TREE, REUC, UNTR; no attribute that would filter content);
everything else answers None. Git's own lock protocol is kept: `index.lock` created exclusively, written,
renamed over `index`."""
from __future__ import annotations

import hashlib
import os
import re
import struct
from pathlib import Path
from typing import Mapping

_STAT = struct.Struct(">10I")              # ctime s/ns, mtime s/ns, dev, ino, mode, uid, gid, size
_PLAIN_MODE = 0o100644
_INVALID_ROOT = b"TREE" + struct.pack(">I", 6) + b"\0-1 0\n"  # a root of -1 entries: rebuild all
_KEPT_EXTENSIONS = {b"TREE", b"REUC", b"UNTR"}  # what the change of a tracked file's content leaves true
_FILTERING = re.compile(rb"\b(filter|text|eol|crlf|ident|working-tree-encoding)\b")


def update_entries(git_dir: Path, common_dir: Path, worktree: Path, files: Mapping[str, bytes],
                   algorithm: str) -> bool | None:
    """True when the index entries of `files` (paths → the bytes just written there) were updated;
    None when this index or these files need `git update-index` instead."""
    if not files or _filtered(worktree, files):
        return None
    index, lock = git_dir / "index", git_dir / "index.lock"
    try:
        handle = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return None
    try:
        data, written = _index_bytes(index)
        pieces = (None if _split_index(git_dir, common_dir, data)
                  else _patched(data, written, worktree, files, algorithm))
        if pieces is not None:
            os.writev(handle, pieces)
        os.close(handle)
        handle = -1
        if pieces is None:
            lock.unlink()
            return None
        os.replace(lock, index)
        return True
    except BaseException:
        if handle >= 0:
            os.close(handle)
        lock.unlink(missing_ok=True)
        raise


def _index_bytes(index: Path) -> tuple[bytes, int]:
    """The index and the second it was written in (b"" and 0 when there is none: a clone of an empty remote)."""
    try:
        with open(index, "rb") as handle:
            return handle.read(), os.fstat(handle.fileno()).st_mtime_ns // 1_000_000_000
    except FileNotFoundError:
        return b"", 0


def _split_index(git_dir: Path, common_dir: Path, data: bytes) -> bool:
    """Does the index name a shared index (its `link` extension)? Left-over shared index files of an
    index that is no longer split (git keeps them for two weeks) do not count."""
    for folder in {git_dir, common_dir}:
        for shared in folder.glob("sharedindex.*"):
            try:
                oid = bytes.fromhex(shared.name.removeprefix("sharedindex."))
            except ValueError:
                continue
            if oid in data:
                return True
    return False


def _filtered(worktree: Path, files: Mapping[str, bytes]) -> bool:
    """Could git's clean step change these bytes (attributes that convert, a CR that autocrlf takes)?"""
    if any(b"\r" in data for data in files.values()):
        return True
    folders = {Path(path).parent for path in files}
    candidates = {worktree / ".gitattributes"} | {worktree / parent / ".gitattributes"
                                                  for folder in folders for parent in (folder, *folder.parents)}
    for attributes in candidates:
        try:
            if _FILTERING.search(attributes.read_bytes()):
                return True
        except OSError:
            continue
    return False


def _patched(data: bytes, written: int, worktree: Path, files: Mapping[str, bytes],
             algorithm: str) -> list[bytes | memoryview] | None:
    """The new index as pieces to write one after the other: slices of the old one (no copy of a 4 MB
    file, whose pages cost more than its hash) and the new entries' stat data and ids."""
    width = hashlib.new(algorithm).digest_size
    if len(data) < 12 + width or data[:4] != b"DIRC" or struct.unpack(">I", data[4:8])[0] not in (2, 3):
        return None
    extensions = _extensions(data, width)
    if extensions is None:
        return None
    start, found = extensions
    patches = []
    for path, content in files.items():
        patch = _entry_patch(data, start, path, worktree, content, algorithm, width)
        if patch is None:
            return None
        patches.append(patch)
    smudged = _racy_smudges(data, start, written, worktree, set(files), algorithm, width)
    if smudged is None:
        return None
    patches += smudged
    view, pieces, at = memoryview(data), [], 0
    for offset, replacement in sorted(patches):
        pieces += [view[at:offset], replacement]
        at = offset + len(replacement)
    pieces.append(view[at:start])
    pieces += [_INVALID_ROOT if sig == b"TREE" else view[a:b] for sig, a, b in found]
    digest = hashlib.new(algorithm)
    for piece in pieces:
        digest.update(piece)
    return pieces + [digest.digest()]


def _extensions(data: bytes, width: int) -> tuple[int, list[tuple[bytes, int, int]]] | None:
    """Where the entries end and the extensions after them, found from the TREE extension (git writes it
    first after the entries once any commit or checkout primed the cache tree); None when there is no
    TREE whose chain of extensions closes exactly at the checksum, or when one is not ours to keep."""
    end, entries = len(data) - width, struct.unpack(">I", data[8:12])[0]
    at = data.rfind(b"TREE", 12, end)
    while at >= 0:
        chain = _chain(data, at, end)
        if chain is not None and data[at - 1] == 0 and _root_agrees(data[at + 8:chain[0][2]], entries):
            if any(sig not in _KEPT_EXTENSIONS for sig, _, _ in chain):
                return None
            return at, chain
        at = data.rfind(b"TREE", 12, at)
    return None


def _root_agrees(tree: bytes, entries: int) -> bool:
    """The cache tree's root counts every entry of the index (or is invalid): a "TREE" inside a path or an
    object id does not pass for the extension."""
    head, newline, _ = tree[1:32].partition(b"\n")
    counts = head.split(b" ")
    if tree[:1] != b"\0" or not newline or len(counts) != 2 or not counts[1].isdigit():
        return False
    return counts[0] in (b"-1", b"%d" % entries)


def _chain(data: bytes, at: int, end: int) -> list[tuple[bytes, int, int]] | None:
    chain = []
    while at < end:
        if at + 8 > end:
            return None
        size = struct.unpack(">I", data[at + 4:at + 8])[0]
        chain.append((data[at:at + 4], at, at + 8 + size))
        at += 8 + size
    return chain if at == end and chain and chain[0][0] == b"TREE" else None


_RACY_AT_MOST = 32                    # racily clean entries checked here; more (a fresh clone's), git does it
_MODES = {0o100644, 0o100755, 0o120000, 0o160000}


def _racy_smudges(data: bytes, end: int, written: int, worktree: Path, skip: set[str], algorithm: str,
                  width: int) -> list[tuple[int, bytes]] | None:
    """The size fields to zero (git's smudge) of the racily clean entries, as patches; None when git must do it.

    An entry is racily clean when its file's recorded mtime is not older than the index (the second `written`):
    its file may have changed, keeping size and second, after git recorded it. Each such entry records that
    second as its mtime, so it is found by a search of its 4 bytes; a hit must be an entry's ctime or mtime
    (the entry around it parses and is the one entry of its name), or the index is left to git. (An mtime later
    than the index, which only a clock set back gives, is not looked for.)"""
    if not written:
        return []
    needle, racy = struct.pack(">I", written & 0xFFFFFFFF), set()
    at = data.find(needle, 12, end)
    while at >= 0:
        entry = next((e for e in (at - 8, at) if _is_entry(data, e, end, width)), None)  # at its mtime, its ctime
        if entry is None:
            return None
        if struct.unpack_from(">I", data, entry + 8)[0] == written:
            racy.add(entry)
        if len(racy) > _RACY_AT_MOST:
            return None
        at = data.find(needle, at + 1, end)
    patches = []
    for entry in sorted(racy):
        name, oid = _entry_name(data, entry, width), data[entry + 40:entry + 40 + width]
        path = name.decode("utf-8", "surrogateescape")
        if path in skip:
            continue  # rewritten by this update: its stat and id are new
        try:
            st = os.lstat(worktree / path)
        except OSError:
            continue  # gone: git sees that by its stat
        recorded = _STAT.unpack_from(data, entry)
        if (recorded[2], recorded[9]) != ((st.st_mtime_ns // 1_000_000_000) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF):
            continue  # its stat already says it changed
        if recorded[6] != _PLAIN_MODE or st.st_mode & 0o170111 != 0o100000:
            return None  # a link, an executable, a submodule: git compares those
        content = (worktree / path).read_bytes()
        if hashlib.new(algorithm, b"blob %d\0" % len(content) + content).digest() != oid:
            patches.append((entry + 36, struct.pack(">I", 0)))  # changed behind an unchanged stat: smudged
    return patches


def _is_entry(data: bytes, entry: int, end: int, width: int) -> bool:
    """Does an index entry start at `entry`: a known mode, a name that ends in NUL, and the one entry of that name?"""
    if entry < 12 or entry + 42 + width > end or struct.unpack_from(">I", data, entry + 24)[0] not in _MODES:
        return False
    name = _entry_name(data, entry, width)
    if not name:
        return False
    flags = data[entry + 40 + width:entry + 42 + width]
    return _only_entry(data, end, name, flags) == entry + 42 + width


def _entry_name(data: bytes, entry: int, width: int) -> bytes:
    flags = struct.unpack_from(">H", data, entry + 40 + width)[0]
    if flags & 0x4000:
        return b""  # extended flags (intent-to-add, skip-worktree): not the plain case
    start = entry + 42 + width
    name = data[start:start + (flags & 0xFFF)]
    return name if data[start + len(name):start + len(name) + 1] == b"\0" else b""


def _only_entry(data: bytes, end: int, name: bytes, flags: bytes) -> int | None:
    """Where the one entry named `name` has its name (its flags just before, a NUL just after). The name
    is searched alone: a pattern ending in NUL, the commonest byte of an index, is slow to find."""
    hits = []
    at = data.find(name, 12, end)
    while at >= 0:
        if data[at - 2:at] == flags and data[at + len(name)] == 0:
            hits.append(at)
        at = data.find(name, at + 1, end)
    return hits[0] if len(hits) == 1 else None


def _entry_patch(data: bytes, end: int, path: str, worktree: Path, content: bytes, algorithm: str,
                 width: int) -> tuple[int, bytes] | None:
    """The one stage-0 entry of `path`: where its stat data starts and the new stat data and object id;
    None when it is not a plain one."""
    name = path.encode("utf-8", "surrogateescape")
    if len(name) >= 0xFFF:
        return None
    flags = struct.pack(">H", len(name))  # no assume-valid, not extended, stage 0
    found = _only_entry(data, end, name, flags)
    if found is None:
        return None
    header = found - 2 - width - _STAT.size
    if header < 12 or _STAT.unpack_from(data, header)[6] != _PLAIN_MODE:
        return None
    try:
        st = os.lstat(worktree / path)
    except OSError:
        return None
    if st.st_mode & 0o170111 != 0o100000 or st.st_size != len(content):
        return None  # not a plain non-executable file, or not (or no longer) what the action wrote
    stat = (*divmod(st.st_ctime_ns, 1_000_000_000), *divmod(st.st_mtime_ns, 1_000_000_000),  # (float seconds round up)
            st.st_dev, st.st_ino, _PLAIN_MODE, st.st_uid, st.st_gid, st.st_size)
    oid = hashlib.new(algorithm, b"blob %d\0" % len(content) + content).digest()
    return header, _STAT.pack(*(value & 0xFFFFFFFF for value in stat)) + oid
