"""The hottest calls, answered without loading click: `check --staged [FILE...]` (the pre-commit hook, on every
commit that touches .contracts/), `stream latest NAME [--label L] [--json]` (agents polling a stream) and
`stream post NAME --label L [--data D] [--json] [--offline]` (agents reporting), and `land --main M --pushed R=C...`
(the post-receive hook of a shared remote, after each queued action). Click's import is a fifth
to a third of their time. Any other form goes through click as usual."""
from __future__ import annotations

import json
from typing import Callable, Sequence

from gitcontracts.cli.failure import fail, printable, unexpected
from gitcontracts.errors import GitContractsError


def fast_path(args: Sequence[str]) -> int | None:
    """The exit code of a fast call, or None when `args` is not one of them."""
    if list(args[:2]) == ["check", "--staged"] and not any(a.startswith("-") for a in args[2:]):
        return _guarded(lambda: check_staged_quiet(args[2:]), False)  # FILE... from the pre-commit framework
    if len(args) >= 3 and args[:2] == ["stream", "latest"] and not args[2].startswith("-"):
        rest, as_json, label = list(args[3:]), "--json" in args, None
        rest = [a for a in rest if a != "--json"]
        if rest[:1] == ["--label"] and len(rest) == 2:
            label, rest = rest[1], []
        if not rest:
            return _guarded(lambda: latest(args[2], label, as_json), as_json)
    if len(args) >= 3 and args[:2] == ["stream", "post"] and not args[2].startswith("-"):
        post = _post_options(args[3:])
        if post is not None:
            return _guarded(lambda: _post(args[2], post), "--json" in post)
    if args[:1] == ["land"] and len(args) % 2 == 1 and all(a in ("--main", "--pushed") for a in args[1::2]) \
            and args[1:2] == ["--main"]:
        pairs = [tuple(value.partition("=")[::2]) for value in args[4::2]]
        return _guarded(lambda: _land(args[2], pairs), False)  # the post-receive hook: `land --main M --pushed R=C...`
    return None


def _land(main: str, pushed: list) -> int:
    from gitcontracts import api

    print("\n".join(api.land(api.open_workspace(), main, pushed)["lines"]))
    return 0


_POST_VALUES = ("--label", "--data")
_POST_FLAGS = ("--json", "--offline")


def _post_options(rest: Sequence[str]) -> dict[str, str] | None:
    """--label L, --data D, --json, --offline in any order, each once; anything else is click's."""
    found: dict[str, str] = {}
    position = 0
    while position < len(rest):
        arg = rest[position]
        if arg in found or not (arg in _POST_VALUES or arg in _POST_FLAGS):
            return None
        if arg in _POST_VALUES:
            if position + 1 >= len(rest):
                return None
            found[arg], position = rest[position + 1], position + 2
        else:
            found[arg], position = "", position + 1
    return found if "--label" in found else None


def _post(stream: str, post: dict[str, str]) -> int:
    from gitcontracts import api

    post_and_print(api.open_workspace(), stream, post["--label"], post.get("--data", "{}"), "--offline" in post,
                   "--json" in post)
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


def latest(stream: str, label: str | None, as_json: bool) -> int:
    import sys

    from gitcontracts import api
    from gitcontracts.cli.render import entry_line

    ws = api.open_workspace()
    note = api.refresh(ws, compare=False).note  # within fetch_ttl of the last fetch: a stat, no git process
    if note:
        print(printable(note), file=sys.stderr)
    entry, warnings = api.latest_entry(ws, stream, label)
    for warning in warnings:
        print(printable(warning), file=sys.stderr)
    print(json.dumps(entry, ensure_ascii=False) if as_json else printable(entry_line(entry)))
    return 0


def check_staged_quiet(files: Sequence[str] = ()) -> int:
    from gitcontracts import api
    from gitcontracts.cli.render import check_text

    result = api.check_staged(api.open_workspace(), files)
    print(printable(check_text(result)))
    return result.exit_code
