"""Commands for the workspace and its documents: init, schema, stash, new, patch, validate, fsck, demo."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from gitcontracts import api
from gitcontracts.cli.app import emit, example, options, read_workspace, reading, shared
from gitcontracts.cli.render import landed, problems_text, schema_rows_text
from gitcontracts.errors import InvalidContent, UsageError
from gitcontracts.formats import yamlsafe
from gitcontracts.formats.jsonl import parse_json


def read_input(file: str) -> bytes:
    """A file's (or stdin's) bytes, at most one past the size limit: a 50 GB input costs 1 MiB, and
    the parser then refuses it as too large."""
    limit = yamlsafe.Limits().max_bytes + 1
    if file == "-":
        return sys.stdin.buffer.read(limit)
    try:
        with open(file, "rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror}") from None


def parse_value(text: str) -> Any:
    """`K=V` values: JSON when V parses as JSON (3, true, ["a"], "x"), else the plain string (SPEC 11)."""
    try:
        return parse_json(text)
    except ValueError:
        return text


def parse_pairs(pairs: tuple[str, ...], option: str) -> dict[str, Any]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} takes KEY=VALUE, got {pair!r}")
        out[key] = parse_value(value)
    return out


@click.command(epilog=example("gitcontracts init --remote origin", "gitcontracts init --remote origin --lander lander"))
@click.option("--remote", help="The git remote agents share (default: origin when the repository has it).")
@click.option("--lander", metavar="NAME", help="Land actions through queues, in batches, with NAME as the committer: "
                                                "for many agents on one remote whose hooks are installed.")
@click.option("--layout", type=click.Choice(["flat", "fanout"]), help="Where stashes and streams sit (default flat; "
              "fanout: under 256 folders, for thousands of contracts). Later: `gitcontracts layout`.")
@shared(mutating=True)
def init(remote: str | None, lander: str | None, layout: str | None) -> None:
    """Create .contracts/ here; running it again changes nothing (but the --remote or --lander it is given)."""
    result = api.init_workspace(options().workspace(), remote=remote, offline=options().offline, lander=lander,
                                layout=layout)
    emit(result, lambda: f"initialized {result['root']}/.contracts" + (
        "\n  created: " + ", ".join(result["created"]) if result["created"] else " (already; nothing changed)")
        + (f"\n  pushed to {result['remote']}" if result["pushed"] else ""))


@click.group(epilog=example("gitcontracts schema search research"))
def schema() -> None:
    """List, search, show and add schemas."""


@schema.command("list", epilog=example("gitcontracts schema list --all"))
@click.option("--all", "include_private", is_flag=True, help="Include private schemas.")
@shared()
def schema_list(include_private: bool) -> None:
    """The schemas of the repository and the built-in ones, newest version of each (public ones unless --all)."""
    rows = api.list_schemas(options().workspace(), include_private)
    emit({"schemas": rows}, lambda: schema_rows_text(rows))


@schema.command("search", epilog=example("gitcontracts schema search research"))
@click.argument("query")
@click.option("--all", "include_private", is_flag=True, help="Include private schemas.")
@shared()
def schema_search(query: str, include_private: bool) -> None:
    """Schemas whose name or description contains QUERY."""
    rows = api.search_schemas(options().workspace(), query, include_private)
    emit({"schemas": rows}, lambda: schema_rows_text(rows) or "no schema matches")


@schema.command("show", epilog=example("gitcontracts schema show agent-contract@1"))
@click.argument("ref", metavar="NAME[@N]")
@shared()
def schema_show(ref: str) -> None:
    """A schema as YAML (a bare NAME is its newest version)."""
    doc = api.show_schema(options().workspace(), ref)
    emit(doc.to_dict(), lambda: yamlsafe.dump(doc.to_dict()))


@schema.command("add", epilog=example("gitcontracts schema add research-contract.yaml"))
@click.argument("file", type=click.Path(dir_okay=False))
@shared(mutating=True)
def schema_add(file: str) -> None:
    """Publish a schema file as .contracts/schemas/NAME@N.yaml. The file (YAML or JSON):

    \b
      name: research-contract        # a name: lowercase letters, digits, - and _
      version: 1                     # 1, then 2, ... (a new version never rewrites an old one)
      description: What a research contract holds
      visibility: public             # public (listed by `schema list`) or private
      target_type: stash             # stash or stream (a stream's entries' data)
      definition:                    # a JSON Schema (draft 2020-12); $ref never fetches
        type: object
        required: [objective]
        properties:
          objective: {type: string}

    A new version is refused when stashes that use the bare NAME would stop validating: pin them first."""
    result = api.add_schema(options().workspace(), Path(file), offline=options().offline)
    emit(result, lambda: f"{'added' if result['changed'] else 'unchanged:'} {result['schema']} ({result['path']})")


@click.group(epilog=example("gitcontracts stash get competitor-study"))
def stash() -> None:
    """Put and get stashes."""


@stash.command("put", epilog=example("gitcontracts stash put competitor-study --file competitor-study.yaml --label research",
                                     "gitcontracts stash put notes --schema research-notes@1 -"))
@click.argument("name")
@click.option("--schema", "schema_ref", help="NAME or NAME@N the content must validate against.")
@click.option("--discoverable", is_flag=True, default=None, help="List it in `discover`.")
@click.option("--description", help="Searched by `discover -q`.")
@click.option("--label", "labels", multiple=True, help="A label, searched by `discover -q`.")
@click.option("--file", "file", help="The content (YAML or JSON); - for standard input.")
@click.argument("stdin", required=False, metavar="[-]")
@shared(mutating=True)
def stash_put(name: str, schema_ref: str | None, discoverable: bool | None, description: str | None,
              labels: tuple[str, ...], file: str | None, stdin: str | None) -> None:
    """Create or replace a stash's content, validated first."""
    source = file or stdin
    if source is None or (stdin is not None and stdin != "-"):
        raise UsageError("stash put needs the content: --file F, or - for standard input")
    content = yamlsafe.load(read_input(source), "<stdin>" if source == "-" else source)
    ws = options().workspace()
    result = api.put_stash(ws, name, content, schema_ref, description, labels or None, discoverable, offline=options().offline)
    commit = result.get("commit")
    said = [commit[:10]] if commit else []
    said += ["pushed"] if result["pushed"] else []
    emit(result, f"wrote {result['path']}" + (f" ({', '.join(said)})" if said else ""))


