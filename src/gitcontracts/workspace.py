"""A workspace: the repository root, the clock and the acting agent, with stores opened on first use.

No global state: everything a library call needs comes from the Workspace it is given."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from gitcontracts.errors import InvalidContent, UsageError
from gitcontracts.names import name_problem
from gitcontracts.store.layout import CONTRACTS, Layout
from gitcontracts.timeutil import utcnow

if TYPE_CHECKING:
    from gitcontracts.store.config import Config
    from gitcontracts.store.schemas import SchemaRegistry
    from gitcontracts.store.stashes import StashStore
    from gitcontracts.store.streams import StreamStore


@dataclass
class Workspace:
    root: Path
    agent_option: str | None = None
    clock: Callable[[], datetime] = utcnow
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    commit: bool = True  # record each action as a commit and land it (SPEC 7); False: leave it in the working tree

    @cached_property
    def layout(self) -> Layout:
        return Layout(self.root)

    # The stores are imported when first used, so a command loads only what it touches
    # (`stream latest` never imports the YAML parser).
    @cached_property
    def config(self) -> Config:
        from gitcontracts.store.config import load_config
        return load_config(self.layout)

    @cached_property
    def schemas(self) -> SchemaRegistry:
        from gitcontracts.store.schemas import SchemaRegistry, disk_source
        return SchemaRegistry(disk_source(self.layout))

    @cached_property
    def stashes(self) -> StashStore:
        from gitcontracts.store.stashes import StashStore
        return StashStore(self.layout, lambda: self.config.yaml_limits)

    @cached_property
    def streams(self) -> StreamStore:
        from gitcontracts.store.streams import StreamStore
        return StreamStore(self.layout, lambda: self.config.yaml_limits, lambda: self.config.max_line_bytes)

    @cached_property
    def main_branch(self) -> str:
        """The shared main branch: config.yaml's main_branch, else the remote's HEAD (SPEC 13)."""
        return self.config.main_branch

    def now(self) -> datetime:
        return self.clock()

    @cached_property
    def agent(self) -> str:
        """--agent, else $GITCONTRACTS_AGENT, else git config gitcontracts.agent, else git user.name (SPEC 11)."""
        from gitcontracts import gitlayer

        candidates = [("--agent", lambda: self.agent_option),
                      ("$GITCONTRACTS_AGENT", lambda: self.env.get("GITCONTRACTS_AGENT")),
                      ("git config gitcontracts.agent", lambda: gitlayer.config_get(self.root, "gitcontracts.agent")),
                      ("git config user.name", lambda: gitlayer.config_get(self.root, "user.name"))]
        for source, get in candidates:
            value = get()
            if value:
                problem = name_problem(value)
                if problem:
                    raise InvalidContent(f"agent name {value!r} (from {source}) is not valid: {problem}",
                                         hint="pass --agent NAME or set GITCONTRACTS_AGENT (e.g. research-bot)")
                return value
        raise UsageError("no acting agent: pass --agent NAME, set $GITCONTRACTS_AGENT or git config gitcontracts.agent")


def find_root(start: Path) -> Path:
    """The nearest folder holding .contracts/, else the git top level, else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONTRACTS).is_dir():
            return folder
        if (folder / ".git").exists():
            return folder
    return start


def open_workspace(path: str | Path | None = None, agent: str | None = None,
                   clock: Callable[[], datetime] | None = None, commit: bool = True) -> Workspace:
    root = find_root(Path(path) if path else Path.cwd())
    return Workspace(root=root, agent_option=agent, clock=clock or utcnow, commit=commit)
