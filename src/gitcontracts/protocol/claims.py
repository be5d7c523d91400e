"""Claims, bids and awards (SPEC 6.3): `first` claims land on main; `review` and `lowest-bid` claims are
branches `claim/<contract>/<subtask>/<agent>` that the owner's award merges (--no-ff)."""
from __future__ import annotations

from typing import Any

from gitcontracts import gitlayer
from gitcontracts.errors import Conflict, Forbidden, NotFound
from gitcontracts.formats import jsonl
from gitcontracts.names import check_name
from gitcontracts.ops.merge_shard import merge_shards
from gitcontracts.ops.record import Action
from gitcontracts.store.snapshot import CONFIG, Snapshot
from gitcontracts.protocol import providers
from gitcontracts.referee.commits import parse_claim_branch
from gitcontracts.protocol.engine import ACTION_FETCH_SECONDS, Context, Outcome, perform
from gitcontracts.protocol.guards import can_take, check_bid, require_owner, subtask
from gitcontracts.protocol import whoami
from gitcontracts.workspace import Workspace


def discussion(contract: str) -> str:
    return f"{contract}-discussion"


def claim_branch(contract: str, task_id: str, agent: str) -> str:
    return f"claim/{contract}/{task_id}/{agent}"


def claim(ws: Workspace, contract: str, task_id: str, message: str = "", bid_usdc: float | None = None,
          offline: bool = False) -> dict[str, Any]:
    check_name(contract, "contract name"), check_name(task_id, "subtask id")
    provider = "local" if offline or not ws.config.remote else ws.config.provider
    providers.require_available(provider, ws.root)

    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        task = subtask(doc, contract, task_id)
        can_take(ctx.base, doc, task, ctx.agent, ctx.now, who=whoami.origin(ctx.ws, ctx.agent))
        check_bid(task, bid_usdc)
        award = task.get("award", "review")
        ctx.set_subtask(contract, task_id, {"status": "claimed", "assigned_agent": ctx.agent})
        data: dict[str, Any] = {"subtask_id": task_id, "agent_name": ctx.agent, "message": message}
        if bid_usdc is not None:
            data["bid_usdc"] = bid_usdc
        entry = ctx.post(discussion(contract), "bid" if bid_usdc is not None else "claim", data)
        branch = None if award == "first" else claim_branch(contract, task_id, ctx.agent)
        result = {"contract": contract, "subtask": task_id, "agent": ctx.agent, "award": award,
                  "branch": branch, "entry": entry}
        return Outcome(Action("bid" if bid_usdc is not None else "claim", f"{contract}/{task_id}", tuple(ctx.files),
                              contract, task_id), result, branch=branch)

    result = perform(ws, build, offline)
    if result.get("branch") and ws.commit:
        providers.opened(provider, ws.root, result["branch"], ws.main_branch, f"claim {contract}/{task_id}",
                         f"{ws.agent} claims {task_id} of {contract}. {message}".strip())
    return result


def claim_prefix(contract: str | None, task_id: str | None) -> str:
    """The claim branches of one subtask (`claim/C/S/`), of one contract, or of every contract (`claim/`)."""
    return "claim/" + (f"{contract}/" if contract else "") + (f"{task_id}/" if contract and task_id else "")


def settled_refs(ctx: Context, contract: str, task_id: str, offline: bool) -> dict[str, str]:
    """`claim_refs` of an action that settles the subtask's claims: as the action's fetch of main brought them
    (`perform(..., claims=claim_prefix(...))`), else fetched now."""
    return claim_refs(ctx.ws, contract, task_id, offline, fetched=ctx.fetched_claims == claim_prefix(contract, task_id))


def claim_refs(ws: Workspace, contract: str | None, task_id: str | None, offline: bool = False,
               fetched: bool = False) -> dict[str, str]:
    """branch name -> tip of the pending claim branches (of every contract with contract None).

    With a remote, an action fetches the ones it asks for now (their commits too: it reads them), and a read
    (`fetched`) takes them as the read's fetch left them; both find them in `refs/remotes/<remote>/claim/...`
    (ops/freshness.py, SPEC 13). An offline read adds the clone's own claim branches. Without a remote, or for
    an offline action: the clone's own claim branches."""
    prefix = claim_prefix(contract, task_id)
    remote = ws.config.remote
    if remote and not offline and not fetched:
        from gitcontracts.ops.freshness import fetch_claims

        problem = fetch_claims(ws, remote, prefix, ACTION_FETCH_SECONDS)
        if problem is not None:
            raise gitlayer.RemoteUnavailable(f"cannot fetch the claim branches from {remote}: {problem}",
                                             hint="check the remote, or use --offline")
        fetched = True
    sources = ["refs/heads/"]
    if remote and fetched:
        sources = [f"refs/remotes/{remote}/"] + (["refs/heads/"] if offline else [])
    found: dict[str, str] = {}
    for source in sources:  # later sources win: the clone's own branch over the remote's as last fetched
        found.update({ref.removeprefix(source): sha for ref, sha in gitlayer.local_refs(ws.root, source + prefix).items()})
    return found


