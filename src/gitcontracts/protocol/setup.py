"""`init` as an action like every other (engine.perform): the .contracts/ workspace, its config.yaml and the
`.gitattributes` line of the shard merge driver, committed — and with a remote, landed on its main (on an
empty remote, as its first main). Running it twice changes nothing."""
from __future__ import annotations

from typing import Any

from gitcontracts import gitlayer
from gitcontracts.errors import Conflict, GitContractsError, NotFound
from gitcontracts.formats import yamledit, yamlsafe
from gitcontracts.names import check_name
from gitcontracts.store.layout import FLAT
from gitcontracts.ops.record import Action
from gitcontracts.protocol.engine import Context, Outcome, perform, register_merge_driver
from gitcontracts.workspace import Workspace

ATTRIBUTES_LINE = ".contracts/streams/**/*.jsonl merge=gitcontracts-shard"
CONFIG = ".contracts/config.yaml"
KEEP = tuple(f".contracts/{folder}/.gitkeep" for folder in ("schemas", "stashes", "streams"))


def init_workspace(ws: Workspace, remote: str | None = None, offline: bool = False,
                   lander: str | None = None, layout: str | None = None) -> dict[str, Any]:
    if not gitlayer.is_repo(ws.root):
        raise NotFound(f"{ws.root} is not a git repository", hint="run `git init` there first (or cd into your clone)")
    known = gitlayer.remotes(ws.root)
    if remote is not None and remote not in known:
        raise NotFound(f"this clone has no remote {remote!r}", hint=f"add it with `git remote add {remote} URL`, then retry")
    remote = remote or ("origin" if "origin" in known else None)
    _ = ws.agent  # an invalid agent name is refused before anything is written
    if lander is not None:
        check_name(lander, "lander name")

    def build(ctx: Context) -> Outcome:
        for keep in KEEP:
            if ctx.read(keep) is None:
                ctx.files[keep] = b""
        _config(ctx, remote, lander, layout)
        attributes = (ctx.read(".gitattributes") or b"").decode("utf-8", "replace")
        if ATTRIBUTES_LINE not in attributes.splitlines():
            lead = "" if not attributes or attributes.endswith("\n") else "\n"
            ctx.files[".gitattributes"] = (attributes + lead + ATTRIBUTES_LINE + "\n").encode()
        result = {"root": str(ws.root), "created": sorted(ctx.files), "remote": remote}
        return Outcome(Action("init", ".contracts", tuple(ctx.files)), result, nothing=not ctx.files)

    if remote and not offline and not ws.layout.contracts.is_dir():
        from gitcontracts.ops.freshness import join
        join(ws)  # a clone made before the shared main had .contracts/: take it rather than start anew
    result = perform(ws, build, offline, remote=None if offline else remote)
    if ws.commit:
        register_merge_driver(ws.root)
    return {"commit": None, "pushed": False, **result}


def _config(ctx: Context, remote: str | None, lander: str | None, layout: str | None) -> None:
    data = ctx.read(CONFIG)
    if layout is not None and data is not None and ctx.base.config.layout != layout:
        raise Conflict(f"this workspace exists, in the {ctx.base.config.layout} layout",
                       hint=f"move it with `gitcontracts layout {layout}`")
    if data is None:
        config: dict[str, Any] = {"main_branch": ctx.ws.main_branch}
        if remote:
            config["remote"] = remote
        config.update({"provider": "local", "require_signed": False,
                       "limits": {"max_file_bytes": 1048576, "max_line_bytes": 262144}})
        if lander:
            config["lander"] = lander
        if layout and layout != FLAT:
            config["layout"] = layout
        ctx.files[CONFIG] = yamlsafe.dump(config).encode()
        return
    try:
        doc = yamlsafe.load(data, CONFIG)
    except GitContractsError:
        return  # a broken config.yaml is the user's to fix; `validate` says what is wrong
    wanted = {key: value for key, value in (("remote", remote), ("lander", lander)) if value}
    if isinstance(doc, dict) and any(doc.get(key) != value for key, value in wanted.items()):
        text = data.decode("utf-8")
        edited = yamledit.edit(text, [((), wanted, ())])
        ctx.files[CONFIG] = (edited if edited is not None else yamlsafe.dump({**doc, **wanted})).encode()
