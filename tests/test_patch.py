"""update_items on data, and the text edit that keeps everything it did not change."""
from __future__ import annotations

import pytest

from gitcontracts.errors import InvalidContent
from gitcontracts.formats import yamledit, yamlsafe
from gitcontracts.rules import patch

TEXT = """name: c   # the name
owner: o
content:
  objective: x
  # a human comment that must survive
  subtasks:
    - id: research
      description: Research   # keep me
      status: open
    - {id: design, description: d, status: open}
    - id: test
      description: |
        multi
        line
      status: open
  tail: 1
"""


def _patch(text: str, doc: dict) -> tuple[str, list[int]]:
    data = yamlsafe.load(text)
    content, counts, changes = patch.apply(data["content"], patch.parse_update_items(doc))
    out = yamledit.edit(text, [(c.address, c.set, c.unset) for c in changes])
    assert out is not None
    assert patch.json_equal(yamlsafe.load(out)["content"], content)
    return out, counts


def test_set_keeps_comments_order_and_untouched_lines() -> None:
    out, counts = _patch(TEXT, {"update_items": [{"path": "subtasks", "match": {"id": "research"},
                                                  "set": {"status": "claimed", "assigned_agent": "research-bot"}}]})
    assert counts == [1]
    assert "# a human comment that must survive" in out and "# keep me" in out
    assert "      status: claimed\n      assigned_agent: research-bot\n" in out
    changed = [line for line in out.splitlines() if line not in TEXT.splitlines()]
    assert changed == ["      status: claimed", "      assigned_agent: research-bot"]


def test_flow_mappings_and_block_scalars_are_edited_in_place() -> None:
    out, counts = _patch(TEXT, {"update_items": [{"path": "subtasks", "match": {"status": "open"},
                                                  "set": {"status": "completed"}}]})
    assert counts == [3]
    assert "{id: design, description: d, status: completed}" in out
    assert "multi\n        line\n" in out


def test_zero_matches_is_reported_not_an_error() -> None:
    data = yamlsafe.load(TEXT)
    _, counts, changes = patch.apply(data["content"], patch.parse_update_items(
        {"update_items": [{"path": "subtasks", "match": {"id": "nope"}, "set": {"status": "open"}}]}))
    assert counts == [0] and changes == []


def test_match_is_json_equality() -> None:
    assert not patch.json_equal(True, 1) and patch.json_equal(1, 1.0) and not patch.json_equal("1", 1)


@pytest.mark.parametrize("doc", [
    {}, {"update_items": "x"}, {"update_items": [{"match": {}}]},
    {"update_items": [{"path": "subtasks", "set": {}}]},
    {"update_items": [{"path": "subtasks", "set": {"a": 1}, "bogus": 1}]},
])
def test_malformed_patches_are_refused(doc: dict) -> None:
    with pytest.raises(InvalidContent):
        patch.parse_update_items(doc)


def test_path_that_is_not_an_array_is_refused() -> None:
    with pytest.raises(InvalidContent, match="not an array"):
        patch.apply({"objective": "x"}, patch.parse_update_items({"update_items": [{"path": "objective", "set": {"a": 1}}]}))
