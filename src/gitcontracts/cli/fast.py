"""The hottest calls, answered without loading click: `check --staged [FILE...]` (the pre-commit hook, on every
commit that touches .contracts/), `check --range A..B` (CI), `check --receive [--main M]` (the pre-receive hook
of a shared remote, on every push), `stream latest NAME [--label L] [--json]` (agents polling a stream) and
`stream post NAME --label L [--data D] [--json] [--offline]` (agents reporting), and `land --main M --pushed R=C...`
(the post-receive hook of a shared remote, after each queued action). Click's import is a fifth
to a third of their time. Any other form goes through click as usual."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable, Sequence

from gitcontracts.cli.failure import fail, printable, unexpected
from gitcontracts.errors import GitContractsError

if TYPE_CHECKING:
    from gitcontracts.api import CheckResult, Workspace


def fast_path(args: Sequence[str]) -> int | None:
    """The exit code of a fast call, or None when `args` is not one of them."""
    agent = None
    if len(args) >= 2 and args[0] == "--agent" and not args[1].startswith("-"):
        agent, args = args[1], args[2:]  # the global option, before the command
    if list(args[:2]) == ["check", "--staged"] and not any(a.startswith("-") for a in args[2:]):
        return _guarded(lambda: check_staged_quiet(args[2:], agent), False)  # FILE... from the pre-commit framework
    if len(args) == 3 and args[:2] == ["check", "--range"] and not args[2].startswith("-"):
        return _guarded(lambda: _range(args[2], agent), False)  # CI
    if args[:2] == ["check", "--receive"] and (len(args) == 2 or (len(args) == 4 and args[2] == "--main")):
        return _guarded(lambda: _receive(args[3] if len(args) == 4 else None, agent), False)  # the pre-receive hook
    if len(args) >= 3 and args[:2] == ["stream", "latest"] and not args[2].startswith("-"):
        asked = _options(args[3:], ("--label",), ("--json", "--offline"))
        if asked is not None:
            return _guarded(lambda: latest(args[2], asked, agent), "--json" in asked)
    if len(args) >= 3 and args[:2] == ["stream", "post"] and not args[2].startswith("-"):
        post = _options(args[3:], ("--label", "--data"), ("--json", "--offline"))
        if post is not None and "--label" in post:
            return _guarded(lambda: _post(args[2], post, agent), "--json" in post)
    if agent is None and args[:1] == ["land"] and len(args) % 2 == 1 \
            and all(a in ("--main", "--pushed") for a in args[1::2]) and args[1:2] == ["--main"]:
        pairs = [tuple(value.partition("=")[::2]) for value in args[4::2]]
        return _guarded(lambda: _land(args[2], pairs), False)  # the post-receive hook: `land --main M --pushed R=C...`
    return None


def _receive(main: str | None, agent: str | None) -> int:
    from gitcontracts import api
    from gitcontracts.cli.render import check_text

    result = check_pushed(api.open_workspace(agent=agent), main)
    print(printable(check_text(result)))
    return result.exit_code


def _range(span: str, agent: str | None) -> int:
    from gitcontracts import api
    from gitcontracts.cli.render import check_text

    result = check_span(api.require(api.open_workspace(agent=agent), contracts=False), span, None, False)
    print(printable(check_text(result)))
    return result.exit_code


def check_span(ws: Workspace, span: str, ref: str | None, quiet: bool) -> CheckResult:
    """`check --range A..B` (both entry points), its progress on a terminal unless `quiet`."""
    from gitcontracts import api
    from gitcontracts.cli.progress import progress

    with progress("checking commits", quiet) as shown:
        return api.check_range(ws.root, span, ref, ws.main_branch, progress=shown)


def check_pushed(ws: Workspace, main: str | None) -> CheckResult:
    """`check --receive`: the push on standard input, judged at the time it is received (both entry points)."""
    import os
    import sys

    from gitcontracts import api

    return api.check_receive(ws.root, api.parse_updates(sys.stdin.read()), main or ws.main_branch, ws.now(),
                             api.push_options(os.environ))


def _land(main: str, pushed: list) -> int:
    from gitcontracts import api

    print("\n".join(api.land(api.open_workspace(), main, pushed)["lines"]))
    return 0


def _options(rest: Sequence[str], values: Sequence[str], flags: Sequence[str]) -> dict[str, str] | None:
    """`values` (each with its value) and `flags` in any order, each at most once; None for anything else
    (click's, with its own message)."""
    found: dict[str, str] = {}
    position = 0
    while position < len(rest):
        arg = rest[position]
        if arg in found or not (arg in values or arg in flags):
            return None
        if arg in values:
            if position + 1 >= len(rest):
                return None
            found[arg], position = rest[position + 1], position + 2
        else:
            found[arg], position = "", position + 1
    return found


def _post(stream: str, post: dict[str, str], agent: str | None) -> int:
    from gitcontracts import api

    post_and_print(api.open_workspace(agent=agent), stream, post["--label"], post.get("--data", "{}"),
                   "--offline" in post, "--json" in post)
    return 0


def read_data(text: str) -> object:
    """--data: JSON, `@FILE` (a file holding JSON) or `-` (standard input), read at most one byte past
    the limit of an entry, so a 10 MB payload needs no argv and a 50 GB one costs 1 MiB."""
    import sys

    from gitcontracts.errors import InvalidContent, UsageError
    from gitcontracts.formats.jsonl import parse_json

    limit = 1_048_577
    if text == "-":
        raw = sys.stdin.buffer.read(limit)
    elif text.startswith("@"):
        try:
            with open(text[1:], "rb") as handle:
                raw = handle.read(limit)
        except OSError as exc:
            raise UsageError(f"cannot read {text[1:]}: {exc.strerror}", hint="--data @FILE names a file of JSON") from None
    else:
        raw = text.encode("utf-8", "surrogatepass")
    try:
        return parse_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidContent(f"--data is not valid JSON: {exc}",
                             hint='write e.g. --data \'{"message": "hi"}\', --data @file.json or --data -') from None


def post_and_print(ws: object, stream: str, label: str, data_text: str, offline: bool, as_json: bool) -> None:
    from gitcontracts import api

    entry = api.post_entry(ws, stream, label, read_data(data_text), offline=offline)  # type: ignore[arg-type]
    print(json.dumps(entry, ensure_ascii=False) if as_json else printable(f"posted {entry['id']} to {stream} ({label})"))


def _guarded(run: Callable[[], int], as_json: bool) -> int:
    try:
        return run()
    except GitContractsError as exc:
        return fail(as_json, exc.code, exc.message, exc.hint, exc.exit_code, exc.details)
    except Exception as exc:  # a message, never a traceback
        return unexpected(exc, as_json, False)


def latest(stream: str, options: dict[str, str], agent: str | None) -> int:
    import sys

    from gitcontracts import api
    from gitcontracts.cli.render import entry_line

    ws, label, as_json = api.open_workspace(agent=agent), options.get("--label"), "--json" in options
    # within fetch_ttl of the last fetch: a stat, no git process
    note = api.refresh(ws, offline="--offline" in options, compare=False).note
    if note:
        print(printable(note), file=sys.stderr)
    entry, warnings = api.latest_entry(ws, stream, label)
    for warning in warnings:
        print(printable(warning), file=sys.stderr)
    print(json.dumps(entry, ensure_ascii=False) if as_json else printable(entry_line(entry)))
    return 0


def check_staged_quiet(files: Sequence[str] = (), agent: str | None = None) -> int:
    from gitcontracts import api
    from gitcontracts.cli.render import check_text

    result = api.check_staged(api.open_workspace(agent=agent), files)
    print(printable(check_text(result)))
    return result.exit_code
