"""The fan-out layout (config.yaml `layout: fanout`) and `gitcontracts layout`, which moves a repository to it in
one commit: every reader answers as before, the referee accepts the move only as a pure move, and the layout's
places are enforced from then on."""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from conftest import Shared
from helpers import git, on_a_terminal, write_tree
from gitcontracts.store.layout import FANOUT_PATHS, classify, moved_to

JOB = ("new", "site", "--objective", "Build the site", "--subtask", "a:Write the page", "--subtask", "b:Deploy it",
       "--budget", "10", "--deadline", "30d")


@pytest.fixture
def shared(tmp_path: Path) -> Shared:
    """A shared remote that starts flat, whatever layout the suite runs in (pytest --layout): these tests move it."""
    return Shared(tmp_path, layout="flat")


def bucket(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:2]


def a_contract_in_progress(shared) -> str:
    """A contract with a bid, an award, progress and a question (its id returned): every kind of file in place."""
    assert shared("orchestrator", *JOB).code == 0
    assert shared("load-bot", "claim", "site", "a", "-m", "mine").code == 0
    assert shared("orchestrator", "award", "site", "a", "load-bot").code == 0
    assert shared("load-bot", "progress", "site", "a", "-m", "half way").code == 0
    asked = shared("load-bot", "ask", "site", "-m", "Which colour?", "--json")
    assert asked.code == 0, asked.err
    return str(asked.json["entry"]["id"])


def placed(clone: Path) -> int:
    """The stash and stream files of HEAD: what a move moves."""
    listed = git("ls-files", "--", ".contracts/stashes", ".contracts/streams", cwd=clone).splitlines()
    return sum(1 for path in listed if not path.endswith(".gitkeep"))


def reads(shared, agent: str = "orchestrator") -> dict[str, object]:
    """What the readers say, in JSON (the layout commit left out of the log)."""
    def out(*args: str) -> object:
        result = shared(agent, *args, "--json")
        assert result.code == 0, result.err
        return result.json

    timeline = out("log", "site")["timeline"]  # type: ignore[index]
    log = [{k: v for k, v in item.items() if k != "seq"} for item in timeline if item.get("action") != "layout"]
    return {"status": out("status"), "one": out("status", "site"), "discover": out("discover", "-q", "site"),
            "next": out("next"), "read": out("stream", "read", "site-execution"), "log": log}


def test_the_paths_of_the_fanout_layout() -> None:
    assert FANOUT_PATHS.stash("site") == f".contracts/stashes/{bucket('site')}/site.yaml"
    assert FANOUT_PATHS.shard("site-execution", "bot") == \
        f".contracts/streams/{bucket('site-execution')}/site-execution/bot.jsonl"
    assert classify(FANOUT_PATHS.stash("site"), True) == "stash"
    assert classify(FANOUT_PATHS.meta("s"), True) == "meta"
    assert classify(".contracts/stashes/site.yaml", True) == "misplaced"       # the flat place, in a fan-out repo
    assert classify(f".contracts/stashes/{bucket('x')}/site.yaml", True) == "misplaced"  # another name's folder
    assert classify(FANOUT_PATHS.stash("site"), False) == "misplaced"         # a fan-out place, in a flat repo
    assert moved_to(".contracts/streams/s/a.jsonl", FANOUT_PATHS) == FANOUT_PATHS.shard("s", "a")
    assert moved_to(".contracts/schemas/x@1.yaml", FANOUT_PATHS) is None


def test_a_repository_moves_to_fanout_and_every_reader_answers_the_same(shared) -> None:
    a_contract_in_progress(shared)
    before = reads(shared)
    owner = shared.clone("orchestrator")
    assert shared("orchestrator", "layout", "--json").json == {"layout": "flat", "stashes": 1, "streams": 2}
    files = placed(owner)
    moved = shared("orchestrator", "layout", "fanout", "--json")
    assert moved.code == 0, moved.err
    assert moved.json["layout"] == "fanout" and moved.json["pushed"] and moved.json["moved"] == files == 5
    assert git("rev-parse", "main", cwd=shared.remote) == moved.json["commit"]
    assert (owner / FANOUT_PATHS.stash("site")).is_file() and not (owner / ".contracts/stashes/site.yaml").exists()
    assert "layout: fanout" in (owner / ".contracts/config.yaml").read_text()
    # nothing but places changed: the same blobs, under other paths
    listing = git("ls-tree", "-r", "HEAD~1", "--", ".contracts/stashes", ".contracts/streams", cwd=owner).splitlines()
    after = git("ls-tree", "-r", "HEAD", "--", ".contracts/stashes", ".contracts/streams", cwd=owner).splitlines()
    assert sorted(line.split("\t")[0] for line in listing) == sorted(line.split("\t")[0] for line in after)
    now = reads(shared)
    for key in before:
        assert now[key] == before[key], (key, json.dumps(now[key], indent=0)[:3000], json.dumps(before[key], indent=0)[:3000])
    behind = shared("load-bot", "layout", "--json")  # the move is not in load-bot's clone yet: it follows first
    assert behind.code == 0 and behind.json["layout"] == "fanout"
    assert (shared.clone("load-bot") / FANOUT_PATHS.stash("site")).is_file()
    assert shared("orchestrator", "layout", "fanout", "--json").json["moved"] == 0  # already so: nothing to do


