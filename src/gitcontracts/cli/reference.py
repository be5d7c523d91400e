"""docs/reference.md, generated from the command tree itself: every command, argument and option with its help,
choices and default, the exit codes (from gitcontracts.errors) and the published JSON Schemas. Nothing here is
written by hand about a command, so the reference cannot drift from the CLI; tests/test_reference.py fails when
the committed file differs from what this prints.

    python -m gitcontracts.cli.reference docs/reference.md          # write it
    python -m gitcontracts.cli.reference --check docs/reference.md  # exit 1 when it is out of date

The output depends on nothing but the commands: no terminal width (click's formatter is not used), commands in
name order, options in the order --help shows them."""
from __future__ import annotations

import inspect
import json
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Sequence

import click

from gitcontracts import errors
from gitcontracts.cli.app import cli

UPDATE = "python -m gitcontracts.cli.reference docs/reference.md"
SCHEMAS = "src/gitcontracts/json_schemas/"


def walk(command: click.Command, ctx: click.Context) -> Iterator[click.Context]:
    """The context of `command` and of every command under it, in name order; hidden commands left out."""
    yield ctx
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, click.Context(sub, info_name=name, parent=ctx))


def contexts() -> list[click.Context]:
    return list(walk(cli, click.Context(cli, info_name="gitcontracts", **cli.context_settings)))


def path_of(ctx: click.Context) -> str:
    return ctx.command_path


def help_text(command: click.Command) -> str:
    """The help as --help shows it: the docstring cleaned, cut at click's `\\f` marker."""
    return inspect.cleandoc(command.help or "").split("\f")[0].strip()


def paragraphs(text: str, verbatim: bool) -> list[str]:
    """Markdown for click help text: the `\\b` blocks (printed as written: examples) as code blocks when
    `verbatim`, else the other paragraphs, each joined into one line as click wraps it."""
    out = []
    for block in text.split("\n\n"):
        lines = block.strip("\n").splitlines()
        if lines and lines[0].strip() == "\b":
            out += ["```text\n" + textwrap.dedent("\n".join(lines[1:])).rstrip() + "\n```"] if verbatim else []
        elif lines and not verbatim:
            out.append(" ".join(line.strip() for line in lines))
    return out


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def value_of(param: click.Parameter, ctx: click.Context) -> str:
    """What the option takes: its metavar, its choices, or its type (with a range's bounds)."""
    if isinstance(param, click.Option) and param.is_flag:
        return ""
    if param.metavar:
        return f"`{param.metavar}`"
    kind = param.type
    if isinstance(kind, click.Choice):
        return " \\| ".join(f"`{choice}`" for choice in kind.choices)
    if isinstance(kind, click.types._NumberRangeBase):
        return f"{kind.name.split()[0].upper()} ({kind._describe_range()})"
    return kind.name.upper()


def default_of(param: click.Parameter, ctx: click.Context) -> str | None:
    default = param.get_default(ctx, call=False)
    if default in (None, False, (), "") or callable(default) or type(default).__name__ == "Sentinel":
        return None
    return str(default)


def notes(param: click.Parameter, ctx: click.Context) -> list[str]:
    found = ["required"] if param.required else []
    found += ["repeatable"] if param.multiple else []
    default = default_of(param, ctx)
    found += [f"default `{default}`"] if default is not None else []
    return found


def option_rows(ctx: click.Context) -> list[str]:
    rows = []
    help_option = ctx.command.get_help_option(ctx) if ctx.parent is not None else None  # said once, for the root
    for param in ctx.command.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden or param is help_option:
            continue
        names = ", ".join(f"`{name}`" for name in (*param.opts, *param.secondary_opts))
        said = " ".join([param.help or "", *(f"({note})" for note in notes(param, ctx))]).strip()
        rows.append(f"| {names} | {value_of(param, ctx)} | {cell(said)} |")
    return ["| option | value | |", "| --- | --- | --- |", *rows] if rows else []


def argument_lines(ctx: click.Context) -> list[str]:
    lines = []
    for param in ctx.command.params:
        if isinstance(param, click.Argument):
            metavar = param.metavar or (param.name or "").upper()
            shape = "one or more" if param.nargs == -1 and param.required else "any number" if param.nargs == -1 else None
            said = [shape] if shape else []
            said += [] if param.required or param.nargs == -1 else ["optional"]
            default = default_of(param, ctx)
            said += [f"default `{default}`"] if default is not None else []
            lines.append(f"- `{metavar}`" + (f" ({', '.join(said)})" if said else ""))
    return ["Arguments:", "", *lines] if lines else []


