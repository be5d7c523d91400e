"""Plain values the layers pass around: immutable NamedTuples, and the typed dicts the actions return. No I/O."""
from __future__ import annotations

from typing import Any, NamedTuple, TypedDict


# Why an agent turns an offer down (a `reject` entry's reason); "awarded-to-other" is the owner's, when an
# award turns the other bids down.
REJECT_REASONS = ("insufficient-resources", "scheduling-conflict", "missing-capability",
                  "unacceptable-deadline", "policy", "other", "awarded-to-other")
OFFER_REJECT_REASONS = tuple(reason for reason in REJECT_REASONS if reason != "awarded-to-other")

class Problem(NamedTuple):
    """One thing wrong in one file: found by the rules, reported by the CLI. Data, not an exception."""
    file: str
    message: str
    rule: str = ""
    path: str = ""          # JSON path inside the document: content.subtasks[2].status
    line: int | None = None
    commit: str | None = None  # the commit that brought it, when a range is checked

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "path": self.path, "rule": self.rule, "message": self.message,
                "commit": self.commit}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.commit:
            where = f"{self.commit[:10]} {where}".rstrip()
        at = f" {self.path}:" if self.path else ""
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}:{at} {self.message}{rule}"


class SchemaDoc(NamedTuple):
    """A schema (docs/fields.md): built in, or published under .contracts/schemas/ as NAME@N.yaml."""
    name: str
    version: int
    definition: Any
    description: str = ""
    visibility: str = "public"
    target_type: str = "stash"
    source: str = "builtin"   # 'builtin' or the file path

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "description": self.description,
                "visibility": self.visibility, "target_type": self.target_type, "source": self.source}

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "definition": self.definition}


class Stash(NamedTuple):
    """A stash envelope (docs/fields.md). `raw` keeps the document as read, key order included."""
    name: str
    owner: str
    content: Any
    schema: str | None = None
    description: str = ""
    labels: tuple[str, ...] = ()
    discoverable: bool = False
    created: str = ""
    raw: dict[str, Any] = {}  # never changed: the default may be shared

    def to_dict(self) -> dict[str, Any]:
        if self.raw:
            return dict(self.raw)
        out: dict[str, Any] = {"name": self.name}
        if self.schema:
            out["schema"] = self.schema
        out["owner"] = self.owner
        if self.description:
            out["description"] = self.description
        if self.labels:
            out["labels"] = list(self.labels)
        out["discoverable"] = self.discoverable
        out["created"] = self.created
        out["content"] = self.content
        return out

    @staticmethod
    def from_dict(doc: dict[str, Any]) -> "Stash":
        return Stash(name=doc.get("name", ""), owner=doc.get("owner", ""), content=doc.get("content"),
                     schema=doc.get("schema"), description=doc.get("description") or "",
                     labels=tuple(doc.get("labels") or ()), discoverable=bool(doc.get("discoverable", False)),
                     created=str(doc.get("created") or ""), raw=doc)


class StreamMeta(NamedTuple):
    """A stream's header, its meta.yaml (docs/fields.md)."""
    stream: str
    owner: str
    created: str
    ttl: int | None = None
    discoverable: bool = False
    linked_stash: str | None = None
    description: str = ""
    schema: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"stream": self.stream, "owner": self.owner, "created": self.created, "ttl": self.ttl,
                "discoverable": self.discoverable, "linked_stash": self.linked_stash,
                "description": self.description, "schema": self.schema}

    @staticmethod
    def from_dict(doc: dict[str, Any]) -> "StreamMeta":
        return StreamMeta(stream=doc.get("stream", ""), owner=doc.get("owner", ""), created=str(doc.get("created", "")),
                          ttl=doc.get("ttl"), discoverable=bool(doc.get("discoverable", False)),
                          linked_stash=doc.get("linked_stash"), description=doc.get("description") or "",
                          schema=doc.get("schema"))


# What the actions of the library return (api.py). At run time they are the plain dicts the actions always
# returned, and what `--json` prints; these types name their keys for the reader and for mypy.

class Entry(TypedDict):
    """One stream entry (docs/formats.md, Streams): a line of the acting agent's shard."""
    id: str
    ts: str
    agent: str
    label: str
    data: Any


class Landed(TypedDict):
    """Every mutating action's result: the commit it landed as (None when nothing changed, or with
    commit=False: the change is left in the working tree) and whether it was pushed to the remote."""
    commit: str | None
    pushed: bool


class EntryResult(Entry, Landed):
    """`post_entry`: the entry written."""


class InitResult(Landed):
    """`init_workspace`."""
    root: str
    created: list[str]       # the files it wrote; [] when the workspace was there already
    remote: str | None