def test_after_the_move_a_contract_runs_to_its_end_and_main_passes_the_referee(shared) -> None:
    question = a_contract_in_progress(shared)
    assert shared("orchestrator", "layout", "fanout").code == 0
    assert shared("orchestrator", "answer", "site", "--in-reply-to", question, "-m", "Blue").code == 0
    assert shared("planner-bot", "claim", "site", "b", "-m", "me").code == 0
    assert shared("orchestrator", "award", "site", "b", "planner-bot").code == 0
    assert shared("load-bot", "stash", "put", "page", "-", input='{"html": "<p>hi</p>"}').code == 0
    assert shared("load-bot", "deliver", "site", "a", "--stash", "page", "--summary", "done").code == 0
    assert shared("planner-bot", "stash", "put", "deploy", "-", input='{"url": "https://example.com"}').code == 0
    assert shared("planner-bot", "deliver", "site", "b", "--stash", "deploy", "--summary", "live").code == 0
    for task in ("a", "b"):
        assert shared("orchestrator", "complete", "site", task).code == 0
    owner = shared.clone("orchestrator")
    assert (owner / FANOUT_PATHS.stash("page")).is_file()
    assert (owner / FANOUT_PATHS.shard("site-discussion", "planner-bot")).is_file()
    assert shared("orchestrator", "status", "site", "--json").json["state"] == "done"
    first = git("rev-list", "--max-parents=0", "main", cwd=owner)
    checked = shared("orchestrator", "check", "--range", f"{first}..main", "--json")
    assert checked.code == 0 and checked.json["valid"], checked.out
    assert shared("orchestrator", "validate", "--all").code == 0
    assert shared("orchestrator", "fsck").code == 0


def test_the_referee_keeps_the_fanout_places(shared) -> None:
    """A file at a flat path in a fan-out repository, pushed by hand, is refused by the remote's hook."""
    assert shared("orchestrator", "init", "--remote", "origin").code == 0
    assert shared("orchestrator", "layout", "fanout").code == 0
    bot = shared.clone("load-bot")
    git("pull", "-q", cwd=bot)
    write_tree(bot, {".contracts/stashes/notes.yaml": "name: notes\nowner: load-bot\ncreated: '2026-01-01T00:00:00Z'\n"
                                                      "content: {}\n"})
    git("add", "-A", cwd=bot)
    git("commit", "-q", "--no-verify", "-m", "a stash where the flat layout keeps it", cwd=bot)
    checked = shared("load-bot", "check", "--range", "origin/main..HEAD", "--json")
    assert checked.code == 3 and checked.json["problems"][0]["rule"] == "layout"
    assert checked.json["problems"][0]["message"].endswith(f"belongs at {FANOUT_PATHS.stash('notes')}")
    pushed = subprocess.run(("git", "push", "-q", "origin", "HEAD:main"), cwd=bot, capture_output=True, text=True)
    assert pushed.returncode != 0 and "layout" in pushed.stderr


def moved_by_hand(shared, keep: str = "") -> Path:
    """load-bot's clone with config.yaml set to fanout and every stash and stream file moved there with plain
    file renames, but `keep`."""
    bot = shared.clone("load-bot")
    git("pull", "-q", cwd=bot)
    config = bot / ".contracts/config.yaml"
    config.write_text(config.read_text() + "layout: fanout\n")
    for path in sorted((bot / ".contracts").rglob("*")):
        rel = path.relative_to(bot).as_posix()
        target = moved_to(rel, FANOUT_PATHS)
        if path.is_file() and target and rel != keep:
            (bot / target).parent.mkdir(parents=True, exist_ok=True)
            path.rename(bot / target)
    return bot


def judged(shared, bot: Path, message: str) -> list[str]:
    git("add", "-A", cwd=bot)
    git("commit", "-q", "--no-verify", "-m", message, cwd=bot)
    checked = shared("load-bot", "check", "--range", "origin/main..HEAD", "--json")
    assert checked.code == 6, checked.out
    return [p["message"] for p in checked.json["problems"]]


def test_a_move_that_changes_a_byte_is_refused(shared) -> None:
    a_contract_in_progress(shared)
    bot = moved_by_hand(shared)
    shard = bot / FANOUT_PATHS.shard("site-discussion", "load-bot")
    shard.write_bytes(shard.read_bytes().replace(b"Which colour?", b"Which font?"))
    assert any("moves each stash and stream file unchanged" in m for m in judged(shared, bot, "a move, and an edit"))


