"""Commands that make git the referee: check, hooks install, merge-shard, log."""
from __future__ import annotations

import json
import os

from pathlib import Path

import click

from gitcontracts import api
from gitcontracts.cli.app import emit, example, options, read_workspace, reading, shared
from gitcontracts.cli.failure import printable
from gitcontracts.cli.render import check_text, github_annotations, log_text
from gitcontracts.errors import UsageError


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--staged", is_flag=True, help="The staged changes (the pre-commit hook); with FILE..., also those files "
                                             "the staged change leaves alone, validated (pre-commit run --all-files).")
@click.option("--range", "span", metavar="A..B", help="Every first-parent commit of A..B (CI, pre-receive).")
@click.option("--push", is_flag=True, help="The range the pre-commit framework's pre-push stage names.")
@click.option("--receive", is_flag=True, help="The refs of a push, as a pre-receive hook reads them on stdin.")
@click.option("--main", "main", help="With --receive: the shared main branch (default: as the repository says).")
@click.option("--ref", help="The ref the range is pushed to (claim/... branches may only claim).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              help="github: ::error annotations for GitHub Actions.")
@shared()
def check(files: tuple[str, ...], staged: bool, span: str | None, push: bool, receive: bool, main: str | None,
          ref: str | None, fmt: str) -> int:
    """Check changes under .contracts/: content, append-only, transitions, permissions. Exit 3 when a problem
    is found, 6 when one of them is a permission problem.

    \b
    Examples: gitcontracts check --staged
              gitcontracts check --staged .contracts/stashes/site.yaml
              gitcontracts check --range origin/main..HEAD --format github
    """

    if sum(map(bool, (staged, span, push, receive))) != 1:
        raise UsageError("check takes one of --staged, --range A..B, --push or --receive")
    if files and not staged:
        raise UsageError("check takes FILE... only with --staged", hint="to validate files alone: gitcontracts validate FILE...")
    ws = options().workspace(recover=False)
    if staged:
        result = api.check_staged(ws, files)
    elif receive:
        from gitcontracts.cli.fast import check_pushed

        result = check_pushed(ws, main)
    else:
        if push:
            span = f"{os.environ.get('PRE_COMMIT_FROM_REF', '')}..{os.environ.get('PRE_COMMIT_TO_REF', 'HEAD')}"
            ref = ref or os.environ.get("PRE_COMMIT_REMOTE_BRANCH")
        from gitcontracts.cli.fast import check_span

        result = check_span(ws, span or "", ref, options().as_json or fmt == "json")
    if options().as_json or fmt == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    elif fmt == "github":
        print(github_annotations(result.problems))
    else:
        print(printable(check_text(result)))
    return result.exit_code


@click.group(epilog=example("gitcontracts hooks install"))
def hooks() -> None:
    """Install the git hooks."""


@hooks.command("install", epilog=example("gitcontracts hooks install", "gitcontracts -C shared.git hooks install"))
@shared()
def hooks_install() -> None:
    """pre-commit and pre-push here (pre-receive in a bare repository), chaining to hooks already there."""
    installed = api.install_hooks(options().workspace().root)
    emit({"installed": installed}, lambda: "\n".join(f"installed {h}" for h in installed))


@click.command("merge-shard", epilog=example("gitcontracts merge-shard %O %A %B %P"))
@click.argument("ancestor", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path", required=False, default="shard")
def merge_shard(ancestor: str, ours: str, theirs: str, path: str) -> None:
    """The git merge driver for stream shards (%O %A %B %P): git runs it, as `init` registers it in .git/config."""
    api.merge_files(Path(ancestor), Path(ours), Path(theirs), path)


@click.command(epilog=example("gitcontracts log website-redesign"))
@click.argument("contract")
@reading()
def log(contract: str) -> None:
    """The contract's timeline: commits (by trailer) and stream entries, in order."""
    ws, fresh = read_workspace()
    items = api.contract_log(ws, contract)
    emit(fresh.mark({"contract": contract, "timeline": items}), lambda: log_text(items))


@click.command()
@click.option("--once", is_flag=True, help="One pass, then exit (for cron and CI).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds between fetches of the remote.")
@click.option("--on", "on", multiple=True, metavar="EVENT=CMD",
              help="Run CMD (a shell command, the event as JSON in $GITCONTRACTS_EVENT) for each EVENT; adds to "
                   "`git config gitcontracts.on.EVENT`.")
@shared(mutating=True)
def watch(once: bool, interval: float, on: tuple[str, ...]) -> int:
    """React to claims, entries, offers, bids, leases, deadlines; as owner, do the automatic steps.

    \b
    Example: gitcontracts watch --json --on claim-opened='notify-send "new claim"'
    """
    from gitcontracts.cli.render import event_line

    as_json = options().as_json

    def emit(event: dict) -> None:
        print(json.dumps(event, ensure_ascii=False) if as_json else printable(event_line(event)), flush=True)

    commands = {}
    for item in on:
        event, sep, command = item.partition("=")
        if not sep or not event or not command:
            raise UsageError(f"--on takes EVENT=CMD, got {item!r}",
                             hint="for example --on claim-opened='echo $GITCONTRACTS_EVENT'")
        commands[event] = command
    return api.watch(options().workspace(), emit, interval, once, options().offline, on=commands)


@click.command(epilog=example("gitcontracts -C shared.git land", "gitcontracts land --json"))
@click.option("--main", "main", help="The shared main branch (default: as the repository says).")
@click.option("--pushed", multiple=True, metavar="REF=COMMIT",
              help="The queue refs of the push the post-receive hook runs for: each is reported.")
@shared()
def land(main: str | None, pushed: tuple[str, ...]) -> None:
    """Replay queued actions onto main, each judged as its author (docs/protocol.md: many agents on one remote).

    In the shared bare repository this is what its post-receive hook runs after a push to a queue ref; in a clone it
    lands the remote's pending queue through a push, as you. Needed by hand only after a lander was stopped, or on a
    forge (no post-receive hook): an agent's own action lands its queue either way."""
    pairs = [tuple(item.partition("=")[::2]) for item in pushed]
    done = api.land(options().workspace(recover=False), main, pairs)  # type: ignore[arg-type]
    lines = done.pop("lines")
    emit(done, lambda: "\n".join(lines) or "nothing queued to land")


COMMANDS = {"land": land, "check": check, "hooks": hooks, "merge-shard": merge_shard, "log": log, "watch": watch}

