"""`prime`: the onboarding text for an agent (AGENTS.md style): who it is, the loop, the commands with one
example each, and the exit codes with what to do on each (issue 12). The examples are checked against the CLI
by tests/test_next_prime.py, so they stay commands that parse."""
from __future__ import annotations

from gitcontracts import __version__
from gitcontracts.protocol.whoami import WAYS, identity
from gitcontracts.workspace import Workspace

# (command line, what it does): every line parses as a gitcontracts command
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("gitcontracts next", "everything waiting for you, most urgent first, each with the command that acts on it"),
    ("gitcontracts next --json", "the same as JSON: {\"agent\", \"items\": [{kind, contract, subtask, command, detail}]}"),
    ("gitcontracts status website-redesign", "the state of one contract (without a name: one line per contract)"),
    ("gitcontracts discover -q landing", "find contracts and stashes"),
    ("gitcontracts accept website-redesign research -m 'on it'", "take a subtask offered to you"),
    ("gitcontracts reject website-redesign research --reason scheduling-conflict", "decline an offer"),
    ("gitcontracts claim website-redesign design -m 'I can do this'", "claim an open subtask"),
    ("gitcontracts bids website-redesign", "the pending claims and bids of a contract"),
    ("gitcontracts progress website-redesign research -m '3 of 5 pages analysed'", "report progress (renews a lease)"),
    ("gitcontracts schema show load-report", "what a deliverable must hold (`status --json` names each subtask's "
                                             "deliverable_schema)"),
    ("gitcontracts stash put competitor-study --file competitor-study.yaml", "store your result as a stash"),
    ("gitcontracts deliver website-redesign research --stash competitor-study --summary '5 pages compared'",
     "deliver that stash for the subtask"),
    ("gitcontracts ask website-redesign research -m 'Which competitors?'", "ask the owner a question"),
    ("gitcontracts release website-redesign research -m 'cannot finish'", "give a subtask back, or withdraw your pending claim"),
    ("gitcontracts init --remote origin", "owner, once: set up .contracts/ and record the shared remote"),
    ("gitcontracts init --remote origin --lander lander", "owner, for many agents at once: actions land in batches "
                                                          "(the shared remote needs `gitcontracts -C shared.git "
                                                          "hooks install`)"),
    ("gitcontracts agent add research-bot --capability research --capacity 2",
     "owner: register an agent (its capabilities and how many subtasks it may hold)"),
    ("gitcontracts schema add load-report@1.yaml", "owner: publish a schema for deliverables"),
    ("gitcontracts new website-redesign --objective 'Redesign the landing page' --subtask 'research:Compare 5 sites' "
     "--budget 20 --deadline 7d", "owner: announce a contract (or --file CONTRACT.yaml for every field)"),
    ("gitcontracts offer website-redesign research --to research-bot --fallback design-bot --expires 2h",
     "owner: offer a subtask to one agent, then the next"),
    ("gitcontracts award website-redesign design design-bot", "owner: award a claim"),
    ("gitcontracts complete website-redesign research", "owner: accept a deliverable"),
    ("gitcontracts answer website-redesign --in-reply-to ENTRY_ID -m 'Five of them'", "owner: answer a question"),
    ("gitcontracts stream latest website-redesign-execution --label progress", "the latest entry of a stream"),
    ("gitcontracts mcp --agent research-bot", "the same actions as MCP tools, for a host that speaks the Model Context "
                                              "Protocol (pip install 'gitcontracts[mcp]')"),
)

EXIT_CODES: tuple[tuple[int, str, str], ...] = (
    (0, "done", "go on with the loop"),
    (1, "unexpected", "a bug or a broken environment: rerun with --debug and report it; do not retry blindly"),
    (2, "usage", "the command line is wrong: read `gitcontracts COMMAND --help` and fix it"),
    (3, "invalid", "the content is invalid (schema, name, data): fix what the message names and retry"),
    (4, "conflict", "someone was first, or it is stale or expired: run `gitcontracts next` and pick something else"),
    (5, "not found", "a contract, subtask, stash or entry does not exist: check the name with `gitcontracts status`"),
    (6, "forbidden", "not yours to do (owner only, offered to another, capability, capacity): leave it"),
)

def prime_text(ws: Workspace) -> str:
    agent, source, problem = identity(ws)
    if agent and not problem:
        who = f"You are the agent `{agent}` (from {source})."
    else:
        shown = f"{agent!r} (from {source}) is not a valid agent name: {problem}" if agent else problem
        who = (f"No valid acting agent: {shown}.\nSet one (a name: 1-128 characters of a-z, 0-9, '.', '_', '-'),"
               " in this order of precedence: pass --agent NAME, or `export GITCONTRACTS_AGENT=NAME`, or run"
               " `git config gitcontracts.agent NAME`.")
    lines = [
        f"# gitcontracts {__version__}: working as an agent", "",
        "## Who you are", "", who,
        "The acting agent is the first of: " + ", ".join(WAYS) + ".", "",
        "## The loop", "",
        "1. `gitcontracts next` - what is waiting for you; run the command each item names (offers first).",
        "2. act: accept an offer, or claim an open subtask, then do the work.",
        "3. `gitcontracts progress CONTRACT SUBTASK -m MESSAGE` - say how far you are (keeps your lease).",
        "4. `gitcontracts stash put NAME --file FILE` then `gitcontracts deliver CONTRACT SUBTASK --stash NAME`.",
        "5. back to 1.",
        "Every command lands on the shared main itself: never git push or pull. Every command takes --json.", "",
        "## Commands", "",
        *(f"{line}\n    {what}" for line, what in EXAMPLES), "",
        "## Exit codes", "",
        *(f"{code} {name}: {todo}" for code, name, todo in EXIT_CODES), "",
    ]
    return "\n".join(lines)
