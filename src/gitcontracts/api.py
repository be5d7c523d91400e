"""The public library: every action and read of the command line, for the CLI and other programs alike.

    from gitcontracts import api
    ws = api.open_workspace("/path/to/clone", agent="research-bot")
    entry = api.post_entry(ws, "website-redesign-execution", "progress", {"subtask_id": "research"})
    entry["id"], entry["commit"], entry["pushed"]

Most functions take the Workspace first; each imports what it needs when called, so `import gitcontracts.api`
loads only the errors, the model and the workspace: a hook or a polling agent pays for what it uses.

Actions that change something land as one commit on the main branch and push it when a remote is
configured and `offline` is False (docs/protocol.md). They return plain dicts, typed in gitcontracts.model
(`Landed` and its kin): always with `commit` (None when nothing changed, or for a workspace opened with
commit=False, which leaves the change in the working tree) and `pushed`. Failures are exceptions, each with
its exit code (docs/reference.md): UsageError 2, InvalidContent 3, Conflict 4, NotFound 5, Forbidden 6. Any action
may raise Conflict when the shared main kept moving for the whole retry window, NotFound when the remote of
config.yaml is not configured in the clone, and the referee's refusal of the change it built (Forbidden,
Conflict or InvalidContent, with the problems in `details`). Problems found in files are data (Problem),
not exceptions. The result types (EntryResult, ClaimResult, ...) are in gitcontracts.model, with the values.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence, cast

from gitcontracts import workspace as _workspace
from gitcontracts.errors import Conflict, Forbidden, GitContractsError, InvalidContent, NotFound, UsageError
from gitcontracts.workspace import Workspace

if TYPE_CHECKING:
    import threading

    from gitcontracts.model import (
        AcceptResult, AgentAdded, AwardResult, Bid, ChildAnnounced, ClaimResult, ContractAnnounced, EntryResult,
        GcResult, InitResult, LayoutResult, LogItem, NextItem, OfferResult, Patched, Problem, RejectResult,
        SchemaAdded, SchemaDoc, SettleResult, Stash, StashWritten, StreamCreated, StreamMeta, WorkResult,
    )

    from gitcontracts.ops.fsck import Finding
    from gitcontracts.ops.freshness import Freshness
    from gitcontracts.ops.streams import ReadResult
    from gitcontracts.ops.validate import Report
    from gitcontracts.referee.commits import CheckResult
    from gitcontracts.referee.receive import RefUpdate

__all__ = [
    # the errors, one per exit code, and the values the reads return
    "GitContractsError", "UsageError", "InvalidContent", "Conflict", "NotFound", "Forbidden",
    "Problem", "SchemaDoc", "Stash", "StreamMeta",
    # the workspace
    "Workspace", "open_workspace", "require", "init_workspace", "refresh", "recover_interrupted",
    # schemas, stashes, contracts
    "list_schemas", "search_schemas", "show_schema", "add_schema",
    "get_stash", "get_stash_text", "put_stash", "patch", "patch_stash", "new_contract", "new_child",
    # streams and discovery
    "create_stream", "post_entry", "read_stream", "latest_entry", "discover",
    # the contract-net protocol (SPEC 6.3)
    "claim", "list_bids", "award", "offer", "accept", "reject", "progress", "deliver", "complete", "release",
    "ask", "answer", "settle", "status", "contract_log", "next_items", "prime",
    # the agent registry
    "add_agent", "list_agents", "show_agent",
    # the referee and upkeep
    "validate_all", "validate_paths", "fsck", "gc", "layout_info", "change_layout", "land", "check_staged", "check_range",
    "check_receive", "parse_updates",
    "push_options", "install_hooks", "merge_files", "watch", "run_demo",
    # the board
    "board_data", "write_board", "serve_board",
    # the --json shapes
    "output_schema", "output_schema_names",
]


# The workspace

_RESULT_TYPES = frozenset("""
    AcceptResult AgentAdded AwardResult Bid ChildAnnounced ClaimResult ContractAnnounced EntryResult GcResult InitResult
    LayoutResult LogItem NextItem OfferResult Patched Problem RejectResult SchemaAdded SchemaDoc SettleResult
    Stash StashWritten StreamCreated StreamMeta WorkResult""".split())


def __getattr__(name: str) -> Any:
    """The result types, as `api.Stash` and `from gitcontracts.api import Stash`, loaded from gitcontracts.model
    when first asked for: importing them would cost every command, the hottest included, a few ms."""
    if name in _RESULT_TYPES:
        from gitcontracts import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

def open_workspace(path: str | Path | None = None, agent: str | None = None,
                   clock: Callable[[], datetime] | None = None, commit: bool = True) -> Workspace:
    """The workspace of the repository holding `path` (default: the current directory).

    `agent` is the acting agent (else $GITCONTRACTS_AGENT, git config gitcontracts.agent, user.name); `clock`
    replaces the UTC clock (tests); commit=False leaves each action's change in the working tree. Nothing
    is read until used; see `require` for a workspace that must exist."""
    return _workspace.open_workspace(path, agent, clock, commit)


def require(ws: Workspace, git: bool = True, contracts: bool = True) -> Workspace:
    """`ws` itself, once it is in a git repository (git=True) holding .contracts/ (contracts=True).

    Raises NotFound (5) saying what to run (`git init`, `gitcontracts init`) instead of a raw git error."""
    return _workspace.require(ws, git, contracts)


def in_repository(root: Path) -> bool:
    """Whether `root` is in a git repository (found without running git)."""
    return _workspace.in_repository(root)


def join_shared(ws: Workspace) -> str | None:
    """Bring a clone made before its remote's main had `.contracts/` (or anything) up to that main: fetch it and
    fast-forward the checked-out branch. Returns why it could not, or None."""
    from gitcontracts.ops.freshness import join

    return join(ws)


def init_workspace(ws: Workspace, remote: str | None = None, offline: bool = False,
                   lander: str | None = None, layout: str | None = None) -> InitResult:
    """Create .contracts/ (config.yaml, the folders, the merge attribute) in one commit; again, nothing changes.

    `remote` is the git remote agents share (default: origin when there is one). Returns the root, the files
    `created` ([] the second time) and the remote. Raises NotFound (5) outside a git repository or for an
    unknown remote. `lander` names the committer of queued landings and turns them on (docs/protocol.md).
    `layout` (flat or fanout) is where a new workspace keeps its stashes and streams; an existing one keeps
    its own (`change_layout` moves it)."""
    from gitcontracts.protocol.setup import init_workspace as run

    return cast("InitResult", run(ws, remote, offline, lander, layout))


def refresh(ws: Workspace, offline: bool = False, compare: bool = True) -> Freshness:
    """Before a read (docs/protocol.md): fetch when the last fetch is older than fetch_ttl, and bring the checked-out
    main along when it can. Returns a Freshness: its `note` (for stderr) says when what the clone shows may
    not be the shared main, and `mark(data)` adds `"stale": true` to a JSON answer. compare=False (polling)
    starts no git process while the last fetch is fresh. A failed fetch is a note, not an error."""
    from gitcontracts.ops.freshness import refresh as run

    return run(ws, offline, compare)


def recover_interrupted(root: Path) -> list[str]:
    """Finish or forget every action a killed process left half done in the clone at `root` (its journal);
    returns one line per action saying what was done."""
    from gitcontracts.ops.journal import recover

    return recover(root)


# Schemas (SPEC 4)

def list_schemas(ws: Workspace, include_private: bool = False) -> list[dict[str, Any]]:
    """The newest version of every schema, built in and published: name, version, description,
    visibility, target_type, source and versions. Private ones only with include_private."""
    from gitcontracts.ops.schemas import list_schemas as run

    return run(ws, include_private)


def search_schemas(ws: Workspace, query: str, include_private: bool = False) -> list[dict[str, Any]]:
    """The rows of `list_schemas` whose name and description hold every word of `query`."""
    from gitcontracts.ops.schemas import search_schemas as run

    return run(ws, query, include_private)


def show_schema(ws: Workspace, ref: str) -> SchemaDoc:
    """The schema NAME (its newest version) or NAME@N. Raises NotFound (5) for an unknown one."""
    from gitcontracts.ops.schemas import show_schema as run

    return run(ws, ref)


def add_schema(ws: Workspace, file: Path, offline: bool = False) -> SchemaAdded:
    """Publish the schema in `file` as .contracts/schemas/NAME@N.yaml; the same file again changes nothing
    (`changed` False). Raises InvalidContent (3) for a schema that does not compile, one replacing a
    built-in, or a breaking change to a published version."""
    from gitcontracts.protocol.documents import add_schema as run

    return cast("SchemaAdded", run(ws, file, offline))


# Stashes and contracts (SPEC 3, 6)

def get_stash(ws: Workspace, name: str) -> Stash:
    """The stash `name` as a Stash (its envelope and content). Raises NotFound (5), UsageError (2) for a bad name."""
    from gitcontracts.ops.stashes import get_stash as run

    return run(ws, name)


def get_stash_text(ws: Workspace, name: str) -> str:
    """The stash file's text, comments and formatting kept. Raises NotFound (5)."""
    from gitcontracts.ops.stashes import get_stash_text as run

    return run(ws, name)


