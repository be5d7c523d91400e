"""Git's housekeeping in an agent's clone (gitlayer._maintenance): the tool's fetches leave git's auto maintenance
off while git would find nothing to do, and make it due once the loose objects are big — git counts objects, and
an action in a repository of 10,000 contracts writes a 1 MB tree — unless the clone turned it off (gc.auto 0)."""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

from conftest import Shared
from helpers import git


# A read gives its fetch 10 s, then answers from the clone: git's packing runs inside that fetch, so on a machine
# busy enough to take longer it would be cut short. These tests wait for it, whatever the machine's speed.
PATIENT = {"GITCONTRACTS_FETCH_TIMEOUT": "600"}


def loose_in_17(clone: Path) -> list[str]:
    folder = clone / ".git" / "objects" / "17"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def commit_big_loose_objects(clone: Path, count: int = 2, size: int = 600_000) -> None:
    """`count` files of random bytes whose blob ids start with 17 (the folder git samples), committed by plain
    git: more than 1 MiB loose there, which git's estimate takes for 256 MiB in all."""
    rng, found = random.Random(17), 0
    while found < count:
        data = rng.randbytes(size)
        if hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest().startswith("17"):
            (clone / f"big-{found}.bin").write_bytes(data)
            found += 1
    git("add", ".", cwd=clone)
    git("commit", "-qm", "data", "--no-verify", cwd=clone)
    assert len(loose_in_17(clone)) == count


def test_big_loose_objects_make_gits_housekeeping_due(shared: Shared) -> None:
    clone = shared.clone("bot")
    git("config", "gc.autoDetach", "false", cwd=clone)  # git packs in the foreground: nothing to wait for
    commit_big_loose_objects(clone)
    assert shared("bot", "status", env=PATIENT).code == 0  # a read: it fetches, and git packs before it returns
    assert loose_in_17(clone) == []  # packed
    assert git("cat-file", "-t", "HEAD:big-0.bin", cwd=clone) == "blob"


def test_a_clone_that_turned_housekeeping_off_keeps_its_loose_objects(shared: Shared) -> None:
    clone = shared.clone("bot")
    git("config", "gc.autoDetach", "false", cwd=clone)
    git("config", "gc.auto", "0", cwd=clone)
    commit_big_loose_objects(clone)
    assert shared("bot", "status", env=PATIENT).code == 0
    assert len(loose_in_17(clone)) == 2
