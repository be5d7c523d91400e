"""`gitcontracts watch` (SPEC 9): the long-running loop. The only module that imports watchdog.

A pass (protocol.observe.run_pass) runs at start, whenever the working tree's .contracts/ or the local
branch refs change (inotify through watchdog, not polling), and every --interval seconds (which fetches
the remote). Events are printed one per line; `config.yaml: on:` commands run in the background with a
time limit; SIGINT and SIGTERM stop the loop between passes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from typing import Any, Callable

from gitcontracts import gitlayer
from gitcontracts.protocol.observe import Memo, event as make_event, run_pass
from gitcontracts.workspace import Workspace

HOOK_TIMEOUT = 30.0
_IGNORED = ("/refs/gitcontracts/", "/refs/remotes/", "FETCH_HEAD", ".lock", "/objects/", "/logs/", "ORIG_HEAD",
            "gitcontracts-index-", "/index")

Emit = Callable[[dict[str, Any]], None]


def watch(ws: Workspace, emit: Emit, interval: float = 10.0, once: bool = False, offline: bool = False,
          stop: threading.Event | None = None, on: dict[str, str] | None = None) -> int:
    """Events from git, as they happen; `on` (event type -> shell command) adds to the watching machine's
    own `git config gitcontracts.on.<event>` commands — never the repository's files (SPEC 10)."""
    stop = stop or threading.Event()
    commands = {**gitlayer.config_section(ws.root, "gitcontracts.on."), **(on or {})}
    hooks: list[threading.Thread] = []
    memo = Memo()
    wake = threading.Event()
    observer = None if once else observe(ws, wake)  # watching starts first: nothing during the first pass is missed
    try:
        _pass(ws, emit, offline, hooks, memo, commands, first=True)  # an unreachable remote at start is an error, not a warning
        if observer is not None:
            _loop(ws, emit, interval, offline, stop, hooks, memo, wake, observer, commands)
    finally:
        for thread in hooks:  # let running `on:` commands finish (each is bounded by HOOK_TIMEOUT)
            thread.join(timeout=HOOK_TIMEOUT)
    return 0


def _loop(ws: Workspace, emit: Emit, interval: float, offline: bool, stop: threading.Event,
          hooks: list[threading.Thread], memo: Memo, wake: threading.Event, observer: Any,
          commands: dict[str, str]) -> None:
    _on_signals(stop, wake)
    next_timer = time.monotonic() + interval
    try:
        while not stop.is_set():
            wake.wait(timeout=max(0.0, next_timer - time.monotonic()))
            if stop.is_set():
                break
            if wake.is_set():
                time.sleep(0.05)  # let a burst of file events settle into one pass
                wake.clear()
            if time.monotonic() >= next_timer:
                next_timer = time.monotonic() + interval
            _pass(ws, emit, offline, hooks, memo, commands)
            hooks[:] = [t for t in hooks if t.is_alive()]
    finally:
        observer.stop()
        observer.join(timeout=1)


def _pass(ws: Workspace, emit: Emit, offline: bool, hooks: list[threading.Thread], memo: Memo,
          commands: dict[str, str], first: bool = False) -> None:
    def publish(event: dict[str, Any]) -> None:
        emit(event)
        command = commands.get(event["type"])
        if command:
            thread = threading.Thread(target=_run_hook, args=(ws, command, event, emit), daemon=True)
            thread.start()
            hooks.append(thread)

    try:
        run_pass(ws, offline, memo=memo, publish=publish)
    except gitlayer.GitError as exc:
        if first:
            raise
        emit(make_event("warning", None, message=exc.message))


def _run_hook(ws: Workspace, command: str, event: dict[str, Any], emit: Emit) -> None:
    """A machine's command for an event, with the event in $GITCONTRACTS_EVENT; a failure is reported, never fatal."""
    env = {**os.environ, "GITCONTRACTS_EVENT": json.dumps(event, ensure_ascii=False)}
    try:
        result = subprocess.run(command, shell=True, cwd=ws.root, env=env, capture_output=True, text=True,
                                timeout=HOOK_TIMEOUT)
    except subprocess.TimeoutExpired:
        emit(make_event("hook-failed", None, event=event["type"], message=f"timed out after {HOOK_TIMEOUT:.0f} s"))
        return
    if result.returncode != 0:
        emit(make_event("hook-failed", None, event=event["type"], command=command,
                        message=(result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]))


def observe(ws: Workspace, wake: threading.Event, remote_refs: bool = False) -> Any:
    """Set `wake` on every write to the working tree's .contracts/ and the clone's branch refs (and, with
    `remote_refs`, the remote-tracking ones a fetch moves: the board, which never fetches when woken); a started
    watchdog observer, to `stop()`."""
    from watchdog import events as fs
    from watchdog.observers import Observer

    # Writes only: git reads refs all the time (every pass does), and a watcher woken by reads wakes itself.
    writes = [fs.FileCreatedEvent, fs.FileModifiedEvent, fs.FileDeletedEvent, fs.FileMovedEvent, fs.FileClosedEvent,
              fs.DirCreatedEvent, fs.DirDeletedEvent, fs.DirMovedEvent]
    ignored = tuple(part for part in _IGNORED if not (remote_refs and part == "/refs/remotes/"))

    class Wake(fs.FileSystemEventHandler):  # type: ignore[misc]
        def on_any_event(self, event: Any) -> None:
            path = str(getattr(event, "dest_path", "") or event.src_path)
            if not any(part in path for part in ignored):
                wake.set()

    observer = Observer()
    git_dir = gitlayer.git_dir(ws.root)
    folders = [(ws.layout.contracts, True), (git_dir / "refs" / "heads", True), (git_dir, False)]
    if remote_refs:
        folders.append((git_dir / "refs" / "remotes", True))
    for folder, recursive in folders:
        if folder.is_dir():
            observer.schedule(Wake(), str(folder), recursive=recursive, event_filter=writes)
    observer.start()
    return observer


def _on_signals(stop: threading.Event, wake: threading.Event) -> None:
    def handler(signum: int, frame: Any) -> None:
        stop.set()
        wake.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