def usage(ctx: click.Context) -> str:
    return " ".join([path_of(ctx), *ctx.command.collect_usage_pieces(ctx)])


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas the package publishes for its --json output, by file name (none yet: an empty dict)."""
    folder = resources.files("gitcontracts") / "json_schemas"
    if not folder.is_dir():
        return {}
    found = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".json"):
            try:
                found[item.name] = json.loads(item.read_text(encoding="utf-8"))
            except ValueError:
                found[item.name] = {}
    return found


def schema_of(ctx: click.Context, schemas: dict[str, dict[str, Any]]) -> list[str]:
    """The published schema of this command's --json output, when one is named after it (`stream-post.json`)."""
    stem = "-".join(path_of(ctx).split()[1:])
    for name in (f"{stem}.json", f"{stem}.schema.json"):
        if stem and name in schemas:
            keys = sorted(schemas[name].get("properties") or {})
            listed = f" (top-level keys: {', '.join(f'`{k}`' for k in keys)})" if keys else ""
            return [f"`--json` output: the JSON Schema `{SCHEMAS}{name}`{listed}."]
    return []


def command_section(ctx: click.Context, schemas: dict[str, dict[str, Any]]) -> list[str]:
    command = ctx.command
    lines = [f"### `{path_of(ctx)}`", "", *(p + "\n" for p in paragraphs(help_text(command), verbatim=False))]
    lines += ["```text", usage(ctx), "```", ""]
    if isinstance(command, click.Group):
        subs = [c for c in contexts_under(ctx)]
        lines += ["Commands: " + ", ".join(f"[`{path_of(c)}`](#{anchor(c)})" for c in subs), ""]
    for part in (argument_lines(ctx), option_rows(ctx), schema_of(ctx, schemas)):
        lines += [*part, ""] if part else []
    for text in (help_text(command), inspect.cleandoc(command.epilog or "")):
        lines += [p + "\n" for p in paragraphs(text, verbatim=True)]
    return lines


def contexts_under(ctx: click.Context) -> list[click.Context]:
    return [c for c in walk(ctx.command, ctx) if c.parent is ctx]


def anchor(ctx: click.Context) -> str:
    """GitHub's anchor of the heading `### \\`gitcontracts stash put\\``."""
    return "-".join(path_of(ctx).split()).replace(".", "")


def summary(command: click.Command) -> str:
    return cell((paragraphs(help_text(command), verbatim=False) or [""])[0])


def index(all_contexts: Sequence[click.Context]) -> list[str]:
    rows = [f"| [`{path_of(c)}`](#{anchor(c)}) | {summary(c.command)} |" for c in all_contexts[1:]]
    return ["| command | what it does |", "| --- | --- |", *rows]


EXIT_DONE = [(0, "", "done"),
             (1, "unexpected", "an unexpected failure (a bug or a broken environment): rerun with `--debug` for the "
                               "traceback, and report it")]
EXIT_INTERRUPTED = [(130, "interrupted", "stopped by Ctrl-C")]


def exit_codes() -> list[str]:
    """0 and 1, every exit code of gitcontracts.errors (its class's docstring says when), and Ctrl-C."""
    kinds = sorted({cls.exit_code: cls for cls in vars(errors).values()
                    if isinstance(cls, type) and issubclass(cls, errors.GitContractsError) and cls.exit_code > 1}.items())
    rows = [*EXIT_DONE, *[(code, cls.code, _when(cls)) for code, cls in kinds], *EXIT_INTERRUPTED]
    table = [f"| {code} | {f'`{name}`' if name else ''} | {cell(said)} |" for code, name, said in rows]
    return ["| exit | `code` in the JSON error | when |", "| --- | --- | --- |", *table]


def _when(cls: type[errors.GitContractsError]) -> str:
    first = inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].replace("\n", " ")
    return first.split(": ", 1)[1] if first.startswith("Exit ") and ": " in first else first


