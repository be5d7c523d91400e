"""The public library: what the CLI and other programs call.

    from gitcontracts import api
    ws = api.open_workspace("/path/to/repo", agent="research-bot")
    api.post_entry(ws, "website-redesign-execution", "progress", {"subtask_id": "research"})
"""
from __future__ import annotations

from gitcontracts.errors import Conflict, Forbidden, GitContractsError, InvalidContent, NotFound, UsageError
from gitcontracts.model import Problem, SchemaDoc, Stash, StreamMeta
from gitcontracts.ops.discover import discover
from gitcontracts.ops.fsck import fsck
from gitcontracts.ops.journal import recover as recover_interrupted
from gitcontracts.ops.schemas import list_schemas, search_schemas, show_schema
from gitcontracts.ops.stashes import get_stash, get_stash_text
from gitcontracts.ops.streams import latest_entry, read_stream
from gitcontracts.protocol.announce import announce as new_contract
from gitcontracts.protocol.documents import add_schema, create_stream, post_entry, put_stash
from gitcontracts.protocol.edits import patch as patch_stash
from gitcontracts.protocol.setup import init_workspace
from gitcontracts.ops.validate import validate_all, validate_paths
from gitcontracts.workspace import Workspace, open_workspace

__all__ = [
    "Conflict", "Forbidden", "GitContractsError", "InvalidContent", "NotFound", "UsageError",
    "Problem", "SchemaDoc", "Stash", "StreamMeta", "Workspace", "open_workspace",
    "init_workspace", "list_schemas", "search_schemas", "show_schema", "add_schema",
    "get_stash", "get_stash_text", "put_stash", "patch_stash", "new_contract",
    "create_stream", "post_entry", "read_stream", "latest_entry", "discover",
    "validate_all", "validate_paths", "fsck", "recover_interrupted",
]