@stash.command("get", epilog=example("gitcontracts stash get competitor-study --json"))
@click.argument("name")
@reading()
def stash_get(name: str) -> None:
    """A stash as it is on the shared main (the whole envelope with --json)."""
    ws, _ = read_workspace()
    if options().as_json:
        emit(api.get_stash(ws, name).to_dict(), "")
    else:
        emit(None, api.get_stash_text(ws, name))


@click.command(epilog=example("gitcontracts new website-redesign --objective 'Redesign the landing page' "
                              "--subtask 'research:Research competitor pages' --budget 50 --deadline 30d"))
@click.argument("name")
@click.option("--objective", help="What the contract is to achieve.")
@click.option("--subtask", "subtasks", multiple=True, metavar="ID:DESCRIPTION", help="A subtask, announced open.")
@click.option("--budget", type=float, help="Budget in USDC.")
@click.option("--deadline", help="A date-time, or a duration from now (7d).")
@click.option("--file", "file", help="The content (objective, subtasks, ...) as YAML or JSON; - for stdin.")
@click.option("--description", help="Searched by `discover -q`.")
@click.option("--label", "labels", multiple=True, help="A label, searched by `discover -q`.")
@click.option("--private", is_flag=True, help="Do not list it in `discover`.")
@click.option("--parent", metavar="CONTRACT/SUBTASK", help="A child contract carrying out your subtask.")
@click.option("--force", is_flag=True, help="Announce it even with a --deadline already past.")
@shared(mutating=True)
def new(name: str, objective: str | None, subtasks: tuple[str, ...], budget: float | None, deadline: str | None,
        file: str | None, description: str | None, labels: tuple[str, ...], private: bool, parent: str | None,
        force: bool) -> None:
    """Announce a contract: the stash and its -execution and -discussion streams."""
    pairs = []
    for item in subtasks:
        task_id, sep, text = item.partition(":")
        if not sep:
            raise UsageError(f"--subtask takes ID:DESCRIPTION, got {item!r}")
        pairs.append((task_id.strip(), text.strip()))
    base = yamlsafe.load(read_input(file), file) if file else None
    if objective is None and not (isinstance(base, dict) and "objective" in base):
        raise UsageError("new needs --objective (or an objective in --file)")
    if parent:
        child = api.new_child(options().workspace(), name, parent, objective, pairs, budget, deadline, base, description,
                              labels, not private, options().offline, force)
        emit(child, lambda: f"announced contract {name} for {parent}{landed(child)}\n  " + "\n  ".join(child["paths"]))
        return
    result = api.new_contract(options().workspace(), name, objective, pairs, budget, deadline, base, description, labels,
                              not private, options().offline, force)
    emit(result, lambda: f"announced contract {name}{landed(result)}\n  " + "\n  ".join(result["paths"]))


