"""Who made each commit of a range, proven where config.yaml asks for it (SPEC 6.4, issue 6).

The allowed signers file is built from the agents.yaml of the range's base, never from the commits
under check: a range cannot add a key and then sign with it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gitcontracts import gitlayer
from gitcontracts.model import Problem
from gitcontracts.store.snapshot import Snapshot
from gitcontracts.rules.identity import allowed_signers, commit_identity_problems


def identity_problems(root: Path, base: str | None, tip: str, authority: Snapshot, after: Snapshot) -> list[Problem]:
    registry, require_signed = authority.registry, authority.config.require_signed
    if not registry.present and not require_signed:
        return []  # no identities to hold commits to: nothing of this is checked (SPEC 6.4)
    added = set(after.registry.agents) - set(registry.agents)
    if not require_signed:
        signatures = gitlayer.first_parent_signatures(root, base, tip, None)
    else:
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
