"""Stash files: `.contracts/stashes/<name>.yaml`, read strictly, written atomically."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

from gitcontracts.errors import NotFound
from gitcontracts.formats import yamlsafe
from gitcontracts.store.files import atomic_write, is_temp, read_bytes
from gitcontracts.store.layout import Layout


class StashStore:
    def __init__(self, layout: Layout, limits: Callable[[], "yamlsafe.Limits"]) -> None:
        self.layout, self._limits = layout, limits

    @property
    def limits(self) -> "yamlsafe.Limits":
        return self._limits()

    def path(self, name: str) -> Path:
        return self.layout.stash(name)

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def read_text(self, name: str) -> tuple[str, str]:
        """(decoded text, relative path), or NotFound."""
        path = self.path(name)
        if not path.is_file():
            raise NotFound(f"no stash named {name!r}", hint="see `gitcontracts discover` or `gitcontracts status`")
        source = self.layout.relative(path)
        data = read_bytes(self.layout.inside(path), self.limits.max_bytes)
        return yamlsafe.decode(data, source, self.limits), source

    def read(self, name: str) -> tuple[dict[str, Any], str, str]:
        """(document, text, relative path)."""
        text, source = self.read_text(name)
        return yamlsafe.load(text, source, self.limits), text, source

    def write_text(self, name: str, text: str) -> Path:
        path = self.path(name)
        if path.is_symlink():
            self.layout.inside(path)
        atomic_write(path, text.encode("utf-8"))
        return path

    def names(self) -> Iterator[str]:
        folder = self.layout.stashes
        if folder.is_dir():
            for path in sorted(folder.glob("*/*.yaml" if self.layout.fanout else "*.yaml"), key=lambda p: p.name):
                if not is_temp(path):
                    yield path.stem