@click.command(epilog=example("gitcontracts patch website-redesign --path subtasks --match id=design --set budget_usdc=20"))
@click.argument("name")
@click.option("--json-file", help="A patch document {\"update_items\": [...]}; - for standard input.")
@click.option("--path", "array_path", help="Dotted path to an array in content (e.g. subtasks).")
@click.option("--match", "matches", multiple=True, metavar="K=V", help="Elements whose field K equals V (V as JSON, else text).")
@click.option("--set", "sets", multiple=True, metavar="K=V", help="Set field K to V (V as JSON, else text).")
@click.option("--unset", "unsets", multiple=True, metavar="K", help="Remove field K.")
@shared(mutating=True)
def patch(name: str, json_file: str | None, array_path: str | None, matches: tuple[str, ...],
          sets: tuple[str, ...], unsets: tuple[str, ...]) -> None:
    """Change fields of matching array elements (update_items); formatting and comments stay."""
    if json_file and array_path:
        raise UsageError("give --json-file or --path/--match/--set, not both")
    if json_file:
        doc = yamlsafe.load(read_input(json_file), "<stdin>" if json_file == "-" else json_file)  # JSON is YAML
    elif array_path:
        doc = {"update_items": [{"path": array_path, "match": parse_pairs(matches, "--match"),
                                 "set": parse_pairs(sets, "--set"), "unset": list(unsets)}]}
    else:
        raise UsageError("patch needs --json-file F, or --path P --match K=V --set K=V")
    result = api.patch(options().workspace(), name, doc, options().offline)
    emit(result, lambda: f"patched {name}: items matched {list(result['items_matched'])}"
         + ("" if result["written"] else " (nothing changed)"))


@click.command(epilog=example("gitcontracts validate --all", "gitcontracts validate .contracts/stashes/website-redesign.yaml"))
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@click.option("--all", "check_all", is_flag=True, help="Everything under .contracts/.")
@shared()
def validate(paths: tuple[str, ...], check_all: bool) -> int:
    """Validate stashes, schemas and streams in the working tree (no git needed); exit 3 when a problem is found."""
    ws = options().workspace()
    if not paths and not check_all:
        raise UsageError("validate needs PATH... or --all")
    if check_all and not ws.layout.contracts.is_dir():
        from gitcontracts.errors import NotFound
        raise NotFound(f"nothing to validate: there is no .contracts/ in {ws.root}",
                       hint="to start a workspace, run `gitcontracts init` in a git repository")
    from gitcontracts.cli.progress import progress

    with progress("validating", options().as_json) as shown:
        report = api.validate_all(ws, shown) if check_all else api.validate_paths(ws, [Path(p) for p in paths], shown)
    emit(report.to_dict(), lambda: problems_text(report.problems, report.checked))
    return 0 if report.valid else InvalidContent.exit_code


