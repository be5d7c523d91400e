"""`check --staged` (the pre-commit hook) and `check --range A..B` (CI and the pre-receive hook), SPEC 8.

Only the changed files are read, through one `git cat-file --batch`: the cost follows the change,
not the repository. In a range each first-parent commit answers for what it brings (a merge for
the branch it merges), and authority is read from the range's base."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from gitcontracts import gitlayer
from gitcontracts.errors import GitContractsError, UsageError
from gitcontracts.model import Problem
from gitcontracts.names import name_problem
from gitcontracts.rules.identity import unnamed_agent_problem
from gitcontracts.referee.identity import identity_problems, next_commit
from gitcontracts.referee.judge import Judge, judge_file, layout_changes, move_problems
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.rules.transitions import FORBIDDEN
from gitcontracts.store.layout import CONTRACTS, classify
from gitcontracts.timeutil import parse_datetime
from gitcontracts.workspace import Workspace

PREFIXES = (CONTRACTS,)


class CheckResult(NamedTuple):
    commits: int
    files: int
    problems: tuple[Problem, ...]

    @property
    def exit_code(self) -> int:
        if not self.problems:
            return 0
        return 6 if any(p.rule == FORBIDDEN for p in self.problems) else 3

    def to_dict(self) -> dict[str, Any]:
        return {"valid": not self.problems, "commits": self.commits, "files": self.files,
                "problems": [p.to_dict() for p in self.problems]}


def parse_claim_branch(branch: str | None) -> tuple[str, str, str] | None:
    """claim/<contract>/<subtask>/<agent> (SPEC 6.3), or None for any other branch."""
    if not branch:
        return None
    parts = branch.removeprefix("refs/heads/").split("/")
    if len(parts) == 4 and parts[0] == "claim" and not any(name_problem(p) for p in parts[1:]):
        return parts[1], parts[2], parts[3]
    return None


Validator = Callable[[Sequence[Path]], "tuple[int, Sequence[Problem]]"]


def check_staged(ws: Workspace, files: Sequence[Path] = (), validate: Validator | None = None) -> CheckResult:
    """The staged change under .contracts/, judged as the commit it is about to become; `files` that it leaves
    alone go to `validate` (`pre-commit run --all-files` names every file, with nothing staged)."""
    root = ws.root
    state = gitlayer.head_state(root)
    changes = gitlayer.staged_changes(root, PREFIXES, state.head)
    judged = _judge_staged(ws, state, changes) if changes else CheckResult(0, 0, ())
    staged = {change.path for change in changes}
    rest = [file for file in files if ws.layout.relative(file.absolute()) not in staged]
    if not rest or validate is None:
        return judged
    checked, problems = validate(rest)
    return CheckResult(0, judged.files + checked, judged.problems + tuple(problems))


def _judge_staged(ws: Workspace, state: gitlayer.HeadState, changes: Sequence[gitlayer.FileChange]) -> CheckResult:
    root = ws.root
    reader = gitlayer.BlobReader(root)
    try:
        head, merging = state.head, state.merging
        old, new = Snapshot(root, reader, head), Snapshot(root, reader, ":")
        agent = _agent_if_named(ws)
        author = next_commit(root, changes[0].path, old, new, agent)
        if author.refused_whole:
            return CheckResult(0, len(changes), author.problems)
        # a person whose email agents.yaml gives an agent acts as that agent, as at the push
        actor = agent or author.actor or ws.agent
        judge = Judge(old=old, new=new, authority=old, actor=actor, now=ws.now(),
                      schemas=_schemas_for(changes, old, new), claim_branch=parse_claim_branch(state.branch),
                      merge_writers=(lambda path: gitlayer.writers(root, head or "", merging, path))
                      if merging and head else None)
        return CheckResult(0, len(changes), author.problems + tuple(_judge_all(judge, changes, reader)))
    finally:
        reader.close()


def _agent_if_named(ws: Workspace) -> str | None:
    try:
        return ws.agent
    except GitContractsError:
        return None  # the commit hook says what to do about the author instead


def check_range(root: Path, span: str, ref: str | None = None, main_branch: str = "main",
                now: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Every first-parent commit of the span. Time rules are judged at `now` (the pre-receive hook: the time the
    push is received); without it, at each commit's own date — all a check over past history can know."""
    base, tip = _parse_span(root, span, main_branch)
    reader = gitlayer.BlobReader(root)
    try:
        commits = gitlayer.range_commits(root, base, tip, PREFIXES, reader, _is_shard, _stream_meta)
        authority = Snapshot(root, reader, base)
        schemas = authority.schemas
        problems: list[Problem] = []
        for number, commit in enumerate(commits, 1):
            if progress:
                progress(number, len(commits))
            old = Snapshot(root, reader, commit.parents[0] if commit.parents else None)
            new = Snapshot(root, reader, commit.sha)
            if any(c.path.startswith(".contracts/schemas/") for c in commit.changes):
                schemas = new.schemas
            problems += [_in_commit(p, commit.sha)
                         for p in _judge_commit(root, commit, old, new, authority, schemas, ref, reader, now)]
        problems += identity_problems(root, base, tip, authority, Snapshot(root, reader, tip))
        files = sum(len(c.changes) for c in commits)
        return CheckResult(len(commits), files, tuple(problems))
    finally:
        reader.close()


