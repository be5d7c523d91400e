"""Text renderings of results (the JSON shapes are the results' own to_dict)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    from gitcontracts.model import Problem


def landed(result: Mapping[str, Any]) -> str:
    """` (COMMIT)`: the commit an action landed, as every action's line names it ("" when it committed nothing)."""
    return f" ({result['commit'][:10]})" if result.get("commit") else ""


def problems_text(problems: Sequence[Problem], checked: int, noun: str = "", commits: int | None = None) -> str:
    lines = [str(p) for p in problems]
    noun = noun or ("file checked" if checked == 1 else "files checked")
    head = f"{commits} commit{'s' if commits != 1 else ''}, " if commits else ""
    lines.append(f"{head}{checked} {noun}, {len(problems)} problem{'s' if len(problems) != 1 else ''}"
                 if problems else f"{head}{checked} {noun}, all valid")
    return "\n".join(lines)


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github_annotations(problems: Sequence[Problem]) -> str:
    """GitHub Actions workflow commands: one `::error file=...,line=...::` per problem."""
    lines = []
    for p in problems:
        props = [f"file={_escape(p.file, True)}"] + ([f"line={p.line}"] if p.line else []) + [f"title={_escape(p.rule, True)}"]
        where = f"{p.commit[:10]} " if p.commit else ""
        lines.append(f"::error {','.join(props)}::{_escape(where + (p.path + ': ' if p.path else '') + p.message)}")
    return "\n".join(lines) or "all valid"


def log_text(items: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for item in items:
        commit = (item.get("commit") or "")[:10]
        subtask = f"/{item['subtask']}" if item.get("subtask") else ""
        what = item.get("action") or item.get("label") or ""
        when = str(item.get("ts") or "")  # a commit's whole seconds, an entry's microseconds: one column either way
        lines.append(f"{when:<27}  {item['kind']:<6} {commit:<10}  {item['agent']:<16} {what}{subtask}  "
                     f"{item['message']}")
    return "\n".join(lines) or "no history"


def schema_rows_text(rows: Sequence[dict[str, Any]]) -> str:
    return "\n".join(f"{r['name']}@{r['version']:<4} {r['target_type']:<6} {r['visibility']:<8} {r['description']}"
                     for r in rows)


def entry_line(entry: dict[str, Any]) -> str:
    data = json.dumps(entry.get("data"), ensure_ascii=False)
    return f"{entry.get('ts')}  {entry.get('agent')}  {entry.get('label')}  {data}  ({entry.get('id')})"


def discover_text(results: Sequence[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        extra = f" [{', '.join(r['labels'])}]" if r["labels"] else ""
        link = f" -> {r['linked_stash']}" if r["linked_stash"] else ""
        lines.append(f"{r['kind']:<6} {r['name']}{link}  {r['schema'] or ''}  {r['description']}{extra}")
    return "\n".join(lines) or "nothing found"


def check_text(result: Any) -> str:
    """A check's problems and its one-line summary."""
    noun = "file changed" if result.files == 1 else "files changed"
    return problems_text(result.problems, result.files, noun, result.commits)


def bids_text(bids: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(f"{b['subtask']:<16} {b['agent']:<16} {'' if b['bid_usdc'] is None else b['bid_usdc']:<8} "
                     f"{b['branch']}  {b['message']}" for b in bids) or "no pending claims"


def status_text(result: dict[str, Any]) -> str:
    if "contracts" in result:
        return "\n".join(f"{c['contract']:<28} {c['state']:<8} owner {c['owner']:<16} open {c['open']}  "
                         f"claimed {c['claimed']}  completed {c['completed']}" for c in result["contracts"]) or "no contracts"
    lines = [f"{result['contract']} ({result['state']}) owner {result['owner']}: {result.get('objective') or ''}"]
    terms = [f"budget {result['budget_usdc']} USDC" if result.get("budget_usdc") is not None else "",
             f"deadline {result['deadline']}" if result.get("deadline") else ""]
    if any(terms):
        lines.append("  " + ", ".join(term for term in terms if term))
    for t in result["subtasks"]:
        who = f" by {t['assigned_agent']}" if t.get("assigned_agent") else ""
        offer = f", offered to {t['offer'].get('to')}" if isinstance(t.get("offer"), dict) else ""
        bids = f", {len(t['bids'])} bid(s)" if t["bids"] else ""
        lease = f", lease left {t['lease_left']}s" if t.get("lease_left") is not None else ""
        child = f", child {t['subcontract']['contract']} ({t['subcontract']['state']})" if t.get("subcontract") else ""
        data = (t.get("latest") or {}).get("data") or {}
        said = data.get("message") or data.get("summary") or data.get("deliverable") or ""
        latest = f"  latest {t['latest'].get('label')}: {said}" if t.get("latest") else ""
        award = f" [{t['award']}]" if t.get("award") not in (None, "review") else ""
        budget = f", {t['budget_usdc']} USDC" if t.get("budget_usdc") is not None else ""
        due = f", due {t['deadline']}" if t.get("deadline") else ""
        lines.append(f"  {t['id']:<16} {t['status']}{award}{who}{offer}{bids}{budget}{due}{lease}{child}{latest}")
    for q in result["open_questions"]:
        lines.append(f"  open question {q['id']} by {q['agent']}: {(q.get('data') or {}).get('message', '')}")
    return "\n".join(lines)


def event_line(event: dict[str, Any]) -> str:
    """A watcher event for people: when, what, where, who (and the message of a warning)."""
    where = "/".join(x for x in (event.get("contract"), event.get("subtask")) if x) or event.get("ref") or ""
    extra = event.get("label") or event.get("message") or event.get("problems") or ""
    mark = "* " if event.get("action") else "  "
    return f"{mark}{event.get('ts') or ''}  {event['type']:<16} {where:<28} {event.get('agent') or '':<16} {extra}".rstrip()


def next_text(items: Sequence[Mapping[str, Any]]) -> str:
    """One line per item: the command, then what it is (an offer with the time it has left)."""
    lines = []
    for item in items:
        left = item.get("expires_in")
        when = f" (expires in {_span(left)})" if isinstance(left, int) else ""
        lines.append(f"{item['command']}  # {item['detail']}{when}")
    return "\n".join(lines) or "nothing waiting for you"


def _span(seconds: int) -> str:
    """7199 -> 1h59m, 90 -> 1m30s, 5 -> 5s."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
