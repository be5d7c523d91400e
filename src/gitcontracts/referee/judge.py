"""The referee: one changed file at a time, judged against the state before, the state after, and the
authority of the base (owners, admins, capabilities are never read from the change under check)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.model import Problem
from gitcontracts.referee.documents import CONTRACT_SCHEMA, schema_problems, stash_problems
from gitcontracts.rules import append_only
from gitcontracts.rules.agents import registry_problems
from gitcontracts.rules.documents import declared_owner, meta_problems, shard_line
from gitcontracts.rules.transitions import FORBIDDEN, Actor, non_owner_problems, status_problems
from gitcontracts.store.config import parse_config
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.store.layout import classify
from gitcontracts.store.schemas import SchemaRegistry, parse_schema_doc
from gitcontracts.rules.schema_check import check_metaschema, compile_schema

@dataclass
class Judge:
    """Everything needed to judge one change: who made it, and the states around it."""
    old: Snapshot
    new: Snapshot
    authority: Snapshot
    actor: str
    now: datetime
    schemas: SchemaRegistry
    claim_branch: tuple[str, str, str] | None = None
    merge_writers: Callable[[str], set[str]] | None = None
    _owners: dict[str, str | None] = field(default_factory=dict)

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


def judge_file(judge: Judge, change: gitlayer.FileChange, old: bytes | None, new: bytes | None) -> list[Problem]:
    kind = classify(change.path)
    if kind is None:
        return []
    if new is not None and kind != "shard":
        marker = _conflict_marker(new)
        if marker:
            return [Problem(change.path, "a merge conflict marker is left in the file", "conflict-marker", line=marker)]
    return _JUDGES[kind](judge, change.path, old, new)


def _conflict_marker(data: bytes) -> int | None:
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.startswith(jsonl.CONFLICT_MARKERS) or line == b"=======":
            return number
    return None


def _parse(path: str, data: bytes) -> tuple[Any, list[Problem]]:
    try:
        return yamlsafe.load(data, path), []
    except GitContractsError as exc:
        return None, [Problem(path, exc.message.split(": ", 1)[-1] if exc.line else exc.message, "yaml", line=exc.line)]


def _stash(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    owner = judge.owner(path)
    if new is None:
        return [] if owner in (None, judge.actor) else [judge.forbid(path, f"only the owner {owner} may delete this stash")]
    doc, problems = _parse(path, new)
    if problems:
        return problems
    stem = Path(path).stem
    problems = stash_problems(judge.schemas, doc, new.decode("utf-8", "replace"), path, stem)
    old_doc, _ = _parse(path, old) if old is not None else (None, [])
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
    if not is_contract or {k: v for k, v in old_doc.items() if k != "content"} != {k: v for k, v in doc.items() if k != "content"}:
        return problems + [judge.forbid(path, f"{judge.actor} may not change a stash owned by {owner}")]
    actor = Actor(judge.actor, False, judge.claim_branch)
    found, gains = non_owner_problems(old_doc.get("content"), doc.get("content"), actor, path, judge.now)
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
    for path in gitlayer.grep_files(judge.new.root, rev, judge.actor, ".contracts/stashes"):
        doc = judge.new.doc(path)
        content = doc.get("content") if isinstance(doc, dict) else None
        for task in (content or {}).get("subtasks") or [] if isinstance(content, dict) else []:
            if isinstance(task, dict) and task.get("status") == "claimed" and task.get("assigned_agent") == judge.actor:
                count += 1
    return count


def _shard(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    if new is None:
        return [Problem(path, "a stream shard is never deleted", append_only.RULE)]
    agent, stream = Path(path).stem, Path(path).parent.name
    problems, added = append_only.appended_lines(old or b"", new, path)
    if not added:
        return problems
    # A merge answers for the entries it brings: written on the merged side by their shard's agent,
    # or by the merge's own author when the merge itself appended them (an award's reject entries).
    writers = (judge.merge_writers(path) if judge.merge_writers else set()) or {judge.actor}
    if writers - {agent}:
        problems.append(judge.forbid(path, f"{', '.join(sorted(writers - {agent}))} may not write to the shard of {agent}"))
    problems += append_only.duplicate_id_problems(old or b"", added, path)
    meta = judge.new.doc(f".contracts/streams/{stream}/meta.yaml")
    if not isinstance(meta, dict):
        problems.append(Problem(path, f"stream {stream!r} has no meta.yaml: create it with `gitcontracts stream create`",
                                "reference"))
        meta = {}
    for number, raw in added:
        entry, line_problems = shard_line(raw, number, agent, path, judge.authority.config.max_line_bytes)
        problems += line_problems
        if entry is None:
            continue
        if meta.get("schema"):
            problems += [_at(p, number) for p in schema_problems(judge.schemas, meta["schema"], entry.get("data"), path, "data", "stream")]
        problems += _deliverable_problems(judge, path, number, entry, meta.get("linked_stash"))
    return problems


def _at(problem: Problem, line: int) -> Problem:
    return Problem(problem.file, problem.message, problem.rule, problem.path, line)


def _deliverable_problems(judge: Judge, path: str, line: int, entry: dict[str, Any], contract: str | None) -> list[Problem]:
    data = entry.get("data")
    if entry.get("label") != "deliverable" or not isinstance(data, dict) or not isinstance(data.get("deliverable"), str):
        return []
    target = f".contracts/stashes/{data['deliverable']}.yaml"
    doc = judge.new.doc(target)
    if doc is None:
        return [Problem(path, f"deliverable stash {data['deliverable']!r} does not exist", "reference", "data.deliverable", line)]
    wanted = _deliverable_schema(judge, contract, data.get("subtask_id"))
    if wanted and isinstance(doc, dict):
        found = schema_problems(judge.schemas, wanted, doc.get("content"), target, "content")
        if found:
            return [Problem(path, f"deliverable {data['deliverable']!r} does not match {wanted}: {found[0].message}",
                            "deliverable-schema", "data.deliverable", line)]
    return []


def _deliverable_schema(judge: Judge, contract: str | None, subtask: Any) -> str | None:
    doc = judge.new.doc(f".contracts/stashes/{contract}.yaml") if contract else None
    content = doc.get("content") if isinstance(doc, dict) else None
    for task in content.get("subtasks") or [] if isinstance(content, dict) else []:
        if isinstance(task, dict) and task.get("id") == subtask:
            return task.get("deliverable_schema")
    return None


def _meta(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    if new is None:
        return [Problem(path, "a stream's meta.yaml is never deleted (gc archives whole streams)", append_only.RULE)]
    doc, problems = _parse(path, new)
    if problems:
        return problems
    problems = meta_problems(doc, path, Path(path).parent.name)
    linked = doc.get("linked_stash") if isinstance(doc, dict) else None
    if isinstance(linked, str) and not judge.new.exists(f".contracts/stashes/{linked}.yaml"):
        problems.append(Problem(path, f"linked_stash {linked!r} does not exist", "reference", "linked_stash"))
    if old is None:
        if isinstance(doc, dict) and doc.get("owner") != judge.actor:
            problems.append(judge.forbid(path, f"{judge.actor} may create only streams it owns", "owner"))
        return problems
    old_doc, _ = _parse(path, old)
    for key in ("stream", "created"):
        if isinstance(old_doc, dict) and isinstance(doc, dict) and old_doc.get(key) != doc.get(key):
            problems.append(Problem(path, f"a stream's {key} never changes", "immutable", key))
    owner = judge.owner(path)
    if owner != judge.actor:
        problems.append(judge.forbid(path, f"only the stream's owner {owner} may change meta.yaml"))
    return problems


def _schema(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    if new is None:
        return [Problem(path, "schema versions are never deleted (older versions stay resolvable)", "schema")]
    try:
        doc = parse_schema_doc(new, path, Path(path).stem)
        check_metaschema(doc.definition, path)
        compiled = compile_schema(doc.definition, judge.new.schemas.definition, path)
    except GitContractsError as exc:
        return [Problem(path, exc.message, "schema")]
    if old is None:
        return []
    try:
        before = parse_schema_doc(old, path, Path(path).stem)
    except GitContractsError:
        return []
    if before.definition == doc.definition:
        return []
    broken = []
    for stash_path in gitlayer.grep_files(judge.new.root, judge.new.rev or ":", doc.name, ".contracts/stashes"):
        stash = judge.new.doc(stash_path)
        if isinstance(stash, dict) and stash.get("schema") in (doc.ref, doc.name) and compiled.issues(stash.get("content")):
            broken.append(Path(stash_path).stem)
    if broken:
        return [Problem(path, f"breaking change to {doc.ref}: {', '.join(broken)} no longer validate; "
                              f"publish it as {doc.name}@{doc.version + 1}", "breaking-change")]
    return []


def _settings(judge: Judge, path: str, old: bytes | None, new: bytes | None) -> list[Problem]:
    problems = []
    registry = judge.authority.registry
    if registry.present and registry.admins and judge.actor not in registry.admins:
        problems.append(judge.forbid(path, f"only admins ({', '.join(registry.admins)}) may change {Path(path).name}"))
    if new is None:
        return problems
    doc, parse_problems = _parse(path, new)
    if parse_problems:
        return problems + parse_problems
    if path.endswith("agents.yaml"):
        return problems + registry_problems(doc, path)
    try:
        parse_config(doc, path)
    except GitContractsError as exc:
        problems.append(Problem(path, exc.message, "config"))
    return problems


_JUDGES: dict[str, Callable[[Judge, str, bytes | None, bytes | None], list[Problem]]] = {
    "stash": _stash, "shard": _shard, "meta": _meta, "schema": _schema, "config": _settings, "agents": _settings,
}
