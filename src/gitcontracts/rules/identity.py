"""Who made a commit, and whether git can prove it (SPEC 6.4): pure rules over what `git log` showed.

An agent is who its `Agent:` trailer says, else its author name. Where the base's agents.yaml lists
the agent's emails, the author email must be one of them; where config.yaml says `require_signed`,
the commit must carry a good SSH signature by a key the base's agents.yaml gives that agent. An agent
that the range itself adds to agents.yaml cannot vouch for its own commits in that range."""
from __future__ import annotations

from typing import Iterable

from gitcontracts.model import Problem
from gitcontracts.names import name_problem
from gitcontracts.rules.agents import Registry, key_problem
from gitcontracts.rules.transitions import FORBIDDEN

_STATUS = {
    "N": "is not signed",
    "B": "has a bad signature",
    "E": "has a signature that cannot be checked (is ssh-keygen installed?)",
    "X": "is signed with an expired signature", "Y": "is signed with an expired key", "R": "is signed with a revoked key",
}
SIGN_HINT = "sign with the agent's key (git config gpg.format ssh; user.signingkey; commit.gpgsign true)"


def unnamed_agent_problem(actor: str, file: str, fix: str = "") -> Problem | None:
    """A commit under .contracts/ by someone who is no agent: refused whole (the pre-receive hook, and the
    commit hook before it, with `fix` said)."""
    if name_problem(actor) is None:
        return None
    return Problem(file, f"commit by {actor!r}: not a valid agent name; commits under .contracts/ carry an Agent: "
                         "trailer or a valid author name, or an email that agents.yaml gives one agent"
                         + (f"; {fix}" if fix else ""), FORBIDDEN)


def allowed_signers(registry: Registry) -> str:
    """An allowed signers file (ssh-keygen(1) ALLOWED SIGNERS): each agent's keys, for git signatures only."""
    return "".join(f'{name} namespaces="git" {key}\n' for name, info in sorted(registry.agents.items())
                   for key in info.signing_keys if key_problem(key) is None)


def commit_identity_problems(*, sha: str, actor: str, email: str, status: str, signer: str, base: Registry,
                             added: Iterable[str], require_signed: bool) -> list[Problem]:
    """Everything wrong with who a commit claims to be; `added` are the agents the range itself adds."""
    def refuse(message: str) -> list[Problem]:
        return [Problem("", f"commit by {actor}: {message}", FORBIDDEN, commit=sha)]

    known = actor in base.agents
    if not known and actor in added:
        return refuse("this range adds the agent to agents.yaml and acts as it; "
                      "push the registry change first, then the agent's own commits")
    emails = base.info(actor).emails
    if emails and email.lower() not in {e.lower() for e in emails}:
        return refuse(f"the author email <{email}> is not one of {actor}'s emails in agents.yaml")
    if not require_signed:
        return []
    if not known:
        return refuse(f"require_signed is on and {actor} is not in the base's agents.yaml; {SIGN_HINT}")
    if status in _STATUS:
        return refuse(f"the commit {_STATUS[status]}; require_signed is on: {SIGN_HINT}")
    if not signer:
        return refuse(f"signed with a key that is not {actor}'s in the base's agents.yaml")
    if signer != actor:
        return refuse(f"signed by {signer}'s key but names Agent: {actor}")
    return []
