"""A workspace: the repository root, the clock and the acting agent, with stores opened on first use.

No global state: everything a library call needs comes from the Workspace it is given."""
from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from gitcontracts.errors import GitContractsError, InvalidContent, NotFound, UsageError
from gitcontracts.names import name_problem
from gitcontracts.store.layout import CONTRACTS, STASHES, Layout, Paths
from gitcontracts.timeutil import utcnow

if TYPE_CHECKING:
    from gitcontracts.store.config import Config
    from gitcontracts.store.doccache import DocCache
    from gitcontracts.store.schemas import SchemaRegistry
    from gitcontracts.store.snapshot import Snapshot
    from gitcontracts.store.stashes import StashStore
    from gitcontracts.store.streams import StreamStore


class Workspace:
    """A repository root, its clock and the acting agent; the stores open on first use.

    A plain class, as are the records of the paths a hook or a polling agent takes (NamedTuples): the
    dataclasses module and the code it generates per class cost about 20 ms of every start."""

    def __init__(self, root: Path, agent_option: str | None = None, clock: Callable[[], datetime] = utcnow,
                 env: Mapping[str, str] | None = None, commit: bool = True) -> None:
        self.root, self.agent_option, self.clock = root, agent_option, clock
        self.env: Mapping[str, str] = dict(os.environ) if env is None else env
        self.commit = commit  # record each action as a commit and land it (SPEC 7); False: leave it in the working tree
        # (label, done, total) of a step that may take seconds, for a person watching; the CLI sets it on a terminal
        self.progress: Callable[[str, int, int], None] | None = None

    def __repr__(self) -> str:
        return f"Workspace(root={self.root!r}, agent_option={self.agent_option!r})"

    def reporter(self, label: str) -> Callable[[int, int], None] | None:
        """`progress(done, total)` of one step named `label`; None when nobody is shown progress."""
        show = self.progress
        return None if show is None else (lambda done, total: show(label, done, total))

    @cached_property
    def layout(self) -> Layout:
        """The working tree's files, where config.yaml's `layout` puts them (flat while it does not load: the
        command that reads it says why)."""
        try:
            return Layout(self.root, self.config.paths.fanout)
        except GitContractsError:
            return Layout(self.root)

    @property
    def paths(self) -> Paths:
        """Where the working tree's config.yaml puts each stash and stream, as git names the paths."""
        return self.config.paths

    @cached_property
    def parsed(self) -> DocCache:
        """The documents parsed so far, by blob id (`.git/gitcontracts-docs.json`), read once per workspace: the
        reads of one command, and a watcher's passes, share it instead of loading 10,000 documents each."""
        from gitcontracts.store import doccache
        return doccache.open_cache(self.root)

    def stashes_at(self, snapshot: Snapshot) -> dict[str, Any]:
        """File name -> parsed document (None when it does not parse) of every stash in `snapshot`: parsed only
        when new to this clone, with progress on a terminal while many are."""
        from gitcontracts.store.doccache import READING
        return snapshot.docs_in(STASHES, progress=self.reporter(READING), cache=self.parsed)

    # The stores are imported when first used, so a command loads only what it touches
    # (`stream latest` never imports the YAML parser).
    @cached_property
    def config(self) -> Config:
        from gitcontracts.store.config import load_config
        return load_config(Layout(self.root))

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
        """The shared main branch: config.yaml's main_branch, else the branch the remote's HEAD names (a remote
        made by a plain `git init --bare` says master), else the current branch, else `main` (SPEC 13).

        The remote is config.yaml's, else the clone's origin. In the shared bare repository itself (its hooks),
        the branch is `git config gitcontracts.main`, else its own HEAD, as the pre-receive hook guards it.
        Kept for this workspace's life only."""
        from gitcontracts import gitlayer

        if self.config.main_branch:
            return self.config.main_branch
        if is_bare_repository(self.root):
            return gitlayer.config_get(self.root, "gitcontracts.main") or _bare_main(self.root)
        remote = self.config.remote or ("origin" if "origin" in gitlayer.remotes(self.root) else None)
        from_remote = gitlayer.remote_head(self.root, remote) if remote else None
        return from_remote or gitlayer.current_branch(self.root) or "main"

    def forget(self) -> None:
        """Drop what was read from .contracts/ (config, stores, the main branch's name): a join just brought
        the shared main's files into a clone that had none, and the action about to run must see them."""
        for name in ("config", "layout", "schemas", "stashes", "streams", "main_branch"):
            self.__dict__.pop(name, None)

    def now(self) -> datetime:
        return self.clock()

    @cached_property
    def agent(self) -> str:
        """--agent, else $GITCONTRACTS_AGENT, else git config gitcontracts.agent, else git user.name (SPEC 11)."""
        from gitcontracts import gitlayer

        asked: list[dict[str, str]] = []

        def from_config(key: str) -> str | None:
            if not asked:  # both keys from one git process, asked only when neither option nor variable names one
                asked.append(gitlayer.config_values(self.root, "gitcontracts.agent", "user.name"))
            return asked[0].get(key)

        candidates = [("--agent", lambda: self.agent_option),
                      ("$GITCONTRACTS_AGENT", lambda: self.env.get("GITCONTRACTS_AGENT")),
                      ("git config gitcontracts.agent", lambda: from_config("gitcontracts.agent")),
                      ("git config user.name", lambda: from_config("user.name"))]
        for source, get in candidates:
            value = get()
            if value:
                problem = name_problem(value)
                if problem:
                    raise InvalidContent(f"{value!r} (from {source}) is not an agent name: {problem}",
                                         hint=ways_to_name_the_agent(suggest_agent_name(value)))
                return value
        raise UsageError("no acting agent", hint=ways_to_name_the_agent("research-bot"))


