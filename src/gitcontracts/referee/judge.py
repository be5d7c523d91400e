"""The referee: one changed file at a time, judged against the state before, the state after, and the
authority of the base (owners, admins, capabilities are never read from the change under check)."""
from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError
from gitcontracts.model import Problem
from gitcontracts.referee import content
from gitcontracts.referee.documents import CONTRACT_SCHEMA
from gitcontracts.rules import append_only, timing
from gitcontracts.rules.documents import declared_owner, stream_expired
from gitcontracts.rules.transitions import FORBIDDEN, Actor, non_owner_problems, status_problems
from gitcontracts.store.snapshot import CONFIG, Snapshot
from gitcontracts.store.layout import CONTRACTS, STASHES, STREAMS, classify, is_bucket, misplaced_problem, moved_to
from gitcontracts.store.schemas import SchemaRegistry, parse_schema_doc

class Judge:
    """Everything needed to judge one change: who made it, and the states around it."""

    def __init__(self, old: Snapshot, new: Snapshot, authority: Snapshot, actor: str, now: datetime,
                 schemas: SchemaRegistry, claim_branch: tuple[str, str, str] | None = None,
                 merge_writers: Callable[[str], set[str]] | None = None, time_rules: bool = False) -> None:
        self.old, self.new, self.authority, self.actor, self.now = old, new, authority, actor, now
        self.schemas, self.claim_branch, self.merge_writers = schemas, claim_branch, merge_writers
        self.time_rules = time_rules  # entries' ts against the clock: only where `now` is the referee's own (SPEC 12)
        self._owners: dict[str, str | None] = {}

    def owner(self, path: str) -> str | None:
        """The owner of a stash or stream, as of the base; for one created since, as of before this change."""
        if path not in self._owners:
            doc = self.authority.doc(path)
            if not isinstance(doc, dict):
                doc = self.old.doc(path)
            self._owners[path] = doc.get("owner") if isinstance(doc, dict) else None
        return self._owners[path]

    def forbid(self, file: str, message: str, path: str = "") -> Problem:
        return Problem(file, message, FORBIDDEN, path)

    @cached_property
    def tree(self) -> content.Tree:
        """The state after the change as the document checks see it (content.py), with the base's limits."""
        config = self.authority.config
        return content.Tree(self.schemas, self.new.doc, self.new.exists, config.yaml_limits, config.max_line_bytes,
                            self.new.paths)


def judge_file(judge: Judge, change: gitlayer.FileChange, old: bytes | None, new: bytes | None) -> list[Problem]:
    fanout = judge.new.paths.fanout
    kind = classify(change.path, fanout)
    if kind is None:
        return []
    present = change.new != gitlayer.ZERO  # a submodule has no blob to read: `new` is None for it, yet it is there
    if kind == "misplaced":
        return [misplaced_problem(change.path, fanout)] if present else []
    if change.mode in ("120000", "160000") and present:
        what = "a symlink" if change.mode == "120000" else "a submodule"
        return [Problem(change.path, f"{what} where a file should be: .contracts/ holds plain files", "type")]
    return _JUDGES[kind](judge, change.path, old, new)


def _parse(path: str, data: bytes) -> Any:
    """An earlier version, read leniently: None when it does not parse."""
    return content.parse(path, data)[0]


