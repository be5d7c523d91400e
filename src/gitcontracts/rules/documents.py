"""What makes each kind of document well-formed, apart from its JSON Schema: documents in, problems out."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Mapping

from gitcontracts.formats import jsonl
from gitcontracts.ids import is_id
from gitcontracts.model import Problem
from gitcontracts.names import name_problem
from gitcontracts.timeutil import is_datetime
from gitcontracts.model import REJECT_REASONS

ENVELOPE_KEYS = {"name", "schema", "owner", "description", "labels", "discoverable", "created", "content"}
META_KEYS = {"stream", "owner", "created", "ttl", "discoverable", "linked_stash", "description", "schema"}
SCHEMA_KEYS = {"name", "version", "description", "visibility", "target_type", "definition"}
ENTRY_KEYS = {"id", "ts", "agent", "label", "data"}
CONVENTIONAL_LABELS = {"claim", "bid", "offer", "accept", "reject", "progress", "deliverable", "question",
                       "answer", "status-update", "revoke"}

Check = Callable[[Any], str | None]


def _is_name(value: Any) -> str | None:
    return name_problem(value)


def _is_str(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _is_datetime(value: Any) -> str | None:
    return None if is_datetime(value) else "must be an RFC 3339 date-time (2026-11-21T22:39:32Z)"


def _is_labels(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return None if ok else "must be a list of strings"


def _is_schema_ref(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return "must be NAME or NAME@VERSION"
    name, has_version, version = value.partition("@")
    if name_problem(name):
        return name_problem(name)
    if has_version and not (version.isdigit() and int(version) > 0):
        return "version must be a positive whole number"
    return None


def _optional_name(value: Any) -> str | None:
    return None if value is None else name_problem(value)


def _is_ttl(value: Any) -> str | None:
    ok = value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0)
    return None if ok else "must be a positive number of seconds"


def _is_number(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a number >= 0"


def _fields(doc: dict[str, Any], checks: Mapping[str, Check], allowed: set[str], file: str,
            required: tuple[str, ...], prefix: str = "") -> list[Problem]:
    problems = [Problem(file, f"'{key}' is required", "required", prefix.rstrip(".")) for key in required if key not in doc]
    problems += [Problem(file, f"unknown field '{key}'", "additionalProperties", f"{prefix}{key}")
                 for key in doc if key not in allowed]
    for key, check in checks.items():
        if key in doc:
            why = check(doc[key])
            if why:
                problems.append(Problem(file, f"{key} {why}", "format", f"{prefix}{key}"))
    return problems


_NAME_PATTERN = r"^(?!.*\.\.)(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\.|$))[a-z0-9][a-z0-9._-]{0,127}$"
_ENVELOPE_SCHEMA = {
    "type": "object", "required": ["name", "owner", "content"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": _NAME_PATTERN}, "owner": {"type": "string", "pattern": _NAME_PATTERN},
        "schema": {"type": "string", "pattern": f"^(?:{_NAME_PATTERN[1:-1]})(?:@[1-9][0-9]*)?$"},
        "description": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}},
        "discoverable": {"type": "boolean"}, "created": {"type": "string", "format": "date-time"}, "content": {},
    },
}


@lru_cache(maxsize=None)
def _envelope_fast() -> Callable[[Any], Any]:
    """A compiled check that is never more lenient than envelope_problems (which explains any refusal)."""
    import fastjsonschema

    from gitcontracts.rules.formats import FORMATS
    return fastjsonschema.compile(_ENVELOPE_SCHEMA, formats=FORMATS, use_default=False, detailed_exceptions=False)


def envelope_problems(doc: Any, file: str, stem: str | None) -> list[Problem]:
    """The stash envelope (SPEC 3); the content is checked by its schema."""
    try:
        _envelope_fast()(doc)
        if stem is None or doc["name"] == stem:
            return []
    except Exception:  # fastjsonschema.JsonSchemaException: the rules below say what is wrong
        pass
    if not isinstance(doc, dict):
        return [Problem(file, "a stash is a mapping with name, owner and content", "type")]
    checks = {"name": _is_name, "owner": _is_name, "schema": _is_schema_ref, "description": _is_str,
              "labels": _is_labels, "discoverable": _is_bool, "created": _is_datetime}
    problems = _fields(doc, checks, ENVELOPE_KEYS, file, ("name", "owner", "content"))
    if stem is not None and isinstance(doc.get("name"), str) and doc["name"] != stem:
        problems.append(Problem(file, f"name {doc['name']!r} must equal the file stem {stem!r}", "name", "name"))
    return problems


def contract_problems(content: Any, file: str) -> list[Problem]:
    """What agent-contract means beyond its JSON Schema: unique subtask ids, a claimed subtask has an assignee."""
    subtasks = content.get("subtasks") if isinstance(content, dict) else None
    if not isinstance(subtasks, list):
        return []
    problems, seen = [], set()
    for index, task in enumerate(subtasks):
        if not isinstance(task, dict):
            continue
        path = f"content.subtasks[{index}]"
        task_id = task.get("id")
        if isinstance(task_id, str):  # any other type is the schema's to refuse
            if task_id in seen:
                problems.append(Problem(file, f"duplicate subtask id {task_id!r}", "unique-id", f"{path}.id"))
            seen.add(task_id)
        if task.get("status") == "claimed" and not task.get("assigned_agent"):
            problems.append(Problem(file, "a claimed subtask needs assigned_agent", "assigned", path))
    return problems


def meta_problems(doc: Any, file: str, folder: str | None) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem(file, "meta.yaml is a mapping (stream, owner, created, ...)", "type")]
    checks = {"stream": _is_name, "owner": _is_name, "created": _is_datetime, "ttl": _is_ttl,
              "discoverable": _is_bool, "linked_stash": _optional_name, "description": _is_str,
              "schema": _is_schema_ref}
    problems = _fields(doc, checks, META_KEYS, file, ("stream", "owner", "created"))
    if folder is not None and isinstance(doc.get("stream"), str) and doc["stream"] != folder:
        problems.append(Problem(file, f"stream {doc['stream']!r} must equal its folder {folder!r}", "name", "stream"))
    return problems


def schema_doc_problems(doc: Any, file: str, stem: str | None) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem(file, "a schema file is a mapping (name, version, definition, ...)", "type")]
    checks: dict[str, Check] = {
        "name": _is_name, "description": _is_str,
        "version": lambda v: (None if isinstance(v, int) and not isinstance(v, bool) and v > 0
                              else "must be a positive whole number"),
        "visibility": lambda v: None if v in ("public", "private") else "must be public or private",
        "target_type": lambda v: None if v in ("stash", "stream") else "must be stash or stream",
        "definition": lambda v: None if isinstance(v, (dict, bool)) else "must be a JSON Schema (a mapping)",
    }
    problems = _fields(doc, checks, SCHEMA_KEYS, file, ("name", "version", "definition"))
    if stem is not None and not problems and f"{doc['name']}@{doc['version']}" != stem:
        problems.append(Problem(file, f"the file must be named {doc['name']}@{doc['version']}.yaml", "name", "name"))
    return problems


_DATA_CHECKS: dict[str, Check] = {
    "subtask_id": _is_name, "agent_name": _is_name, "message": _is_str, "reason": _is_str,
    "in_reply_to": lambda v: None if is_id(v) else "must be an entry id", "deliverable": _is_name,
    "summary": _is_str, "bid_usdc": _is_number,
}


def shard_line(raw: bytes, number: int, shard_agent: str | None, file: str,
               max_line: int) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One committed or staged shard line: within the size limit, an entry, of the right shape and writer."""
    if len(raw) + 1 > max_line:
        return None, [Problem(file, f"line is over {max_line} bytes (limits.max_line_bytes)", "max-line", line=number)]
    entry, error = jsonl.decode_line(raw)
    if error:
        return None, [Problem(file, error, "entry", line=number)]
    return entry, entry_problems(entry, shard_agent, file, number)


