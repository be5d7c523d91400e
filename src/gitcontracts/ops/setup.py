"""`init`: create the .contracts/ workspace in a repository; running it twice changes nothing."""
from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from typing import Any

from gitcontracts import gitlayer
from gitcontracts.formats import yamledit, yamlsafe
from gitcontracts.ops.record import Action, record
from gitcontracts.store.files import atomic_write
from gitcontracts.workspace import Workspace

ATTRIBUTES_LINE = ".contracts/streams/**/*.jsonl merge=gitcontracts-shard"


@dataclass(frozen=True)
class InitResult:
    root: str
    created: tuple[str, ...]
    remote: str | None
    commit: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"root": self.root, "created": list(self.created), "remote": self.remote, "commit": self.commit}


def init_workspace(ws: Workspace, remote: str | None = None) -> InitResult:
    layout, created = ws.layout, []
    for folder in (layout.schemas, layout.stashes, layout.streams):
        keep = folder / ".gitkeep"
        if not keep.exists():
            folder.mkdir(parents=True, exist_ok=True)
            keep.touch()
            created.append(layout.relative(keep))
    in_git = gitlayer.is_repo(ws.root)
    if remote is None and in_git and "origin" in gitlayer.remotes(ws.root):
        remote = "origin"
    if not layout.config.exists():
        config: dict[str, Any] = {"main_branch": (gitlayer.current_branch(ws.root) if in_git else None) or "main"}
        if remote:
            config["remote"] = remote
        config.update({"provider": "local", "require_signed": False,
                       "limits": {"max_file_bytes": 1048576, "max_line_bytes": 262144}})
        atomic_write(layout.config, yamlsafe.dump(config).encode())
        created.append(layout.relative(layout.config))
    elif remote and ws.config.remote != remote:
        text = layout.config.read_text("utf-8")
        edited = yamledit.edit(text, [((), {"remote": remote}, ())])
        atomic_write(layout.config, (edited or text).encode())
        created.append(layout.relative(layout.config))
    created += _ensure_attributes(ws)
    if in_git:
        register_merge_driver(ws)
    commit = record(ws, Action("init", ".contracts", tuple(created))) if created else None
    return InitResult(str(ws.root), tuple(created), remote or ws.config.remote, commit)


def register_merge_driver(ws: Workspace) -> None:
    """The shard merge driver (SPEC 5) in .git/config; only when it is missing or points elsewhere."""
    driver = f"{shlex.quote(sys.executable)} -m gitcontracts merge-shard %O %A %B %P"
    for key, value in (("merge.gitcontracts-shard.name", "gitcontracts: append-only stream shards"),
                       ("merge.gitcontracts-shard.driver", driver)):
        if gitlayer.config_get(ws.root, key) != value:
            gitlayer.config_set(ws.root, key, value)


def _ensure_attributes(ws: Workspace) -> list[str]:
    path = ws.root / ".gitattributes"
    text = path.read_text("utf-8") if path.exists() else ""
    if ATTRIBUTES_LINE in text.splitlines():
        return []
    atomic_write(path, (text + ("" if not text or text.endswith("\n") else "\n") + ATTRIBUTES_LINE + "\n").encode())
    return [".gitattributes"]