def bid_entries(snapshot: Snapshot, refs: dict[str, str], contract: str) -> list[dict[str, Any]]:
    """Each claim branch's bid: {subtask, agent, branch, commit (the branch's tip), bid_usdc, message, ts, entry},
    `entry` the claim or bid entry read from the branch's discussion shard (None when it has none)."""
    bids = []
    # a ref shaped like a claim but not one (claim/c/t/a/x, a bad name) slipped past a remote without the hook:
    # every reader ignores it (the pre-receive hook refuses it)
    valid = {branch: sha for branch, sha in refs.items() if parse_claim_branch(branch) is not None}
    # each branch's shard where its own config.yaml puts it: the layout of the main it left (the referee refuses
    # one that changes it), read in one batch with the others
    reader = snapshot.reader
    reader.prefetch(f"{sha}:{CONFIG}" for sha in valid.values())
    shards = {branch: f"{sha}:{Snapshot(snapshot.root, reader, sha).paths.shard(discussion(contract), branch.split('/')[3])}"
              for branch, sha in valid.items()}
    reader.prefetch(shards.values())
    for branch, sha in sorted(valid.items()):
        _, _, task_id, agent = branch.split("/")
        data = reader.read(shards[branch]) or b""
        entry = _last_claim(data, task_id)
        payload = entry.get("data", {}) if entry else {}
        bids.append({"subtask": task_id, "agent": agent, "branch": branch, "commit": sha,
                     "bid_usdc": payload.get("bid_usdc"), "message": payload.get("message", ""),
                     "ts": entry.get("ts") if entry else None, "entry": entry})
    return bids


def _last_claim(data: bytes, task_id: str) -> dict[str, Any] | None:
    for line in reversed(data.split(b"\n")):
        entry, error = jsonl.decode_line(line) if line else (None, "empty")
        if error or not isinstance(entry, dict) or entry.get("label") not in ("claim", "bid"):
            continue
        if (entry.get("data") or {}).get("subtask_id") == task_id:
            return entry
    return None


def list_bids(ws: Workspace, contract: str, task_id: str | None = None, offline: bool = False) -> list[dict[str, Any]]:
    """The claim branches' bids, as the clone last fetched them (the `bids` command refreshes first)."""
    refs = claim_refs(ws, contract, task_id, offline, fetched=True)
    reader = gitlayer.BlobReader(ws.root)
    try:
        return bid_entries(Snapshot(ws.root, reader, None), refs, contract)
    finally:
        reader.close()


def award(ws: Workspace, contract: str, task_id: str, winner: str, offline: bool = False) -> dict[str, Any]:
    """Merge the winner's claim branch (the owner's --no-ff merge commit), reject the other bids, delete the branches."""
    provider = "local" if offline or not ws.config.remote else ws.config.provider
    providers.require_available(provider, ws.root)
    result = perform(ws, lambda ctx: award_build(ctx, contract, task_id, winner, settled_refs(ctx, contract, task_id, offline)),
                     offline, claims=claim_prefix(contract, task_id))
    losers = [claim_branch(contract, task_id, agent) for agent in result["rejected"]]
    providers.closed(provider, ws.root, losers, f"awarded to {winner}")
    return result


