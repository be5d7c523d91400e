"""The tools of `gitcontracts mcp`: each a name, a description, its parameters and the gitcontracts.api call it
makes. A tool's result is the JSON the matching command prints with --json; no MCP here (server.py serves them).

Reads bring the clone to the shared main first, as the commands do (SPEC 13), and say `"stale": true` when
they could not; actions land as one commit each, pushed when a remote is configured and the server is not
--offline."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from gitcontracts import api
from gitcontracts.mcp_server.arguments import Param


@dataclass(frozen=True)
class Call:
    """One tool call: the acting agent's workspace, the checked arguments (None when not given), --offline,
    and where notes for a person go (the server's standard error)."""
    ws: api.Workspace
    args: Mapping[str, Any]
    offline: bool
    warn: Callable[[str], None]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: Mapping[str, Param]
    run: Callable[[Call], dict[str, Any]]
    returns: tuple[str, ...]  # keys every result has: the `required` of its output schema


def _fresh(call: Call, read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A read of the shared main: refresh, read, and mark the answer stale when it may not be the shared main."""
    state = api.refresh(call.ws, call.offline)
    if state.note:
        call.warn(state.note)
    return state.mark(read())


def _next(call: Call) -> dict[str, Any]:
    return _fresh(call, lambda: {"agent": call.ws.agent, "items": api.next_items(call.ws, call.offline)})


def _discover(call: Call) -> dict[str, Any]:
    a = call.args
    return _fresh(call, lambda: {"results": api.discover(call.ws, a["schema"], a["query"], a["linked_to"],
                                                         bool(a["include_expired"]))})


def _status(call: Call) -> dict[str, Any]:
    return _fresh(call, lambda: api.status(call.ws, call.args["contract"], call.offline))


def _stream_read(call: Call) -> dict[str, Any]:
    a = call.args

    def read() -> dict[str, Any]:
        result = api.read_stream(call.ws, a["stream"], a["label"], a["since"], a["limit"])
        for line in result.warnings:
            call.warn(line)
        return result.to_dict()
    return _fresh(call, read)


def _claim(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.claim(call.ws, a["contract"], a["subtask"], a["message"] or "", a["bid_usdc"], call.offline))


def _accept(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.accept(call.ws, a["contract"], a["subtask"], a["message"] or "", call.offline))


def _reject(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.reject(call.ws, a["contract"], a["subtask"], a["reason"], a["message"] or "", call.offline))


def _release(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.release(call.ws, a["contract"], a["subtask"], a["message"] or "", call.offline))


def _progress(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.progress(call.ws, a["contract"], a["subtask"], a["message"], a["data"] or {}, call.offline))


def _deliver(call: Call) -> dict[str, Any]:
    """Put the stash when `content` is given (as `stash put` does), then deliver it: two commits, one per action."""
    a = call.args
    written = None
    if a["content"] is not None:
        written = api.put_stash(call.ws, a["stash"], a["content"], a["schema"], a["description"], None, None, call.offline)
    delivered = dict(api.deliver(call.ws, a["contract"], a["subtask"], a["stash"], a["summary"] or "", call.offline))
    return {**delivered, "stash_written": written}


def _ask(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.ask(call.ws, a["contract"], a["subtask"], a["message"], call.offline))


def _answer(call: Call) -> dict[str, Any]:
    a = call.args
    return dict(api.answer(call.ws, a["contract"], a["in_reply_to"], a["message"], call.offline))


CONTRACT = Param("string", "The contract's name.", required=True)
SUBTASK = Param("string", "The subtask's id within the contract.", required=True)
MESSAGE = Param("string", "A message for the contract's owner, kept in the entry.")
LANDED = ("commit", "pushed")  # every action's result names the commit it landed and whether it was pushed

TOOLS: tuple[Tool, ...] = (
    Tool("next", "Everything waiting for you, most urgent first: offers made to you, your subtasks, your pending "
         "claims, duties of the contracts you own, then open subtasks you may claim. Each item has kind, contract, "
         "subtask, detail and the gitcontracts command acting on it. Start here.", {}, _next, ("agent", "items")),
    Tool("discover", "Find discoverable, unexpired stashes and streams (contracts are stashes of the agent-contract "
         "schema).", {"schema": Param("string", "Only resources of this schema: NAME or NAME@N, e.g. agent-contract."),
                      "query": Param("string", "Words that must all appear in name, description, labels or objective."),
                      "linked_to": Param("string", "Only streams linked to this stash."),
                      "include_expired": Param("boolean", "Also list expired contracts and streams.")},
         _discover, ("results",)),
    Tool("status", "The full state of one contract (subtasks, offers, bids, deliverables, progress), or one "
         "summary per contract without `contract`.", {"contract": Param("string", "The contract; omit for all.")},
         _status, ()),
    Tool("claim", "Claim an open subtask (or bid on it with bid_usdc): on a claim branch for the owner to award, or "
         "straight onto main for an `award: first` subtask.",
         {"contract": CONTRACT, "subtask": SUBTASK, "message": MESSAGE,
          "bid_usdc": Param("number", "Your price; lowest-bid subtasks need one.")}, _claim, LANDED),
    Tool("accept", "Accept the offer made to you: the subtask is claimed by you.",
         {"contract": CONTRACT, "subtask": SUBTASK, "message": MESSAGE}, _accept, LANDED),
    Tool("reject", "Reject the offer made to you; it moves to the next agent of the owner's chain.",
         {"contract": CONTRACT, "subtask": SUBTASK, "message": MESSAGE,
          "reason": Param("string", "One of insufficient-resources, scheduling-conflict, missing-capability, "
                          "unacceptable-deadline, policy, other.", required=True)}, _reject, LANDED),
    Tool("progress", "Report progress on your claimed subtask (an entry in the contract's execution stream).",
         {"contract": CONTRACT, "subtask": SUBTASK, "message": Param("string", "What was done.", required=True),
          "data": Param("object", "More data for the entry.")}, _progress, LANDED),
    Tool("deliver", "Deliver your subtask: write the stash `stash` with `content` (create or replace it, as "
         "`stash put`), then name it as the subtask's deliverable. Without `content`, deliver an existing stash.",
         {"contract": CONTRACT, "subtask": SUBTASK, "stash": Param("string", "The deliverable stash's name.", required=True),
          "content": Param("", "The stash's content, any JSON value; checked against `schema` first."),
          "schema": Param("string", "A schema (NAME or NAME@N) the content must validate against."),
          "description": Param("string", "The stash's description."),
          "summary": Param("string", "A summary of the deliverable for the owner.")}, _deliver, (*LANDED, "stash_written")),
    Tool("ask", "Ask a question in the contract's discussion, about one subtask or the whole contract; the "
         "answer's entry replies to the id of this one.",
         {"contract": CONTRACT, "subtask": Param("string", "The subtask it is about; omit for the whole contract."),
          "message": Param("string", "The question.", required=True)}, _ask, LANDED),
    Tool("answer", "Answer a question in the contract's discussion.",
         {"contract": CONTRACT, "in_reply_to": Param("string", "The question's entry id.", required=True),
          "message": Param("string", "The answer.", required=True)}, _answer, LANDED),
    Tool("release", "Give your claimed subtask back: it is open again.",
         {"contract": CONTRACT, "subtask": SUBTASK, "message": MESSAGE}, _release, LANDED),
    Tool("stream_read", "Read a stream's entries in order (a contract's are CONTRACT-execution and "
         "CONTRACT-discussion).",
         {"stream": Param("string", "The stream's name.", required=True),
          "label": Param("string", "Only entries of this label (progress, deliverable, question, answer, ...)."),
          "since": Param("string", "Only entries after this entry id."),
          "limit": Param("integer", "At most this many entries.", minimum=0)}, _stream_read, ("stream", "entries")),
)
