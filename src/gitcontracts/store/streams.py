"""Streams on disk (SPEC 5): `.contracts/streams/<name>/meta.yaml` and one `<agent>.jsonl` shard per writer."""
from __future__ import annotations

import heapq
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NamedTuple

from gitcontracts.errors import Conflict, InvalidContent, NotFound
from gitcontracts.formats import jsonl
from gitcontracts.store.files import atomic_write, is_temp, locked_append, read_bytes, reverse_lines
from gitcontracts.store.layout import Layout

if TYPE_CHECKING:
    from gitcontracts.formats import yamlsafe
    from gitcontracts.model import StreamMeta
    from gitcontracts.store.shardorder import OrderProofs


MERGE_LOOKBACK = 256  # lines a merge may have appended after a shard's newest entry (a diverged branch's own)


class Warning_(NamedTuple):
    file: str
    message: str

    def __str__(self) -> str:
        return f"warning: {self.file}: {self.message}"


class StreamStore:
    def __init__(self, layout: Layout, limits: Callable[[], "yamlsafe.Limits"],
                 max_line: Callable[[], int] = lambda: 262_144) -> None:
        self.layout, self._limits, self._max_line = layout, limits, max_line

    @property
    def limits(self) -> "yamlsafe.Limits":
        return self._limits()

    def exists(self, name: str) -> bool:
        return self.layout.meta(name).is_file()

    def meta(self, name: str) -> StreamMeta:
        from gitcontracts.formats import yamlsafe
        from gitcontracts.model import StreamMeta

        path = self.layout.inside(self.layout.meta(name))
        if not path.is_file():
            raise NotFound(f"no stream named {name!r}", hint=f"create it with `gitcontracts stream create {name}`")
        doc = yamlsafe.load(read_bytes(path, self.limits.max_bytes), self.layout.relative(path))
        if not isinstance(doc, dict):
            raise InvalidContent(f"{self.layout.relative(path)}: meta.yaml must be a mapping")
        return StreamMeta.from_dict(doc)

    def create(self, meta: StreamMeta) -> Path:
        from gitcontracts.formats import yamlsafe

        path = self.layout.meta(meta.stream)
        if path.exists():
            raise Conflict(f"stream {meta.stream!r} already exists", hint="post to it, or pick another name")
        atomic_write(path, yamlsafe.dump(meta.to_dict()).encode("utf-8"))
        return path

    def names(self) -> Iterator[str]:
        folder = self.layout.streams
        if folder.is_dir():
            for path in sorted(folder.glob("*/*") if self.layout.fanout else folder.iterdir(), key=lambda p: p.name):
                if (path / "meta.yaml").is_file():
                    yield path.name

    def shards(self, name: str) -> list[Path]:
        folder = self.layout.inside(self.layout.stream(name))
        return sorted(p for p in folder.glob("*.jsonl") if not is_temp(p)) if folder.is_dir() else []

    def append(self, name: str, agent: str, build: Callable[[dict[str, Any] | None], bytes]) -> Path:
        """Append one line to the agent's shard, in one write under the shard's lock.

        `build` gets the shard's last entry (or None) and returns the line, so a writer can keep
        the shard in time order even when clocks step back."""
        path = self.layout.shard(name, agent)
        if path.is_symlink():
            self.layout.inside(path)
        with locked_append(path) as write:
            last = None
            for raw, complete in reverse_lines(path):
                if not complete:
                    raise InvalidContent(f"{self.layout.relative(path)} ends in a torn line (a crash mid-write)",
                                         hint="run `gitcontracts fsck --repair` to cut it off, then post again")
                last, _ = jsonl.decode_line(raw)
                break
            write(build(last))
        return path

    def entries(self, name: str, warnings: list[Warning_], proofs: OrderProofs | None = None) -> Iterator[dict[str, Any]]:
        """Every entry of the stream in stream order (ts, then id), merging the shards. With `proofs`, a big
        shard known to be in order is read as the merge asks for its lines, so a reader that stops early
        (`--limit`) reads little of it; any other shard is read whole and sorted."""
        merged: list[Iterable[dict[str, Any]]] = []
        for path in self.shards(name):
            if proofs is not None and proofs.ordered(self.layout.inside(path), self.layout.relative(path)):
                merged.append(self._lazy_entries(path, warnings))
            else:
                merged.append(sorted(self._shard_entries(path, warnings), key=jsonl.sort_key))
        if proofs is not None:
            proofs.save()
        return heapq.merge(*merged, key=jsonl.sort_key)

    def _shard_entries(self, path: Path, warnings: list[Warning_]) -> list[dict[str, Any]]:
        data = self.layout.inside(path).read_bytes()
        complete, torn = jsonl.split(data)
        source = self.layout.relative(path)
        if torn:
            warnings.append(Warning_(source, "skipped a torn last line (run `gitcontracts fsck --repair`)"))
        max_line = self._max_line()
        read = (self._entry(raw, number, source, max_line, warnings) for number, raw in enumerate(complete, 1))
        return [entry for entry in read if entry is not None]

    def _lazy_entries(self, path: Path, warnings: list[Warning_]) -> Iterator[dict[str, Any]]:
        from gitcontracts.store.shardorder import lines_from

        source, max_line = self.layout.relative(path), self._max_line()
        for number, (_, raw, complete) in enumerate(lines_from(path), 1):
            if not complete:
                warnings.append(Warning_(source, "skipped a torn last line (run `gitcontracts fsck --repair`)"))
                return
            entry = self._entry(raw, number, source, max_line, warnings)
            if entry is not None:
                yield entry

    @staticmethod
    def _entry(raw: bytes, number: int, source: str, max_line: int, warnings: list[Warning_]) -> dict[str, Any] | None:
        if len(raw) >= max_line:
            warnings.append(Warning_(source, f"line {number} is over {max_line} bytes (limits.max_line_bytes); skipped"))
            return None
        value, error = jsonl.read_entry(raw)
        if value is None:
            warnings.append(Warning_(source, f"line {number} is not an entry ({error}); skipped"))
        return value

    def latest(self, name: str, label: str | None, warnings: list[Warning_]) -> dict[str, Any] | None:
        """The newest entry (with that label), reading each shard from its end only.

        A shard is in time order except where the merge driver appended another branch's entries after its own
        (SPEC 5): so past the last match, the scan goes on through MERGE_LOOKBACK more lines for a newer one."""
        best, max_line = None, self._max_line()
        for path in self.shards(name):
            found, after = None, 0
            for raw, complete in reverse_lines(self.layout.inside(path)):
                if found is not None:
                    after += 1
                    if after > MERGE_LOOKBACK:
                        break
                if not complete:
                    warnings.append(Warning_(self.layout.relative(path), "skipped a torn last line"))
                    continue
                if len(raw) >= max_line:
                    warnings.append(Warning_(self.layout.relative(path), f"skipped a line over {max_line} bytes"))
                    continue
                entry, error = jsonl.read_entry(raw)
                if entry is None or (label is not None and entry.get("label") != label):
                    continue
                if found is None or jsonl.sort_key(entry) > jsonl.sort_key(found):
                    found = entry
            if found is not None and (best is None or jsonl.sort_key(found) > jsonl.sort_key(best)):
                best = found
        return best

    def newest_ts(self, name: str) -> str | None:
        newest = self.latest(name, None, [])
        return newest.get("ts") if newest else None
