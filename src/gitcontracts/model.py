"""Plain values the layers pass around: frozen dataclasses, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: found by the rules, reported by the CLI. Data, not an exception."""
    file: str
    message: str
    rule: str = ""
    path: str = ""          # JSON path inside the document: content.subtasks[2].status
    line: int | None = None
    commit: str | None = None  # the commit that brought it, when a range is checked

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "path": self.path, "rule": self.rule, "message": self.message,
                "commit": self.commit}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.commit:
            where = f"{self.commit[:10]} {where}".rstrip()
        at = f" {self.path}:" if self.path else ""
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}:{at} {self.message}{rule}"


@dataclass(frozen=True)
class SchemaDoc:
    name: str
    version: int
    definition: Any
    description: str = ""
    visibility: str = "public"
    target_type: str = "stash"
    source: str = "builtin"   # 'builtin' or the file path

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "description": self.description,
                "visibility": self.visibility, "target_type": self.target_type, "source": self.source}

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "definition": self.definition}


@dataclass(frozen=True)
class Stash:
    """A stash envelope (SPEC 3). `raw` keeps the document as read, key order included."""
    name: str
    owner: str
    content: Any
    schema: str | None = None
    description: str = ""
    labels: tuple[str, ...] = ()
    discoverable: bool = False
    created: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        if self.raw:
            return dict(self.raw)
        out: dict[str, Any] = {"name": self.name}
        if self.schema:
            out["schema"] = self.schema
        out["owner"] = self.owner
        if self.description:
            out["description"] = self.description
        if self.labels:
            out["labels"] = list(self.labels)
        out["discoverable"] = self.discoverable
        out["created"] = self.created
        out["content"] = self.content
        return out

    @staticmethod
    def from_dict(doc: dict[str, Any]) -> "Stash":
        return Stash(name=doc.get("name", ""), owner=doc.get("owner", ""), content=doc.get("content"),
                     schema=doc.get("schema"), description=doc.get("description") or "",
                     labels=tuple(doc.get("labels") or ()), discoverable=bool(doc.get("discoverable", False)),
                     created=str(doc.get("created") or ""), raw=doc)


@dataclass(frozen=True)
class StreamMeta:
    stream: str
    owner: str
    created: str
    ttl: int | None = None
    discoverable: bool = False
    linked_stash: str | None = None
    description: str = ""
    schema: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"stream": self.stream, "owner": self.owner, "created": self.created, "ttl": self.ttl,
                "discoverable": self.discoverable, "linked_stash": self.linked_stash,
                "description": self.description, "schema": self.schema}

    @staticmethod
    def from_dict(doc: dict[str, Any]) -> "StreamMeta":
        return StreamMeta(stream=doc.get("stream", ""), owner=doc.get("owner", ""), created=str(doc.get("created", "")),
                          ttl=doc.get("ttl"), discoverable=bool(doc.get("discoverable", False)),
                          linked_stash=doc.get("linked_stash"), description=doc.get("description") or "",
                          schema=doc.get("schema"))