def _is_shard(path: str) -> bool:
    return classify(path, None) == "shard"


def _stream_meta(path: str) -> tuple[str, ...]:
    """What judging an appended entry reads besides: its stream's header."""
    return (path.rsplit("/", 1)[0] + "/meta.yaml",) if classify(path, None) == "shard" else ()


def judge_landing(root: Path, reader: gitlayer.BlobReader, base: str | None, commit: str, parents: Sequence[str],
                  changes: Sequence[gitlayer.FileChange], actor: str, email: str, now: datetime,
                  ref: str | None = None) -> list[Problem]:
    """What `check --range BASE..COMMIT` (and so the pre-receive hook) would say of a commit the tool built
    and has not landed yet: the same judge, with authority from the base, at the tool's own time."""
    authority = Snapshot(root, reader, base)
    new = Snapshot(root, reader, commit)
    mine = tuple(c for c in changes if c.path.startswith(PREFIXES))
    info = gitlayer.CommitInfo(commit, tuple(parents), actor, email, "", "", {"Agent": actor}, mine)
    schemas = _schemas_for(mine, authority, new)
    problems = _judge_commit(root, info, authority, new, authority, schemas, ref, reader, now)
    if authority.registry.present or authority.config.require_signed:
        problems += identity_problems(root, base, commit, authority, new)
    return problems


def _judge_commit(root: Path, commit: gitlayer.CommitInfo, old: Snapshot, new: Snapshot, authority: Snapshot,
                  schemas: Any, ref: str | None, reader: gitlayer.BlobReader, now: datetime | None = None) -> list[Problem]:
    actor = authority.registry.acting(commit.trailers.get("Agent") or commit.author, commit.email)
    unnamed = unnamed_agent_problem(actor, commit.changes[0].path if commit.changes else "")
    if unnamed:
        return [unnamed]
    merge = commit.parents[1:] and commit.parents[0]
    judge = Judge(old=old, new=new, authority=authority, actor=actor, now=now or _when(commit.when), schemas=schemas,
                  time_rules=now is not None,
                  claim_branch=parse_claim_branch(ref),
                  merge_writers=(lambda path: gitlayer.writers(root, merge, commit.sha, path)) if merge else None)
    return _judge_all(judge, list(commit.changes), reader)


def _judge_all(judge: Judge, changes: Sequence[gitlayer.FileChange], reader: gitlayer.BlobReader) -> list[Problem]:
    problems: list[Problem] = []
    if judge.claim_branch is not None:
        problems += _claim_branch_scope(judge, changes)
    if layout_changes(judge):  # judged from the trees alone: no file of the move is read
        return problems + move_problems(judge, list(changes))
    reader.prefetch(blob for change in changes for blob in (change.old, change.new))
    for change in changes:
        problems += judge_file(judge, change, reader.read(change.old), reader.read(change.new))
    return problems


def _claim_branch_scope(judge: Judge, changes: Sequence[gitlayer.FileChange]) -> list[Problem]:
    """A claim branch proposes one thing: this subtask claimed by me, and my entry in the discussion."""
    contract, _, agent = judge.claim_branch  # type: ignore[misc]
    paths = judge.new.paths
    allowed = {paths.stash(contract), paths.shard(f"{contract}-discussion", agent)}
    problems = [judge.forbid(c.path, f"a claim branch may change only {sorted(allowed)}") for c in changes
                if c.path not in allowed]
    if judge.actor != agent:
        problems.append(judge.forbid(changes[0].path, f"the claim branch of {agent} may carry only {agent}'s commits"))
    return problems


def _schemas_for(changes: Sequence[gitlayer.FileChange], old: Snapshot, new: Snapshot) -> Any:
    return new.schemas if any(c.path.startswith(".contracts/schemas/") for c in changes) else old.schemas


def _parse_span(root: Path, span: str, main_branch: str) -> tuple[str | None, str]:
    """'A..B'; an empty A (a new branch's first push) means: since it left main, or from the root."""
    base, sep, tip = span.partition("..")
    if not sep or not tip:
        raise UsageError(f"--range takes A..B, got {span!r}")
    tip_sha = gitlayer.resolve(root, tip)
    if tip_sha is None:
        raise UsageError(f"unknown revision {tip!r}")
    if base.strip("0") == "":
        main = gitlayer.resolve(root, main_branch) or gitlayer.resolve(root, f"origin/{main_branch}")
        fork = gitlayer.merge_base(root, main, tip_sha) if main else None
        # a first push of main itself (the forge's `before` is all zeros): everything from the root
        return (None if fork == tip_sha else fork), tip_sha
    base_sha = gitlayer.resolve(root, base)
    if base_sha is None:
        raise UsageError(f"unknown revision {base!r}")
    return base_sha, tip_sha


def _when(text: str) -> datetime:
    return parse_datetime(text)


def _in_commit(problem: Problem, sha: str) -> Problem:
    return Problem(problem.file, problem.message, problem.rule, problem.path, problem.line, sha)