def render() -> str:
    all_contexts = contexts()
    schemas = json_schemas()
    lines = [*HEADER, *index(all_contexts), "", "## Global options", "",
             *paragraphs(help_text(cli), verbatim=False), "", "```text", usage(all_contexts[0]), "```", "",
             *option_rows(all_contexts[0]), "", *SHARED, "",
             *(p + "\n" for p in paragraphs(inspect.cleandoc(cli.epilog or ""), verbatim=True)),
             "## Exit codes", "", *EXIT_INTRO, "", *exit_codes(), "",
             "## JSON output", "", *JSON_INTRO, "", *schema_list(schemas), "## Shell completion", "", *COMPLETION, "",
             "## Commands", ""]
    for ctx in all_contexts[1:]:
        lines += command_section(ctx, schemas)
    return "\n".join(lines).rstrip("\n").replace("\n\n\n", "\n\n") + "\n"


def schema_list(schemas: dict[str, dict[str, Any]]) -> list[str]:
    if not schemas:
        return []
    rows = [f"- `{SCHEMAS}{name}`" + (f": {cell(str(doc.get('title') or doc.get('description')))}"
                                      if doc.get("title") or doc.get("description") else "")
            for name, doc in schemas.items()]
    return [*rows, ""]


HEADER = [
    "# Command reference",
    "",
    f"<!-- Generated from the CLI itself by `{UPDATE}`; do not edit by hand. -->",
    "",
    "Every command of `gitcontracts`, with its arguments, options, defaults and an example. The same text, one",
    "command at a time, is `gitcontracts COMMAND --help`. What the fields of contracts, `agents.yaml` and",
    "`config.yaml` mean is in [fields.md](fields.md); the protocol behind the commands is in",
    "[protocol.md](protocol.md).",
    "",
]
SHARED = [
    "Every command also takes `--json` (print JSON) and `--agent NAME` (the acting agent) after its name;",
    "every command that changes something takes `--no-commit` (leave the change in the working tree) and",
    "`--offline` (no fetch or push); every read of the shared state (`status`, `discover`, `stash get`,",
    "`stream read`, `stream latest`, `bids`, `log`, `next`) takes `--offline` (read the local clone as it is).",
    "The acting agent is `--agent NAME`, else `$GITCONTRACTS_AGENT`, else `git config gitcontracts.agent`, else",
    "git's `user.name`. `GITCONTRACTS_NOW` sets the clock every command reads (see [formats.md](formats.md#time)).",
]
EXIT_INTRO = [
    "An error is one or two lines on stderr (`error: ...`, then `hint: ...`), never a traceback unless `--debug`",
    "asks for it. `check`, `validate` and `fsck` exit 3 when they find problems (`check` exits 6 when one of them",
    "is a permission problem). Git's failures are mapped too: a remote that does not answer (unreachable, timed",
    "out) exits 4 with `remote_unavailable` (nothing changed: run it again later), a command run outside a",
    "repository exits 2 (`not_a_repository`), a forge provider whose `gh` is missing exits 2",
    "(`provider_unavailable`); only a git failure nothing foresaw (a corrupt repository) exits 1 (`git`).",
]
JSON_INTRO = [
    "With `--json` a command prints one JSON object on stdout (`watch --json`: one object per line, per event).",
    "A command that changes something names the `commit` it landed and whether it was `pushed`. An error prints",
    "`{\"error\": {\"code\": ..., \"message\": ..., \"hint\": ..., \"details\": [...]}}` on stderr instead (`hint` when",
    "there is one), with `code` from the table above. The shape of each command's output is published as a JSON",
    f"Schema in the package, in `{SCHEMAS}`; a command whose schema is there names it below.",
]
COMPLETION = [
    "Completion of commands, options and choices comes from click. Add one line to your shell's start-up file:",
    "",
    "```sh",
    "eval \"$(_GITCONTRACTS_COMPLETE=bash_source gitcontracts)\"       # ~/.bashrc",
    "eval \"$(_GITCONTRACTS_COMPLETE=zsh_source gitcontracts)\"        # ~/.zshrc",
    "_GITCONTRACTS_COMPLETE=fish_source gitcontracts | source        # ~/.config/fish/completions/gitcontracts.fish",
    "```",
    "",
    "To avoid running `gitcontracts` at every shell start, save the script once and source the file instead:",
    "`_GITCONTRACTS_COMPLETE=bash_source gitcontracts > ~/.gitcontracts-complete.bash`, then",
    "`. ~/.gitcontracts-complete.bash` in `~/.bashrc` (likewise `zsh_source`).",
]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    text = render()
    if not paths:
        sys.stdout.write(text)
        return 0
    target = Path(paths[0])
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is out of date: run `{UPDATE}` to update it", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
