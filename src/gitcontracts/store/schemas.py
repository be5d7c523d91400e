"""The schema registry: built-in schemas shipped in the package and `.contracts/schemas/NAME@N.yaml`.

File names carry name and version, so resolving a reference lists a folder and reads one file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gitcontracts.errors import InvalidContent, NotFound
from gitcontracts.formats import yamlsafe
from gitcontracts.model import SchemaDoc
from gitcontracts.names import split_versioned
from gitcontracts.rules.documents import schema_doc_problems
from gitcontracts.rules.schema_check import CompiledSchema, check_metaschema, compile_schema
from gitcontracts.store.files import read_bytes
from gitcontracts.store.layout import Layout

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin_schemas"


def parse_schema_doc(data: bytes, source: str, stem: str | None) -> SchemaDoc:
    doc = yamlsafe.load(data, source)
    problems = schema_doc_problems(doc, source, stem)
    if problems:
        raise InvalidContent(f"{problems[0]}", hint="fix the schema file", details=[str(p) for p in problems])
    return SchemaDoc(name=doc["name"], version=doc["version"], definition=doc["definition"],
                     description=doc.get("description") or "", visibility=doc.get("visibility", "public"),
                     target_type=doc.get("target_type", "stash"), source=source)


class SchemaRegistry:
    """Resolves NAME / NAME@N; caches parsed and compiled schemas for the life of one workspace."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._index: dict[str, dict[int, Path]] | None = None
        self._docs: dict[str, SchemaDoc] = {}
        self._compiled: dict[str, CompiledSchema] = {}
        self._by_ref: dict[str, SchemaDoc] = {}

    def index(self) -> dict[str, dict[int, Path]]:
        if self._index is None:
            index: dict[str, dict[int, Path]] = {}
            for folder in (BUILTIN_DIR, self.layout.schemas):
                for path in sorted(folder.glob("*@*.yaml")) if folder.is_dir() else ():
                    name, _, version = path.stem.partition("@")
                    if version.isdigit():
                        index.setdefault(name, {})[int(version)] = path
            self._index = index
        return self._index

    def versions(self, name: str) -> list[int]:
        return sorted(self.index().get(name, {}))

    def resolve(self, ref: str) -> SchemaDoc:
        if ref not in self._by_ref:
            self._by_ref[ref] = self._resolve(ref)
        return self._by_ref[ref]

    def _resolve(self, ref: str) -> SchemaDoc:
        name, version = split_versioned(ref)
        versions = self.index().get(name)
        if not versions:
            raise NotFound(f"no schema named {name!r}", hint="see `gitcontracts schema list --all`, or add one with `schema add`")
        version = max(versions) if version is None else version
        if version not in versions:
            raise NotFound(f"schema {name} has no version {version} (has {sorted(versions)})")
        key = f"{name}@{version}"
        if key not in self._docs:
            path = versions[version]
            source = "builtin" if path.parent == BUILTIN_DIR else self.layout.relative(path)
            self._docs[key] = parse_schema_doc(read_bytes(path, 1_048_576), source, path.stem)
        return self._docs[key]

    def compiled(self, ref: str) -> CompiledSchema:
        if ref in self._compiled:
            return self._compiled[ref]
        doc = self.resolve(ref)
        if doc.ref not in self._compiled:
            if doc.source != "builtin":  # the built-in ones are checked by the test suite
                check_metaschema(doc.definition, doc.source)
            self._compiled[doc.ref] = compile_schema(doc.definition, self.definition, doc.source)
        self._compiled[ref] = self._compiled[doc.ref]
        return self._compiled[ref]

    def definition(self, ref: str) -> Any:
        """For $ref: a schema's definition by NAME or NAME@N; KeyError when there is none."""
        try:
            return self.resolve(ref).definition
        except (NotFound, InvalidContent):
            raise KeyError(ref) from None

    def all(self) -> list[SchemaDoc]:
        return [self.resolve(f"{name}@{version}") for name in sorted(self.index()) for version in self.versions(name)]
