"""The lander: queued actions brought to main in batches (docs/protocol.md, "Many agents on one remote").

An agent's action is one commit built on the main it fetched and pushed to `refs/heads/queue/<agent>/<id>`, a ref
nobody else writes: the push never loses a race. The lander replays each pending one, oldest first, on top of
main: a commit by the action's author, with its message and trailers, whose parents are the main so far and the
queued commit (so `merge-base --is-ancestor` tells that it landed, and `check --range` judges it as its author).
Its files are the action's own changes carried over to the new main:
- a stream shard: the merge driver's union (shards are append-only);
- a file main has not changed since the action was built: the action's version;
- a contract whose other subtasks moved meanwhile: the action's subtasks, patched in, when main still has them as
  the action found them (two claims of different subtasks both land; of the same one, the first).
Each replay is then judged by the referee (rules as of the main it lands on, at the lander's clock): a refused one
is left out and reported; one that cannot be carried over is dropped, and its agent runs the action again.

It runs in two places, with the same replay:
- in the shared bare repository, from the post-receive hook (`gitcontracts land`), under an flock (one lander at a
  time; the others find their actions landed): main moves by one `update-ref` with its old value (a push to main
  that got in first makes it replay again);
- in a clone (an agent whose queued action no lander took — a forge has no post-receive — or `gitcontracts land`):
  the replays are pushed to main like any action, and judged there.

Nothing is lost to a kill -9 at any point: main moves in one ref update, a queue ref is removed only once main
contains its commit (or once it is dropped), and the next pass finishes what a killed one left."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from gitcontracts import gitlayer
from gitcontracts.errors import Conflict, GitContractsError, UsageError
from gitcontracts.formats import yamlsafe
from gitcontracts.ops.merge_shard import merge_shards
from gitcontracts.ops.stashes import edited_text
from gitcontracts.rules import patch as patching
from gitcontracts.gitobjects import split_commit
from gitcontracts.rules.landing import QUEUE_PREFIX, parse_queue_ref
from gitcontracts.store.layout import CONTRACTS, classify
from gitcontracts.store.snapshot import Snapshot

ATTEMPTS = 20  # replays tried while pushes to main keep moving it under the lander


@dataclass
class Landing:
    main: str | None                                            # main after the pass
    landed: list[tuple[str, str]] = field(default_factory=list)   # (queue ref, its commit on main)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (queue ref, why): to be run again
    refused: list[tuple[str, str]] = field(default_factory=list)  # (queue ref, the referee's problems)
    alone: str | None = None  # the one queued action of the pass, landed on the main it was built on

    def to_dict(self) -> dict[str, Any]:
        return {"main": self.main, "landed": [{"ref": ref, "commit": sha} for ref, sha in self.landed],
                "dropped": [{"ref": ref, "reason": why} for ref, why in self.dropped],
                "refused": [{"ref": ref, "reason": why} for ref, why in self.refused]}

    def lines(self) -> list[str]:
        """What the post-receive hook tells the pushing agent, a line per queue ref (`said_in` reads them back; the
        hook script itself says `landed REF as COMMIT` of refs an earlier pass took)."""
        return ([f"landed {ref} as {sha}" + (" alone" if ref == self.alone else "") for ref, sha in self.landed] +
                [f"dropped {ref}: {why}" for ref, why in self.dropped] +
                [f"refused {ref}: {why}" for ref, why in self.refused])


def said_in(text: str, ref: str) -> tuple[str, str] | None:
    """What a lander's lines (a push's output, `remote: ` before each) say of `ref`: ("landed", "COMMIT[ alone]"),
    or ("dropped" | "refused", why); None when they say nothing of it."""
    for line in text.splitlines():
        words = line.removeprefix("remote: ").strip().split(" ", 2)
        if len(words) == 3 and words[1].rstrip(":") == ref and words[0] in ("landed", "dropped", "refused"):
            return words[0], words[2].removeprefix("as ")
    return None


class _Dropped(Exception):
    pass


def replay_all(root: Path, reader: gitlayer.BlobReader, main: str, queued: Sequence[tuple[str, str]],
               lander: str, now: datetime) -> tuple[str, Landing]:
    """Each queued commit replayed on main, oldest first: (the new tip, what became of each)."""
    from gitcontracts.referee.commits import judge_landing

    landing = Landing(main)
    if not queued:
        return main, landing
    commits = {c.sha: c for c in gitlayer.log_commits(root, ("--no-walk=unsorted", "--diff-merges=first-parent",
                                                              *(sha for _, sha in queued)), [])}
    reader.prefetch(blob for c in commits.values() for change in c.changes for blob in (change.old, change.new))
    ident = gitlayer.identity(root, lander)
    ident = ident._replace(env={**ident.env, "GIT_COMMITTER_NAME": lander})  # the author stays the action's
    off_main = gitlayer.outside(root, sorted({c.parents[0] for c in commits.values() if c.parents}), main)
    tip = main
    for ref, sha in queued:
        agent = (parse_queue_ref(ref) or ("", ""))[0]
        commit = commits.get(sha)
        try:
            files = _carried_over(reader, tip, commit, agent, off_main)
        except _Dropped as why:
            landing.dropped.append((ref, str(why)))
            continue
        headers, message = split_commit(reader.commit_bytes(sha) or b"")
        message = f"{message.rstrip()}\nReplays: {sha}\n"  # the log shows the action once: as it landed
        built = gitlayer.build_commit(root, reader, [tip, sha], tip, files, message, ident, now,
                                      author_line=next(iter(headers.get(b"author", [])), None))
        assert commit is not None
        # judged as the action alone on the main it lands on, by its author, at this clock (entry times included)
        problems = judge_landing(root, reader, tip, built.sha, [tip], built.changes, agent, commit.email, now)
        if problems:
            landing.refused.append((ref, "; ".join(str(problem) for problem in problems)))
            continue
        if len(queued) == 1 and commit.parents[0] == tip:
            landing.alone = ref  # nobody else's action in the way: its agent may go straight to main next time
        tip = built.sha
        landing.landed.append((ref, tip))
    landing.main = tip
    return tip, landing


def _carried_over(reader: gitlayer.BlobReader, tip: str, commit: gitlayer.CommitInfo | None, agent: str,
                  off_main: set[str]) -> dict[str, bytes | None]:
    if commit is None or len(commit.parents) != 1:
        raise _Dropped("a queued action is one commit")
    if (commit.trailers.get("Agent") or commit.author) != agent:
        raise _Dropped(f"the queue of {agent} carries only {agent}'s actions")
    if any(not change.path.startswith(CONTRACTS + "/") for change in commit.changes):
        raise _Dropped("a queued action changes only .contracts/")
    if commit.parents[0] in off_main:
        raise _Dropped("a queued action is built on main")
    now = Snapshot(reader.root, reader, tip)
    files = {}
    for change in commit.changes:
        current, before, after = now.read(change.path), reader.read(change.old), reader.read(change.new)
        files[change.path] = _file(current, before, after, change.path, agent)
    return files


def _file(current: bytes | None, before: bytes | None, after: bytes | None, path: str, agent: str) -> bytes | None:
    if current == before or current == after:
        return after
    if classify(path, None) == "shard" and path.rsplit("/", 1)[-1] == f"{agent}.jsonl" and after is not None:
        # the agent's own shard: append-only, written by nobody else, so the merge driver's union
        try:
            return merge_shards(before or b"", current or b"", after, path)
        except Conflict as why:
            raise _Dropped(why.message) from None
    if before is not None and after is not None and current is not None and path.endswith(".yaml"):
        patched = _subtasks_patched(current, before, after, path)
        if patched is not None:
            return patched
    raise _Dropped(f"{path} changed on main since the action was built")


def _subtasks_patched(current: bytes, before: bytes, after: bytes, path: str) -> bytes | None:
    """A contract whose action changed only subtasks (a claim, an offer's answer): those subtasks patched into main's
    version, when main has them as the action found them. None when it cannot be done."""
    try:
        docs = [yamlsafe.load(data, path) for data in (current, before, after)]
    except GitContractsError:
        return None
    now, old, new = docs
    if not all(isinstance(d, dict) and isinstance(d.get("content"), dict) for d in docs):
        return None
    strip = lambda doc: {**doc, "content": {k: v for k, v in doc["content"].items() if k != "subtasks"}}  # noqa: E731
    if strip(old) != strip(new):
        return None  # the action changed more than subtasks
    by_id = lambda doc: {t.get("id"): t for t in doc["content"].get("subtasks") or [] if isinstance(t, dict)}  # noqa: E731
    was, will, there = by_id(old), by_id(new), by_id(now)
    if set(was) != set(will):
        return None
    items = []
    for task_id, task in will.items():
        if task == was[task_id]:
            continue
        if there.get(task_id) != was[task_id]:
            raise _Dropped(f"subtask {task_id} changed on main since the action was built")
        items.append(patching.UpdateItem("subtasks", {"id": task_id}, {k: v for k, v in task.items() if was[task_id].get(k) != v},
                                         tuple(k for k in was[task_id] if k not in task)))
    content, _, changes = patching.apply(now["content"], items)
    text, _ = edited_text(current.decode("utf-8"), {**now, "content": content},
                          [(c.address, c.set, c.unset) for c in changes])
    return text.encode("utf-8")


def land_here(root: Path, main_branch: str, lander: str | None, now: datetime, pushed: Sequence[tuple[str, str]] = (),
              locked: bool = False) -> Landing:
    """One pass in the shared (bare) repository: every pending queue ref replayed onto main, under the land lock
    (`locked`: the post-receive hook holds it already). `pushed` (ref, commit) are the post-receive's own: each is
    reported, landed by this pass or an earlier one."""
    main_ref = f"refs/heads/{main_branch}"
    with contextlib.nullcontext() if locked else gitlayer.file_lock(root, "gitcontracts-land.lock"):
        for _ in range(ATTEMPTS):
            main = gitlayer.resolve(root, main_ref)
            if main is None:
                return Landing(None)
            landed_before, pending = _split(root, QUEUE_PREFIX, main)
            _remove(root, landed_before)  # a pass killed after moving main left these
            reader = gitlayer.BlobReader(root)
            try:
                name = lander or Snapshot(root, reader, main).config.lander  # the replays' committer
                _mark_landing(root, name is not None)
                if name is None:  # config.yaml no longer names a lander: its agents push to main again
                    landing = Landing(main, dropped=[(ref, f"{main_branch} no longer lands queued actions (no `lander` "
                                                           "in .contracts/config.yaml)") for ref, _ in pending])
                    tip = main
                else:
                    tip, landing = replay_all(root, reader, main, pending, name, now)
            finally:
                reader.close()
            if tip != main and not gitlayer.update_ref(root, main_ref, tip, main):
                continue  # a push to main got in first: replay again on top of it
            gone = {ref for ref, _ in landing.landed + landing.dropped + landing.refused}
            _remove(root, [(ref, sha) for ref, sha in pending if ref in gone])
            return _about(root, landing, pushed)
    raise Conflict(f"{main_branch} kept moving while the queued actions were replayed", hint="run `gitcontracts land` again")


def _mark_landing(root: Path, on: bool) -> None:
    """`gitcontracts-lands` in the git dir while main's config names a lander: the pre-receive hook accepts queue
    refs on it without reading config.yaml (one process fewer on every queued push)."""
    marker = gitlayer.git_dir(root) / "gitcontracts-lands"
    if on:
        marker.touch()
    else:
        marker.unlink(missing_ok=True)


def _about(root: Path, landing: Landing, pushed: Sequence[tuple[str, str]]) -> Landing:
    """The pushed refs an earlier pass took (the post-receive waited for the lock meanwhile), reported as well."""
    said = {ref for ref, _ in landing.landed + landing.dropped + landing.refused}
    for ref, sha in pushed:
        if ref in said:
            continue
        if landing.main and gitlayer.is_ancestor(root, sha, landing.main):
            landing.landed.append((ref, sha))
        else:
            landing.dropped.append((ref, "an earlier landing left it out; run the action again"))
    return landing


def land_through(root: Path, remote: str, main_branch: str, agent: str, now: datetime) -> Landing:
    """One pass from a clone: the remote's pending queue replayed onto its main and pushed there (judged by its
    pre-receive hook like any action), with the landed refs removed in the same push."""
    tracking = f"refs/remotes/{remote}/queue/"
    _fetch_queue(root, remote, main_branch)
    for _ in range(ATTEMPTS):
        main = gitlayer.resolve(root, f"refs/remotes/{remote}/{main_branch}")
        if main is None:
            return Landing(None)
        landed_before, pending = _split(root, tracking, main)
        pending = [(QUEUE_PREFIX + ref.removeprefix(tracking), sha) for ref, sha in pending]
        reader = gitlayer.BlobReader(root)
        try:
            tip, landing = replay_all(root, reader, main, pending, agent, now)
        finally:
            reader.close()
        gone = [f":{QUEUE_PREFIX}{ref.removeprefix(tracking)}" for ref, _ in landed_before] + \
               [f":{ref}" for ref, _ in landing.landed]
        if tip == main and not gone:
            return landing
        accepted, text = gitlayer.push(root, remote, ([f"{tip}:refs/heads/{main_branch}"] if tip != main else []) + gone)
        _fetch_queue(root, remote, main_branch)
        if accepted:
            return landing
        if gitlayer.resolve(root, f"refs/remotes/{remote}/{main_branch}") == main:
            raise GitContractsError(f"the push of the landing to {remote} was refused: {text.strip()[-500:]}",
                                    hint="see the reason above; `gitcontracts check --range` shows it locally")
    raise Conflict(f"{main_branch} kept moving while the queued actions were replayed", hint="run `gitcontracts land` again")


def _fetch_queue(root: Path, remote: str, main_branch: str) -> None:
    problem = gitlayer.fetch_within(root, remote, [f"+refs/heads/{main_branch}:refs/remotes/{remote}/{main_branch}",
                                                   f"+{QUEUE_PREFIX}*:refs/remotes/{remote}/queue/*"], 60.0)
    if problem is not None:
        raise gitlayer.RemoteUnavailable(f"cannot fetch from {remote}: {problem}", hint="check the remote and retry")


def _split(root: Path, prefix: str, main: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The queue refs under `prefix` main already contains, and the pending ones (oldest action first)."""
    def refs(which: str) -> list[tuple[str, str]]:
        data = gitlayer.output(root, "for-each-ref", f"--{which}={main}", "--format=%(refname) %(objectname)", prefix)
        found = [(ref, sha) for ref, _, sha in (line.partition(" ") for line in data.splitlines() if line)]
        return sorted(found, key=lambda item: item[0].rsplit("/", 1)[-1])
    return refs("merged"), refs("no-merged")


def _remove(root: Path, refs: Sequence[tuple[str, str]]) -> None:
    gitlayer.delete_refs(root, refs)  # each only if it still names that commit


def land(root: Path, main_branch: str, remote: str | None, agent: str | None, now: datetime,
         pushed: Sequence[tuple[str, str]] = (), locked: bool = False) -> Landing:
    """`gitcontracts land`: in the shared bare repository, land there (what its post-receive hook runs); in a
    clone, land the remote's pending queue through a push, as `agent`."""
    if gitlayer.is_bare(root):
        return land_here(root, main_branch, None, now, pushed, locked)
    if remote is None:
        raise UsageError("nothing to land from: this clone has no remote in .contracts/config.yaml",
                         hint="run it in the shared bare repository (`gitcontracts -C shared.git land`)")
    if agent is None:
        raise UsageError("a landing from a clone is pushed as an agent", hint="pass --agent NAME")
    return land_through(root, remote, main_branch, agent, now)
