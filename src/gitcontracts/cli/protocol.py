"""The contract-net commands (SPEC 6.3): claim, bids, award, offer, accept, reject, progress, deliver,
complete, release, ask, answer, settle, status; and next and prime (issue 12)."""
from __future__ import annotations

from typing import Any, Mapping

import click

from gitcontracts import api
from gitcontracts.cli.app import emit, example, options, read_workspace, reading, shared
from gitcontracts.cli.render import bids_text, landed, next_text, status_text
from gitcontracts.errors import InvalidContent
from gitcontracts.model import OFFER_REJECT_REASONS


def _ws_offline() -> tuple[Any, bool]:
    opts = options()
    return opts.workspace(), opts.offline


def _said(result: Mapping[str, Any], verb: str) -> str:
    target = f"{result.get('contract')}/{result.get('subtask')}" if result.get("subtask") else str(result.get("contract"))
    return f"{verb} {target}{landed(result)}"


@click.command(epilog=example("gitcontracts claim website-redesign design -m 'I can do this'",
                              "gitcontracts claim api-load-test write-script --bid-usdc 40"))
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", default="", help="Why you, in the discussion stream.")
@click.option("--bid-usdc", type=float, help="Your price (lowest-bid subtasks need one).")
@shared(mutating=True)
def claim(contract: str, subtask: str, message: str, bid_usdc: float | None) -> None:
    """Claim a subtask: a claim branch for the owner to award, or main itself for `award: first`."""
    result = api.claim(*_args(contract, subtask, message, bid_usdc))
    emit(result, lambda: _said(result, "claimed") + (f" on branch {result['branch']}" if result.get("branch") else " (first)"))


def _args(*values: Any) -> tuple[Any, ...]:
    ws, offline = _ws_offline()
    return (ws, *values, offline)


@click.command(epilog=example("gitcontracts bids website-redesign design"))
@click.argument("contract")
@click.argument("subtask", required=False)
@reading()
def bids(contract: str, subtask: str | None) -> None:
    """The pending claims and bids of a contract (its claim branches)."""
    ws, fresh = read_workspace()
    found = api.list_bids(ws, contract, subtask, options().offline)
    emit(fresh.mark({"contract": contract, "bids": found}), lambda: bids_text(found))


@click.command(epilog=example("gitcontracts award website-redesign design design-bot"))
@click.argument("contract")
@click.argument("subtask")
@click.argument("winner", metavar="AGENT")
@shared(mutating=True)
def award(contract: str, subtask: str, winner: str) -> None:
    """Merge AGENT's claim branch (the owner's award); the other bids are rejected."""
    result = api.award(*_args(contract, subtask, winner))
    def text() -> str:
        if result.get("already"):
            return _said(result, f"already awarded to {winner}:") + " (nothing to do)"
        rejected = f"; rejected {', '.join(result['rejected'])}" if result["rejected"] else ""
        return _said(result, f"awarded to {winner}:") + rejected

    emit(result, text)


@click.command(epilog=example("gitcontracts offer website-redesign research --to research-bot --fallback design-bot,"
                              "analyst-bot --expires 1d --then revise"))
@click.argument("contract")
@click.argument("subtask")
@click.option("--to", "to", required=True, help="The agent offered it first.")
@click.option("--fallback", default="", help="Comma-separated agents to offer it to next.")
@click.option("--expires", help="A duration (2h) or a date-time; each next agent gets the same window.")
@click.option("--then", "then", type=click.Choice(["announce", "revise"]), default="announce",
              help="When every agent declined: open it to bids (announce) or hold it for you to change (revise).")
@click.option("-m", "--message", default="", help="A note in the discussion stream.")
@shared(mutating=True)
def offer(contract: str, subtask: str, to: str, fallback: str, expires: str | None, then: str, message: str) -> None:
    """Offer a subtask to one agent, with a fallback chain."""
    chain = [a.strip() for a in fallback.split(",") if a.strip()]
    result = api.offer(*_args(contract, subtask, to, chain, expires, then, message))
    emit(result, lambda: _said(result, f"offered to {to}:"))