@click.command(epilog=example("gitcontracts fsck --repair"))
@click.option("--repair", is_flag=True, help="Cut torn lines, remove temp files.")
@shared()
def fsck(repair: bool) -> int:
    """Report (and repair) what crashes leave behind; exit 3 while something is left unrepaired."""
    from gitcontracts.cli.progress import progress

    with progress("checking", options().as_json) as shown:
        findings = api.fsck(options().workspace(recover=False), repair, shown)
    emit({"findings": [f.to_dict() for f in findings]},
         lambda: "\n".join(f"{f.file}: {f.problem}" + (" (repaired)" if f.repaired else "") for f in findings)
         or "no problems found")
    return InvalidContent.exit_code if any(not f.repaired for f in findings) else 0


@click.command(epilog=example("gitcontracts demo --dir /tmp/gitcontracts-demo"))
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Run in DIR (default: a temp folder).")
@shared()
def demo(directory: str | None) -> None:
    """Run a contract's life end to end in a fresh repository and tell what happened."""
    if not options().as_json:
        api.run_demo(Path(directory) if directory else None, say=lambda line: click.echo(line))
        return
    lines: list[str] = []
    root = api.run_demo(Path(directory) if directory else None, say=lines.append)
    emit({"root": str(root), "remote": str(root / "remote.git"), "lines": lines}, "")


@click.command()
@shared(mutating=True)
def gc() -> None:
    """Archive your expired streams: those idle longer than their ttl move to .contracts/archive/, in one commit.

    \b
    Example: gitcontracts gc --json
    """
    from gitcontracts.cli.progress import progress

    with progress("looking at streams", options().as_json) as shown:
        result = api.gc(options().workspace(), offline=options().offline, progress=shown)
    emit(result, lambda: ("archived " + ", ".join(result["archived"])) if result["archived"] else "nothing has expired")


@click.command()
@click.argument("target", required=False, type=click.Choice(["flat", "fanout"]))
@shared(mutating=True)
def layout(target: str | None) -> None:
    """Show where stashes and streams sit, or move them all (one commit) to another layout.

    \b
    flat:   .contracts/stashes/NAME.yaml, .contracts/streams/NAME/ (the default)
    fanout: .contracts/stashes/B/NAME.yaml, .contracts/streams/B/NAME/, B the first two
            hex digits of the SHA-1 of NAME: for thousands of contracts, where every
            action and check then stays as fast as in a small repository
    The move changes nothing but the places (and config.yaml's layout); it waits
    until no claim branch is pending.

    \b
    Example: gitcontracts layout --json
    Example: gitcontracts layout fanout
    """
    if target is None:
        ws, _ = read_workspace()  # the shared main's layout: a clone that is behind follows first
        info = api.layout_info(ws)
        emit(info, lambda: f"layout: {info['layout']} ({info['stashes']} stashes, {info['streams']} streams)")
        return
    from gitcontracts.cli.progress import on_terminal

    shown = on_terminal(options().as_json) is not None  # git's own line, while it writes the moved files
    result = api.change_layout(options().workspace(), target, offline=options().offline, progress=shown)
    emit(result, lambda: f"layout: {result['layout']}" + (
        f", moved {result['moved']} files{landed(result)}" if result["commit"] else ", nothing to move"))


COMMANDS = {"init": init, "schema": schema, "stash": stash, "new": new, "patch": patch, "validate": validate, "fsck": fsck,
            "demo": demo, "gc": gc, "layout": layout}
