"""The index entries of an action's files updated in place (gitindex): the same index git would write for
them, a cache tree git rebuilds correctly, and git itself wherever the index is not the plain case."""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from helpers import commit_all, git, run_cli, write_tree
from gitcontracts import gitindex

SHARD = ".contracts/streams/notes/orchestrator.jsonl"


def posted_repo(path: Path) -> Path:
    """A repository with a stream that already has a shard (so the next post rewrites a tracked file)."""
    path.mkdir()
    git("init", "-q", cwd=path)
    write_tree(path, {"README.md": "hello\n", "docs/a.txt": "a\n"})
    commit_all(path, "first")
    for args in (("init",), ("stream", "create", "notes"), ("stream", "post", "notes", "--label", "n", "--data", "{}")):
        assert run_cli(*args, cwd=path, agent="orchestrator").code == 0
    return path


def index_listing(repo: Path) -> str:
    return git("ls-files", "-s", "--debug", cwd=repo)  # with each entry's stat data


def patch(repo: Path, files: dict[str, bytes]) -> bool | None:
    dot_git = repo / ".git"
    for path, data in files.items():  # as the engine does: the blob is in the object store, the file on disk
        (repo / path).write_bytes(data)
        git("hash-object", "-w", "--", path, cwd=repo)
    return gitindex.update_entries(dot_git, dot_git, repo, files, "sha1")


def test_a_post_leaves_the_index_as_git_would_and_the_clone_clean(tmp_path: Path) -> None:
    repo = posted_repo(tmp_path / "r")
    assert run_cli("stream", "post", "notes", "--label", "n", "--data", '{"k": 1}', cwd=repo, agent="orchestrator").code == 0
    assert git("status", "--porcelain", cwd=repo) == ""
    assert git("rev-parse", f":{SHARD}", cwd=repo) == git("rev-parse", f"HEAD:{SHARD}", cwd=repo)
    git("diff", "--cached", "--exit-code", "HEAD", cwd=repo)
    git("fsck", "--no-progress", cwd=repo)


def test_a_hand_commit_after_an_in_place_update_carries_the_new_content(tmp_path: Path) -> None:
    """The cache tree named the old trees: were it kept, git would commit the old stream folder."""
    repo = posted_repo(tmp_path / "r")
    data = (repo / SHARD).read_bytes() + b'{"id": "x"}\n'
    git("update-index", "--refresh", cwd=repo)  # prime the stat data, as a user's git status would
    assert patch(repo, {SHARD: data}) is True
    write_tree(repo, {"README.md": "changed\n"})
    git("commit", "-qam", "by hand", cwd=repo)
    assert git("cat-file", "-p", f"HEAD:{SHARD}", cwd=repo).encode() + b"\n" == data
    assert git("status", "--porcelain", cwd=repo) == ""


def test_the_entries_match_what_git_update_index_writes(tmp_path: Path) -> None:
    ours = posted_repo(tmp_path / "ours")
    theirs = Path(shutil.copytree(ours, tmp_path / "theirs", symlinks=True))
    data = b'{"id": "y", "ts": "2026-01-01T00:00:00Z"}\n'
    assert patch(ours, {SHARD: data}) is True
    (theirs / SHARD).write_bytes(data)
    git("update-index", "--", SHARD, cwd=theirs)
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert git("ls-files", "-s", cwd=ours) == git("ls-files", "-s", cwd=theirs)
    assert f"{blob} 0\t{SHARD}" in git("ls-files", "-s", cwd=ours)
    st = (ours / SHARD).stat()
    recorded = index_listing(ours).split(SHARD)[1]
    assert f"mtime: {int(st.st_mtime)}:{st.st_mtime_ns % 10**9}" in recorded  # the file's stat data, as git records it
    assert f"ino: {st.st_ino}" in recorded and f"size: {st.st_size}" in recorded


def test_git_does_it_when_the_index_is_not_the_plain_case(tmp_path: Path) -> None:
    repo = posted_repo(tmp_path / "r")
    assert patch(repo, {"new-file.txt": b"x\n"}) is None                      # not tracked yet
    assert patch(repo, {SHARD: b"a\r\nb\n"}) is None                          # a CR autocrlf could take
    (repo / ".git/index.lock").touch()
    assert patch(repo, {SHARD: b"held\n"}) is None                            # git's lock is held
    (repo / ".git/index.lock").unlink()
    write_tree(repo, {".contracts/.gitattributes": "*.jsonl filter=lfs\n"})
    assert patch(repo, {SHARD: b"filtered\n"}) is None                        # a filter decides the blob
    (repo / ".contracts/.gitattributes").unlink()
    git("update-index", "--split-index", cwd=repo)
    assert patch(repo, {SHARD: b"split\n"}) is None                           # a split index
    git("update-index", "--no-split-index", cwd=repo)
    for leftover in (repo / ".git").glob("sharedindex.*"):
        leftover.unlink()
    git("update-index", "--index-version", "4", cwd=repo)
    assert patch(repo, {SHARD: b"four\n"}) is None                            # version 4 compresses paths