def put_stash(ws: Workspace, name: str, content: Any, schema: str | None = None, description: str | None = None,
              labels: Sequence[str] | None = None, discoverable: bool | None = None,
              offline: bool = False) -> StashWritten:
    """Create or replace the stash `name` with `content`, validated against `schema` (NAME or NAME@N) first;
    None keeps what the stash had. Returns its path and envelope. Raises InvalidContent (3), nothing written,
    for content the schema refuses; Forbidden (6) for another agent's stash."""
    from gitcontracts.protocol.documents import put_stash as run

    return cast("StashWritten", run(ws, name, content, schema, description, labels, discoverable, offline))


def patch(ws: Workspace, name: str, patch_doc: Any, offline: bool = False) -> Patched:
    """Apply a patch document {"update_items": [{path, match, set, unset}]} (docs/formats.md) to the stash `name`,
    keeping its comments and formatting. Returns the elements each item matched and whether anything was
    `written`. Raises InvalidContent (3) for a bad patch or a result its schema refuses, Forbidden (6) for
    anyone but the owner, NotFound (5) for an unknown stash."""
    from gitcontracts.protocol.edits import patch as run

    return cast("Patched", run(ws, name, patch_doc, offline))


patch_stash = patch


def new_contract(ws: Workspace, name: str, objective: str | None, subtasks: Sequence[tuple[str, str]] = (),
                 budget: float | None = None, deadline: str | None = None, base: Any = None,
                 description: str | None = None, labels: Sequence[str] = (), discoverable: bool = True,
                 offline: bool = False, force: bool = False) -> ContractAnnounced:
    """Announce a contract: its stash (agent-contract@1) with `subtasks` as (id, description) pairs, and its
    -execution and -discussion streams, in one commit. `base` is more content (a dict, as `--file` gives);
    `deadline` a date-time or a duration from now (7d). Raises InvalidContent (3) for content the schema
    refuses or a deadline already past (unless force), Conflict (4) when the name is taken."""
    from gitcontracts.protocol.announce import announce

    return cast("ContractAnnounced", announce(ws, name, objective, subtasks, budget, deadline, base, description, labels,
                                            discoverable, offline, force))


