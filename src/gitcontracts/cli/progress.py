"""Progress of a long command (validate, check --range, gc) on a terminal: one line on standard error, redrawn
at most five times a second, cleared when the command ends. Nothing when standard error is not a terminal
(a hook, CI, an agent reading the output) or the output is JSON."""
from __future__ import annotations

import sys
import time
from typing import Callable, Iterator
from contextlib import contextmanager

_EVERY = 0.2  # seconds between redraws


class TerminalProgress:
    def __init__(self, label: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.clock = label, clock
        self.drawn_at: float | None = None
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.drawn_at is not None and now - self.drawn_at < _EVERY and done < total:
            return
        self.drawn_at = now
        text = f"{self.label}: {done:,}/{total:,}" + (f" ({done * 100 // total}%)" if total else "")
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


@contextmanager
def progress(label: str, as_json: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A reporter for the library's `progress` callbacks, or None when none should be shown."""
    if as_json or not sys.stderr.isatty():
        yield None
        return
    shown = TerminalProgress(label)
    try:
        yield shown
    finally:
        shown.close()
