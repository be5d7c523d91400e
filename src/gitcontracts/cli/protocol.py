"""The contract-net commands (SPEC 6.3): claim, bids, award, offer, accept, reject, progress, deliver,
complete, release, ask, answer, settle, status."""
from __future__ import annotations

from typing import Any

import click

from gitcontracts.cli.app import emit, options, read_workspace, reading, shared
from gitcontracts.cli.render import bids_text, status_text
from gitcontracts.errors import InvalidContent
from gitcontracts.formats.jsonl import parse_json


def _ws_offline() -> tuple[Any, bool]:
    opts = options()
    return opts.workspace(), opts.offline


def _said(result: dict[str, Any], verb: str) -> str:
    target = f"{result.get('contract')}/{result.get('subtask')}" if result.get("subtask") else str(result.get("contract"))
    commit = f" ({result['commit'][:10]})" if result.get("commit") else ""
    return f"{verb} {target}{commit}"


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", default="")
@click.option("--bid-usdc", type=float, help="Your price (lowest-bid subtasks need one).")
@shared(mutating=True)
def claim(contract: str, subtask: str, message: str, bid_usdc: float | None) -> None:
    """Claim a subtask: a claim branch for the owner to award, or main itself for `award: first`."""
    from gitcontracts.protocol.claims import claim as run

    result = run(*_args(contract, subtask, message, bid_usdc))
    emit(result, lambda: _said(result, "claimed") + (f" on branch {result['branch']}" if result.get("branch") else " (first)"))


def _args(*values: Any) -> tuple[Any, ...]:
    ws, offline = _ws_offline()
    return (ws, *values, offline)


@click.command()
@click.argument("contract")
@click.argument("subtask", required=False)
@reading()
def bids(contract: str, subtask: str | None) -> None:
    """The pending claims and bids of a contract (its claim branches)."""
    from gitcontracts.protocol.claims import list_bids

    ws, fresh = read_workspace()
    found = list_bids(ws, contract, subtask, options().offline)
    emit(fresh.mark({"bids": found}), lambda: bids_text(found))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.argument("winner", metavar="AGENT")
@shared(mutating=True)
def award(contract: str, subtask: str, winner: str) -> None:
    """Merge AGENT's claim branch (the owner's award); the other bids are rejected."""
    from gitcontracts.protocol.claims import award as run

    result = run(*_args(contract, subtask, winner))
    emit(result, lambda: _said(result, f"awarded to {winner}:") + (f"; rejected {', '.join(result['rejected'])}" if result["rejected"] else ""))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("--to", "to", required=True)
@click.option("--fallback", default="", help="Comma-separated agents to offer it to next.")
@click.option("--expires", help="A duration (2h) or a date-time.")
@click.option("--then", "then", type=click.Choice(["announce", "revise"]), default="announce")
@click.option("-m", "--message", default="")
@shared(mutating=True)
def offer(contract: str, subtask: str, to: str, fallback: str, expires: str | None, then: str, message: str) -> None:
    """Offer a subtask to one agent, with a fallback chain."""
    from gitcontracts.protocol.offers import offer as run

    chain = [a.strip() for a in fallback.split(",") if a.strip()]
    result = run(*_args(contract, subtask, to, chain, expires, then, message))
    emit(result, lambda: _said(result, f"offered to {to}:"))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", default="")
@shared(mutating=True)
def accept(contract: str, subtask: str, message: str) -> None:
    """Accept the offer made to you."""
    from gitcontracts.protocol.offers import accept as run

    result = run(*_args(contract, subtask, message))
    emit(result, lambda: _said(result, "accepted"))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("--reason", required=True, help="insufficient-resources, scheduling-conflict, missing-capability, "
                                              "unacceptable-deadline, policy or other.")
@click.option("-m", "--message", default="")
@shared(mutating=True)
def reject(contract: str, subtask: str, reason: str, message: str) -> None:
    """Reject the offer made to you; it moves to the next agent of the owner's chain."""
    from gitcontracts.protocol.offers import reject as run

    result = run(*_args(contract, subtask, reason, message))
    moved = result["offer"]
    emit(result, lambda: _said(result, "rejected") + (f"; offered to {moved['to']} next" if moved and not moved.get("exhausted")
                                                      else "; the offer is exhausted" if moved else "; open for bids"))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", required=True)
