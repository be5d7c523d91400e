"""`board --serve`: the board's pages from memory on 127.0.0.1, rebuilt when the repository changes.

The watcher's file events (watch.observe: the clone's refs and .contracts/) wake a refresher thread, which also
fetches every `interval` seconds unless offline; it rebuilds the pages and, when what they show changed, bumps
the version. A page long-polls /_board/version and reloads itself when the version moves. Read-only: GET and
HEAD only, no write over HTTP. Only requests naming this server by its loopback address are answered (a page
elsewhere cannot reach it through DNS rebinding)."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from gitcontracts.board.render import CSP
from gitcontracts.board.site import build
from gitcontracts.ops.freshness import refresh
from gitcontracts.watch import observe
from gitcontracts.workspace import Workspace

HOST = "127.0.0.1"
POLL_SECONDS = 25.0  # a long poll answers at the latest after this, unchanged


@dataclass
class Board:
    """What the server shows: the pages of one version, swapped whole under `changed`."""
    pages: dict[str, str]
    version: str
    changed: threading.Condition = field(default_factory=threading.Condition)

    def replace(self, pages: dict[str, str], version: str) -> None:
        with self.changed:
            self.pages, self.version = pages, version
            self.changed.notify_all()

    def wait_past(self, version: str, timeout: float) -> str:
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout=timeout)
            return self.version


def serve(ws: Workspace, port: int = 8765, offline: bool = False, interval: float = 30.0,
          ready: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> None:
    """Serve until `stop` is set (or the process is interrupted); `ready(url)` once listening."""
    stop = stop or threading.Event()
    _, pages, version = build(ws, offline, live=True)
    board = Board(pages, version)
    server = ThreadingHTTPServer((HOST, port), BaseHTTPRequestHandler)
    server.RequestHandlerClass = _handler(board, int(server.server_address[1]))  # the port bound, when 0 asked for any
    server.daemon_threads = True
    wake = threading.Event()
    observer = observe(ws, wake, remote_refs=True)
    refresher = threading.Thread(target=_refresh_loop, args=(ws, board, offline, interval, wake, stop), daemon=True)
    refresher.start()
    listener = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    listener.start()
    try:
        if ready:
            ready(f"http://{HOST}:{int(server.server_address[1])}/")
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        observer.stop()
        wake.set()


def _refresh_loop(ws: Workspace, board: Board, offline: bool, interval: float, wake: threading.Event,
                  stop: threading.Event) -> None:
    next_fetch = time.monotonic() + interval
    while not stop.is_set():
        wake.wait(timeout=max(0.0, next_fetch - time.monotonic()))
        wake.clear()
        if stop.is_set():
            return
        try:
            if time.monotonic() >= next_fetch:  # on time even when file events keep waking the loop
                next_fetch = time.monotonic() + interval
                if not offline:
                    refresh(ws, offline=False)  # the shared main and the claim branches, as the remote has them now
            _, pages, version = build(ws, offline, live=True)
        except Exception:  # noqa: BLE001 - a repository mid-change: keep serving what was built, try again later
            continue
        if version != board.version:
            board.replace(pages, version)


def _handler(board: Board, port: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "gitcontracts-board"

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self._answer(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            if not _own_host(self.headers.get("Host", ""), port):
                return self._send(421, "text/plain", b"misdirected request: open the board at its 127.0.0.1 address\n", body)
            url = urlsplit(self.path)
            if url.path == "/_board/version":
                after = (parse_qs(url.query).get("after") or [""])[0]
                version = board.wait_past(after, POLL_SECONDS) if after else board.version
                return self._send(200, "application/json", json.dumps({"version": version}).encode(), body)
            page = board.pages.get("index.html" if url.path in ("/", "") else url.path.lstrip("/"))
            if page is None:
                return self._send(404, "text/plain", b"no such page on the board\n", body)
            return self._send(200, "text/html; charset=utf-8", page.encode(), body)

        def _send(self, code: int, kind: str, data: bytes, body: bool) -> None:
            self.send_response(code)
            for name, value in (("Content-Type", kind), ("Content-Length", str(len(data))), ("Cache-Control", "no-store"),
                                ("Content-Security-Policy", CSP + "; frame-ancestors 'none'"),
                                ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")):
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: the terminal shows the URL only
            return

    def not_allowed(self: BaseHTTPRequestHandler) -> None:
        self.send_error(405, "the board is read-only")

    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        setattr(Handler, f"do_{method}", not_allowed)
    return Handler


def _own_host(host: str, port: int) -> bool:
    return host in (f"{HOST}:{port}", f"localhost:{port}")
