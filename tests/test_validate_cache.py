"""`validate` remembers the stashes it found valid, by the id of their bytes (issue 14): the second run over an
unchanged folder checks nothing again, and any change a verdict depends on is checked afresh."""
from __future__ import annotations

from pathlib import Path

from gitcontracts import api
from gitcontracts.ops.verdicts import FILE, blob_id
from helpers import git

NOTE_SCHEMA = """name: note
version: 1
visibility: public
target_type: stash
definition:
  type: object
  required: [text]
  properties:
    text: {type: string, maxLength: %d}
"""


def stash(ws: api.Workspace, name: str, text: str) -> Path:
    path = ws.layout.stash(name)
    path.write_text(f"name: {name}\nschema: note@1\nowner: orchestrator\ncontent:\n  text: {text}\n")
    return path


def validate(ws: api.Workspace) -> list[str]:
    return [f"{p.file}: {p.rule}" for p in api.validate_paths(ws, [ws.layout.stashes]).problems]


def test_a_valid_stash_is_remembered_by_its_bytes_and_checked_again_when_they_change(ws: api.Workspace) -> None:
    (ws.layout.schemas / "note@1.yaml").write_text(NOTE_SCHEMA % 20)
    path = stash(ws, "memo", "short")
    assert validate(ws) == []
    verdicts = (ws.root / ".git" / FILE).read_text()
    assert f"memo.yaml:{blob_id(path.read_bytes())}" in verdicts
    assert blob_id(path.read_bytes()) == git("hash-object", str(path), cwd=ws.root)
    assert validate(api.open_workspace(ws.root)) == []
    stash(ws, "memo", "far too long for the schema's limit")
    assert validate(api.open_workspace(ws.root)) == [".contracts/stashes/memo.yaml: maxLength"]


def test_a_changed_schema_checks_every_stash_afresh(ws: api.Workspace) -> None:
    (ws.layout.schemas / "note@1.yaml").write_text(NOTE_SCHEMA % 20)
    stash(ws, "memo", "twelve chars")
    assert validate(ws) == []
    (ws.layout.schemas / "note@1.yaml").write_text(NOTE_SCHEMA % 5)  # the same stash is now too long
    assert validate(api.open_workspace(ws.root)) == [".contracts/stashes/memo.yaml: maxLength"]


def test_the_same_bytes_under_another_name_are_checked_for_that_name(ws: api.Workspace) -> None:
    (ws.layout.schemas / "note@1.yaml").write_text(NOTE_SCHEMA % 20)
    path = stash(ws, "memo", "short")
    assert validate(ws) == []
    (ws.layout.stashes / "other.yaml").write_bytes(path.read_bytes())  # its `name:` says memo
    assert validate(api.open_workspace(ws.root)) != []


def test_verdicts_that_do_not_load_are_made_again(ws: api.Workspace) -> None:
    (ws.layout.schemas / "note@1.yaml").write_text(NOTE_SCHEMA % 20)
    stash(ws, "memo", "short")
    (ws.root / ".git" / FILE).write_text("[broken")
    assert validate(ws) == []
    assert "memo.yaml:" in (ws.root / ".git" / FILE).read_text()
