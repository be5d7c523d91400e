"""check --staged and --range: each bad input of the referee issue refused with its exit code and rule."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import commit_all, git, write_tree

SHARD = ".contracts/streams/site-execution/research-bot.jsonl"
CONTRACT = ".contracts/stashes/site.yaml"


@pytest.fixture
def site(cli, repo: Path) -> Path:
    """A contract with two progress entries by research-bot, committed."""
    cli("new", "site", "--objective", "x", "--subtask", "research:r", "--subtask", "design:d")
    for n in (1, 2):
        cli("stream", "post", "site-execution", "--label", "progress", "--data", f'{{"n": {n}}}', agent="research-bot")
    return repo


def staged(cli, repo: Path, agent: str, *extra: str):
    git("add", "-A", cwd=repo)
    return cli("check", "--staged", "--json", *extra, agent=agent)


def rules(result) -> set:
    return {p["rule"] for p in result.json["problems"]}


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    file.write_text(file.read_text().replace(old, new, 1))


def lines(repo: Path) -> list:
    return (repo / SHARD).read_text().splitlines(keepends=True)


def test_a_hand_edited_line(cli, site: Path) -> None:
    edit(site, SHARD, '"n":1', '"n":7')
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and rules(result) == {"append-only"} and "edited" in result.json["problems"][0]["message"]


def test_a_deleted_line(cli, site: Path) -> None:
    (site / SHARD).write_text(lines(site)[1])
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and "append-only" in rules(result)


def test_a_truncated_last_line(cli, site: Path) -> None:
    (site / SHARD).write_text("".join(lines(site)) + '{"id":"01X","ts":"20')
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and rules(result) == {"torn-line"}


def test_swapped_lines(cli, site: Path) -> None:
    first, second = lines(site)
    (site / SHARD).write_text(second + first)
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and "moved" in result.json["problems"][0]["message"]


def test_a_duplicate_entry_id(cli, site: Path) -> None:
    (site / SHARD).write_text("".join(lines(site)) + lines(site)[0])
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and rules(result) == {"unique-id"} and result.json["problems"][0]["line"] == 3


def test_an_entry_written_into_another_agents_shard(cli, site: Path) -> None:
    first = lines(site)[0]
    forged = first.replace('"n":1', '"n":3').replace(first[7:33], "01JD3X8R4Q2M6W7Z9K0B1C2D3E")
    (site / SHARD).write_text("".join(lines(site)) + forged)
    result = staged(cli, site, "intruder-bot")
    assert result.code == 6 and "permission" in rules(result)


def test_an_entry_claiming_another_writer(cli, site: Path) -> None:
    (site / ".contracts/streams/site-execution/intruder-bot.jsonl").write_text(
        '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-01-01T00:00:00Z","agent":"research-bot","label":"progress","data":{}}\n')
    result = staged(cli, site, "intruder-bot")
    assert result.code == 3 and rules(result) == {"own-shard"}


def test_an_agent_changing_another_agents_contract(cli, site: Path) -> None:
    edit(site, CONTRACT, "objective: x", "objective: mine now")
    result = staged(cli, site, "intruder-bot")
    assert result.code == 6 and rules(result) == {"permission"}


def test_a_claim_on_a_subtask_already_claimed(cli, site: Path) -> None:
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed",
        "--set", "assigned_agent=research-bot")
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "assigned_agent=other-bot", "--no-commit")
    result = staged(cli, site, "other-bot")
    assert result.code == 6 and {"already-claimed", "permission"} <= rules(result)


def test_completed_to_claimed(cli, site: Path) -> None:
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed",
        "--set", "assigned_agent=research-bot")
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=completed")
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed", "--no-commit")
    result = staged(cli, site, "orchestrator")
    assert result.code == 3 and rules(result) == {"transition"}


def test_open_to_completed(cli, site: Path) -> None:
    cli("patch", "site", "--path", "subtasks", "--match", "id=design", "--set", "status=completed", "--no-commit")
    result = staged(cli, site, "orchestrator")
    assert result.code == 3 and rules(result) == {"transition"}
    assert result.json["problems"][0]["path"] == "content.subtasks[1].status"


def test_a_merge_conflict_marker_left_in_a_contract(cli, site: Path) -> None:
    text = (site / CONTRACT).read_text()
    (site / CONTRACT).write_text("<<<<<<< HEAD\n" + text + "=======\n" + text + ">>>>>>> theirs\n")
    result = staged(cli, site, "orchestrator")
    assert result.code == 3 and rules(result) == {"conflict-marker"} and result.json["problems"][0]["line"] == 1


def test_the_owner_may_make_valid_changes(cli, site: Path) -> None:
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed",
        "--set", "assigned_agent=research-bot", "--no-commit")
    assert staged(cli, site, "orchestrator").code == 0


def test_release_and_first_award_by_the_agent(cli, site: Path) -> None:
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=claimed",
        "--set", "assigned_agent=research-bot")
    cli("patch", "site", "--path", "subtasks", "--match", "id=design", "--set", "award=first")
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "status=open", "--unset", "assigned_agent",
        "--no-commit")
    assert staged(cli, site, "research-bot").code == 0
    git("reset", "-q", "--hard", cwd=site)
    cli("patch", "site", "--path", "subtasks", "--match", "id=design", "--set", "status=claimed",
        "--set", "assigned_agent=design-bot", "--no-commit")
    assert staged(cli, site, "design-bot").code == 0


def test_capabilities_and_capacity_from_agents_yaml(cli, site: Path) -> None:
    write_tree(site, {".contracts/agents.yaml":
                      "admins: [orchestrator]\nagents:\n  design-bot: {capabilities: [css], capacity: 0}\n"})
    commit_all(site, "agents")
    cli("patch", "site", "--path", "subtasks", "--match", "id=design", "--set", "award=first", "--set", 'requires=["figma"]')
    cli("patch", "site", "--path", "subtasks", "--match", "id=design", "--set", "status=claimed",
        "--set", "assigned_agent=design-bot", "--no-commit")
    result = staged(cli, site, "design-bot")
    messages = " ".join(p["message"] for p in result.json["problems"])
    assert result.code == 6 and "figma" in messages and "capacity of 0" in messages


def test_agents_yaml_changes_only_by_admins(cli, site: Path) -> None:
    write_tree(site, {".contracts/agents.yaml": "admins: [orchestrator]\nagents: {}\n"})
    commit_all(site, "agents")
    write_tree(site, {".contracts/agents.yaml": "admins: [orchestrator, intruder-bot]\nagents: {}\n"})
    assert staged(cli, site, "intruder-bot").code == 6


def test_meta_identity_and_owner(cli, site: Path) -> None:
    meta = ".contracts/streams/site-execution/meta.yaml"
    edit(site, meta, "created:", "created: '2020-01-01T00:00:00Z'\nold_created:")
    assert staged(cli, site, "orchestrator").code == 3
    git("checkout", "HEAD", "--", meta, cwd=site)
    edit(site, meta, "description: Execution log of site", "description: mine")
    assert staged(cli, site, "intruder-bot").code == 6


def test_references_linked_stash_and_deliverables(cli, site: Path, tmp_path: Path) -> None:
    write_tree(site, {".contracts/streams/orphan/meta.yaml":
                      "stream: orphan\nowner: orchestrator\ncreated: '2026-01-01T00:00:00Z'\nlinked_stash: missing\n"})
    result = staged(cli, site, "orchestrator")
    assert result.code == 3 and rules(result) == {"reference"}
    git("rm", "-rqf", ".contracts/streams/orphan", cwd=site)
    (tmp_path / "report.yaml").write_text("name: report\nversion: 1\ndefinition: {type: object, required: [summary]}\n")
    cli("schema", "add", str(tmp_path / "report.yaml"))
    cli("patch", "site", "--path", "subtasks", "--match", "id=research", "--set", "deliverable_schema=report")
    cli("stash", "put", "findings", "-", input="title: no summary\n", agent="research-bot")
    cli("stream", "post", "site-execution", "--label", "deliverable", "--no-commit",
        "--data", '{"subtask_id": "research", "deliverable": "findings"}', agent="research-bot")
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and rules(result) == {"deliverable-schema"}


def test_breaking_schema_change_without_a_new_version(cli, site: Path, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("name: note\nversion: 1\ndefinition: {type: object}\n")
    cli("schema", "add", str(tmp_path / "s.yaml"))
    cli("stash", "put", "n1", "--schema", "note@1", "-", input="a: 1\n")
    write_tree(site, {".contracts/schemas/note@1.yaml": "name: note\nversion: 1\ndefinition: {type: object, required: [b]}\n"})
    result = staged(cli, site, "orchestrator")
    assert result.code == 3 and rules(result) == {"breaking-change"}


def test_range_checks_every_commit_and_names_it(cli, site: Path) -> None:
    base = git("rev-parse", "HEAD", cwd=site)
    cli("stream", "post", "site-execution", "--label", "progress", agent="research-bot")
    edit(site, CONTRACT, "objective: x", "objective: stolen")
    git("commit", "-qam", "steal\n\nAgent: intruder-bot", cwd=site)
    bad = git("rev-parse", "HEAD", cwd=site)
    result = cli("check", "--range", f"{base}..HEAD", "--json")
    assert result.code == 6 and result.json["commits"] == 2
    assert [p["commit"] for p in result.json["problems"]] == [bad]
    github = cli("check", "--range", f"{base}..HEAD", "--format", "github")
    assert github.out.startswith("::error file=.contracts/stashes/site.yaml,title=permission::")


def test_range_reads_authority_from_its_base(cli, site: Path) -> None:
    base = git("rev-parse", "HEAD", cwd=site)
    edit(site, CONTRACT, "owner: orchestrator", "owner: intruder-bot")
    git("commit", "-qam", "take\n\nAgent: intruder-bot", cwd=site)
    edit(site, CONTRACT, "objective: x", "objective: mine")
    git("commit", "-qam", "use\n\nAgent: intruder-bot", cwd=site)
    result = cli("check", "--range", f"{base}..HEAD", "--json")
    assert result.code == 6 and len({p["commit"] for p in result.json["problems"]}) == 2


def test_the_owners_merge_of_a_claim_branch_is_the_award(cli, site: Path) -> None:
    base = git("rev-parse", "HEAD", cwd=site)
    git("checkout", "-qb", "claim/site/design/design-bot", cwd=site)
    cli("patch", "site", "--path", "subtasks", "--match", "id=design", "--set", "status=claimed",
        "--set", "assigned_agent=design-bot", "--no-commit")
    cli("stream", "post", "site-discussion", "--label", "claim", "--data", '{"subtask_id": "design"}', "--no-commit",
        agent="design-bot")
    git("add", "-A", cwd=site)
    assert cli("check", "--staged", agent="design-bot").code == 0
    git("commit", "-qm", "claim\n\nAgent: design-bot", cwd=site)
    assert cli("check", "--range", f"{base}..HEAD", "--ref", "refs/heads/claim/site/design/design-bot").code == 0
    git("checkout", "-q", "main", cwd=site)
    git("merge", "-q", "--no-ff", "-m", "award\n\nAgent: orchestrator", "claim/site/design/design-bot", cwd=site)
    assert cli("check", "--range", f"{base}..HEAD").code == 0


def test_a_shard_needs_its_streams_meta(cli, site: Path) -> None:
    write_tree(site, {".contracts/streams/nowhere/research-bot.jsonl":
                      '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-01-01T00:00:00Z","agent":"research-bot","label":"l","data":{}}\n'})
    result = staged(cli, site, "research-bot")
    assert result.code == 3 and rules(result) == {"reference"}


def test_a_range_reads_a_grown_shard_once_and_still_sees_an_edit_behind_new_lines(cli, site: Path) -> None:
    """In a range, a shard that only grew is read once (its old version is the new one's start, by object id);
    one whose earlier line changed while it grew is still read whole, and refused in the commit that did it."""
    base = git("rev-parse", "HEAD", cwd=site)
    cli("stream", "post", "site-execution", "--label", "progress", "--data", '{"n": 3}', agent="research-bot")
    cli("stream", "post", "site-execution", "--label", "progress", "--data", '{"n": 4}', "--no-commit",
        agent="research-bot")
    edit(site, SHARD, '"n":1', '"n":7')
    git("commit", "-qam", "rewrite\n\nAgent: research-bot", cwd=site)
    bad = git("rev-parse", "HEAD", cwd=site)
    cli("stream", "post", "site-execution", "--label", "progress", "--data", '{"n": 5}', agent="research-bot")
    result = cli("check", "--range", f"{base}..HEAD", "--json")
    assert result.code == 3 and result.json["commits"] == 3
    assert [(p["commit"], p["rule"], p["line"]) for p in result.json["problems"]] == [(bad, "append-only", 1)]
    assert "edited" in result.json["problems"][0]["message"]
    assert cli("check", "--range", f"{base}..HEAD~2").code == 0


def test_a_range_reads_each_shards_stream_header_as_of_its_commit(cli, site: Path) -> None:
    base = git("rev-parse", "HEAD", cwd=site)
    write_tree(site, {".contracts/streams/nowhere/research-bot.jsonl":
                      '{"id":"01JD3X8R4Q2M6W7Z9K0B1C2D3E","ts":"2026-01-01T00:00:00Z","agent":"research-bot","label":"l","data":{}}\n'})
    commit_all(site, "no header\n\nAgent: research-bot")
    result = cli("check", "--range", f"{base}..HEAD", "--json")
    assert result.code == 3 and rules(result) == {"reference"}
