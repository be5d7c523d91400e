"""What each file under .contracts/ must be as it stands, whatever its history (SPEC 3, 4, 5, 6.4, 10).

One function per kind of file decides it for both callers: the referee (judge.py) for a file a change
brings, `validate` for a file on disk. What needs history — append-only, owners, transitions,
permissions, a schema's breaking change — stays with the judge."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence

from gitcontracts.errors import GitContractsError
from gitcontracts.formats import jsonl, yamlsafe
from gitcontracts.model import Problem, SchemaDoc
from gitcontracts.names import name_problem
from gitcontracts.referee.documents import schema_problems, stash_problems
from gitcontracts.rules import append_only
from gitcontracts.rules.agents import registry_problems
from gitcontracts.rules.documents import meta_problems, shard_line
from gitcontracts.rules.schema_check import CompiledSchema, check_metaschema, compile_schema
from gitcontracts.store.layout import FLAT_PATHS, Paths

if TYPE_CHECKING:
    from gitcontracts.store.schemas import SchemaRegistry

_MARKERS = tuple(marker.rstrip() for marker in jsonl.CONFLICT_MARKERS)


class Tree(NamedTuple):
    """What a file's check may look at besides the file: the schemas, the other files of the same state, the limits."""
    schemas: SchemaRegistry
    doc: Callable[[str], Any]          # a path's document; None when it is missing or does not parse
    exists: Callable[[str], bool]
    limits: yamlsafe.Limits = yamlsafe.DEFAULT_LIMITS
    max_line_bytes: int = 262_144
    paths: Paths = FLAT_PATHS        # where the state keeps each stash and stream (its config.yaml `layout`)


def conflict_marker(data: bytes) -> int | None:
    """The line of a merge conflict marker left in a YAML file (a substring search first: most files have none)."""
    if not any(marker in data for marker in _MARKERS):
        return None
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.startswith(jsonl.CONFLICT_MARKERS):
            return number
    return None


def problem_of(exc: GitContractsError, file: str, rule: str) -> Problem:
    """An error that stopped a file's check, as a problem of that file (its location said once)."""
    message = exc.message
    prefix = f"{exc.file or file}:{exc.line}: " if exc.line else f"{exc.file or file}: "
    message = message[len(prefix):] if message.startswith(prefix) else message
    return Problem(file, message, rule, line=exc.line)


def parse(path: str, data: bytes, limits: yamlsafe.Limits = yamlsafe.DEFAULT_LIMITS) -> tuple[Any, str | None, list[Problem]]:
    """A YAML file's document and text, or the problems that keep it from being read."""
    marker = conflict_marker(data)
    if marker:
        return None, None, [Problem(path, "a merge conflict marker is left in the file", "conflict-marker", line=marker)]
    try:
        text = yamlsafe.decode(data, path, limits)
        return yamlsafe.load(text, path, limits), text, []
    except GitContractsError as exc:
        return None, None, [problem_of(exc, path, "yaml")]