def new_child(ws: Workspace, name: str, parent: str, objective: str | None, subtasks: Sequence[tuple[str, str]] = (),
              budget: float | None = None, deadline: str | None = None, base: Any = None,
              description: str | None = None, labels: Sequence[str] = (), discoverable: bool = True,
              offline: bool = False, force: bool = False) -> ChildAnnounced:
    """Announce a child contract carrying out your subtask `parent` (CONTRACT/SUBTASK), which records it as
    its `subcontract`. Raises what `new_contract` raises; Forbidden (6) or Conflict (4) unless the subtask is
    claimed by you; InvalidContent (3) for a budget over the subtask's; UsageError (2) for a bad `parent`."""
    from gitcontracts.protocol.announce import new_child as run

    return cast("ChildAnnounced", run(ws, name, parent, objective, subtasks, budget, deadline, base, description, labels,
                                    discoverable, offline, force))


# Streams and discovery (SPEC 5)

def create_stream(ws: Workspace, name: str, linked_stash: str | None = None, ttl: int | None = None,
                  discoverable: bool = False, description: str = "", schema: str | None = None,
                  offline: bool = False) -> StreamCreated:
    """Create the stream `name` (its meta.yaml), owned by the acting agent; `ttl` its idle lifetime in
    seconds, `schema` a stream schema every entry's data must satisfy. Returns the meta. Raises Conflict (4)
    when it exists, NotFound (5) for a missing linked stash or schema, InvalidContent (3) for a bad ttl."""
    from gitcontracts.protocol.documents import create_stream as run

    return cast("StreamCreated", run(ws, name, linked_stash, ttl, discoverable, description, schema, offline))