def test_a_move_that_leaves_a_file_behind_is_refused(shared) -> None:
    a_contract_in_progress(shared)
    bot = moved_by_hand(shared, keep=".contracts/stashes/site.yaml")
    assert any("stay where the old one kept them" in m for m in judged(shared, bot, "a move, all but one"))


def test_only_an_admin_moves_a_repository_that_has_a_registry(shared) -> None:
    assert shared("orchestrator", *JOB).code == 0
    assert shared("orchestrator", "agent", "add", "orchestrator").code == 0  # its first admin
    refused = shared("load-bot", "layout", "fanout", "--json")
    assert refused.code == 6, refused.err
    assert shared("orchestrator", "layout", "fanout").code == 0


def test_the_move_waits_for_pending_claims(shared) -> None:
    assert shared("orchestrator", *JOB).code == 0
    assert shared("load-bot", "claim", "site", "a", "-m", "mine").code == 0
    waiting = shared("orchestrator", "layout", "fanout", "--json")
    assert waiting.code == 4 and "claim/site/a/load-bot" in waiting.error["message"]
    assert "gitcontracts bids site" in waiting.error["hint"]
    assert shared("orchestrator", "award", "site", "a", "load-bot").code == 0
    assert shared("orchestrator", "layout", "fanout").code == 0


def test_moving_back_to_flat_gives_the_same_tree(shared) -> None:
    a_contract_in_progress(shared)
    owner = shared.clone("orchestrator")
    flat = git("rev-parse", "main:.contracts/stashes", "main:.contracts/streams", cwd=shared.remote)
    assert shared("orchestrator", "layout", "fanout").code == 0
    back = shared("orchestrator", "layout", "flat", "--json")
    assert back.code == 0 and back.json["moved"] == placed(owner)
    assert git("rev-parse", "main:.contracts/stashes", "main:.contracts/streams", cwd=shared.remote) == flat
    assert "layout" not in (owner / ".contracts/config.yaml").read_text()


def test_the_move_shows_gits_progress_on_a_terminal_and_none_in_json(shared) -> None:
    a_contract_in_progress(shared)
    owner = shared.clone("orchestrator")
    now = {"GIT_PROGRESS_DELAY": "0"}  # git draws its line after 2 s; a small move takes less
    code, out, terminal = on_a_terminal("layout", "fanout", cwd=owner, env=now)
    assert code == 0 and out.startswith("layout: fanout, moved 5 files (")
    assert "Updating files: 100%" in terminal
    code, out, terminal = on_a_terminal("layout", "flat", "--json", cwd=owner, env=now)
    assert code == 0 and json.loads(out)["layout"] == "flat" and "Updating files" not in terminal


def test_a_watcher_sees_no_new_entries_in_a_move(shared) -> None:
    a_contract_in_progress(shared)
    assert shared("orchestrator", "watch", "--once", "--json").code == 0
    assert shared("orchestrator", "layout", "fanout").code == 0
    seen = shared("orchestrator", "watch", "--once", "--json")
    assert seen.code == 0
    events = [json.loads(line) for line in seen.out.splitlines() if line.strip()]
    assert not [e for e in events if e.get("event") in ("entry-posted", "contract-done")], events


def test_init_starts_a_workspace_in_fanout(tmp_path: Path, cli_in) -> None:
    repo = cli_in(tmp_path)
    assert repo("init", "--layout", "fanout").code == 0
    assert repo("new", "site", "--objective", "x", "--subtask", "a:b").code == 0
    assert (tmp_path / FANOUT_PATHS.stash("site")).is_file()
    assert (tmp_path / FANOUT_PATHS.meta("site-execution")).is_file()
    again = repo("init", "--layout", "flat", "--json")
    assert again.code == 4 and "gitcontracts layout flat" in again.error["hint"]


@pytest.fixture
def cli_in():
    from helpers import run_cli

    def make(root: Path):
        git("init", "-q", cwd=root)
        return lambda *args: run_cli(*args, cwd=root, agent="orchestrator")
    return make


def test_a_broken_config_is_its_own_problem_not_a_move(shared) -> None:
    assert shared("orchestrator", "init", "--remote", "origin").code == 0
    assert shared("orchestrator", "layout", "fanout").code == 0
    bot = shared.clone("load-bot")
    git("pull", "-q", cwd=bot)
    config = bot / ".contracts/config.yaml"
    config.write_text(config.read_text() + "fetch_ttl: [\n")
    git("commit", "-qam", "a typo", "--no-verify", cwd=bot)
    owner = shared.clone("orchestrator")  # judged from a clone whose own config.yaml reads (bot's no longer does)
    git("fetch", "-q", str(bot), "HEAD", cwd=owner)
    checked = shared("orchestrator", "check", "--range", "origin/main..FETCH_HEAD", "--json")
    assert checked.code == 3, checked.out
    assert [p["file"] for p in checked.json["problems"]] == [".contracts/config.yaml"]
