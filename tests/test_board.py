"""`board`: the static site and the served board, read as HTML (the browser tests are in test_board_browser.py).
The world (board_world.py) is built once for the module, the server started once (conftest's board_* fixtures)."""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from board_world import HOSTILE, XSS, Page, Served, environment
from conftest import Shared
from helpers import run_cli
from gitcontracts import api
from gitcontracts.board.render import SCRIPT, STYLE


def read(board_site: Path, rel: str) -> Page:
    return Page((board_site / rel).read_text())


def test_board_out_json_is_what_it_wrote(board_world: Shared, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_cli("--json", "board", "--out", str(out), cwd=board_world.clone("orchestrator"),
                     env=environment(board_world, "orchestrator"))
    assert result.code == 0, result.err
    assert result.json == {"out": str(out), "pages": 3, "contracts": 2, "version": result.json["version"]}
    Draft202012Validator(api.output_schema("board")).validate(result.json)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == [
        "contracts/hostile.html", "contracts/site-redesign.html", "index.html"]


def test_the_index_lists_every_contract_with_its_state_and_counts(board_site: Path) -> None:
    page = read(board_site, "index.html")
    rows = {a["data-contract"] for a in page.having("tr") if "data-contract" in a}
    assert rows == {"site-redesign", "hostile"}
    assert page.having("a", href="contracts/site-redesign.html")
    assert "open" in page.words and "Redesign the landing page" in page.words


def test_a_contract_page_shows_subtasks_by_status_with_claims_offers_and_commands(board_site: Path) -> None:
    page = read(board_site, "contracts/site-redesign.html")
    cards = {a["data-subtask"] for a in page.having("article")}
    assert cards == {"research", "copy", "build", "review"}
    assert page.having("section", id="column-completed") and page.having("div", **{"class": "claim", "data_agent": "build-bot"})
    words = page.words
    assert "gitcontracts --agent orchestrator award site-redesign build build-bot" in words  # the owner's command
    assert "claim/site-redesign/build/build-bot" in words and "pending: I can build it this week" in words
    assert "+{" in words and '"label":"claim"' in words.replace(" ", "")  # the claim branch's diff: the entry it adds
    assert "review-bot → qa-bot" in words and "left)" in words  # the offer chain and its time left
    assert "writer-bot" in words and "first draft of the hero text" in words


def test_the_timeline_has_every_entry_with_label_and_subtask_to_filter_on(board_site: Path) -> None:
    page = read(board_site, "contracts/site-redesign.html")
    entries = page.having("li", data_stream="site-redesign-execution") + page.having("li", data_stream="site-redesign-discussion")
    assert {(e["data-label"], e["data-subtask"]) for e in entries} >= {
        ("claim", "research"), ("progress", "research"), ("deliverable", "research"), ("progress", "copy"), ("offer", "review")}
    labels = {a["value"] for a in page.having("option")}
    assert {"progress", "claim", "research", "copy"} <= labels


def test_deliverables_link_their_stash_and_the_log_comes_from_trailers(board_site: Path) -> None:
    page = read(board_site, "contracts/site-redesign.html")
    assert page.having("li", data_stash="research-notes")
    assert "short pages win" in page.words  # the stash's content
    log = page.words[page.words.index("Execution log"):]
    for action in ("announce", "award", "progress", "deliver", "complete", "offer"):
        assert action in log


def test_hostile_text_is_shown_as_text_and_never_becomes_markup(board_site: Path) -> None:
    for rel in ("index.html", "contracts/hostile.html", "contracts/site-redesign.html"):
        page = read(board_site, rel)
        assert page.scripts == [SCRIPT]  # one script: ours
        assert [t for t, _ in page.tags if t in ("img", "svg", "iframe", "object", "embed", "textarea")] == []
        assert all(not k.startswith("on") for _, attrs in page.tags for k in attrs)
        assert all(not attrs.get("href", "").lower().startswith("javascript") for _, attrs in page.tags)
        styles = [t for t, _ in page.tags if t == "style"]
        assert len(styles) == 1 and STYLE in (board_site / rel).read_text()
    hostile = read(board_site, "contracts/hostile.html")
    for payload in XSS:  # each payload is on the page, as the words it is
        assert payload in hostile.words
    assert HOSTILE in hostile.words
    assert any(a.get("http-equiv") == "Content-Security-Policy" and "script-src 'sha256-" in a["content"]
               for a in hostile.having("meta"))


def test_a_second_board_replaces_the_first_and_a_foreign_folder_is_refused(board_world: Shared, board_site: Path,
                                                                            tmp_path: Path) -> None:
    env = environment(board_world, "orchestrator")
    stray = board_site / "contracts" / "gone.html"
    stray.write_text("old")
    again = run_cli("board", "--out", str(board_site), cwd=board_world.clone("orchestrator"), env=env)
    assert again.code == 0, again.err
    assert not stray.exists() and (board_site / "index.html").is_file()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = run_cli("--json", "board", "--out", str(foreign), cwd=board_world.clone("orchestrator"), env=env)
    assert refused.code == 2 and "not a board" in refused.error["message"]
    assert (foreign / "notes.txt").read_text() == "keep me" and len(list(foreign.iterdir())) == 1


def test_board_needs_out_or_serve_and_not_both(board_world: Shared, tmp_path: Path) -> None:
    env = environment(board_world, "orchestrator")
    neither = run_cli("board", cwd=board_world.clone("orchestrator"), env=env)
    assert neither.code == 2 and "--out DIR or --serve" in neither.err and "Traceback" not in neither.err
    both = run_cli("board", "--out", str(tmp_path / "s"), "--serve", cwd=board_world.clone("orchestrator"), env=env)
    assert both.code == 2 and "not both" in both.err and not (tmp_path / "s").exists()
    unwritable = run_cli("board", "--out", "/proc/site", cwd=board_world.clone("orchestrator"), env=env)
    assert unwritable.code == 2 and "/proc/site" in unwritable.err and "Traceback" not in unwritable.err


def test_the_served_board_is_read_only_loopback_and_has_the_pages(board_served: Served) -> None:
    Draft202012Validator(api.output_schema("board")).validate({"url": board_served.url})
    code, headers, body = board_served.get("/")
    assert code == 200 and "script-src 'sha256-" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert {a["data-contract"] for a in Page(body).having("tr") if "data-contract" in a} == {"site-redesign", "hostile"}
    code, _, body = board_served.get("/contracts/site-redesign.html")
    assert code == 200 and Page(body).having("div", **{"class": "claim", "data_agent": "build-bot"})
    assert board_served.get("/", method="POST")[0] == 405
    assert board_served.get("/", host="attacker.example:80")[0] == 421  # DNS rebinding: another name for this address
    assert board_served.get("/contracts/nothing.html")[0] == 404
    assert board_served.get("/../../etc/passwd")[0] == 404


def test_the_served_board_refreshes_when_the_repository_changes(board_served: Served, board_world: Shared) -> None:
    before = json.loads(board_served.get("/_board/version")[2])["version"]
    posted = board_world("orchestrator", "stream", "post", "site-redesign-discussion", "--label", "note",
                   "--data", json.dumps({"message": "seen on the board"}), env=environment(board_world, "orchestrator"))
    assert posted.code == 0, posted.err
    after = json.loads(board_served.get(f"/_board/version?after={before}")[2])["version"]  # answers once rebuilt
    assert after != before
    assert "seen on the board" in Page(board_served.get("/contracts/site-redesign.html")[2]).words
