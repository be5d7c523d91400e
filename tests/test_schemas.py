"""Schemas (SPEC 4): the built-in agent-contract, custom schemas, metaschema, versions, $ref without network."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import write_tree
from gitcontracts import api
from gitcontracts.demo import EXAMPLES
from gitcontracts.formats import yamlsafe
from gitcontracts.referee.documents import stash_problems

RESEARCH = (EXAMPLES / "research-contract@1.yaml").read_text()


def stash_doc(content: dict, schema: str = "agent-contract") -> dict:
    return {"name": "s", "schema": schema, "owner": "orchestrator", "content": content}


def problems(ws: api.Workspace, content: dict, schema: str = "agent-contract") -> list:
    return stash_problems(ws.schemas, stash_doc(content, schema), None, "s.yaml", "s")


def example() -> dict:
    return yamlsafe.load((EXAMPLES / "website-redesign.yaml").read_bytes())


def test_the_public_example_contract_validates_as_it_is(ws: api.Workspace) -> None:
    content = example()
    assert [t["id"] for t in content["subtasks"]] == ["research", "design", "implement", "test"]
    assert content["deadline"] == "2027-05-01T00:00:00Z" and content["budget_usdc"] == 50.0
    assert problems(ws, content) == []


@pytest.mark.parametrize("change, path, rule", [
    (lambda c: c.update(deadline="not-a-date"), "content.deadline", "format"),
    (lambda c: c["subtasks"][2].update(status="done"), "content.subtasks[2].status", "enum"),
    (lambda c: c.pop("objective"), "content", "required"),
    (lambda c: c["subtasks"][0].pop("id"), "content.subtasks[0]", "required"),
    (lambda c: c.update(budget_usdc="fifty"), "content.budget_usdc", "type"),
    (lambda c: c["subtasks"][1].update(offer={"to": "x", "expires": "soon"}), "content.subtasks[1].offer.expires", "format"),
    (lambda c: c["subtasks"][1].update(award="auction"), "content.subtasks[1].award", "enum"),
])
def test_each_problem_is_named_by_path_and_rule(ws: api.Workspace, change, path: str, rule: str) -> None:
    content = example()
    change(content)
    found = [(p.path, p.rule) for p in problems(ws, content)]
    assert (path, rule) in found


def test_all_problems_are_reported_at_once(ws: api.Workspace) -> None:
    content = example()
    content["deadline"] = "not-a-date"
    content["subtasks"][0]["status"] = "done"
    content["subtasks"][3]["status"] = "finished"
    assert len(problems(ws, content)) == 3


def test_additional_properties_are_allowed(ws: api.Workspace) -> None:
    content = example()
    content["priority"] = "high"
    content["subtasks"][0]["notes"] = ["x"]
    assert problems(ws, content) == []


def test_builtin_schema_is_valid_under_its_metaschema() -> None:
    from gitcontracts.rules.schema_check import check_metaschema
    from gitcontracts.store.schemas import BUILTIN_DIR

    for path in BUILTIN_DIR.glob("*.yaml"):
        check_metaschema(yamlsafe.load(path.read_bytes())["definition"], path.name)


def test_custom_schema_add_list_search_show_and_use(ws: api.Workspace, tmp_path: Path) -> None:
    (tmp_path / "research.yaml").write_text(RESEARCH)
    assert api.add_schema(ws, tmp_path / "research.yaml")["changed"]
    ws = api.open_workspace(ws.root, agent="orchestrator")
    assert {r["name"] for r in api.list_schemas(ws)} == {"agent-contract", "research-contract"}
    assert [r["name"] for r in api.search_schemas(ws, "source requirements")] == ["research-contract"]
    assert api.show_schema(ws, "research-contract@1").version == 1
    good = {"objective": "Survey", "output_format": "markdown"}
    assert problems(ws, good, "research-contract") == []
    found = [(p.path, p.rule) for p in problems(ws, {"objective": "x", "output_format": "pdf"}, "research-contract@1")]
    assert found == [("content.output_format", "enum")]
    found = [(p.path, p.rule) for p in problems(ws, {"objective": "x"}, "research-contract")]
    assert found == [("content", "required")]


def test_private_schemas_are_hidden_unless_all(ws: api.Workspace, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(RESEARCH.replace("visibility: public", "visibility: private"))
    api.add_schema(ws, tmp_path / "p.yaml")
    ws = api.open_workspace(ws.root)
    assert "research-contract" not in {r["name"] for r in api.list_schemas(ws)}
    assert "research-contract" in {r["name"] for r in api.list_schemas(ws, include_private=True)}
    assert api.search_schemas(ws, "research") == []


def test_a_schema_invalid_under_its_metaschema_is_refused(ws: api.Workspace, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\nversion: 1\ndefinition: {type: objekt}\n")
    with pytest.raises(api.InvalidContent, match="not a valid JSON Schema"):
        api.add_schema(ws, tmp_path / "bad.yaml")
    assert not (ws.layout.schemas / "bad@1.yaml").exists()


@pytest.mark.parametrize("ref", ["http://example.com/schema.json", "file:///etc/passwd", "nope@3"])
def test_refs_never_reach_the_network_or_the_disk(ws: api.Workspace, tmp_path: Path, ref: str) -> None:
    (tmp_path / "r.yaml").write_text(f"name: r\nversion: 1\ndefinition: {{$ref: '{ref}'}}\n")
    with pytest.raises(api.InvalidContent, match="does not name a schema of this repository"):
        api.add_schema(ws, tmp_path / "r.yaml")


def test_refs_to_repo_and_builtin_schemas_resolve(ws: api.Workspace, tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("name: wrapped\nversion: 1\ndefinition:\n"
                                     "  allOf: [{$ref: agent-contract@1}, {required: [owner_note]}]\n")
    api.add_schema(ws, tmp_path / "r.yaml")
    ws = api.open_workspace(ws.root)
    content = example()
    assert [p.rule for p in problems(ws, content, "wrapped")] == ["required"]
    content["owner_note"] = "x"
    assert problems(ws, content, "wrapped") == []
    content["deadline"] = "nope"
    assert [p.path for p in problems(ws, content, "wrapped")] == ["content.deadline"]


def test_versions_pin_and_breaking_changes_need_a_new_version(ws: api.Workspace, tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(RESEARCH)
    api.add_schema(ws, tmp_path / "v1.yaml")
    ws = api.open_workspace(ws.root, agent="orchestrator")
    api.put_stash(ws, "study", {"objective": "x", "output_format": "csv"}, schema="research-contract@1")
    api.put_stash(ws, "loose", {"objective": "x", "output_format": "csv"}, schema="research-contract")
    breaking = RESEARCH.replace("[markdown, json, csv]", "[markdown, json]")
    (tmp_path / "v1b.yaml").write_text(breaking)
    with pytest.raises(api.InvalidContent, match="breaking change.*loose, study|breaking change.*study"):
        api.add_schema(ws, tmp_path / "v1b.yaml")
    (tmp_path / "v2.yaml").write_text(breaking.replace("version: 1", "version: 2"))
    with pytest.raises(api.InvalidContent, match="loose"):  # bare-name users would move to v2 and break
        api.add_schema(ws, tmp_path / "v2.yaml")
    # pinning is an ordinary stash edit, landed like any other
    api.put_stash(ws, "loose", {"objective": "x", "output_format": "csv"}, schema="research-contract@1")
    assert api.add_schema(ws, tmp_path / "v2.yaml")["schema"] == "research-contract@2"
    ws = api.open_workspace(ws.root)
    assert ws.schemas.versions("research-contract") == [1, 2]
    assert ws.schemas.resolve("research-contract").version == 2
    assert ws.schemas.resolve("research-contract@1").version == 1


def test_fast_and_full_validators_agree(ws: api.Workspace) -> None:
    """The fast path is only an accelerator: on valid and invalid documents alike it agrees with jsonschema."""
    compiled = ws.schemas.compiled("agent-contract")
    assert compiled.fast is not None
    samples = [example(), {"objective": 1}, {"objective": "x", "budget_usdc": True}, {"objective": "x", "subtasks": [{}]},
               {"objective": "x", "subtasks": [{"id": "A", "description": "d", "status": "open"}]},
               {"objective": "x", "deadline": "2026-02-30T00:00:00Z"}, {"objective": "x", "budget_usdc": 1.0},
               {"objective": "x", "subtasks": [{"id": "a", "description": "d", "status": "open", "lease": "1h30m"}]}]
    for sample in samples:
        fast_ok = True
        try:
            compiled.fast(sample)
        except Exception:
            fast_ok = False
        assert fast_ok == (not list(compiled.full().iter_errors(sample))), sample


def test_schema_file_named_after_its_version(ws: api.Workspace) -> None:
    write_tree(ws.root, {".contracts/schemas/research-contract@2.yaml": RESEARCH})
    report = api.validate_all(ws)
    assert any("research-contract@1.yaml" in p.message for p in report.problems)


import pytest as _pytest  # noqa: E402

from gitcontracts.rules.documents import envelope_problems  # noqa: E402


@_pytest.mark.parametrize("field, value, ok", [
    ("schema", "agent-contract", True), ("schema", "agent-contract@2", True), ("schema", "x@0", False),
    ("schema", "x@", False), ("schema", "Bad", False), ("name", "con", False), ("owner", "a..b", False),
    ("created", "2026-11-21T22:39:32Z", True), ("created", "yesterday", False), ("labels", ["a", 1], False),
    ("discoverable", "yes", False), ("extra", 1, False),
])
def test_envelope_fast_path_agrees_with_the_rules(field: str, value, ok: bool) -> None:
    doc = {"name": "s", "owner": "o", "content": {}, field: value}
    stem = value if field == "name" else "s"
    assert (envelope_problems(doc, "s.yaml", stem) == []) is ok
