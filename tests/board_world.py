"""The board's test world, built once per module: a guarded shared remote, an owner with two contracts — one
in progress (an open subtask with a pending claim, one offered down a fallback chain, one claimed with
progress, one completed with a deliverable), one written by a hostile agent with a script in every field — and
the agents' clones. Hostile text goes into contract fields, stream entries, a claim branch's message and a
stash's contents."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Shared, make_hermetic
from helpers import Result, run_cli

# Each payload, if it ever ran, would mark the page: the browser tests look for the marks in the DOM.
XSS = (
    '<script>document.body.setAttribute("data-xss","script")</script>',
    '"><img src=x onerror="document.body.setAttribute(\'data-xss\',\'img\')">',
    "'><svg onload=\"document.body.setAttribute('data-xss','svg')\">",
    '</title></textarea></pre><script>document.title="pwned"</script>',
    "javascript:document.body.setAttribute('data-xss','href')",
    '<a href="javascript:alert(1)">click</a><iframe src="javascript:alert(2)"></iframe>',
    '{{constructor.constructor("alert(3)")()}} ${alert(4)} <!-- --> ]]> <style>body{display:none}</style>',
)
HOSTILE = " ".join(XSS)


class Page(HTMLParser):
    """The elements, attributes and text of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.title = ""
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)
        if self.tags and self.tags[-1][0] == "title":
            self.title += data

    def having(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    @property
    def words(self) -> str:
        return "".join(self.text)


def build_world(root: Path) -> Shared:
    with pytest.MonkeyPatch.context() as patch:
        home = root / "home"
        home.mkdir()
        make_hermetic(patch, home)
        shared = Shared(root)
        _site(shared)
        _hostile(shared)
    return shared


def ok(result: Result) -> None:
    assert result.code == 0, result.err


def _site(shared: Shared) -> None:
    ok(shared("orchestrator", "new", "site-redesign", "--objective", "Redesign the landing page",
              "--subtask", "research:Research competitor pages", "--subtask", "copy:Write the new copy",
              "--subtask", "build:Build the page", "--subtask", "review:Review the result",
              "--budget", "50", "--deadline", "30d", "--label", "web"))
    ok(shared("research-bot", "claim", "site-redesign", "research", "-m", "I have done three of these"))
    ok(shared("orchestrator", "award", "site-redesign", "research", "research-bot"))
    ok(shared("research-bot", "progress", "site-redesign", "research", "-m", "read five competitor pages"))
    ok(shared("research-bot", "stash", "put", "research-notes", "-", input=json.dumps({"findings": ["short pages win"]})))
    ok(shared("research-bot", "deliver", "site-redesign", "research", "--stash", "research-notes", "--summary", "notes"))
    ok(shared("orchestrator", "complete", "site-redesign", "research"))
    ok(shared("writer-bot", "claim", "site-redesign", "copy", "-m", "copy is my trade"))
    ok(shared("orchestrator", "award", "site-redesign", "copy", "writer-bot"))
    ok(shared("writer-bot", "progress", "site-redesign", "copy", "-m", "first draft of the hero text"))
    ok(shared("orchestrator", "offer", "site-redesign", "review", "--to", "review-bot", "--fallback", "qa-bot",
              "--expires", "2h"))
    ok(shared("build-bot", "claim", "site-redesign", "build", "-m", "pending: I can build it this week"))


def _hostile(shared: Shared) -> None:
    content = {"objective": HOSTILE, "success_criteria": list(XSS),
               "subtasks": [{"id": "x1", "description": HOSTILE, "status": "open"},
                            {"id": "x2", "description": XSS[1], "status": "open"}]}
    ok(shared("mallory", "new", "hostile", "--file", "-", "--description", HOSTILE, "--label", XSS[2],
              input=json.dumps(content)))
    ok(shared("mallory", "stream", "post", "hostile-discussion", "--label", "question",
              "--data", json.dumps({"message": HOSTILE})))
    ok(shared("mallory", "stream", "post", "hostile-execution", "--label", XSS[0][:40].replace("<", "x"),
              "--data", json.dumps({"subtask_id": "x1", "message": HOSTILE, "note": XSS[3]})))
    ok(shared("mallory", "stash", "put", "evil-notes", "-", input=json.dumps({"html": HOSTILE})))
    ok(shared("eve", "claim", "hostile", "x1", "-m", HOSTILE))


class Served:
    """`gitcontracts board --serve --port 0` in `clone`, as its own process, until stop()."""

    def __init__(self, clone: Path, env: dict[str, str]) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen((sys.executable, "-m", "gitcontracts", "--json", "board", "--serve", "--port", "0"),
                                        cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""  # the URL, once it listens
        assert line, self.process.stderr.read() if self.process.stderr else "no output"
        self.url: str = json.loads(line)["url"]

    def get(self, path: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], str]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url + path.lstrip("/"), method=method)
        if host:
            request.add_header("Host", host)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


def environment(world: Shared, agent: str) -> dict[str, str]:
    """The hermetic environment the world was built in, for a process started later, acting as `agent`."""
    import os
    import sys

    home = world.root / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITCONTRACTS_"))}
    return {**env, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
            "GITCONTRACTS_AGENT": agent, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}


def write_site(world: Shared) -> Path:
    out = world.root / "site"
    result = run_cli("board", "--out", str(out), cwd=world.clone("orchestrator"), env=environment(world, "orchestrator"))
    assert result.code == 0, result.err
    return out

