"""The board's pages as text: collect.py's dicts in, {path: HTML} out. Pure.

Everything a contract, an entry or a branch says is escaped where it is put into the page (`esc`), and each page
carries a Content-Security-Policy that lets only this module's own style and script run (by their hashes): a
hostile objective, message or stash is text, and would stay inert even if an escape were ever missed."""
from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any, Iterable

from gitcontracts.ops.history import said

TIMELINE_LIMIT = 500  # entries of each stream on a contract's page; the rest is named with the command that reads it
STATES = ("open", "claimed", "completed")

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2230;background:#f4f5f8}
header{background:#1d2230;color:#fff;padding:12px 24px}header a{color:#9cc4ff}
main{padding:16px 24px;max-width:1400px}h1{font-size:20px;margin:4px 0}h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e5ea;vertical-align:top}
th{background:#eceef3;font-weight:600}.muted{color:#6b7280}.num{text-align:right;white-space:nowrap}
.state{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.state-open{background:#dbeafe;color:#1e40af}.state-done{background:#dcfce7;color:#166534}
.state-expired{background:#fee2e2;color:#991b1b}
.columns{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}
.column{background:#e9ebf0;border-radius:6px;padding:8px}
.column h3{margin:4px 4px 8px;font-size:14px}
.card{background:#fff;border-radius:6px;padding:8px 10px;margin-bottom:8px;box-shadow:0 1px 2px #0002}
.card h4{margin:0 0 4px;font-size:14px}
.card dl{margin:4px 0;display:grid;grid-template-columns:auto 1fr;gap:2px 8px}
.card dt{color:#6b7280}.card dd{margin:0}
.claim{border-left:3px solid #f59e0b;padding:4px 8px;margin:6px 0;background:#fffbeb}
code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#0f172a;color:#e2e8f0;padding:8px;overflow:auto;max-height:420px;white-space:pre-wrap}
.timeline{list-style:none;padding:0;margin:0;background:#fff}
.timeline li{padding:6px 8px;border-bottom:1px solid #e3e5ea}
.label{font-weight:600}#contracts td:first-child{white-space:nowrap}.filters{margin:8px 0}.filters select{margin-right:12px}
""".strip()

SCRIPT = """
(function () {
  var body = document.body;
  var label = document.getElementById('f-label'), task = document.getElementById('f-subtask');
  function apply() {
    var rows = document.querySelectorAll('#timeline li');
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      row.hidden = (label.value !== '' && row.dataset.label !== label.value) ||
                   (task.value !== '' && row.dataset.subtask !== task.value);
    }
  }
  function share() {
    var wanted = new URLSearchParams();
    if (label.value) { wanted.set('label', label.value); }
    if (task.value) { wanted.set('subtask', task.value); }
    try { history.replaceState(null, '', '#' + wanted.toString()); } catch (ignored) { /* a file:// page may refuse */ }
  }
  document.addEventListener('change', function (event) {
    if (event.target.classList.contains('filter')) { apply(); share(); }
  });
  var asked = new URLSearchParams(location.hash.slice(1));
  if (label && task && (asked.get('label') || asked.get('subtask'))) {
    label.value = asked.get('label') || '';
    task.value = asked.get('subtask') || '';
    apply();
  }
  function poll() {
    fetch('/_board/version?after=' + encodeURIComponent(body.dataset.version))
      .then(function (answer) { return answer.json(); })
      .then(function (got) {
        if (String(got.version) !== body.dataset.version) { location.reload(); } else { poll(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (body.dataset.live === '1') { poll(); }
})();
""".strip()


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (f"default-src 'none'; style-src {_digest(STYLE)}; script-src {_digest(SCRIPT)}; connect-src 'self'; "
       "img-src 'none'; base-uri 'none'; form-action 'none'")


def esc(value: Any) -> str:
    """Text (or any value, as text) for an HTML body or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def render_site(board: dict[str, Any], version: str = "", live: bool = False) -> dict[str, str]:
    """{relative path: page}: index.html and contracts/<name>.html for every contract."""
    pages = {"index.html": index_page(board, version, live)}
    for view in board["contracts"]:
        pages[contract_path(view["contract"])] = contract_page(board, view, version, live)
    return pages


def contract_path(name: str) -> str:
    return f"contracts/{name}.html"


def page(title: str, heading: str, body: str, version: str, live: bool, up: str = "") -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
            f'<body data-version="{esc(version)}" data-live="{1 if live else 0}">'
            f'<header>{heading}</header><main>{body}</main><script>{SCRIPT}</script></body></html>\n')


def index_page(board: dict[str, Any], version: str, live: bool) -> str:
    rows = "".join(_index_row(view) for view in board["contracts"])
    counts = {state: sum(1 for v in board["contracts"] if v["state"] == state) for state in ("open", "done", "expired")}
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    body = (f'<p class="muted">{len(board["contracts"])} contracts ({esc(summary)}) · shared main '
            f'<code>{esc((board.get("main") or "")[:10])}</code> · as of {esc(board["generated"])}</p>'
            '<table id="contracts"><thead><tr><th>contract</th><th>state</th><th>owner</th><th>objective</th>'
            '<th class="num">open</th><th class="num">claimed</th><th class="num">completed</th>'
            '<th class="num">pending claims</th><th class="num">budget</th><th>deadline</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")
    return page("gitcontracts board", "<h1>gitcontracts board</h1>", body, version, live)


def _index_row(view: dict[str, Any]) -> str:
    tasks = view["subtasks"]
    count = {state: sum(1 for t in tasks if t.get("status") == state) for state in STATES}
    pending = sum(len(t["bids"]) for t in tasks)
    return (f'<tr data-contract="{esc(view["contract"])}"><td><a href="{esc(contract_path(view["contract"]))}">'
            f'{esc(view["contract"])}</a></td><td>{_state(view["state"])}</td><td>{esc(view["owner"])}</td>'
            f'<td>{esc(_short(view.get("objective"), 120))}</td>'
            + "".join(f'<td class="num">{count[s]}</td>' for s in STATES)
            + f'<td class="num">{pending}</td><td class="num">{_money(view.get("budget_usdc"))}</td>'
            f'<td>{_deadline(view.get("deadline"), _open_left(view))}</td></tr>')


def contract_page(board: dict[str, Any], view: dict[str, Any], version: str, live: bool) -> str:
    name = view["contract"]
    heading = (f'<a href="../index.html">← all contracts</a><h1>{esc(name)} {_state(view["state"])}</h1>'
               f'<div>{esc(view.get("objective"))}</div>')
    body = "".join((_facts(board, view), _subtasks(view), _deliverables(view), _timeline(view), _log(view)))
    return page(f"{name} · gitcontracts board", heading, body, version, live)


def _facts(board: dict[str, Any], view: dict[str, Any]) -> str:
    criteria = "".join(f"<li>{esc(_said(c))}</li>" for c in view.get("success_criteria") or [])
    labels = ", ".join(esc(label) for label in view.get("labels") or [])
    questions = "".join(f'<li><span class="muted">{esc(q.get("agent"))}, {esc(q.get("ts"))}:</span> '
                        f'{esc(_said(q.get("data") or {}, q.get("label")))}</li>' for q in view.get("open_questions") or [])
    return (f'<table id="facts"><tr><th>owner</th><td>{esc(view.get("owner"))}</td>'
            f'<th>budget</th><td>{_money(view.get("budget_usdc"))}</td>'
            f'<th>deadline</th><td>{_deadline(view.get("deadline"), _open_left(view))}</td></tr>'
            f'<tr><th>description</th><td colspan="3">{esc(view.get("description") or "—")}</td>'
            f'<th>labels</th><td>{labels or "—"}</td></tr></table>'
            + (f"<h2>Success criteria</h2><ul>{criteria}</ul>" if criteria else "")
            + (f'<h2>Open questions</h2><ul id="questions">{questions}</ul>' if questions else "")
            + f'<p class="muted">as of {esc(board["generated"])}</p>')


def _subtasks(view: dict[str, Any]) -> str:
    columns = []
    for state in STATES:
        cards = "".join(_card(view["contract"], str(view.get("owner")), t) for t in view["subtasks"]
                        if t.get("status") == state)
        others = [t for t in view["subtasks"] if t.get("status") not in STATES] if state == "open" else []
        cards += "".join(_card(view["contract"], str(view.get("owner")), t) for t in others)
        count = sum(1 for t in view["subtasks"] if t.get("status") == state) + len(others)
        columns.append(f'<section class="column" id="column-{state}"><h3>{state} ({count})</h3>{cards}</section>')
    return f'<h2>Subtasks</h2><div class="columns" id="subtasks">{"".join(columns)}</div>'


def _card(contract: str, owner: str, task: dict[str, Any]) -> str:
    facts = [("status", esc(task.get("status"))), ("assignee", esc(task.get("assigned_agent") or "—")),
             ("budget", _money(task.get("budget_usdc"))), ("award", esc(task.get("award"))),
             ("deadline", _deadline(task.get("deadline"), task.get("deadline_left")))]
    if task.get("lease_left") is not None:
        facts.append(("lease", esc(_left(task["lease_left"]))))
    if isinstance(task.get("offer"), dict):
        facts.append(("offer", _offer(task["offer"], task.get("offer_left"))))
    if task.get("requires"):
        facts.append(("requires", esc(", ".join(map(str, task["requires"])))))
    if task.get("deliverable_schema"):
        facts.append(("deliverable", f'<code>{esc(task["deliverable_schema"])}</code>'))
    if isinstance(task.get("subcontract"), dict):
        child = task["subcontract"]
        facts.append(("subcontract", f'<a href="{esc(child.get("contract"))}.html">{esc(child.get("contract"))}</a> '
                                     f'{_state(child.get("state"))}'))
    latest = task.get("latest")
    if isinstance(latest, dict):
        facts.append(("latest", f'{esc(latest.get("label"))}: {esc(_said(latest.get("data") or {}, latest.get("label")))}'))
    rows = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    claims = "".join(_claim(contract, owner, task, bid) for bid in task.get("bids") or [])
    return (f'<article class="card" data-subtask="{esc(task.get("id"))}"><h4>{esc(task.get("id"))}</h4>'
            f'<div>{esc(task.get("description"))}</div><dl>{rows}</dl>{claims}</article>')


def _claim(contract: str, owner: str, task: dict[str, Any], bid: dict[str, Any]) -> str:
    kind = "bid" if bid.get("bid_usdc") is not None else "claim"
    price = f' for {_money(bid["bid_usdc"])}' if kind == "bid" else ""
    command = f'gitcontracts --agent {owner} award {contract} {task.get("id")} {bid.get("agent")}'
    return (f'<div class="claim" data-agent="{esc(bid.get("agent"))}"><strong>pending {kind}</strong> by '
            f'{esc(bid.get("agent"))}{price} <span class="muted">{esc(bid.get("ts"))}</span>'
            f'<div>{esc(bid.get("message"))}</div><div class="muted">branch <code>{esc(bid.get("branch"))}</code></div>'
            f'<div>the owner awards it: <code>{esc(command)}</code></div>'
            f'<details><summary>the claim branch\'s change</summary><pre>{esc(bid.get("diff"))}</pre></details></div>')


def _offer(offer: dict[str, Any], left: int | None) -> str:
    chain = " → ".join(esc(name) for name in [offer.get("to"), *(offer.get("fallback") or [])] if name)
    expires = f' <span class="muted">({esc(_left(left))})</span>' if left is not None else ""
    then = f' <span class="muted">then {esc(offer.get("then"))}</span>' if offer.get("then") else ""
    return f"{chain}{expires}{then}"


def _deliverables(view: dict[str, Any]) -> str:
    items = []
    for item in view.get("deliverables") or []:
        shown = (f'<details><summary>the stash</summary><pre>{esc(item["text"])}</pre></details>'
                 if item.get("text") is not None else '<div class="muted">(the stash is not on the shared main)</div>')
        schema = (f'schema <code>{esc(item["schema"])}</code>' if item.get("schema") else "no schema")
        if item.get("schema_definition") is not None:
            definition = json.dumps(item["schema_definition"], indent=2, ensure_ascii=False, sort_keys=True)
            shown += f'<details><summary>the schema {esc(item["schema"])}</summary><pre>{esc(definition)}</pre></details>'
        items.append(f'<li data-stash="{esc(item["stash"])}"><strong>{esc(item["stash"])}</strong> for '
                     f'{esc(item.get("subtask"))} by {esc(item.get("agent"))} · {schema}'
                     f' <span class="muted">{esc(item.get("ts"))}</span><div>{esc(item.get("summary"))}</div>{shown}</li>')
    return f'<h2>Deliverables</h2><ul id="deliverables">{"".join(items)}</ul>' if items else ""


def _timeline(view: dict[str, Any]) -> str:
    streams = ((f'{view["contract"]}-execution', view.get("execution") or []),
               (f'{view["contract"]}-discussion', view.get("discussion") or []))
    entries, cut = [], []
    for stream, shown in streams:
        if len(shown) > TIMELINE_LIMIT:
            cut.append(f"{len(shown) - TIMELINE_LIMIT} earlier entries of {stream}: gitcontracts stream read {stream}")
        entries += [(stream, entry) for entry in shown[-TIMELINE_LIMIT:]]
    entries.sort(key=lambda pair: (str(pair[1].get("ts")), str(pair[1].get("id"))))
    labels = sorted({str(entry.get("label")) for _, entry in entries})
    tasks = sorted({str((entry.get("data") or {}).get("subtask_id")) for _, entry in entries
                    if isinstance(entry.get("data"), dict) and (entry.get("data") or {}).get("subtask_id")})
    rows = "".join(_entry(stream, entry) for stream, entry in entries)
    notes = "".join(f'<p class="muted">{esc(line)}</p>' for line in cut)
    return (f'<h2>Timeline</h2><div class="filters">{_select("f-label", "label", labels)}'
            f'{_select("f-subtask", "subtask", tasks)}</div>{notes}<ul class="timeline" id="timeline">{rows}</ul>')


def _select(ident: str, what: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
    return (f'<label>{what} <select id="{ident}" class="filter"><option value="">every {what}</option>'
            f"{options}</select></label>")


def _entry(stream: str, entry: dict[str, Any]) -> str:
    data: dict[str, Any] = entry["data"] if isinstance(entry.get("data"), dict) else {}
    return (f'<li data-label="{esc(entry.get("label"))}" data-subtask="{esc(data.get("subtask_id") or "")}" '
            f'data-stream="{esc(stream)}"><span class="muted">{esc(entry.get("ts"))}</span> '
            f'<span class="label">{esc(entry.get("label"))}</span> by {esc(entry.get("agent"))}'
            + (f' on {esc(data["subtask_id"])}' if data.get("subtask_id") else "")
            + f': {esc(_said(data, entry.get("label")))}</li>')


def _log(view: dict[str, Any]) -> str:
    rows = "".join(f'<tr><td>{esc(c.get("ts"))}</td><td>{esc(c.get("action"))}</td><td>{esc(c.get("subtask") or "")}</td>'
                   f'<td>{esc(c.get("agent"))}</td><td><code>{esc(str(c.get("commit"))[:10])}</code></td>'
                   f'<td>{esc(c.get("message"))}</td></tr>' for c in view.get("log") or [])
    return ('<h2>Execution log (commit trailers)</h2><table id="log"><thead><tr><th>time</th><th>action</th>'
            f'<th>subtask</th><th>agent</th><th>commit</th><th>message</th></tr></thead><tbody>{rows}</tbody></table>')


def _said(data: Any, label: Any = None) -> str:
    """What an entry's data (or a criterion) says, as one line: as `log` puts it, else what else the data holds,
    as JSON (a label of the team's own, with fields of its own)."""
    if not isinstance(data, dict):
        return str(data)
    rest = {key: value for key, value in data.items() if value not in ("", None, [], {})
            and key not in ("message", "summary", "subtask_id", "in_reply_to")}
    return said(label, data) or (json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "")


def _open_left(view: dict[str, Any]) -> int | None:
    """Time left to a contract's deadline, while it is not done."""
    return None if view.get("state") == "done" else view.get("deadline_left")


def _state(state: Any) -> str:
    return f'<span class="state state-{esc(state)}">{esc(state)}</span>'


def _money(value: Any) -> str:
    return esc(f"{value:,.2f} USDC" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—")


def _deadline(when: Any, left: int | None) -> str:
    if not when:
        return "—"
    return f'{esc(when)} <span class="muted">({esc(_left(left))})</span>' if left is not None else esc(when)


def _left(seconds: int | None) -> str:
    """'3d 4h left', '12m left', 'passed 2h ago'."""
    if seconds is None:
        return ""
    span, parts = abs(seconds), list[str]()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if span >= size and len(parts) < 2:
            parts.append(f"{span // size}{unit}")
            span %= size
    text = " ".join(parts) or f"{span}s"
    return f"{text} left" if seconds >= 0 else f"passed {text} ago"


def _short(text: Any, limit: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
