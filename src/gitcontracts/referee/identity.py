"""Who made each commit of a range, proven where config.yaml asks for it (SPEC 6.4, issue 6), and who will
make the commit about to be made by hand (the commit hook: refuse at commit time what the push will refuse).

The allowed signers file is built from the agents.yaml of the range's base, never from the commits
under check: a range cannot add a key and then sign with it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from gitcontracts import gitlayer
from gitcontracts.model import Problem
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.workspace import suggest_agent_name
from gitcontracts.rules.identity import allowed_signers, commit_identity_problems, unnamed_agent_problem


def identity_problems(root: Path, base: str | None, tip: str, authority: Snapshot, after: Snapshot) -> list[Problem]:
    registry, require_signed = authority.registry, authority.config.require_signed
    if not registry.present and not require_signed:
        return []  # no identities to hold commits to: nothing of this is checked (SPEC 6.4)
    added = set(after.registry.agents) - set(registry.agents)
    if not require_signed:
        signatures = gitlayer.first_parent_signatures(root, base, tip, None)
    else:
        import tempfile

        handle, name = tempfile.mkstemp(prefix="gitcontracts-signers-", suffix=".txt")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(allowed_signers(registry))
            # A merge answers for what it brings, and under require_signed so does every commit it brings in.
            signatures = gitlayer.first_parent_signatures(root, base, tip, Path(name), every_commit=True)
        finally:
            os.unlink(name)
    problems: list[Problem] = []
    for sig in signatures:
        problems += commit_identity_problems(sha=sig.sha, actor=registry.acting(sig.actor, sig.email), email=sig.email,
                                             status=sig.status,
                                             signer=sig.signer, base=registry, added=added,
                                             require_signed=require_signed)
    return problems


class NextCommit(NamedTuple):
    """What the pre-receive hook will say of who makes the staged commit."""
    actor: str | None = None     # the agent the push will take it for, trailer aside (None: git cannot say)
    problems: tuple[Problem, ...] = ()
    refused_whole: bool = False  # its author is no agent: the push refuses it before judging what it changes


def next_commit(root: Path, file: str, authority: Snapshot, after: Snapshot, agent: str | None) -> NextCommit:
    """A commit is by its Agent: trailer, else by its author. Git shows a pre-commit hook no message, so the
    author is what counts here; `agent` (the one the CLI resolves, when it resolves one) is the name the fix
    suggests."""
    author = gitlayer.author_ident(root)
    if author is None:
        return NextCommit()
    name, email = author
    registry, require_signed = authority.registry, authority.config.require_signed
    actor = registry.acting(name, email)
    unnamed = unnamed_agent_problem(actor, file, "make the agent the author: "
                                                 f"`git config user.name {agent or suggest_agent_name(name)}`")
    if unnamed:
        return NextCommit(actor, (unnamed,), refused_whole=True)
    if not registry.present and not require_signed:
        return NextCommit(actor)
    signed = require_signed and gitlayer.identity(root, actor).sign
    problems = commit_identity_problems(sha="", actor=actor, email=email, status="G" if signed else "N",
                                        signer=actor if signed else "", base=registry,
                                        added=set(after.registry.agents) - set(registry.agents),
                                        require_signed=require_signed)
    return NextCommit(actor, tuple(Problem(file, p.message, p.rule) for p in problems))
