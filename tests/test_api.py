"""`gitcontracts.api` is the door: every name it exports is documented, every command of the CLI goes
through one of its functions, and importing it stays light (the hooks and polling agents import it)."""
from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from typing import Iterator

import click
import pytest

from gitcontracts import api, model
from gitcontracts.cli import fast
from gitcontracts.cli.app import cli

# command path -> the api functions it calls (`check` is four reads; `new` announces a contract or a child)
COMMANDS: dict[str, tuple[str, ...]] = {
    "init": ("init_workspace",),
    "schema list": ("list_schemas",), "schema search": ("search_schemas",), "schema show": ("show_schema",),
    "schema add": ("add_schema",),
    "stash put": ("put_stash",), "stash get": ("get_stash", "get_stash_text"),
    "new": ("new_contract", "new_child"), "patch": ("patch",),
    "validate": ("validate_all", "validate_paths"), "fsck": ("fsck",), "demo": ("run_demo",), "gc": ("gc",),
    "layout": ("layout_info", "change_layout"),
    "stream create": ("create_stream",), "stream post": ("post_entry",), "stream read": ("read_stream",),
    "stream latest": ("latest_entry",), "discover": ("discover",),
    "check": ("check_staged", "check_range", "check_receive", "parse_updates", "push_options"),
    "hooks install": ("install_hooks",), "land": ("land",),
    "merge-shard": ("merge_files",), "log": ("contract_log",), "watch": ("watch",),
    "agent add": ("add_agent",), "agent list": ("list_agents",), "agent show": ("show_agent",),
    "board": ("write_board", "serve_board"),
    "claim": ("claim",), "bids": ("list_bids",), "award": ("award",), "offer": ("offer",), "accept": ("accept",),
    "reject": ("reject",), "progress": ("progress",), "deliver": ("deliver",), "complete": ("complete",),
    "release": ("release",), "ask": ("ask",), "answer": ("answer",), "settle": ("settle",), "status": ("status",),
    "next": ("next_items",), "prime": ("prime",), "mcp": (),  # mcp serves the api through mcp_server/tools.py
}


def commands(group: click.Group, ctx: click.Context, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from commands(command, ctx, f"{path} ")
        else:
            yield path, command


def reach(command: click.Command) -> str:
    """The source of a command's callback and of the CLI helpers it calls (`stream post` hands on to cli/fast.py)."""
    callback = command.callback
    assert callback is not None, command.name
    func = inspect.unwrap(callback)
    source = inspect.getsource(func)
    for name in set(re.findall(r"\b(\w+)\(", source)):
        for module in (sys.modules[func.__module__], fast):
            helper = getattr(module, name, None)
            if inspect.isfunction(helper) and helper.__module__.startswith("gitcontracts.cli."):
                source += inspect.getsource(helper)
    return source


def own_doc(obj: object) -> str:
    """A docstring written for `obj`: not inherited, and not the signature a dataclass makes up."""
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    name = getattr(obj, "__name__", "")
    return "" if not doc or doc.startswith(f"{name}(") else doc


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_has_a_docstring(name: str) -> None:
    assert own_doc(getattr(api, name)).strip(), f"api.{name} has no docstring"


def test_every_api_function_is_typed() -> None:
    for name in api.__all__:
        func = getattr(api, name)
        if inspect.isfunction(func):
            hints = func.__annotations__
            params = [p for p in inspect.signature(func).parameters]
            assert "return" in hints and all(p in hints for p in params), f"api.{name} lacks type hints"


def test_every_command_calls_the_api() -> None:
    with click.Context(cli) as ctx:
        found = dict(commands(cli, ctx))
    assert sorted(found) == sorted(COMMANDS), "a new command: name the api functions it calls in COMMANDS"
    for path, names in COMMANDS.items():
        source = reach(found[path])
        for name in names:
            assert name in api.__all__ and callable(getattr(api, name)), name
            assert f"api.{name}(" in source, f"`{path}` does not call api.{name}"


def test_mutating_actions_are_typed_with_commit_and_pushed() -> None:
    returns = {name: getattr(api, name).__annotations__["return"] for name in api.__all__
               if inspect.isfunction(getattr(api, name))}
    typed = {name: getattr(model, kind) for name, kind in returns.items() if hasattr(model, kind)}
    landed = {name for name, kind in typed.items() if issubclass(kind, dict)}
    assert {"post_entry", "put_stash", "claim", "award", "settle", "gc", "init_workspace"} <= landed
    for name in landed:
        assert {"commit", "pushed"} <= set(typed[name].__annotations__), name


def test_post_entry_returns_the_entry_landed(ws: api.Workspace) -> None:
    api.create_stream(ws, "log")
    entry = api.post_entry(ws, "log", "progress", {"n": 1})
    assert set(model.EntryResult.__annotations__) == set(entry)
    assert entry["commit"] and entry["pushed"] is False and entry["data"] == {"n": 1}
    assert api.latest_entry(ws, "log")[0]["id"] == entry["id"]


def test_the_old_names_still_work() -> None:
    assert api.patch_stash is api.patch


def test_importing_the_api_is_light() -> None:
    code = "import json, sys, gitcontracts.api; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run((sys.executable, "-c", code), capture_output=True, text=True,
                                           check=True).stdout))
    assert not loaded & {"click", "yaml", "jsonschema", "fastjsonschema", "re2", "watchdog"}
    heavy = ("protocol", "ops", "referee", "rules", "gitlayer", "gitobjects", "watch", "demo", "cli")
    assert not {m for m in loaded for h in heavy if m == f"gitcontracts.{h}" or m.startswith(f"gitcontracts.{h}.")}