def _stash(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    owner = judge.owner(path)
    if new is None:
        return [] if owner in (None, judge.actor) else [judge.forbid(path, f"only the owner {owner} may delete this stash")]
    doc, problems = content.stash_content(judge.tree, path, new)
    if doc is None:
        return problems
    old_doc = _parse(path, old) if old is not None else None
    if old is not None and old_doc is None:
        # The old version does not parse: this is its fix, which only its declared owner may make.
        owner = owner or declared_owner(old)
        if owner not in (None, judge.actor):
            problems.append(judge.forbid(path, f"{judge.actor} may not change a stash owned by {owner}"))
        return problems
    if old is None:
        creators = (judge.merge_writers(path) if judge.merge_writers else set()) or {judge.actor}
        if creators - {doc.get("owner")}:
            problems.append(judge.forbid(path, f"{', '.join(sorted(creators))} may create only stashes it owns "
                                               f"(owner: {doc.get('owner')})", "owner"))
        return problems
    if not isinstance(old_doc, dict):
        return problems
    is_contract = str(doc.get("schema") or "").partition("@")[0] == CONTRACT_SCHEMA
    if is_contract:
        problems += status_problems(old_doc.get("content"), doc.get("content"), path)
    if judge.actor == owner and judge.claim_branch is None:
        return problems
    envelope_changed = {k: v for k, v in old_doc.items() if k != "content"} != {k: v for k, v in doc.items() if k != "content"}
    if not is_contract or envelope_changed:
        return problems + [judge.forbid(path, f"{judge.actor} may not change a stash owned by {owner}")]
    actor = Actor(judge.actor, False, judge.claim_branch)
    found, gains = non_owner_problems(old_doc.get("content"), doc.get("content"), actor, path, judge.now,
                                      judge.authority.config.max_clock_skew)
    return problems + found + _capability_problems(judge, path, gains)


def _capability_problems(judge: Judge, path: str, gains: list[Any]) -> list[Problem]:
    registry = judge.authority.registry
    if not gains or not registry.present:
        return []
    info, problems = registry.info(judge.actor), []
    for gain in gains:
        missing = sorted(set(gain.requires) - set(info.capabilities))
        if missing:
            problems.append(judge.forbid(path, f"{judge.actor} lacks the capabilities {missing} that subtask "
                                               f"{gain.subtask} requires (agents.yaml)"))
    if info.capacity is not None and _claimed_count(judge) > info.capacity:
        problems.append(judge.forbid(path, f"{judge.actor} would hold more than its capacity of {info.capacity} "
                                           "claimed subtasks (agents.yaml)"))
    return problems


def _claimed_count(judge: Judge) -> int:
    """Subtasks claimed by the actor in the new state (git grep finds the candidate files)."""
    rev = judge.new.rev or ":"
    count = 0
    for path in gitlayer.grep_files(judge.new.root, rev, judge.actor, STASHES):
        doc = judge.new.doc(path)
        content = doc.get("content") if isinstance(doc, dict) else None
        for task in (content or {}).get("subtasks") or [] if isinstance(content, dict) else []:
            if isinstance(task, dict) and task.get("status") == "claimed" and task.get("assigned_agent") == judge.actor:
                count += 1
    return count


def _archived_here(judge: Judge, path: str, old: bytes) -> bool:
    """The file left its stream folder for the archive, unchanged (gc; `_archive` judges who and when)."""
    stream, name = path.split("/")[-2:]
    return judge.new.read(f"{ARCHIVE}/{stream}/{name}") == old


def _archive(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    """Only the stream's owner's `gc` writes here: whole expired streams moved as they were, never changed after."""
    parts = path.split("/")
    if old is not None:
        return [Problem(path, "an archived stream is never changed or removed", append_only.RULE)]
    if len(parts) != 4 or not new:
        return [judge.forbid(path, "only `gitcontracts gc` writes to .contracts/archive/ (whole streams, as they were)")]
    folder = judge.old.paths.stream(parts[2])
    if judge.old.read(f"{folder}/{parts[3]}") != new or judge.new.read(f"{folder}/{parts[3]}") is not None:
        return [judge.forbid(path, "only `gitcontracts gc` writes to .contracts/archive/ (whole streams, as they were)")]
    meta = judge.old.doc(judge.old.paths.meta(parts[2]))
    owner = meta.get("owner") if isinstance(meta, dict) else None
    if owner != judge.actor:
        return [judge.forbid(path, f"only the stream's owner {owner} may archive it (gc)")]
    shards = [judge.old.read(f"{folder}/{name}") or b"" for name in judge.old.names(folder) if name.endswith(".jsonl")]
    if not stream_expired(meta, shards, judge.now):
        return [judge.forbid(path, f"stream {parts[2]} has not expired (its ttl has not passed since its newest entry)")]
    return []


def _shard(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    if new is None:
        if old is not None and _archived_here(judge, path, old):
            return []
        return [Problem(path, "a stream shard is never deleted", append_only.RULE)]
    agent = Path(path).stem
    problems, added = append_only.appended_lines(old or b"", new, path)
    if not added:
        return problems
    # A merge answers for the entries it brings: written on the merged side by their shard's agent,
    # or by the merge's own author when the merge itself appended them (an award's reject entries).
    writers = (judge.merge_writers(path) if judge.merge_writers else set()) or {judge.actor}
    if writers - {agent}:
        problems.append(judge.forbid(path, f"{', '.join(sorted(writers - {agent}))} may not write to the shard of {agent}"))
    problems += append_only.duplicate_id_problems(old or b"", added, path)
    if judge.time_rules and judge.merge_writers is None:  # a merge's entries were judged when they were pushed
        problems += timing.entry_time_problems(path, old or b"", added, judge.now, judge.authority.config.max_clock_skew)
    return problems + content.entries_content(judge.tree, path, added)


def _meta(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    if new is None:
        if old is not None and _archived_here(judge, path, old):
            return []
        return [Problem(path, "a stream's meta.yaml is never deleted (gc archives whole streams)", append_only.RULE)]
    doc, problems = content.meta_content(judge.tree, path, new)
    if doc is None:
        return problems
    if old is None:
        if doc.get("owner") != judge.actor:
            problems.append(judge.forbid(path, f"{judge.actor} may create only streams it owns", "owner"))
        return problems
    old_doc = _parse(path, old)
    for key in ("stream", "created"):
        if isinstance(old_doc, dict) and old_doc.get(key) != doc.get(key):
            problems.append(Problem(path, f"a stream's {key} never changes", "immutable", key))
    owner = judge.owner(path)
    if owner != judge.actor:
        problems.append(judge.forbid(path, f"only the stream's owner {owner} may change meta.yaml"))
    return problems


def _schema(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    if new is None:
        return [Problem(path, "schema versions are never deleted (older versions stay resolvable)", "schema")]
    parsed, problems = content.schema_content(judge.tree, path, new)
    if parsed is None:
        return problems
    doc, compiled = parsed
    if old is not None:
        try:
            if parse_schema_doc(old, path, Path(path).stem).definition == doc.definition:
                return []
        except GitContractsError:
            pass
    # The stashes this version validates from now on: those pinned to it, and — when it is the newest —
    # those that name the schema bare (a new newest version moves them).
    newest = doc.version >= max(judge.new.schemas.versions(doc.name) or [doc.version])
    refs = {doc.ref} | ({doc.name} if newest else set())
    broken = []
    for stash_path in gitlayer.grep_files(judge.new.root, judge.new.rev or ":", doc.name, STASHES):
        stash = judge.new.doc(stash_path)
        if isinstance(stash, dict) and stash.get("schema") in refs and compiled.issues(stash.get("content")):
            broken.append(Path(stash_path).stem)
    if broken:
        fix = (f"publish it as {doc.name}@{doc.version + 1}" if old is not None
               else f"pin them to an older version of {doc.name} first")
        return [Problem(path, f"breaking change: under {doc.ref} these stashes no longer validate: "
                              f"{', '.join(sorted(broken))}; {fix}", "breaking-change")]
    return []


def _settings(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    problems = []
    registry = judge.authority.registry
    if registry.present and judge.actor not in registry.admins:
        who = f"only admins ({', '.join(registry.admins)})" if registry.admins else \
            "nobody: the base's agents.yaml names no admins (it is invalid), so no agent"
        problems.append(judge.forbid(path, f"{who} may change {Path(path).name}"))
    if new is None:
        return problems
    return problems + content.settings_content(path, new)


def layout_changes(judge: Judge) -> bool:
    """The change sets config.yaml's `layout` anew (`gitcontracts layout`): it is judged whole, as a move. (A
    config.yaml that no longer parses reads as the defaults: that is its own problem, not a move.)"""
    if judge.old.rev is None or judge.old.config.layout == judge.new.config.layout:
        return False
    data = judge.new.read(CONFIG)
    return data is None or not content.settings_content(CONFIG, data)


def move_problems(judge: Judge, changes: list[gitlayer.FileChange]) -> list[Problem]:
    """A layout change moves every stash and stream file to its place in the new layout, each unchanged, and
    changes nothing else but config.yaml (whose own rule says who may change it): so no entry is lost or
    added, no owner changes, and every reader finds everything where the new layout says."""
    new_paths, problems = judge.new.paths, []
    added = {c.path: c.new for c in changes if c.old == gitlayer.ZERO}
    moved = set()
    for change in changes:
        kind = classify(change.path, None)
        if kind in ("config", "agents", None) or change.path.endswith("/.gitkeep"):
            if kind == "config":
                problems += _settings(judge, change.path, None, judge.new.read(change.path))
            elif kind == "agents" or (kind is None and change.path.startswith(CONTRACTS + "/")
                                      and not change.path.endswith("/.gitkeep")):
                problems.append(judge.forbid(change.path, "a layout change moves the stashes and streams only"))
            continue
        target = moved_to(change.path, new_paths)
        if change.path in added and change.path == target:
            continue  # checked from its source below
        if target is None or change.new != gitlayer.ZERO or added.get(target) != change.old:
            problems.append(judge.forbid(change.path, f"a layout change to {new_paths.name} moves each stash and "
                                                      "stream file unchanged, and changes nothing else"))
            continue
        moved.add(target)
    problems += [judge.forbid(path, f"a layout change to {new_paths.name} only moves files here, it creates none")
                 for path in sorted(set(added) - moved) if classify(path, None) in ("stash", "meta", "shard")]
    left = _left_behind(judge.new, new_paths.fanout)
    if left:
        problems.append(judge.forbid(left[0], f"the layout is now {new_paths.name}, yet {len(left)} file(s) or "
                                              f"folder(s) stay where the old one kept them, like this one"))
    return problems


def _left_behind(snapshot: Snapshot, fanout: bool) -> list[str]:
    """What still sits in the other layout's places, at the top of the stashes and streams folders: a stash or a
    stream folder beside the bucket folders (fan-out), or a bucket folder beside them (flat; a stream whose name
    looks like a bucket has its meta.yaml right inside)."""
    found = []
    for folder in (STASHES, STREAMS):
        names = gitlayer.list_tree(snapshot.root, ":", folder) if snapshot.rev == ":" else \
            snapshot.reader.tree_names(f"{snapshot.rev}:{folder}") or []
        for name in names:
            if name == ".gitkeep":
                continue
            if fanout:
                left = not is_bucket(name)
            else:
                left = is_bucket(name) and (folder == STASHES or not snapshot.exists(f"{folder}/{name}/meta.yaml"))
            if left:
                found.append(f"{folder}/{name}")
    return found


_JUDGES: dict[str, Callable[[Judge, str, bytes | None, bytes | None], list[Problem]]] = {
    "stash": _stash, "shard": _shard, "meta": _meta, "schema": _schema, "config": _settings, "agents": _settings,
    "archive": _archive,
}
ARCHIVE = ".contracts/archive"
