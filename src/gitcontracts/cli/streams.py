"""Commands for streams and discovery."""
from __future__ import annotations


import click

from gitcontracts import api
from gitcontracts.cli.app import emit, example, options, read_workspace, reading, shared, warn
from gitcontracts.cli.render import discover_text, entry_line


@click.group(epilog=example("gitcontracts stream read website-redesign-execution --label progress"))
def stream() -> None:
    """Create, post to and read append-only streams."""


@stream.command("create", epilog=example("gitcontracts stream create build-log --ttl 604800 --discoverable "
                                          "--description 'CI build results'"))
@click.argument("name")
@click.option("--linked-stash", help="The stash this stream belongs to.")
@click.option("--ttl", type=int, help="Idle lifetime in seconds.")
@click.option("--discoverable", is_flag=True, help="List it in `discover`.")
@click.option("--description", default="", help="Searched by `discover -q`.")
@click.option("--schema", "schema_ref", help="A stream schema every entry's data must satisfy.")
@shared(mutating=True)
def stream_create(name: str, linked_stash: str | None, ttl: int | None, discoverable: bool, description: str,
                  schema_ref: str | None) -> None:
    """Create a stream: its meta.yaml; each agent that posts to it writes its own shard, AGENT.jsonl."""
    meta = api.create_stream(options().workspace(), name, linked_stash, ttl, discoverable, description, schema_ref,
                             offline=options().offline)
    emit(meta, f"created stream {name}")


@stream.command("post")
@click.argument("name")
@click.option("--label", required=True, help="The entry's label (progress, question, ... or your own).")
@click.option("--data", "data_text", default="{}", help="The entry's data: JSON, @FILE (a file of JSON) or - (stdin).")
@shared(mutating=True)
def stream_post(name: str, label: str, data_text: str) -> None:
    """Append an entry to your shard of a stream.

    \b
    Example: gitcontracts stream post site-execution --label progress --data '{"message": "half done"}'
    """
    from gitcontracts.cli.fast import post_and_print

    post_and_print(options().workspace(), name, label, data_text, options().offline, options().as_json)


@stream.command("read", epilog=example("gitcontracts stream read website-redesign-discussion --since 01JD3X8R4Q2M6W7Z9K0B1C2D3E "
                                        "--limit 20"))
@click.argument("name")
@click.option("--label", help="Only entries with this label.")
@click.option("--since", help="Only entries after this entry id.")
@click.option("--limit", type=click.IntRange(min=0), help="At most this many entries (the first ones).")
@reading()
def stream_read(name: str, label: str | None, since: str | None, limit: int | None) -> None:
    """A stream's entries, all shards merged in time order."""
    ws, fresh = read_workspace()
    result = api.read_stream(ws, name, label, since, limit)
    warn(result.warnings)
    emit(fresh.mark(result.to_dict()), lambda: "\n".join(entry_line(e) for e in result.entries) or "no entries")


@stream.command("latest", epilog=example("gitcontracts stream latest website-redesign-execution --label progress"))
@click.argument("name")
@click.option("--label", help="The latest entry with this label.")
@reading()
def stream_latest(name: str, label: str | None) -> None:
    """A stream's latest entry; exit 5 when it has none (with --label: none with that label)."""
    ws, _ = read_workspace(compare=False)  # the polling call: within fetch_ttl, no git process (cli/fast.py too)
    entry, warnings = api.latest_entry(ws, name, label)
    warn(warnings)
    emit(entry, lambda: entry_line(entry))


@click.command(epilog=example("gitcontracts discover -q landing --schema agent-contract"))
@click.option("--schema", "schema_ref", help="Only resources of this schema (NAME or NAME@N).")
@click.option("-q", "--query", help="Words to find in name, description, labels and objective.")
@click.option("--linked-to", help="Only streams linked to this stash.")
@click.option("--include-expired", is_flag=True, help="Also list expired contracts and streams.")
@reading()
def discover(schema_ref: str | None, query: str | None, linked_to: str | None, include_expired: bool) -> None:
    """List discoverable, unexpired stashes and streams (of the shared main, with a remote)."""
    ws, fresh = read_workspace()
    results = api.discover(ws, schema_ref, query, linked_to, include_expired)
    emit(fresh.mark({"results": results}), lambda: discover_text(results))


COMMANDS = {"stream": stream, "discover": discover}