def post_entry(ws: Workspace, stream: str, label: str, data: Any, offline: bool = False) -> EntryResult:
    """Append one entry to the acting agent's shard of `stream`; returns the entry written (id, ts, agent,
    label, data) with `commit` and `pushed`. Raises NotFound (5) for an unknown stream, InvalidContent (3)
    for data the stream's schema refuses or an entry over max_line_bytes."""
    from gitcontracts.protocol.documents import post_entry as run

    return cast("EntryResult", run(ws, stream, label, data, offline))


def read_stream(ws: Workspace, stream: str, label: str | None = None, since: str | None = None,
                limit: int | None = None) -> ReadResult:
    """The entries of every shard in stream order, only `label` ones when given, after the entry id `since`,
    the first `limit` of them; `warnings` name lines that could not be read. Raises NotFound (5) for an
    unknown stream or `since` id. Reads the clone as it is: call `refresh` first for the shared main."""
    from gitcontracts.ops.streams import read_stream as run

    return run(ws, stream, label, since, limit)


def latest_entry(ws: Workspace, stream: str, label: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """The newest entry of `stream` (of `label`) and the warnings of reading it, without reading whole
    shards. Raises NotFound (5) for an unknown stream, or one without such an entry."""
    from gitcontracts.ops.streams import latest_entry as run

    return run(ws, stream, label)


def discover(ws: Workspace, schema: str | None = None, query: str | None = None, linked_to: str | None = None,
             include_expired: bool = False) -> list[dict[str, Any]]:
    """Discoverable stashes and streams, unexpired unless include_expired: of `schema` (NAME or NAME@N),
    holding every word of `query`, or (streams only) linked to the stash `linked_to`. One dict each."""
    from gitcontracts.ops.discover import discover as run

    return run(ws, schema, query, linked_to, include_expired)


# The contract-net protocol (SPEC 6.3). Raises NotFound (5) for an unknown contract or subtask, Forbidden (6)
# for an agent the action is not for, Conflict (4) for a subtask in another state.

def claim(ws: Workspace, contract: str, task_id: str, message: str = "", bid_usdc: float | None = None,
          offline: bool = False) -> ClaimResult:
    """Claim (or, with bid_usdc, bid on) an open subtask: on a claim branch for the owner to award, or on main
    itself for `award: first`. Raises InvalidContent (3) for a missing or out-of-budget bid, Forbidden (6) for
    a subtask offered to another, missing capabilities or full capacity, Conflict (4) when taken or expired."""
    from gitcontracts.protocol.claims import claim as run

    return cast("ClaimResult", run(ws, contract, task_id, message, bid_usdc, offline))


def list_bids(ws: Workspace, contract: str, task_id: str | None = None, offline: bool = False) -> list[Bid]:
    """The pending claims and bids on `contract` (`task_id`'s only), read from its claim branches as the
    clone last fetched them: one Bid each (subtask, agent, branch, commit, bid_usdc, message, ts, and `entry`,
    the claim or bid entry itself)."""
    from gitcontracts.protocol.claims import list_bids as run

    return cast("list[Bid]", run(ws, contract, task_id, offline))


def award(ws: Workspace, contract: str, task_id: str, winner: str, offline: bool = False) -> AwardResult:
    """The owner merges `winner`'s claim branch; the other bids are rejected and their branches deleted.
    Raises NotFound (5) when `winner` has no claim, Forbidden (6) for anyone but the owner, Conflict (4)
    for a subtask no longer open."""
    from gitcontracts.protocol.claims import award as run

    return cast("AwardResult", run(ws, contract, task_id, winner, offline))


def offer(ws: Workspace, contract: str, task_id: str, to: str, fallback: Sequence[str] = (), expires: str | None = None,
          then: str = "announce", message: str = "", offline: bool = False) -> OfferResult:
    """The owner offers an open subtask to `to`, then to each of `fallback` in turn; `expires` a duration or
    a date-time; `then` (announce or revise) what happens when the chain is exhausted. Raises InvalidContent (3)
    for a bad `then`, UsageError (2) for a bad agent name, Forbidden (6) or Conflict (4) as above."""
    from gitcontracts.protocol.offers import offer as run

    return cast("OfferResult", run(ws, contract, task_id, to, fallback, expires, then, message, offline))


def accept(ws: Workspace, contract: str, task_id: str, message: str = "", offline: bool = False) -> AcceptResult:
    """Accept the offer made to the acting agent: the subtask is claimed by it. Raises Forbidden (6) when it
    is not offered to you or exhausted, Conflict (4) when it expired."""
    from gitcontracts.protocol.offers import accept as run

    return cast("AcceptResult", run(ws, contract, task_id, message, offline))


def reject(ws: Workspace, contract: str, task_id: str, reason: str, message: str = "", offline: bool = False) -> RejectResult:
    """Reject the offer made to the acting agent; it moves to the next agent of the chain (`offer` in the
    result, None when the subtask is open for bids again). Raises InvalidContent (3) for an unknown `reason`,
    Forbidden (6) when it is not offered to you."""
    from gitcontracts.protocol.offers import reject as run

    return cast("RejectResult", run(ws, contract, task_id, reason, message, offline))


def progress(ws: Workspace, contract: str, task_id: str, message: str, data: dict[str, Any] | None = None,
             offline: bool = False) -> WorkResult:
    """Post a progress entry on your claimed subtask to the contract's execution stream: `data` with the
    subtask_id and `message`. Raises Forbidden (6) when it is another's, Conflict (4) when it is not claimed."""
    from gitcontracts.protocol.work import progress as run

    return cast("WorkResult", run(ws, contract, task_id, message, data, offline))


def deliver(ws: Workspace, contract: str, task_id: str, stash: str, summary: str = "", offline: bool = False) -> WorkResult:
    """Name the stash `stash` as your subtask's deliverable (a deliverable entry). Raises NotFound (5) for a
    missing stash, InvalidContent (3) when it fails the subtask's deliverable_schema, and as `progress`."""
    from gitcontracts.protocol.work import deliver as run

    return cast("WorkResult", run(ws, contract, task_id, stash, summary, offline))


def complete(ws: Workspace, contract: str, task_id: str, offline: bool = False) -> WorkResult:
    """The owner completes a claimed subtask that has a deliverable (or a subcontract). Raises Forbidden (6)
    for anyone but the owner, Conflict (4) for a subtask not claimed or not yet delivered."""
    from gitcontracts.protocol.work import complete as run

    return cast("WorkResult", run(ws, contract, task_id, offline))


def release(ws: Workspace, contract: str, task_id: str, message: str = "", offline: bool = False) -> WorkResult:
    """Give your claimed subtask back: it is open again. While it is open, withdraw your pending claim instead
    (`withdrawn`: its claim branch, deleted with a `status-update` entry). Raises as `progress`."""
    from gitcontracts.protocol.work import release as run

    return cast("WorkResult", run(ws, contract, task_id, message, offline))


def ask(ws: Workspace, contract: str, task_id: str | None, message: str, offline: bool = False) -> WorkResult:
    """Post a question to the contract's discussion stream, about subtask `task_id` or (None) the whole
    contract; anyone may ask. The result's `entry` id is what an answer replies to."""
    from gitcontracts.protocol.work import ask as run

    return cast("WorkResult", run(ws, contract, task_id, message, offline))


def answer(ws: Workspace, contract: str, in_reply_to: str, message: str, offline: bool = False) -> WorkResult:
    """Answer the question with entry id `in_reply_to` in the contract's discussion. Raises NotFound (5) for
    an unknown entry id."""
    from gitcontracts.protocol.work import answer as run

    return cast("WorkResult", run(ws, contract, in_reply_to, message, offline))


def settle(ws: Workspace, contract: str | None = None, offline: bool = False) -> SettleResult:
    """Do the acting owner's due automatic steps once, on `contract` or all its contracts: expired offers move
    on, expired leases reopen, closed lowest-bid auctions are awarded, finished children complete their
    subtask. Returns the `steps` taken ([] when nothing was due, with no commit)."""
    from gitcontracts.protocol.settle import settle as run

    return cast("SettleResult", run(ws, contract, offline))


def status(ws: Workspace, contract: str | None = None, offline: bool = False, agent: str | None = None) -> dict[str, Any]:
    """The full state of `contract` (its subtasks, offers, bids, deliverables, progress; the contract's name as
    `contract`, and as `name` too), or with None one summary per contract under "contracts". With `agent`, only
    what concerns that agent (its contracts; in one contract, its subtasks unless it owns it). Reads the clone
    as it is: call `refresh` first for the shared main. Raises NotFound (5) for an unknown contract."""
    from gitcontracts.protocol.status import status as run

    return run(ws, contract, offline, agent)


def next_items(ws: Workspace, offline: bool = False) -> list[NextItem]:
    """Everything waiting for the acting agent, most urgent first: offers made to it (with `expires_in`, seconds
    left), its assigned subtasks, its pending claims, the duties of the contracts it owns (claims to award,
    deliverables to complete, questions to answer), then the open subtasks it may claim. Each item is
    {"kind", "contract", "subtask", "command", "detail"} with `command` the gitcontracts command line that
    acts on it. Reads the clone as it is: call `refresh` first for the shared main."""
    from gitcontracts.protocol.next import next_items as run

    return cast("list[NextItem]", run(ws, offline))


def prime(ws: Workspace) -> str:
    """The onboarding text for the acting agent (plain text, AGENTS.md style): who it is and how that was
    decided (or how to set a name), the loop, each command with an example, the exit codes. Never raises for
    a missing or invalid agent name: the text says how to set one."""
    from gitcontracts.protocol.prime import prime_text

    return prime_text(ws)


def contract_log(ws: Workspace, contract: str) -> list[LogItem]:
    """The contract's timeline: its commits (by their Contract trailer; `action` the Action trailer) and stream
    entries (`label`, `stream`, `id`), each with `ts`, in time order. Raises NotFound (5) for an unknown contract."""
    from gitcontracts.ops.history import contract_log as run

    return cast("list[LogItem]", run(ws, contract))


# The agent registry (.contracts/agents.yaml)

def add_agent(ws: Workspace, name: str, emails: Sequence[str] = (), signing_keys: Sequence[str] = (),
              capabilities: Sequence[str] = (), capacity: int | None = None, offline: bool = False) -> AgentAdded:
    """Add the agent `name` to agents.yaml, or add emails, signing keys and capabilities to it, or set its
    capacity; the first agent written makes the acting agent the admin. Raises Forbidden (6) for a non-admin,
    InvalidContent (3) for a registry that would be invalid, UsageError (2) for a bad name."""
    from gitcontracts.protocol.agents import add_agent as run

    return cast("AgentAdded", run(ws, name, emails, signing_keys, capabilities, capacity, offline))


def list_agents(ws: Workspace) -> dict[str, Any]:
    """The registry as {"admins": [...], "agents": {name: {emails, capabilities, capacity, ...}}};
    empty without agents.yaml."""
    from gitcontracts.protocol.agents import list_agents as run

    return run(ws)


def show_agent(ws: Workspace, name: str) -> dict[str, Any]:
    """One agent's entry of the registry, with its name under "agent". Raises NotFound (5) for an unknown one."""
    from gitcontracts.protocol.agents import show_agent as run

    return run(ws, name)


# The referee and upkeep

def validate_all(ws: Workspace, progress: Callable[[int, int], None] | None = None) -> Report:
    """Validate every file under .contracts/ in the working tree (no git needed): a Report of the files
    `checked` and their `problems` (data, not exceptions); `valid` when there are none. `progress(done, total)`
    is called per file."""
    from gitcontracts.ops.validate import validate_all as run

    return run(ws, progress)


def validate_paths(ws: Workspace, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None) -> Report:
    """Validate the files at `paths` (folders: the files under them), as `validate_all` does."""
    from gitcontracts.ops.validate import validate_paths as run

    return run(ws, paths, progress)


def fsck(ws: Workspace, repair: bool = False, progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """What crashes leave behind: torn last lines of shards, temp files, stale git locks, interrupted
    actions. With repair, each is fixed (cut, removed, finished) and marked `repaired`. `progress(done, total)`
    is called per file of its validation of everything."""
    from gitcontracts.ops.fsck import fsck as run

    return run(ws, repair, progress)


def gc(ws: Workspace, offline: bool = False, progress: Callable[[int, int], None] | None = None) -> GcResult:
    """Move the acting agent's expired streams (idle longer than their ttl) whole to .contracts/archive/, in
    one commit; returns them as `archived` ([] and no commit when none has expired). `progress(done, total)`
    is called per stream looked at."""
    from gitcontracts.protocol.documents import gc as run

    return cast("GcResult", run(ws, offline, progress))


def layout_info(ws: Workspace) -> dict[str, Any]:
    """{layout, stashes, streams}: the layout of the working tree's config.yaml (flat or fanout), and how many
    stashes and streams it places."""
    from gitcontracts.protocol.relayout import layout_info as run

    return run(ws)


def change_layout(ws: Workspace, layout: str, offline: bool = False, progress: bool = False) -> LayoutResult:
    """Move every stash and stream to its place in `layout` (flat: stashes/NAME.yaml, streams/NAME/; fanout: under
    a folder named by the first two hex digits of the SHA-1 of NAME), with config.yaml's `layout`, in one commit on
    main that the referee accepts only as a pure move. Refused while claim branches are pending. `progress`: git
    shows its own line on standard error while it writes the moved files into the working tree (the long step:
    tens of seconds at 10,000 contracts)."""
    from gitcontracts.protocol.relayout import change_layout as run

    return cast("LayoutResult", run(ws, layout, offline, progress))


def land(ws: Workspace, main: str | None = None, pushed: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Replay the queued actions (refs/heads/queue/<agent>/<id>) onto main, each judged as its author: in the shared
    bare repository directly (its post-receive hook runs this, naming the refs it was `pushed`), in a clone through
    a push to the remote, as the acting agent. Returns {"main", "landed", "dropped", "refused"}."""
    from gitcontracts import gitlayer
    from gitcontracts.protocol.land import land as run

    agent = None if gitlayer.is_bare(ws.root) else ws.agent
    # the post-receive hook hands on the land lock it waited for (a second flock of it here would wait forever)
    locked = bool(pushed) and ws.env.get("GITCONTRACTS_LAND_LOCKED") == "1"
    landing = run(ws.root, main or ws.main_branch, ws.config.remote, agent, ws.now(), pushed, locked)
    return {**landing.to_dict(), "lines": landing.lines()}


def check_staged(ws: Workspace, files: Iterable[str | Path] = ()) -> CheckResult:
    """The referee on the staged changes under .contracts/ (the pre-commit hook): content, append-only,
    transitions, permissions, and who the commit will be by. `files` the staged change leaves alone (the
    pre-commit framework names every file on `run --all-files`) are validated as `validate_paths` does.
    Returns a CheckResult; its `exit_code` is 0, 3 (invalid) or 6 (forbidden)."""
    from gitcontracts.referee.commits import check_staged as run

    def validated(paths: Sequence[Path]) -> tuple[int, list[Problem]]:
        from gitcontracts.ops.validate import validate_paths

        report = validate_paths(ws, paths)
        return report.checked, report.problems

    return run(ws, [Path(f) for f in files], validated)


def check_range(root: Path, span: str, ref: str | None = None, main_branch: str = "main",
                now: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """The referee on every first-parent commit of `span` (A..B) in the repository at `root`, as pushed to
    `ref` (claim branches may only claim); time rules at `now`, else at each commit's date. An empty A
    means: since the branch left `main_branch`. `progress(done, total)` is called per commit. Raises UsageError
    (2) for a bad span or an unknown revision."""
    from gitcontracts.referee.commits import check_range as run

    return run(root, span, ref, main_branch, now, progress)


def parse_updates(text: str) -> list[RefUpdate]:
    """A pre-receive hook's standard input (`<old> <new> <ref>` per line) as RefUpdates for `check_receive`;
    all-zero ids (a ref created or deleted) become None, lines of another shape are skipped."""
    from gitcontracts.referee.receive import parse_updates as run

    return run(text)


def check_receive(root: Path, updates: list[RefUpdate], main: str, now: datetime,
                  options: Mapping[str, str] | None = None) -> CheckResult:
    """The referee of a push (the pre-receive hook of the bare repository at `root`): every ref update
    judged against the shared `main` branch, time rules at `now` (when the push is received); `options` are
    the push's `-o KEY=VALUE` options (`agent=NAME` withdraws NAME's own claim branch)."""
    from gitcontracts.referee.receive import check_receive as run

    return run(root, updates, main, now, options)


def push_options(environ: Mapping[str, str]) -> dict[str, str]:
    """The `git push -o` options a pre-receive hook was given (from its environment)."""
    from gitcontracts.referee.receive import push_options as run

    return run(environ)


def install_hooks(root: Path) -> list[str]:
    """Install the pre-commit and pre-push hooks (pre-receive in a bare repository) of the repository at
    `root`, chaining to hooks already there; returns the names installed."""
    from gitcontracts.ops.hooks import install_hooks as run

    return run(root)


def merge_files(ancestor: Path, ours: Path, theirs: Path, path: str) -> None:
    """The git merge driver of stream shards (%O %A %B %P): the union of both sides' entries in order
    replaces the `ours` file. Raises Conflict (4) when a side rewrote the common part or ends in a torn line."""
    from gitcontracts.ops.merge_shard import merge_files as run

    run(ancestor, ours, theirs, path)


def watch(ws: Workspace, emit: Callable[[dict[str, Any]], None], interval: float = 10.0, once: bool = False,
          offline: bool = False, stop: threading.Event | None = None, on: dict[str, str] | None = None) -> int:
    """Call `emit` with each event (claims, entries, offers, bids, leases, deadlines) as it happens, fetching
    every `interval` seconds, until `stop` is set or a signal comes (one pass with once); as owner, do the
    automatic steps. `on` maps event types to shell commands, added to git config gitcontracts.on.*.
    Returns the exit code, 0. An unreachable remote is an error (RemoteUnavailable, 4) on the first pass only, then a
    warning event."""
    from gitcontracts.watch import watch as run

    return run(ws, emit, interval, once, offline, stop, on)


def run_demo(directory: Path | None, say: Callable[[str], None]) -> Path:
    """Play a contract's whole life in a fresh repository (in `directory`, default a temp folder): a bare
    remote, an orchestrator and three agents running the CLI. Each line of the story goes to `say`; returns
    the folder."""
    from gitcontracts.demo import run_demo as run

    return run(directory, say)


# The board

def board_data(ws: Workspace, offline: bool = False) -> dict[str, Any]:
    """What the board shows, as plain data: {"generated", "main", "remote", "contracts": [view, ...]}, each view
    `status CONTRACT`'s answer plus its streams (`execution`, `discussion`), its commits (`log`), its
    `deliverables` and each pending claim's `diff`. Reads the clone as it is: call `refresh` first."""
    from gitcontracts.board.collect import collect

    return collect(ws, offline)


def write_board(ws: Workspace, out: Path, offline: bool = False,
                progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write the board as a static site in `out` (index.html and contracts/<name>.html; no network at view time),
    replacing a board written there before, atomically. Returns {"out", "pages", "contracts", "version"}. Raises
    UsageError (2) when `out` holds anything else. `progress(done, total)` is called per contract read."""
    from gitcontracts.board.site import build, write_site

    board, pages, version = build(ws, offline, progress=progress)
    folder = write_site(pages, Path(out))
    return {"out": str(folder), "pages": len(pages), "contracts": len(board["contracts"]), "version": version}


def serve_board(ws: Workspace, port: int = 8765, offline: bool = False, interval: float = 30.0,
                ready: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> None:
    """Serve the board on 127.0.0.1:`port` (0: any free port) until `stop` is set: read-only, rebuilt when the
    clone's refs or .contracts/ change and after a fetch every `interval` seconds (none when offline); pages
    reload themselves when what they show changed. `ready(url)` is called once listening. Raises UsageError
    (2) when the port is taken."""
    from gitcontracts.board.serve import serve

    try:
        serve(ws, port, offline, interval, ready, stop)
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise UsageError(f"port {port} on 127.0.0.1 is in use", hint="pass --port N (0 picks a free one)") from None
        raise


# The --json shapes

_JSON_SCHEMAS = Path(__file__).resolve().parent / "json_schemas"


def output_schema_names() -> list[str]:
    """The commands with a published --json shape ("stream-post", "status", ..., and "error" for the envelope
    of a failure on stderr)."""
    return sorted(p.stem for p in _JSON_SCHEMAS.glob("*.json") if p.stem != "common")


def output_schema(command: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `command`'s --json output ("stream post" or "stream-post"; "error" for
    the error envelope; "watch" for one event line), self-contained: the shared definitions are under `$defs`.
    Required keys are listed and extra keys allowed, so later versions may add keys. Raises NotFound (5)."""
    import json

    name = "-".join(command.split())
    if name == "common" or not (_JSON_SCHEMAS / f"{name}.json").is_file():
        raise NotFound(f"no --json schema for {command!r}", hint="one of: " + ", ".join(output_schema_names()))
    schema = json.loads((_JSON_SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    shared = json.loads((_JSON_SCHEMAS / "common.json").read_text(encoding="utf-8"))["$defs"]
    return cast("dict[str, Any]", _local_refs({**schema, "$defs": shared}))


def _local_refs(node: Any) -> Any:
    """`common.json#/$defs/X` as `#/$defs/X`, for a schema carrying the shared definitions itself."""
    if isinstance(node, dict):
        return {k: (v.replace("common.json#", "#") if k == "$ref" and isinstance(v, str) else _local_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_local_refs(v) for v in node]
    return node