def _bare_main(root: Path) -> str:
    """The branch a bare repository's HEAD names; when nobody pushed that one (a plain `git init --bare` says
    master, clones may push main), main or master, whichever exists. The pre-receive hook decides alike."""
    from gitcontracts import gitlayer

    head = gitlayer.current_branch(root) or "main"
    candidates = (head, "main", "master")
    return next((name for name in candidates if gitlayer.resolve(root, f"refs/heads/{name}")), head)


def ways_to_name_the_agent(example: str) -> str:
    return (f"name one: pass --agent {example}, or export GITCONTRACTS_AGENT={example}, "
            f"or run `git config gitcontracts.agent {example}`")


def suggest_agent_name(value: str) -> str:
    """'Ada Lovelace' -> 'ada-lovelace': a valid name close to a git user.name, for the hint."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", plain).strip("-._")[:64].rstrip("-._")
    return slug if slug and name_problem(slug) is None else "research-bot"


def find_root(start: Path) -> Path:
    """`start` when it is a bare repository (where the shared remote's hooks run), else the nearest folder
    holding .contracts/, else the git top level, else `start` itself."""
    start = start.resolve()
    if is_bare_repository(start):
        return start
    for folder in (start, *start.parents):
        if (folder / CONTRACTS).is_dir():
            return folder
        if (folder / ".git").exists():
            return folder
    return start


def is_bare_repository(folder: Path) -> bool:
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()


def in_repository(root: Path) -> bool:
    """Whether `root` is in a git repository (a work tree or a bare one), found without running git."""
    return is_bare_repository(root) or any((folder / ".git").exists() for folder in (root, *root.parents))


def require(ws: Workspace, git: bool = True, contracts: bool = True) -> Workspace:
    """A command that needs a git repository, or a .contracts/ workspace in it, says what to run (exit 5)
    instead of a raw git error, or an answer about nothing."""
    from gitcontracts import gitlayer

    if git and not in_repository(ws.root):
        raise gitlayer.not_a_repository(ws.root)
    if contracts and not ws.layout.contracts.is_dir():
        if is_bare_repository(ws.root):  # the shared remote: its files are in its clones
            raise NotFound(f"{ws.root} is a bare repository (a shared remote): it has no working tree to read",
                           hint="run the command in a clone of it")
        raise NotFound(f"no gitcontracts workspace here (no {CONTRACTS}/ in {ws.root})",
                       hint="run `gitcontracts init` to start one")
    return ws


def open_workspace(path: str | Path | None = None, agent: str | None = None,
                   clock: Callable[[], datetime] | None = None, commit: bool = True) -> Workspace:
    root = find_root(Path(path) if path else Path.cwd())
    return Workspace(root=root, agent_option=agent, clock=clock or utcnow, commit=commit)