@click.command(epilog=example("gitcontracts accept website-redesign research -m 'on it'"))
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", default="", help="A note in the discussion stream.")
@shared(mutating=True)
def accept(contract: str, subtask: str, message: str) -> None:
    """Accept the offer made to you."""
    result = api.accept(*_args(contract, subtask, message))
    emit(result, lambda: _said(result, "accepted"))


@click.command(epilog=example("gitcontracts reject website-redesign research --reason scheduling-conflict -m 'busy this week'"))
@click.argument("contract")
@click.argument("subtask")
@click.option("--reason", required=True, type=click.Choice(OFFER_REJECT_REASONS), help="Why you turn it down.")
@click.option("-m", "--message", default="", help="A note in the discussion stream.")
@shared(mutating=True)
def reject(contract: str, subtask: str, reason: str, message: str) -> None:
    """Reject the offer made to you; it moves to the next agent of the owner's chain."""
    result = api.reject(*_args(contract, subtask, reason, message))
    moved = result["offer"]
    emit(result, lambda: _said(result, "rejected") + (f"; offered to {moved['to']} next" if moved and not moved.get("exhausted")
                                                      else "; the offer is exhausted" if moved else "; open for bids"))


@click.command(epilog=example("gitcontracts progress website-redesign research -m '3 of 5 pages analysed'"))
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", required=True, help="How far you are.")
@click.option("--data", "data_text", help="More data for the entry: a JSON object, @FILE or - (stdin).")
@shared(mutating=True)
def progress(contract: str, subtask: str, message: str, data_text: str | None) -> None:
    """Report progress on your subtask (the execution stream); it also renews the subtask's lease."""
    from gitcontracts.cli.fast import read_data
    data = read_data(data_text) if data_text else {}
    if not isinstance(data, dict):
        raise InvalidContent("--data must be a JSON object")
    result = api.progress(*_args(contract, subtask, message, data))
    emit(result, lambda: _said(result, "progress on"))


@click.command(epilog=example("gitcontracts deliver website-redesign research --stash competitor-study "
                              "--summary '5 pages compared'"))
@click.argument("contract")
@click.argument("subtask")
@click.option("--stash", required=True, help="The stash that is the deliverable.")
@click.option("--summary", default="", help="What it is, for the owner.")
@shared(mutating=True)
def deliver(contract: str, subtask: str, stash: str, summary: str) -> None:
    """Deliver a stash for your subtask (checked against its deliverable_schema)."""
    result = api.deliver(*_args(contract, subtask, stash, summary))
    emit(result, lambda: _said(result, f"delivered {stash} for"))


@click.command(epilog=example("gitcontracts complete website-redesign research"))
@click.argument("contract")
@click.argument("subtask")
@shared(mutating=True)
def complete(contract: str, subtask: str) -> None:
    """Complete a delivered subtask (the owner)."""
    result = api.complete(*_args(contract, subtask))
    emit(result, lambda: _said(result, "completed"))


@click.command(epilog=example("gitcontracts release website-redesign research -m 'cannot finish'"))
@click.argument("contract")
@click.argument("subtask")
@click.option("-m", "--message", default="", help="Why, in the discussion stream.")
@shared(mutating=True)
def release(contract: str, subtask: str, message: str) -> None:
    """Give your subtask back (claimed -> open), or withdraw your claim still waiting for the owner's award."""
    result = api.release(*_args(contract, subtask, message))
    emit(result, lambda: _said(result, "withdrew the claim on" if result.get("withdrawn") else "released"))


@click.command(epilog=example("gitcontracts ask website-redesign research -m 'Which competitors?'"))
@click.argument("contract")
@click.argument("subtask", required=False)
@click.option("-m", "--message", required=True, help="The question.")
@shared(mutating=True)
def ask(contract: str, subtask: str | None, message: str) -> None:
    """Ask a question in the contract's discussion."""
    result = api.ask(*_args(contract, subtask, message))
    emit(result, lambda: f"asked {result['entry']['id']} on {contract}" + landed(result))


@click.command(epilog=example("gitcontracts answer website-redesign --in-reply-to 01JD3X8R4Q2M6W7Z9K0B1C2D3E -m 'Five of them'"))
@click.argument("contract")
@click.option("--in-reply-to", required=True, help="The question's entry id.")
@click.option("-m", "--message", required=True, help="The answer.")
@shared(mutating=True)
def answer(contract: str, in_reply_to: str, message: str) -> None:
    """Answer a question in the contract's discussion."""
    result = api.answer(*_args(contract, in_reply_to, message))
    emit(result, lambda: f"answered {in_reply_to} on {contract}" + landed(result))