def entry_problems(entry: Any, shard_agent: str | None, file: str, line: int | None = None) -> list[Problem]:
    """One stream entry (SPEC 5): its shape, its writer, and the conventional data of conventional labels."""
    if not isinstance(entry, dict):
        return [Problem(file, "an entry is a JSON object", "type", line=line)]
    problems = []
    for key in sorted(ENTRY_KEYS - set(entry)):
        problems.append(Problem(file, f"entry lacks '{key}'", "required", line=line))
    for key in sorted(set(entry) - ENTRY_KEYS):
        problems.append(Problem(file, f"unknown entry field '{key}'", "additionalProperties", key, line))
    if "id" in entry and not is_id(entry["id"]):
        problems.append(Problem(file, "id must be a ULID-like string", "format", "id", line))
    if "ts" in entry and not is_datetime(entry["ts"]):
        problems.append(Problem(file, "ts must be an RFC 3339 date-time", "format", "ts", line))
    label = entry.get("label")
    if "label" in entry and not (isinstance(label, str) and 0 < len(label) <= 64):
        problems.append(Problem(file, "label must be a string of 1-64 characters", "format", "label", line))
    agent = entry.get("agent")
    if "agent" in entry and name_problem(agent):
        problems.append(Problem(file, f"agent {name_problem(agent)}", "format", "agent", line))
    elif shard_agent is not None and "agent" in entry and agent != shard_agent:
        problems.append(Problem(file, f"entry by {agent!r} in the shard of {shard_agent!r}: agents write only their own shard",
                                "own-shard", "agent", line))
    if isinstance(label, str) and label in CONVENTIONAL_LABELS:
        problems += _conventional_data(entry.get("data"), label, file, line)
    return problems


def _conventional_data(data: Any, label: str, file: str, line: int | None) -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem(file, f"a '{label}' entry has an object as data", "type", "data", line)]
    problems = [Problem(file, f"data.{key} {why}", "format", f"data.{key}", line)
                for key, check in _DATA_CHECKS.items() if key in data for why in [check(data[key])] if why]
    if label == "reject" and data.get("reason") not in REJECT_REASONS:
        problems.append(Problem(file, f"a reject's reason is one of {', '.join(REJECT_REASONS)}", "enum", "data.reason", line))
    return problems


def declared_owner(data: bytes) -> str | None:
    """The `owner:` a stash's text declares at its top level, found line by line: for a stash that no
    longer parses, whose owner may still replace it with a fixed version."""
    for line in data.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key == "owner" and value.strip():
            return value.strip().strip("'\"")
    return None


def ttl_of(meta: Any) -> float | None:
    """A stream's idle lifetime in seconds; None when it has none (it never expires)."""
    ttl = meta.get("ttl") if isinstance(meta, dict) else None
    return None if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl <= 0 else float(ttl)


def stream_expired(meta: Any, shards: list[bytes], now: Any) -> bool:
    """A stream whose newest entry (or its creation, when it has none) is older than its `ttl` (SPEC 5)."""
    from gitcontracts.timeutil import parse_datetime

    ttl = ttl_of(meta)
    if ttl is None:
        return False
    stamps = [ts for ts in (jsonl.last_ts(data) for data in shards) if ts] or [str(meta.get("created") or "")]
    try:
        newest = max(parse_datetime(ts) for ts in stamps)
    except ValueError:
        return False
    return (now - newest).total_seconds() > ttl