@click.option("--data", "data_text", help="More data for the entry, as a JSON object.")
@shared(mutating=True)
def progress(contract: str, subtask: str, message: str, data_text: str | None) -> None:
    """Report progress on your subtask (the execution stream)."""
    from gitcontracts.protocol.work import progress as run

    try:
        data = parse_json(data_text) if data_text else {}
    except ValueError as exc:
        raise InvalidContent(f"--data is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidContent("--data must be a JSON object")
    result = run(*_args(contract, subtask, message, data))
    emit(result, lambda: _said(result, "progress on"))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("--stash", required=True, help="The stash that is the deliverable.")
@click.option("--summary", default="")
@shared(mutating=True)
def deliver(contract: str, subtask: str, stash: str, summary: str) -> None:
    """Deliver a stash for your subtask (checked against its deliverable_schema)."""
    from gitcontracts.protocol.work import deliver as run

    result = run(*_args(contract, subtask, stash, summary))
    emit(result, lambda: _said(result, f"delivered {stash} for"))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@shared(mutating=True)
def complete(contract: str, subtask: str) -> None:
    """Complete a delivered subtask (the owner)."""
    from gitcontracts.protocol.work import complete as run

    result = run(*_args(contract, subtask))
    emit(result, lambda: _said(result, "completed"))


@click.command()
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", default="")
@shared(mutating=True)
def release(contract: str, subtask: str, message: str) -> None:
    """Give your subtask back (claimed -> open)."""
    from gitcontracts.protocol.work import release as run

    result = run(*_args(contract, subtask, message))
    emit(result, lambda: _said(result, "released"))


@click.command()
@click.argument("contract")
@click.argument("subtask", required=False)
@click.option("-m", "--message", required=True)
@shared(mutating=True)
def ask(contract: str, subtask: str | None, message: str) -> None:
    """Ask a question in the contract's discussion."""
    from gitcontracts.protocol.work import ask as run

    result = run(*_args(contract, subtask, message))
    emit(result, lambda: f"asked {result['entry']['id']} on {contract}")


@click.command()
@click.argument("contract")
@click.option("--in-reply-to", required=True, help="The question's entry id.")
@click.option("-m", "--message", required=True)
@shared(mutating=True)
def answer(contract: str, in_reply_to: str, message: str) -> None:
    """Answer a question in the contract's discussion."""
    from gitcontracts.protocol.work import answer as run

    result = run(*_args(contract, in_reply_to, message))
    emit(result, lambda: f"answered {in_reply_to} on {contract}")


@click.command()
@click.argument("contract", required=False)
@shared(mutating=True)
def settle(contract: str | None) -> None:
    """Do the owner's due automatic steps once: expired offers, leases, closed bidding, finished children."""
    from gitcontracts.protocol.settle import settle as run

    result = run(*_args(contract))
    emit(result, lambda: "\n".join(f"{s['step']}: {s['contract']}/{s['subtask']}" + (f" ({s['agent']})" if s.get("agent") else "")
                                   for s in result["steps"]) or "nothing to settle")


@click.command()
@click.argument("contract", required=False)
@reading()
def status(contract: str | None) -> None:
    """The full state of a contract (or one line per contract)."""
    from gitcontracts.protocol.status import status as run

    ws, fresh = read_workspace()
    result = run(ws, contract, options().offline)
    emit(fresh.mark(result), lambda: status_text(result))


@click.group()
def agent() -> None:
    """The agent registry (.contracts/agents.yaml)."""


@agent.command("add")
@click.argument("name")
@click.option("--email", "emails", multiple=True)
@click.option("--signing-key", "signing_keys", multiple=True)
@click.option("--capability", "capabilities", multiple=True)
@click.option("--capacity", type=click.IntRange(min=0))
@shared(mutating=True)
def agent_add(name: str, emails: tuple[str, ...], signing_keys: tuple[str, ...], capabilities: tuple[str, ...],
              capacity: int | None) -> None:
    from gitcontracts.protocol.agents import add_agent

    result = add_agent(*_args(name, emails, signing_keys, capabilities, capacity))
    emit(result, lambda: f"added {name}" + (f" ({result['commit'][:10]})" if result.get("commit") else ""))


@agent.command("list")
@shared()
def agent_list() -> None:
    from gitcontracts.protocol.agents import list_agents

    result = list_agents(options().workspace())
    emit(result, lambda: "\n".join(f"{name:<20} capabilities {', '.join((info or {}).get('capabilities', []))}"
                                   f"  capacity {(info or {}).get('capacity', '-')}" for name, info in result["agents"].items())
         or "no agents.yaml")


@agent.command("show")
@click.argument("name")
@shared()
def agent_show(name: str) -> None:
    from gitcontracts.protocol.agents import show_agent

    result = show_agent(options().workspace(), name)
    emit(result, lambda: "\n".join(f"{k}: {v}" for k, v in result.items()))


COMMANDS = {c.name: c for c in (agent, claim, bids, award, offer, accept, reject, progress, deliver, complete, release, ask,
                                 answer, settle, status) if c.name}