@click.command(epilog=example("gitcontracts settle website-redesign"))
@click.argument("contract", required=False)
@shared(mutating=True)
def settle(contract: str | None) -> None:
    """Do the owner's due automatic steps once: expired offers, leases, closed bidding, finished children."""
    result = api.settle(*_args(contract))
    emit(result, lambda: "\n".join(f"{s['step']}: {s['contract']}/{s['subtask']}" + (f" ({s['agent']})" if s.get("agent") else "")
                                   for s in result["steps"]) or "nothing to settle")


@click.command(epilog=example("gitcontracts status website-redesign", "gitcontracts status --agent research-bot --json"))
@click.argument("contract", required=False)
@reading()
def status(contract: str | None) -> None:
    """The full state of a contract (or one line per contract). With --agent, only what concerns that agent:
    the contracts it owns or has a subtask of, and in one contract its subtasks (all of them for the owner)."""
    ws, fresh = read_workspace()
    result = api.status(ws, contract, options().offline, agent=options().agent)
    emit(fresh.mark(result), lambda: status_text(result))


@click.command("next", epilog=example("gitcontracts next", "gitcontracts next --json"))
@reading()
def next_command() -> None:
    """Everything waiting for you, most urgent first, each with the command that acts on it."""
    ws, fresh = read_workspace()
    items = api.next_items(ws, options().offline)
    emit(fresh.mark({"agent": ws.agent, "items": items}), lambda: next_text(items))


@click.command(epilog=example("gitcontracts --agent research-bot prime"))
@shared()
def prime() -> None:
    """Onboarding text for an agent: who you are, the loop, the commands, the exit codes."""
    text = api.prime(options().workspace())
    emit({"text": text}, text)


@click.group(epilog=example("gitcontracts agent list"))
def agent() -> None:
    """The agent registry (.contracts/agents.yaml)."""


@agent.command("add", epilog=example("gitcontracts agent add research-bot --email research@example.com --capability research "
                                     "--capacity 2"))
@click.argument("name")
@click.option("--email", "emails", multiple=True, help="An email its commits may be authored with.")
@click.option("--signing-key", "signing_keys", multiple=True, help="An SSH public key line ('ssh-ed25519 AAAA... comment').")
@click.option("--capability", "capabilities", multiple=True, help="A capability, matched against subtasks' requires.")
@click.option("--capacity", type=click.IntRange(min=0), help="How many subtasks it may hold claimed at once.")
@shared(mutating=True)
def agent_add(name: str, emails: tuple[str, ...], signing_keys: tuple[str, ...], capabilities: tuple[str, ...],
              capacity: int | None) -> None:
    """Add an agent to .contracts/agents.yaml, or add to its entry: admins only; without an agents.yaml yet, you
    become its admin."""
    result = api.add_agent(*_args(name, emails, signing_keys, capabilities, capacity))
    emit(result, lambda: f"added {name}" + landed(result))


@agent.command("list", epilog=example("gitcontracts agent list --json"))
@shared()
def agent_list() -> None:
    """The agents of .contracts/agents.yaml with their capabilities and capacity."""
    result = api.list_agents(options().workspace())
    emit(result, lambda: "\n".join(f"{name:<20} capabilities {', '.join((info or {}).get('capabilities', []))}"
                                   f"  capacity {(info or {}).get('capacity', '-')}" for name, info in result["agents"].items())
         or "no agents.yaml")


@agent.command("show", epilog=example("gitcontracts agent show research-bot"))
@click.argument("name")
@shared()
def agent_show(name: str) -> None:
    """One agent's entry of .contracts/agents.yaml."""
    result = api.show_agent(options().workspace(), name)
    emit(result, lambda: "\n".join(f"{k}: {v}" for k, v in result.items()))


COMMANDS = {c.name: c for c in (agent, claim, bids, award, offer, accept, reject, progress, deliver, complete, release, ask,
                                 answer, settle, status, next_command, prime) if c.name}
