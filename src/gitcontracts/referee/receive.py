"""The pre-receive hook's judge (SPEC 8, 13): every ref of one push, at the time the push is received.

- main is never deleted nor rewritten; what it gains is judged commit by commit (`check_range`).
- a ref that looks like a claim but is not `refs/heads/claim/<contract>/<subtask>/<agent>` with valid names is
  refused (readers would otherwise trip on it); a claim branch carries its agent's claim on top of main — judged
  from where it leaves main, so nobody can reset another agent's claim to nothing — and is deleted only by the
  award of its subtask in the same push, or once its subtask is no longer open.
- a queued action (`refs/heads/queue/<agent>/<id>`) is created once, where main's config names a lander, and
  judged when the lander replays it on main (protocol/land.py); removed only once main contains it;
- any other branch is judged like a range; tags are let through."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Mapping, NamedTuple

from gitcontracts import gitlayer
from gitcontracts.model import Problem
from gitcontracts.referee.commits import CheckResult, check_range, parse_claim_branch
from gitcontracts.rules.landing import QUEUE_PREFIX, parse_queue_ref
from gitcontracts.rules.transitions import FORBIDDEN
from gitcontracts.store.snapshot import Snapshot


class RefUpdate(NamedTuple):
    old: str | None   # None: the ref is created
    new: str | None   # None: the ref is deleted
    ref: str


def parse_updates(text: str) -> list[RefUpdate]:
    """The hook's standard input: `<old> <new> <ref>` per line, all-zero ids for creation and deletion."""
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            old, new, ref = parts
            updates.append(RefUpdate(None if not old.strip("0") else old, None if not new.strip("0") else new, ref))
    return updates


def looks_like_a_claim(ref: str) -> bool:
    return ref.startswith("refs/heads/claim/") or "/claim/" in ref


def push_options(environ: Mapping[str, str]) -> dict[str, str]:
    """`git push -o KEY=VALUE` options, as git hands them to the pre-receive hook."""
    count = int(environ.get("GIT_PUSH_OPTION_COUNT", "0") or 0)
    pairs = (environ.get(f"GIT_PUSH_OPTION_{n}", "").partition("=") for n in range(count))
    return {key: value for key, _, value in pairs}


def check_receive(root: Path, updates: list[RefUpdate], main: str, now: datetime,
                  options: Mapping[str, str] | None = None) -> CheckResult:
    main_ref = f"refs/heads/{main}"
    pushed_main = next((u for u in updates if u.ref == main_ref), None)
    main_tip = pushed_main.new if pushed_main else gitlayer.resolve(root, main_ref)
    pusher = (options or {}).get("agent")
    results = [_judge_ref(root, update, main, main_tip, pushed_main, now, pusher) for update in updates]
    problems = tuple(p for result in results for p in result.problems)
    return CheckResult(sum(r.commits for r in results), sum(r.files for r in results), problems)


def _judge_ref(root: Path, update: RefUpdate, main: str, main_tip: str | None, pushed_main: RefUpdate | None,
               now: datetime, pusher: str | None) -> CheckResult:
    ref = update.ref
    if ref == f"refs/heads/{main}":
        return _main(root, update, main, now)
    if looks_like_a_claim(ref):
        if parse_claim_branch(ref) is None or not ref.startswith("refs/heads/claim/"):
            return _refused(ref, "not a claim branch: claim branches are refs/heads/claim/<contract>/<subtask>/<agent>, "
                                 "each a valid name")
        return _claim(root, update, main, main_tip, pushed_main, now, pusher)
    if ref.startswith(QUEUE_PREFIX):
        return _queue(root, update, main, main_tip, now)
    if update.new is None or not ref.startswith("refs/heads/"):
        return CheckResult(0, 0, ())
    return check_range(root, f"{update.old or ''}..{update.new}", ref, main, now)


def _main(root: Path, update: RefUpdate, main: str, now: datetime) -> CheckResult:
    if update.new is None:
        return _refused(update.ref, f"refusing to delete {main}, the shared main branch")
    if update.old and not gitlayer.is_ancestor(root, update.old, update.new):
        return _refused(update.ref, f"refusing to rewrite the history of {main} (a non-fast-forward push)")
    return check_range(root, f"{update.old or ''}..{update.new}", update.ref, main, now)