def award_build(ctx: Context, contract: str, task_id: str, winner: str, refs: dict[str, str],
                reason: str = "") -> Outcome:
    doc, _ = ctx.contract(contract)
    require_owner(doc, ctx.agent, "award a subtask")
    task = subtask(doc, contract, task_id)
    branch = claim_branch(contract, task_id, winner)
    if branch not in refs and task.get("status") == "claimed" and task.get("assigned_agent") == winner:
        return Outcome(Action("award", f"{contract}/{task_id}", ()),  # a rerun of an award that landed: it stands
                       {"contract": contract, "subtask": task_id, "awarded_to": winner, "already": True,
                        "rejected": []}, nothing=True)
    if branch not in refs:
        raise NotFound(f"no claim by {winner} on {contract}/{task_id}", hint=f"see `gitcontracts bids {contract} {task_id}`")
    if task.get("status") != "open":
        raise Conflict(f"subtask {task_id} is already {task.get('status')} by {task.get('assigned_agent')}")
    tip = refs[branch]
    ctx.set_subtask(contract, task_id, {"status": "claimed", "assigned_agent": winner}, ("offer",) if task.get("offer") else ())
    _bring_claim_entries(ctx, contract, winner, tip)
    bids = bid_entries(ctx.base, refs, contract)
    for bid in bids:
        if bid["agent"] != winner:
            ctx.post(discussion(contract), "reject", {"subtask_id": task_id, "agent_name": bid["agent"],
                                                       "reason": "awarded-to-other", "in_reply_to": _entry_id(bid),
                                                       "message": f"awarded to {winner}"})
    result = {"contract": contract, "subtask": task_id, "awarded_to": winner, "reason": reason,
              "rejected": sorted(b["agent"] for b in bids if b["agent"] != winner)}
    return Outcome(Action("award", f"{contract}/{task_id}", tuple(ctx.files), contract, task_id), result,
                   merge_parents=(tip,), delete_branches=tuple(sorted(refs)))


def _entry_id(bid: dict[str, Any]) -> str | None:
    return bid["entry"].get("id") if bid["entry"] else None


def _bring_claim_entries(ctx: Context, contract: str, winner: str, tip: str) -> None:
    """The winner's discussion shard as the merge makes it: main's, plus the entries of the claim branch."""
    path = ctx.paths.shard(discussion(contract), winner)
    fork = gitlayer.merge_base(ctx.ws.root, ctx.base_sha or tip, tip) if ctx.base_sha else None
    ancestor = ctx.base.reader.read(f"{fork}:{path}") if fork else None
    theirs = ctx.base.reader.read(f"{tip}:{path}") or b""
    ctx.files[path] = merge_shards(ancestor or b"", ctx.read(path) or b"", theirs, path)


def forbid_not_offered(ctx: Context, contract: str, task: dict[str, Any]) -> None:
    """Only the agent an offer names may answer it: the refusal says to whom it is offered, where the
    acting name came from, and what to do instead (claim an open subtask)."""
    offer, task_id = task.get("offer"), task.get("id")
    if isinstance(offer, dict) and offer.get("to") == ctx.agent:
        return
    if not isinstance(offer, dict):
        hint = (f"it is open to anyone: take it with `gitcontracts claim {contract} {task_id}`"
                if task.get("status") == "open" else "see `gitcontracts next` for what waits for you")
        raise Forbidden(f"subtask {task_id} is not offered to anyone (it is {task.get('status')})", hint=hint)
    raise Forbidden(f"subtask {task_id} is offered to {offer.get('to')}, not to {whoami.origin(ctx.ws, ctx.agent)}",
                    hint=whoami.fix_name_hint(ctx.ws))


def reject_claim(ws: Workspace, contract: str, task_id: str, agent: str, problems: str,
                 offline: bool = False) -> dict[str, Any] | None:
    """The owner's `reject` (reason: policy) of a claim branch that fails its checks; once per claim commit."""
    def build(ctx: Context) -> Outcome:
        doc, _ = ctx.contract(contract)
        if doc.get("owner") != ctx.agent:
            return Outcome(Action("reject", contract, ()), {}, nothing=True)
        path = ctx.paths.shard(discussion(contract), ctx.agent)
        branch = claim_branch(contract, task_id, agent)
        tip = settled_refs(ctx, contract, task_id, offline).get(branch)
        marker = f"{branch}@{tip}"
        for line in jsonl.lines(ctx.read(path) or b""):
            if line.entry and (line.entry.get("data") or {}).get("claim") == marker:
                return Outcome(Action("reject", contract, ()), {}, nothing=True)  # already answered
        ctx.post(discussion(contract), "reject", {"subtask_id": task_id, "agent_name": agent, "reason": "policy",
                                                   "message": problems[:2000], "claim": marker})
        return Outcome(Action("reject", f"{contract}/{task_id}", tuple(ctx.files), contract, task_id),
                       {"contract": contract, "subtask": task_id, "agent": agent})

    result = perform(ws, build, offline, claims=claim_prefix(contract, task_id))
    return result or None
