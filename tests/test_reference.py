"""docs/reference.md is generated from the CLI and kept in step with it; every command's --help shows an example
that parses; shell completion works as the reference says."""
from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from gitcontracts.cli.app import cli
from gitcontracts.cli.reference import UPDATE, contexts, render
from helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference.md"


def generate(*args: str, columns: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": columns, "LINES": "24"}
    return subprocess.run((sys.executable, "-m", "gitcontracts.cli.reference", *args), cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_the_committed_reference_is_what_the_cli_generates() -> None:
    committed = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else ""
    assert committed == render(), f"docs/reference.md is out of date: run `{UPDATE}` to update it"


def test_the_reference_does_not_depend_on_the_terminal_width() -> None:
    narrow, wide = generate(columns="40"), generate(columns="250")
    assert narrow.returncode == wide.returncode == 0, narrow.stderr
    assert narrow.stdout == wide.stdout == render()


def test_check_mode_names_the_command_that_updates_the_file(tmp_path: Path) -> None:
    stale = tmp_path / "reference.md"
    stale.write_text("# an old reference\n")
    result = generate("--check", str(stale), columns="80")
    assert result.returncode == 1 and f"run `{UPDATE}`" in result.stderr
    assert generate("--check", str(REFERENCE), columns="80").returncode == 0


def test_the_reference_names_every_command_option_and_exit_code() -> None:
    text = render()
    for ctx in contexts()[1:]:
        assert f"### `{ctx.command_path}`" in text, ctx.command_path
        for param in ctx.command.params:
            if isinstance(param, click.Option):
                assert all(f"`{name}`" in text for name in param.opts), (ctx.command_path, param.opts)
    for code, name in ((2, "usage"), (3, "invalid"), (4, "conflict"), (5, "not_found"), (6, "forbidden")):
        assert f"| {code} | `{name}` |" in text
    assert "`announce` \\| `revise`" in text  # choices
    assert "default `10.0`" in text  # watch --interval


def example_lines(help_text: str) -> list[str]:
    """The command lines of a help's `Example:`/`Examples:` block."""
    lines, inside = [], False
    for line in help_text.splitlines():
        text = line.strip()
        if text.startswith(("Example:", "Examples:")):
            inside, text = True, text.split(":", 1)[1].strip()
        if inside and text.startswith("gitcontracts "):
            lines.append(text)
        elif inside and not text:
            inside = False
    return lines


def resolve(line: str) -> str:
    """The command a command line reaches, parsed by click as the CLI would (global options included) without
    running it: click raises UsageError for an unknown option, a missing argument or a bad choice."""
    ctx = cli.make_context("gitcontracts", shlex.split(line)[1:])
    while isinstance(ctx.command, click.Group):
        protected = ctx.__dict__.get("_protected_args", ctx.__dict__.get("protected_args", []))  # click 8.2+ / 8.1
        name, command, rest = ctx.command.resolve_command(ctx, [*protected, *ctx.args])
        assert command is not None and name is not None, line
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx.command_path


def test_every_command_help_shows_an_example_of_itself_that_parses() -> None:
    for ctx in contexts():
        examples = example_lines(ctx.command.get_help(ctx))
        assert examples, f"`{ctx.command_path} --help` shows no example (add epilog=example(...) to the command)"
        for line in examples:
            assert resolve(line).startswith(ctx.command_path), (ctx.command_path, line)


@pytest.mark.parametrize("line", ["gitcontracts deliver site a", "gitcontracts offer site a --to b --then never",
                                  "gitcontracts --agent bot claim site a --no-such-option", "gitcontracts no-such-command"])
def test_a_broken_example_is_caught(line: str) -> None:
    with pytest.raises(click.UsageError):
        resolve(line)


def test_help_through_the_real_cli_shows_the_example(tmp_path: Path) -> None:
    result = run_cli("claim", "--help", cwd=tmp_path)
    assert result.code == 0
    assert "Examples: gitcontracts claim website-redesign design -m 'I can do this'" in result.out
    assert "          gitcontracts claim api-load-test write-script --bid-usdc 40" in result.out


def test_shell_completion_as_the_reference_says(tmp_path: Path) -> None:
    script = run_cli(cwd=tmp_path, env={"_GITCONTRACTS_COMPLETE": "bash_source"})
    assert script.code == 0 and "complete -o nosort -F _gitcontracts_completion gitcontracts" in script.out
    assert "_GITCONTRACTS_COMPLETE=bash_source gitcontracts" in render()
    words = run_cli(cwd=tmp_path, env={"_GITCONTRACTS_COMPLETE": "bash_complete", "COMP_WORDS": "gitcontracts sta",
                                       "COMP_CWORD": "1"})
    assert words.out.split() == ["plain,stash", "plain,status"]
    choices = run_cli(cwd=tmp_path, env={"_GITCONTRACTS_COMPLETE": "bash_complete",
                                         "COMP_WORDS": "gitcontracts offer site a --then ", "COMP_CWORD": "5"})
    assert choices.out.split() == ["plain,announce", "plain,revise"]
    zsh = run_cli(cwd=tmp_path, env={"_GITCONTRACTS_COMPLETE": "zsh_source"})
    assert zsh.code == 0 and "#compdef gitcontracts" in zsh.out