def stash_content(tree: Tree, path: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A stash: its envelope, its content against its schema, a contract's own rules. The document is
    returned when it is a mapping (what the judge's owner and transition rules need)."""
    doc, text, problems = parse(path, data, tree.limits)
    if problems:
        return None, problems
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    problems = stash_problems(tree.schemas, doc, text, path, stem)
    return (doc if isinstance(doc, dict) else None), problems


def meta_content(tree: Tree, path: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A stream's meta.yaml: its fields, its folder, the stash it links to."""
    doc, _, problems = parse(path, data, tree.limits)
    if problems:
        return None, problems
    problems = meta_problems(doc, path, path.split("/")[-2])
    linked = doc.get("linked_stash") if isinstance(doc, dict) else None
    if isinstance(linked, str) and not name_problem(linked) and not tree.exists(tree.paths.stash(linked)):
        problems.append(Problem(path, f"linked_stash {linked!r} does not exist", "reference", "linked_stash"))
    return (doc if isinstance(doc, dict) else None), problems


def schema_content(tree: Tree, path: str, data: bytes) -> tuple[tuple[SchemaDoc, CompiledSchema] | None, list[Problem]]:
    """A schema file: its fields, its name and version in the file name, a definition that compiles."""
    from gitcontracts.store.schemas import parse_schema_doc

    marker = conflict_marker(data)
    if marker:
        return None, [Problem(path, "a merge conflict marker is left in the file", "conflict-marker", line=marker)]
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    try:
        doc = parse_schema_doc(data, path, stem)
        check_metaschema(doc.definition, path)
        return (doc, compile_schema(doc.definition, tree.schemas.definition, path)), []
    except GitContractsError as exc:
        return None, [problem_of(exc, path, "schema")]


def settings_content(path: str, data: bytes) -> list[Problem]:
    """config.yaml (SPEC 10) or agents.yaml (SPEC 6.4, 13)."""
    from gitcontracts.store.config import parse_config

    doc, _, problems = parse(path, data)
    if problems:
        return problems
    if path.endswith("agents.yaml"):
        return registry_problems(doc, path)
    try:
        parse_config(doc, path)
    except GitContractsError as exc:
        return [problem_of(exc, path, "config")]
    return []


def shard_content(tree: Tree, path: str, data: bytes) -> list[Problem]:
    """A whole shard as if it were written now: whole lines, unique ids, each an entry of the shard's agent."""
    problems, lines = append_only.appended_lines(b"", data, path)
    if not lines:
        return problems
    problems += append_only.duplicate_id_problems(b"", lines, path)
    return problems + entries_content(tree, path, lines)


def entries_content(tree: Tree, path: str, lines: Sequence[tuple[int, bytes]]) -> list[Problem]:
    """Lines of a shard (all of them, or those a change appends): each an entry by the shard's agent within
    the size limit, in a stream that has a meta.yaml, its data fitting the stream's schema, a deliverable
    naming a stash that exists and fits the subtask's deliverable_schema."""
    stream, shard = path.split("/")[-2:]
    agent = shard[:-len(".jsonl")]
    problems = []
    meta = tree.doc(tree.paths.meta(stream))
    if not isinstance(meta, dict):
        problems.append(Problem(path, f"stream {stream!r} has no meta.yaml: create it with `gitcontracts stream create`",
                                "reference"))
        meta = {}
    schema, contract = meta.get("schema"), meta.get("linked_stash")
    for number, raw in lines:
        entry, found = shard_line(raw, number, agent, path, tree.max_line_bytes)
        problems += found
        if entry is None:
            continue
        if isinstance(schema, str) and schema and "data" in entry:
            problems += [_at(p, number) for p in schema_problems(tree.schemas, schema, entry["data"], path, "data", "stream")]
        problems += _deliverable_problems(tree, path, number, entry, contract)
    return problems


def _at(problem: Problem, line: int) -> Problem:
    return Problem(problem.file, problem.message, problem.rule, problem.path, line)


def _deliverable_problems(tree: Tree, path: str, line: int, entry: dict[str, Any], contract: Any) -> list[Problem]:
    data = entry.get("data")
    if entry.get("label") != "deliverable" or not isinstance(data, dict):
        return []
    named = data.get("deliverable")
    if not isinstance(named, str) or name_problem(named):
        return []  # a deliverable that is not a name is refused by the entry's own rules
    target = tree.paths.stash(named)
    doc = tree.doc(target)
    if doc is None:
        return [Problem(path, f"deliverable stash {named!r} does not exist", "reference", "data.deliverable", line)]
    wanted = _deliverable_schema(tree, contract, data.get("subtask_id"))
    if wanted and isinstance(doc, dict):
        found = schema_problems(tree.schemas, wanted, doc.get("content"), target, "content")
        if found:
            return [Problem(path, f"deliverable {named!r} does not match {wanted}: {found[0].message}",
                            "deliverable-schema", "data.deliverable", line)]
    return []


def _deliverable_schema(tree: Tree, contract: Any, subtask: Any) -> str | None:
    doc = tree.doc(tree.paths.stash(contract)) if isinstance(contract, str) and not name_problem(contract) else None
    content = doc.get("content") if isinstance(doc, dict) else None
    tasks = content.get("subtasks") if isinstance(content, dict) else None
    for task in tasks if isinstance(tasks, list) else []:
        if isinstance(task, dict) and task.get("id") == subtask:
            wanted = task.get("deliverable_schema")
            return wanted if isinstance(wanted, str) else None
    return None
