"""Progress of a long command (validate, check --range, gc, board --out) or of a long step of any command (the
first read of thousands of contracts in a clone) on a terminal: one line on standard error, redrawn at most
five times a second, cleared when it ends. Nothing when standard error is not a terminal
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


class StepsProgress:
    """A workspace's `progress` on a terminal: a step the library reports as (label, done, total) is shown when it
    is long (`at_least` items: parsing 500 contracts takes a tenth of a second, 10,000 two seconds), and its line
    is cleared as the step ends, before the command prints its answer."""

    def __init__(self, at_least: int = 500, clock: Callable[[], float] = time.monotonic) -> None:
        self.at_least, self.clock = at_least, clock
        self.shown: TerminalProgress | None = None

    def __call__(self, label: str, done: int, total: int) -> None:
        if total < self.at_least:
            return
        if self.shown is None or self.shown.label != label:
            self.close()
            self.shown = TerminalProgress(label, self.clock)
        if done >= total:
            self.close()
            return
        self.shown(done, total)

    def close(self) -> None:
        if self.shown is not None:
            self.shown.close()
            self.shown = None


def on_terminal(as_json: bool) -> StepsProgress | None:
    """The reporter a command's workspace gets: one when standard error is a terminal and the output is not JSON."""
    return None if as_json or not sys.stderr.isatty() else StepsProgress()


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