def _claim(root: Path, update: RefUpdate, main: str, main_tip: str | None, pushed_main: RefUpdate | None,
           now: datetime, pusher: str | None) -> CheckResult:
    contract, task_id, agent = parse_claim_branch(update.ref)  # type: ignore[misc]
    if update.new is None:
        if _awarded_in(root, pushed_main, contract, task_id) or not _still_open(root, main_tip, contract, task_id):
            return CheckResult(0, 0, ())
        if pusher == agent and not _require_signed(root, main_tip):
            return CheckResult(0, 0, ())  # its agent withdraws it, named like an author name is: at its word
        return _refused(update.ref, f"the pending claim of {agent} is deleted only by the award of {contract}/{task_id} "
                                    f"(its owner's merge, in the same push), or by {agent} withdrawing it "
                                    f"(`git push -o agent={agent} --delete origin {update.ref.removeprefix('refs/heads/')}`)")
    fork = gitlayer.merge_base(root, main_tip, update.new) if main_tip else None
    if fork == update.new:
        return _refused(update.ref, f"a claim branch carries {agent}'s claim on top of main; this one carries nothing")
    span = f"{fork}..{update.new}" if fork else update.new
    outside = [p for p in gitlayer.output(root, "diff", "--name-only", "--no-renames", *span.split("..")).splitlines()
               if not p.startswith(".contracts/")] if fork else []
    checked = check_range(root, f"{fork or ''}..{update.new}", update.ref, main, now)
    if outside:
        scope = _refused(update.ref, f"a claim branch changes only .contracts/ (its claim); this one also changes "
                                     f"{', '.join(outside[:5])}")
        return CheckResult(checked.commits, checked.files, scope.problems + checked.problems)
    return checked


def _queue(root: Path, update: RefUpdate, main: str, main_tip: str | None, now: datetime) -> CheckResult:
    """A queued action (protocol/land.py): created once under a valid name, in a repository that lands them; its
    content is judged when the lander replays it on main. Removed only once main contains it."""
    parsed = parse_queue_ref(update.ref)
    if parsed is None:
        return _refused(update.ref, "not a queue ref: queued actions go to refs/heads/queue/<agent>/<id>, each a valid name")
    if update.new is None:
        if update.old and main_tip and gitlayer.is_ancestor(root, update.old, main_tip):
            return CheckResult(0, 0, ())
        return _refused(update.ref, f"a queued action of {parsed[0]} is removed only once {main} contains it (the lander does)")
    if update.old is not None:
        return _refused(update.ref, "a queue ref is written once: each queued action goes to a new id")
    reader = gitlayer.BlobReader(root)
    try:
        if not Snapshot(root, reader, main_tip).config.lander:
            return _refused(update.ref, f"{main} does not land queued actions (no `lander` in .contracts/config.yaml): "
                                        f"push to {main}")
    finally:
        reader.close()
    return CheckResult(0, 0, ())


def _awarded_in(root: Path, pushed_main: RefUpdate | None, contract: str, task_id: str) -> bool:
    if pushed_main is None or pushed_main.new is None:
        return False
    commits = gitlayer.first_parent_commits(root, pushed_main.old, pushed_main.new, [])
    return any(c.trailers.get("Action") == "award" and c.trailers.get("Contract") == contract
               and c.trailers.get("Subtask") == task_id for c in commits)


def _still_open(root: Path, main_tip: str | None, contract: str, task_id: str) -> bool:
    if main_tip is None:
        return False
    reader = gitlayer.BlobReader(root)
    try:
        snapshot = Snapshot(root, reader, main_tip)
        doc = snapshot.doc(snapshot.paths.stash(contract))
    finally:
        reader.close()
    content = doc.get("content") if isinstance(doc, dict) else None
    for task in (content.get("subtasks") or []) if isinstance(content, dict) else []:
        if isinstance(task, dict) and task.get("id") == task_id:
            return task.get("status") == "open"
    return False


def _require_signed(root: Path, main_tip: str | None) -> bool:
    """Under require_signed a name is not enough: a withdrawal then goes through the owner (there is no signed
    deletion to check)."""
    if main_tip is None:
        return False
    reader = gitlayer.BlobReader(root)
    try:
        return Snapshot(root, reader, main_tip).config.require_signed
    finally:
        reader.close()


def _refused(ref: str, message: str) -> CheckResult:
    return CheckResult(0, 0, (Problem(ref, message, FORBIDDEN),))