def test_a_directory_named_tree_does_not_pass_for_the_extension(tmp_path: Path) -> None:
    repo = posted_repo(tmp_path / "r")
    write_tree(repo, {f"TREE/{name}/x": "x\n" for name in ("a", "TREE", "zz")})
    commit_all(repo, "trees named TREE")
    git("read-tree", "HEAD", cwd=repo)  # a full cache tree, with "TREE" inside it
    data = b'{"id": "z"}\n'
    assert patch(repo, {SHARD: data}) is True
    git("update-index", "--refresh", cwd=repo)
    assert git("rev-parse", f":{SHARD}", cwd=repo) == hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert git("rev-parse", ":TREE/TREE/x", cwd=repo) == git("rev-parse", "HEAD:TREE/TREE/x", cwd=repo)
    git("fsck", "--no-progress", cwd=repo)


def test_an_index_it_wrote_is_one_it_can_update_again(tmp_path: Path) -> None:
    repo = posted_repo(tmp_path / "r")
    for n in range(3):
        assert patch(repo, {SHARD: b'{"n": %d}\n' % n}) is True
    git("update-index", "--refresh", cwd=repo)
    assert git("status", "--porcelain", cwd=repo) == "M  " + SHARD


def racy(repo: Path, path: str, second: int) -> None:
    """`path` recorded in the index in the second the index was written (git's "racily clean" entry), its
    change time not trusted (so that only mtime and size speak for it, as on filesystems where ctime lies)."""
    git("config", "core.trustctime", "false", cwd=repo)
    moment = second * 10**9 + 999_999_999
    os.utime(repo / path, ns=(moment, moment))
    git("update-index", "--", path, cwd=repo)
    os.utime(repo / ".git/index", ns=(moment, moment))


def test_a_file_changed_in_the_second_the_index_was_written_stays_changed(tmp_path: Path) -> None:
    """Git smudges a racily clean entry whose content changed before it writes a newer index; so does this."""
    repo = posted_repo(tmp_path / "r")
    second = int(time.time()) - 100
    racy(repo, "README.md", second)
    (repo / "README.md").write_text("hallo\n")  # same size, and the same mtime: only the content tells
    moment = second * 10**9 + 999_999_999
    os.utime(repo / "README.md", ns=(moment, moment))
    assert git("diff", "--name-only", cwd=repo) == "README.md"  # git compares a racy entry's content (no index write)
    assert patch(repo, {SHARD: b'{"id": "q"}\n'}) is True
    assert git("status", "--porcelain", cwd=repo) == "M  " + SHARD + "\n M README.md"  # not hidden by the newer index


def test_a_racily_clean_entry_that_did_not_change_keeps_its_stat_data(tmp_path: Path) -> None:
    repo = posted_repo(tmp_path / "r")
    racy(repo, "README.md", int(time.time()) - 100)
    before = index_listing(repo).split("README.md")[1].split("\n", 8)[:8]
    assert patch(repo, {SHARD: b'{"id": "r"}\n'}) is True
    assert index_listing(repo).split("README.md")[1].split("\n", 8)[:8] == before
    assert git("status", "--porcelain", cwd=repo) == "M  " + SHARD


def test_git_does_it_when_many_entries_are_racily_clean(tmp_path: Path) -> None:
    """A clone checks out every file in the second it writes its index: git compares them all, once."""
    repo = posted_repo(tmp_path / "r")
    write_tree(repo, {f"many/{n}.txt": f"{n}\n" for n in range(40)})
    commit_all(repo, "many")
    second = int(time.time()) - 100
    moment = second * 10**9 + 999_999_999
    for n in range(40):
        os.utime(repo / f"many/{n}.txt", ns=(moment, moment))
    git("update-index", "--refresh", cwd=repo)
    os.utime(repo / ".git/index", ns=(moment, moment))
    assert patch(repo, {SHARD: b'{"id": "s"}\n'}) is None
