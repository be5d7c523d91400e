"""Text renderings of results (the JSON shapes are the results' own to_dict)."""
from __future__ import annotations

import json
from typing import Any, Sequence

from gitcontracts.model import Problem


def problems_text(problems: Sequence[Problem], checked: int) -> str:
    lines = [str(p) for p in problems]
    noun = "file" if checked == 1 else "files"
    lines.append(f"{checked} {noun} checked, {len(problems)} problem{'s' if len(problems) != 1 else ''}"
                 if problems else f"{checked} {noun} checked, all valid")
    return "\n".join(lines)


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
