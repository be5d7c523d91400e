"""The schema registry: built-in schemas shipped in the package and `.contracts/schemas/NAME@N.yaml`.

File names carry name and version, so resolving a reference lists a folder and reads one file.
The repository's files come from a source: the working tree, the index, or a commit (so the
pre-receive hook of a bare repository resolves schemas as they are in the pushed commits)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, NamedTuple

from gitcontracts.errors import InvalidContent, NotFound
from gitcontracts.formats import yamlsafe
from gitcontracts.model import SchemaDoc
from gitcontracts.names import split_versioned
from gitcontracts.rules.documents import schema_doc_problems
from gitcontracts.rules.schema_check import CompiledSchema, check_metaschema, compile_schema
from gitcontracts.store.files import read_bytes
from gitcontracts.store.layout import Layout

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin_schemas"
SCHEMAS_DIR = ".contracts/schemas"


class FileSource(NamedTuple):
    """Where the repository's schema files are read from."""
    names: Callable[[], list[str]]             # file names in .contracts/schemas
    read: Callable[[str], bytes | None]         # a path relative to the root -> its bytes


def disk_source(layout: Layout) -> FileSource:
    def names() -> list[str]:
        return sorted(p.name for p in layout.schemas.glob("*@*.yaml")) if layout.schemas.is_dir() else []

    def read(rel: str) -> bytes | None:
        path = layout.root / rel
        return read_bytes(layout.inside(path), 1_048_576) if path.is_file() else None

    return FileSource(names, read)


def parse_schema_doc(data: bytes, source: str, stem: str | None) -> SchemaDoc:
    doc = yamlsafe.load(data, source)
    problems = schema_doc_problems(doc, source, stem)
    if problems:
        raise InvalidContent(f"{problems[0]}", hint="fix the schema file", details=[p.to_dict() for p in problems])
    return SchemaDoc(name=doc["name"], version=doc["version"], definition=doc["definition"],
                     description=doc.get("description") or "", visibility=doc.get("visibility", "public"),
                     target_type=doc.get("target_type", "stash"), source=source)


class SchemaRegistry:
    """Resolves NAME / NAME@N; caches parsed and compiled schemas for the life of one workspace or check."""

    def __init__(self, source: FileSource) -> None:
        self.source = source
        self._index: dict[str, dict[int, str]] | None = None
        self._docs: dict[str, SchemaDoc] = {}
        self._compiled: dict[str, CompiledSchema] = {}
        self._by_ref: dict[str, SchemaDoc] = {}

    def index(self) -> dict[str, dict[int, str]]:
        """name -> version -> 'builtin:<file>' or the file's path relative to the root."""
        if self._index is None:
            index: dict[str, dict[int, str]] = {}
            entries = [(p.name, f"builtin:{p.name}") for p in sorted(BUILTIN_DIR.glob("*@*.yaml"))]
            entries += [(name, f"{SCHEMAS_DIR}/{name}") for name in self.source.names()]
            for file, where in entries:
                name, _, version = file[:-len(".yaml")].partition("@")
                if version.isdigit():
                    index.setdefault(name, {})[int(version)] = where
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
            where = versions[version]
            data: bytes | None
            if where.startswith("builtin:"):
                data, source = (BUILTIN_DIR / where[len("builtin:"):]).read_bytes(), "builtin"
            else:
                data, source = self.source.read(where), where
            if data is None:
                raise NotFound(f"schema file {where} is missing")
            self._docs[key] = parse_schema_doc(data, source, key)
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
