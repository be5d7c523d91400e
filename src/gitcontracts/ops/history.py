"""`log CONTRACT`: the contract's timeline from commit trailers and stream entries, in order."""
from __future__ import annotations

from datetime import timezone
from pathlib import Path
from typing import Any, Sequence

from gitcontracts import gitlayer
from gitcontracts.errors import NotFound
from gitcontracts.ops.contracts import stream_names
from gitcontracts.ops.merge_shard import entry_id
from gitcontracts.store.layout import FANOUT_PATHS, FLAT_PATHS
from gitcontracts.timeutil import format_seconds, parse_datetime
from gitcontracts.workspace import Workspace


def contract_log(ws: Workspace, contract: str) -> list[dict[str, Any]]:
    """Commits ({kind: commit, ts, agent, action, subtask, commit, message}) and entries ({kind: entry, ts, agent,
    label, subtask, stream, id, commit, message}), oldest first: `action` is a commit's Action trailer, `label`
    an entry's label, as everywhere else."""
    try:
        ws.stashes.read_text(contract)
    except NotFound:
        raise NotFound(f"no contract named {contract!r}",
                       hint="`gitcontracts status` lists the contracts; `gitcontracts discover -q WORD` finds one") from None
    items = _commit_items(ws, contract)
    introduced = _entry_commits(ws, contract)
    for stream in stream_names(contract):
        if ws.streams.exists(stream):
            for entry in ws.streams.entries(stream, []):
                data: dict[str, Any] = entry["data"] if isinstance(entry.get("data"), dict) else {}
                items.append({"kind": "entry", "ts": entry.get("ts"), "agent": entry.get("agent"),
                              "label": entry.get("label"), "subtask": data.get("subtask_id"), "stream": stream,
                              "id": entry.get("id"), "commit": introduced.get(str(entry.get("id"))),
                              "message": said(entry.get("label"), data)})
    return sorted(items, key=_timeline_order({item["commit"]: item for item in items if item["kind"] == "commit"}))


def _timeline_order(commits: dict[str, dict[str, Any]]) -> Any:
    """Oldest first. Commit times have whole seconds: within one second, history order decides; an entry comes
    right after the commit that appended it (in stream order), and one whose commit the log does not show, at its
    own time after the commits of that second."""
    def key(item: dict[str, Any]) -> tuple[Any, float, int, str, str]:
        if item["kind"] == "commit":
            return (_moment(item["ts"]), item.get("seq", 0), 0, "", "")
        appended_by = commits.get(item.get("commit") or "")
        if appended_by is not None:
            return (_moment(appended_by["ts"]), appended_by.get("seq", 0), 1, str(item["ts"]), str(item["id"]))
        return (_moment(item["ts"]), float("inf"), 1, str(item["ts"]), str(item["id"]))
    return key


def said(label: Any, data: dict[str, Any]) -> str:
    """What an entry says, with what its label makes matter: a reject's reason, an offer's agent, a deliverable."""
    parts = [f"[{data['reason']}]" if data.get("reason") else "",
             f"to {data['agent_name']}" if label in ("offer", "reject") and data.get("agent_name") else "",
             f"deliverable {data['deliverable']}" if data.get("deliverable") else "",
             str(data.get("message") or data.get("summary") or "")]
    return " ".join(part for part in parts if part)


def _commit_items(ws: Workspace, contract: str) -> list[dict[str, Any]]:
    if not gitlayer.is_repo(ws.root) or not gitlayer.resolve(ws.root, "HEAD"):
        return []
    items = trailer_commits(ws.root, ("--all", "-E", f"--grep=^Contract: {contract}$")).get(contract, [])
    return [{"kind": "commit", **item, "seq": seq} for seq, item in enumerate(items)]


def trailer_commits(root: Path, rev_args: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Contract -> its commits ({ts, agent, action, subtask, commit, message}), oldest first, by the trailers of
    the commits `rev_args` name (one `git log`). A queued commit the lander replayed counts once: as its replay."""
    data = gitlayer.run(root, "log", "--reverse", "--date-order", *rev_args,  # within a second: parents first
                        "--format=%x1e%H%x00%an%x00%aI%x00%s%x00%(trailers:only,unfold,separator=%x1f)").stdout
    records = [record.rstrip("\n").split("\0") for record in data.decode("utf-8", "replace").split("\x1e")[1:]]
    records = [fields for fields in records if len(fields) == 5]
    replayed = {gitlayer.parse_trailers(fields[4]).get("Replays") for fields in records}
    found: dict[str, list[dict[str, Any]]] = {}
    for sha, author, when, subject, trailers in records:
        fields = gitlayer.parse_trailers(trailers)
        if not fields.get("Contract") or sha in replayed:
            continue
        found.setdefault(fields["Contract"], []).append(
            {"ts": _utc(when), "agent": fields.get("Agent", author), "action": fields.get("Action", ""),
             "subtask": fields.get("Subtask"), "commit": sha, "message": subject})
    return found


def _entry_commits(ws: Workspace, contract: str) -> dict[str, str]:
    """Entry id -> the commit that appended it (each commit's added lines, read through one cat-file)."""
    if not gitlayer.is_repo(ws.root) or not gitlayer.resolve(ws.root, "HEAD"):
        return {}
    # both layouts' places: a history that went through `gitcontracts layout` kept its entries in the other one
    # (the move re-adds every line, but the commit that first appended a line is the one kept)
    folders = [paths.stream(s) for s in stream_names(contract) for paths in (FLAT_PATHS, FANOUT_PATHS)]
    commits = gitlayer.first_parent_commits(ws.root, None, "HEAD", folders, few=True)
    commits += gitlayer.log_commits(ws.root, ("--all", "--no-merges"), folders)
    reader = gitlayer.BlobReader(ws.root)
    reader.prefetch(b for c in commits for ch in c.changes for b in (ch.old, ch.new))
    found: dict[str, str] = {}
    for commit in sorted(commits, key=lambda c: len(c.parents) > 1):  # a plain commit wins over a merge
        for change in gitlayer.unmoved(commit).changes:
            old, new = reader.read(change.old) or b"", reader.read(change.new) or b""
            for line in new[len(old):].split(b"\n") if new.startswith(old) else []:
                key = entry_id(line) if line else None
                if key:
                    found.setdefault(key, commit.sha)
    reader.close()
    return found


def _utc(when: str) -> str:
    """A commit's date (git's ISO 8601, in its author's zone) in UTC with `Z`, as entry times are written."""
    try:
        return format_seconds(parse_datetime(when))
    except ValueError:
        return when


def _moment(text: Any) -> Any:
    try:
        return parse_datetime(str(text)).astimezone(timezone.utc)
    except ValueError:
        return parse_datetime("1970-01-01T00:00:00Z")