class SchemaAdded(Landed):
    """`add_schema`."""
    schema: str              # NAME@N
    path: str
    changed: bool            # False: the same file was published already


class _StashWritten(Landed):
    stash: str
    path: str


class StashWritten(_StashWritten, total=False):
    """`put_stash`: the stash's path and its envelope as written (docs/fields.md); optional keys are left out."""
    name: str
    schema: str
    owner: str
    description: str
    labels: list[str]
    discoverable: bool
    created: str
    content: Any


class StreamCreated(Landed):
    """`create_stream`: the stream's meta.yaml (docs/fields.md)."""
    stream: str
    owner: str
    created: str
    ttl: int | None
    discoverable: bool
    linked_stash: str | None
    description: str
    schema: str | None


class ContractAnnounced(Landed):
    """`new_contract`: the contract's stash and streams, in one commit."""
    contract: str
    stash: dict[str, Any]    # the contract's stash document
    streams: list[str]       # its -execution and -discussion streams
    paths: list[str]


class ChildAnnounced(Landed):
    """`new_child`: a contract carrying out the parent subtask, which names it as its `subcontract`."""
    contract: str
    parent: str              # CONTRACT/SUBTASK
    paths: list[str]


class Patched(Landed):
    """`patch`: formatting and comments stay when `formatting_kept`."""
    stash: str
    contract: str | None     # the stash's name when it is a contract
    items_matched: list[int]  # per update item, the elements it matched
    written: bool
    formatting_kept: bool


class _OnSubtask(Landed):
    contract: str
    subtask: str


class ClaimResult(_OnSubtask):
    """`claim`: a claim or, with a bid, a bid."""
    agent: str
    award: str               # first, review or lowest-bid
    branch: str | None       # the claim branch for the owner to award; None for `award: first`
    entry: Entry


class _Awarded(_OnSubtask):
    awarded_to: str
    rejected: list[str]      # the other bidders


class AwardResult(_Awarded, total=False):
    """`award`: the owner merged the winner's claim branch; `already` when a rerun finds it awarded (no commit)."""
    reason: str
    already: bool


class OfferResult(_OnSubtask):
    """`offer`."""
    offer: dict[str, Any]    # the offer's terms on the subtask
    entry: Entry


class AcceptResult(_OnSubtask):
    """`accept`: the subtask is claimed by the agent it was offered to."""
    agent: str
    entry: Entry


class RejectResult(_OnSubtask):
    """`reject` of an offer."""
    reason: str
    offer: dict[str, Any] | None  # where the offer moved; None when the subtask is open for bids again
    entry: Entry


class _Work(Landed):
    contract: str
    subtask: str | None      # None for a question about the whole contract


class WorkResult(_Work, total=False):
    """progress, deliver, release, ask, answer (with the entry posted) and complete (without)."""
    entry: Entry


class SettleResult(Landed):
    """`settle`: the owner's automatic steps taken."""
    steps: list[dict[str, Any]]  # each {step, contract, subtask, ...}; [] when nothing was due


class _AgentAdded(Landed):
    agent: str


class AgentAdded(_AgentAdded, total=False):
    """`add_agent`: the agent's entry in agents.yaml as written."""
    emails: list[str]
    signing_keys: list[str]
    capabilities: list[str]
    capacity: int


class GcResult(Landed):
    """`gc`."""
    archived: list[str]      # the streams moved to .contracts/archive/
    agent: str


class LayoutResult(Landed):
    """`change_layout`: the layout now, and how many files moved (0 and no commit when it was already so)."""
    layout: str              # flat or fanout
    moved: int


# What the reads return (the same keys as the actions: `contract`, `subtask`, `agent`, `entry` an Entry, `ts`)

class Bid(TypedDict):
    """`list_bids`: a pending claim or bid, one claim branch."""
    subtask: str
    agent: str
    branch: str
    commit: str              # the claim branch's tip
    bid_usdc: float | None
    message: str
    ts: str | None           # the claim or bid entry's
    entry: Entry | None      # the claim or bid entry on the branch


class _NextItem(TypedDict):
    kind: str                # offer, deliver, delivered, claim-pending, award, complete, answer, claim
    contract: str
    subtask: str | None
    command: str             # the gitcontracts command line that acts on it
    detail: str


class NextItem(_NextItem, total=False):
    """`next_items`: one thing waiting for the acting agent."""
    expires_in: int          # an offer's seconds left


class _LogItem(TypedDict):
    kind: str                # commit or entry
    ts: str
    agent: str
    subtask: str | None
    commit: str | None       # the commit (for an entry: the one that appended it)
    message: str


class LogItem(_LogItem, total=False):
    """`contract_log`: a commit (with its `action` trailer) or a stream entry (its `label`, `stream` and `id`)."""
    action: str
    label: str
    stream: str
    id: str
