"""Fixtures: a hermetic git, a repository with a workspace, a bare remote and agents' clones in a line each."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from helpers import commit_all, git, run_cli, Result
from gitcontracts import api


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--layout", choices=("flat", "fanout"), default="flat",
                     help="the layout of the workspaces the fixtures make (run the suite as a fan-out repository)")


def pytest_configure(config: pytest.Config) -> None:
    Shared.layout = config.getoption("layout")


def make_hermetic(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """git and gitcontracts see only what a test sets: a fresh HOME and global config, no GIT_* leaking in."""
    config = home / ".gitconfig"
    config.write_text("[user]\n\tname = orchestrator\n\temail = orchestrator@example.com\n"
                      "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    for key in list(os.environ):
        if key.startswith("GIT_") or key.startswith("GITCONTRACTS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    # the hooks and the merge driver find the `gitcontracts` of this environment
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    make_hermetic(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture
def layout(request: pytest.FixtureRequest) -> str:
    """The layout of the workspaces `repo` and `shared` make: pytest --layout, or a module's own
    `pytest.mark.parametrize("layout", [...], indirect=True)` (runs its scenarios in both)."""
    return str(getattr(request, "param", request.config.getoption("layout")))


@pytest.fixture
def repo(tmp_path: Path, layout: str) -> Path:
    """A git repository with a .contracts workspace and a first commit."""
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", cwd=root)
    api.init_workspace(api.open_workspace(root), layout=layout)
    commit_all(root, "init")
    return root


@pytest.fixture
def ws(repo: Path) -> api.Workspace:
    return api.open_workspace(repo, agent="orchestrator")


@pytest.fixture
def cli(repo: Path) -> Callable[..., Result]:
    """cli("stream", "post", ..., agent="research-bot") runs the real command in `repo`."""
    def call(*args: str, agent: str | None = "orchestrator", input: str | bytes | None = None, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> Result:
        return run_cli(*args, cwd=cwd or repo, agent=agent, input=input, env=env)
    return call


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    """A bare repository seeded from `repo`, set as its origin."""
    bare = tmp_path / "remote.git"
    git("clone", "-q", "--bare", str(repo), str(bare), cwd=tmp_path)
    git("remote", "add", "origin", str(bare), cwd=repo)
    git("fetch", "-q", "origin", cwd=repo)
    return bare


@pytest.fixture
def clone(remote: Path, tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """clone("load-bot") is that agent's own clone of the remote, with its identity."""
    def make(agent: str) -> Path:
        path = tmp_path / "agents" / agent
        path.parent.mkdir(exist_ok=True)
        git("clone", "-q", str(remote), str(path), cwd=tmp_path)
        git("config", "user.name", agent, cwd=path)
        git("config", "user.email", f"{agent}@example.com", cwd=path)
        return path
    yield make


def contract_text(**overrides: str) -> str:
    return "\n".join(f"{k}: {v}" for k, v in overrides.items())


class Shared:
    """A bare remote guarded by the pre-receive hook, its owner's clone (which ran `init --remote origin`),
    and agents' clones made on first use: `shared("bot-1", "claim", "site", "a")` runs the real command as bot-1."""
    layout = "flat"  # the fixtures' workspaces: pytest --layout

    def __init__(self, root: Path, layout: str | None = None) -> None:
        self.root, self.layout = root, layout or self.layout
        self.remote = root / "shared.git"
        git("init", "-q", "--bare", str(self.remote), cwd=root)
        assert run_cli("-C", str(self.remote), "hooks", "install", cwd=root).code == 0
        self.clones: dict[str, Path] = {}
        first = self("orchestrator", "init", "--remote", "origin", *(["--layout", "fanout"] if self.layout == "fanout" else []))
        assert first.code == 0, first.err

    def clone(self, agent: str) -> Path:
        if agent not in self.clones:
            path = self.root / agent
            git("clone", "-q", str(self.remote), str(path), cwd=self.root)
            git("config", "user.name", agent, cwd=path)
            git("config", "user.email", f"{agent}@example.com", cwd=path)
            self.clones[agent] = path
        return self.clones[agent]

    def __call__(self, agent: str, *args: str, **kw: object) -> Result:
        return run_cli(*args, cwd=self.clone(agent), agent=agent, **kw)  # type: ignore[arg-type]

    def log(self, ref: str = "main") -> list[str]:
        return git("log", "--format=%s", ref, cwd=self.remote).splitlines()


@pytest.fixture
def shared(tmp_path: Path, layout: str) -> Shared:
    return Shared(tmp_path, layout)


# The board's world (tests/board_world.py), built once for each module that asks for it.

@pytest.fixture(scope="module")
def board_world(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    from board_world import build_world
    return build_world(tmp_path_factory.mktemp("board"))


@pytest.fixture(scope="module")
def board_site(board_world: Shared) -> Path:
    """`board --out` of the world, as its owner."""
    from board_world import write_site
    return write_site(board_world)


@pytest.fixture(scope="module")
def board_served(board_world: Shared) -> Iterator[object]:
    """`board --serve --port 0` in the owner's clone, its own process, for the module."""
    from board_world import Served, environment
    server = Served(board_world.clone("orchestrator"), environment(board_world, "orchestrator"))
    yield server
    server.stop()

