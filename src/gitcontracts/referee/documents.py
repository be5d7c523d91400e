"""Checking whole documents against the rules and their schemas: problems with file, line, path, rule."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from gitcontracts.errors import Conflict, Forbidden, GitContractsError, InvalidContent
from gitcontracts.model import Problem
from gitcontracts.rules.documents import contract_problems, envelope_problems
from gitcontracts.rules.transitions import CONFLICT_RULES, FORBIDDEN

if TYPE_CHECKING:  # the registry imports PyYAML; reading a stream needs neither
    from gitcontracts.store.schemas import SchemaRegistry

CONTRACT_SCHEMA = "agent-contract"


def with_lines(problems: list[Problem], text: str | None) -> list[Problem]:
    """Give each problem the line of its JSON path (computed only when there is something to report)."""
    if not problems or text is None:
        return problems
    from gitcontracts.formats.yamlsafe import line_map

    lines = line_map(text)
    out = []
    for problem in problems:
        path, line = problem.path, None
        while line is None:
            line = lines.get(path)
            if not path:
                break
            path = path.rsplit("[", 1)[0] if path.endswith("]") else path.rpartition(".")[0]
        out.append(Problem(problem.file, problem.message, problem.rule, problem.path, problem.line or line))
    return out


def schema_problems(schemas: SchemaRegistry, ref: str, instance: Any, file: str, prefix: str,
                    target: str = "stash") -> list[Problem]:
    try:
        doc = schemas.resolve(ref)
        compiled = schemas.compiled(ref)
    except GitContractsError as exc:
        return [Problem(file, exc.message, "schema", "schema" if prefix == "content" else prefix)]
    if doc.target_type != target:
        return [Problem(file, f"schema {doc.ref} is for a {doc.target_type}, not a {target}", "schema", "schema")]
    return [Problem(file, issue.message, issue.rule, issue.path) for issue in compiled.issues(instance, prefix)]


def stash_problems(schemas: SchemaRegistry, doc: Any, text: str | None, file: str, stem: str | None) -> list[Problem]:
    problems = envelope_problems(doc, file, stem)
    if isinstance(doc, dict) and "content" in doc:
        ref = doc.get("schema")
        if isinstance(ref, str) and not any(p.path == "schema" for p in problems):
            problems += schema_problems(schemas, ref, doc["content"], file, "content")
            if ref.partition("@")[0] == CONTRACT_SCHEMA:
                problems += contract_problems(doc["content"], file)
    return with_lines(problems, text)


def raise_if(problems: Sequence[Problem], what: str) -> None:
    if problems:
        raise refusal(problems, what)


def refusal(problems: Sequence[Problem], what: str) -> GitContractsError:
    """The referee's problems with a change as one error: forbidden (6) before conflict (4) before invalid (3)."""
    rules = {p.rule for p in problems}
    kind: type[GitContractsError] = (Forbidden if FORBIDDEN in rules else
                                     Conflict if rules & CONFLICT_RULES else InvalidContent)
    count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
    hint = {Forbidden: "this agent may not make that change; `gitcontracts status CONTRACT` shows owners and assignees",
            Conflict: "the state moved on: see `gitcontracts status CONTRACT`",
            InvalidContent: "fix them and retry"}[kind]
    return kind(f"{what}: {count}, nothing written\n  " + "\n  ".join(str(p) for p in problems),
                hint=hint, details=[p.to_dict() for p in problems])
