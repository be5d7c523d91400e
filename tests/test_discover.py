"""discover: discoverable, unexpired resources, by schema, query and link; and init."""
from __future__ import annotations

import json
from pathlib import Path

from gitcontracts import api
from helpers import commit_all


def names(results: list) -> list:
    return sorted(r["name"] for r in results)


def test_query_schema_and_link_filters(ws: api.Workspace) -> None:
    api.new_contract(ws, "website-redesign", "Redesign the landing page", [("research", "r")], deadline="2099-01-01T00:00:00Z",
                     description="Landing page redesign", labels=["web"])
    api.new_contract(ws, "api-load-test", "Load test the public API", [("plan", "p")], labels=["perf"])
    api.new_contract(ws, "secret", "Hidden work", discoverable=False)
    api.put_stash(ws, "notes", {"x": 1}, description="landing notes", discoverable=True)
    assert names(api.discover(ws, query="landing")) == ["notes", "website-redesign"]
    assert names(api.discover(ws, query="LOAD public")) == ["api-load-test"]
    assert names(api.discover(ws, query="perf")) == ["api-load-test"]
    assert names(api.discover(ws, query="hidden")) == []
    assert names(api.discover(ws, schema="agent-contract", query="web")) == ["website-redesign"]
    linked = api.discover(ws, linked_to="website-redesign")
    assert names(linked) == ["website-redesign-discussion", "website-redesign-execution"]
    assert {r["kind"] for r in linked} == {"stream"}
    result = api.discover(ws, query="redesign")[0]
    assert set(result) >= {"name", "kind", "schema", "description", "labels", "linked_stash"}


def test_expired_contracts_and_streams_are_hidden(ws: api.Workspace) -> None:
    api.new_contract(ws, "old", "Old work", deadline="2020-01-01T00:00:00Z", force=True)
    api.create_stream(ws, "chat", ttl=60, discoverable=True)
    assert "old" not in names(api.discover(ws))
    assert "old" in names(api.discover(ws, include_expired=True))
    from datetime import timedelta
    later = api.open_workspace(ws.root, clock=lambda: ws.now() + timedelta(seconds=120))
    assert "chat" in names(api.discover(ws)) and "chat" not in names(api.discover(later))
    api.post_entry(api.open_workspace(ws.root, agent="a-bot", clock=later.clock), "chat", "progress", {})
    assert "chat" in names(api.discover(later))


def test_escaped_text_is_still_found(ws: api.Workspace) -> None:
    ws.stashes.write_text("esc", 'name: esc\nowner: o\ndiscoverable: true\ndescription: "caf\\u00e9 menu"\ncontent: {}\n')
    commit_all(ws.root, "a stash written by hand")  # discover reads what is committed (docs/protocol.md)
    assert names(api.discover(ws, query="café")) == ["esc"]


def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    from helpers import git
    git("init", "-q", cwd=tmp_path)
    ws = api.open_workspace(tmp_path)
    first = api.init_workspace(ws)
    assert ".contracts/config.yaml" in first["created"] and ".gitattributes" in first["created"]
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git/" not in str(p)}
    assert api.init_workspace(api.open_workspace(tmp_path))["created"] == []
    assert snapshot == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git/" not in str(p)}
    assert "merge=gitcontracts-shard" in (tmp_path / ".gitattributes").read_text()


def test_init_records_the_remote(tmp_path: Path) -> None:
    from helpers import git
    git("init", "-q", cwd=tmp_path)
    git("remote", "add", "origin", "/nowhere.git", cwd=tmp_path)
    # the remotes are unreachable: --offline records them without pushing
    assert api.init_workspace(api.open_workspace(tmp_path), offline=True)["remote"] == "origin"
    assert "remote: origin" in (tmp_path / ".contracts/config.yaml").read_text()
    git("remote", "add", "shared", "/elsewhere.git", cwd=tmp_path)
    assert api.init_workspace(api.open_workspace(tmp_path), remote="shared", offline=True)["remote"] == "shared"
    assert api.open_workspace(tmp_path).config.remote == "shared"


def test_a_summary_of_another_shape_is_made_again(ws: api.Workspace) -> None:
    """What `discover` keeps in .git/ is a cache: one another version wrote, or a broken one, is rebuilt."""
    api.new_contract(ws, "kept", objective="find the landing page")
    assert names(api.discover(ws, query="landing")) == ["kept"]
    cache = ws.root / ".git" / "gitcontracts-discover.json"
    cache.write_text(json.dumps({oid: {"old": True} for oid in json.loads(cache.read_text())}))
    assert names(api.discover(ws, query="landing")) == ["kept"]
    cache.write_text("[not a cache")
    assert names(api.discover(ws, query="landing")) == ["kept"]
