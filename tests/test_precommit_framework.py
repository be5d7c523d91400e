"""The pre-commit framework as its users run it (docs/precommit.md): the published hook, from a clone of this
project tagged as a release, in a user's repository — by `pre-commit try-repo` and by `.pre-commit-config.yaml`.

pre-commit installs the hook's repository into a virtualenv of its own with pip. No network is used: pip is
pointed (PIP_NO_INDEX, PIP_FIND_LINKS) at wheels repacked from the distributions this test runs with, so what
the hook runs is what the suite runs. The clone, the wheels and pre-commit's store are made once per module."""
from __future__ import annotations

import base64
import hashlib
import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from conftest import make_hermetic
from helpers import git

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
pytestmark = pytest.mark.skipif(FRAMEWORK is None, reason="the pre-commit framework is not installed (pip install '.[test]')")



def project_version() -> str:
    found = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    assert found, "pyproject.toml has a [project] version"
    return found.group(1)


# --- wheels of the running environment (pip then needs no index) ------------------------------------------------

def requirement_names(dist: str) -> list[str]:
    """The distributions `dist` needs, extras left out."""
    wanted = (r for r in metadata.requires(dist) or [] if "extra" not in r.partition(";")[2])
    return [re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0] for requirement in wanted]


def needed(roots: tuple[str, ...]) -> list[metadata.Distribution]:
    found: dict[str, metadata.Distribution] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement whose marker leaves it out here
        found[key] = dist
        todo += requirement_names(name)
    return list(found.values())


def repack(dist: metadata.Distribution, into: Path) -> Path:
    """The installed distribution as a wheel again: its files as RECORD lists them (scripts and byte code left
    out: the installer makes those), its WHEEL tags, a new RECORD."""
    info = next(f for f in dist.files or [] if f.parent.name.endswith(".dist-info"))
    folder = info.parent.as_posix()
    tag = next(line.split(":", 1)[1].strip() for line in Path(str(dist.locate_file(f"{folder}/WHEEL"))).read_text()
               .splitlines() if line.startswith("Tag:"))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    wheel = into / f"{name}-{dist.version}-{tag}.whl"
    rows = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in dist.files or []:
            path = file.as_posix()
            skipped = path.startswith("..") or "__pycache__" in path or path.endswith(
                ("dist-info/RECORD", "dist-info/INSTALLER", "dist-info/REQUESTED", "dist-info/direct_url.json"))
            if skipped or not Path(str(dist.locate_file(file))).is_file():
                continue
            data = Path(str(dist.locate_file(file))).read_bytes()
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{path},sha256={digest},{len(data)}")
        archive.writestr(f"{folder}/RECORD", "\n".join([*rows, f"{folder}/RECORD,,"]) + "\n")
    return wheel


# --- the set-up, once per module -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict[str, str]]]:
    """(a clone of this project tagged v<version>, that tag, the environment pre-commit runs in)."""
    base = tmp_path_factory.mktemp("framework")
    wheels = base / "wheels"
    wheels.mkdir()
    for dist in needed(("gitcontracts",)):
        if dist.metadata["Name"].lower() != "gitcontracts":
            repack(dist, wheels)
    # the build backend, for pip's isolated build of the hook repository: the setuptools that virtualenv (which
    # pre-commit runs on) carries as a wheel
    for wheel in Path(str(metadata.distribution("virtualenv").locate_file("virtualenv/seed/wheels/embed"))).glob(
            "setuptools-*.whl"):
        shutil.copy(wheel, wheels)
    source = base / "gitcontracts"
    # the working tree, committed: what the rest of the suite tests (uncommitted edits included)
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "bench", "build", "__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache", ".pytest_cache"))
    tag = f"v{project_version()}"
    with pytest.MonkeyPatch.context() as patch:
        (base / "home").mkdir()
        make_hermetic(patch, base / "home")
        git("init", "-q", cwd=source)
        git("add", "-A", cwd=source)
        git("commit", "-qm", "gitcontracts", cwd=source)
        git("tag", "-a", tag, "-m", f"gitcontracts {tag}", cwd=source)
    env = {"PRE_COMMIT_HOME": str(base / "pre-commit-home"), "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
           "VIRTUALENV_NO_PERIODIC_UPDATE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    yield source, tag, env


def framework(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FRAMEWORK), *args], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True)


def bad_and_good(cli, repo: Path) -> Path:
    """A committed contract; the path of its stash."""
    assert cli("new", "site", "--objective", "x", "--subtask", "a:b").code == 0
    return repo / ".contracts/stashes/site.yaml"


# --- try-repo ---------------------------------------------------------------------------------------------------

def test_try_repo_validates_the_files_it_is_given(cli, repo: Path, published) -> None:
    source, tag, env = published
    stash = bad_and_good(cli, repo)
    stash.write_text(stash.read_text().replace("status: open", "status: bogus"))
    run = ("try-repo", str(source), "gitcontracts-check", "--ref", tag, "--files", ".contracts/stashes/site.yaml")
    bad = framework(*run, cwd=repo, env=env)
    assert bad.returncode != 0 and "content.subtasks[0].status: 'bogus'" in bad.stdout, bad.stdout + bad.stderr
    stash.write_text(stash.read_text().replace("status: bogus", "status: open"))
    good = framework(*run, cwd=repo, env=env)
    assert good.returncode == 0, good.stdout + good.stderr


def test_try_repo_all_files_is_not_green_on_a_broken_tree(cli, repo: Path, published) -> None:
    source, tag, env = published
    stash = bad_and_good(cli, repo)
    stash.write_text(stash.read_text().replace("status: open", "status: bogus"))
    git("commit", "-qam", "broken by hand", "--no-verify", cwd=repo)
    bad = framework("try-repo", str(source), "gitcontracts-check", "--ref", tag, "--all-files", cwd=repo, env=env)
    assert bad.returncode != 0 and "'bogus' is not one of" in bad.stdout, bad.stdout + bad.stderr


# --- .pre-commit-config.yaml, as the docs show it ------------------------------------------------------------------

def documented_config(repo_url: str) -> str:
    """The snippet of docs/precommit.md, with the repository's address in place of the project's."""
    text = (ROOT / "docs/precommit.md").read_text()
    snippet = re.search(r"```yaml\n(repos:\n.*?)```", text, re.DOTALL)
    assert snippet, "docs/precommit.md shows a .pre-commit-config.yaml"
    return re.sub(r"(- repo: )\S+", rf"\g<1>{repo_url}", snippet.group(1), count=1)


def test_the_documented_config_refuses_a_bad_commit_and_takes_a_good_one(cli, repo: Path, published) -> None:
    source, tag, env = published
    (repo / ".pre-commit-config.yaml").write_text(documented_config(str(source)))
    git("add", ".pre-commit-config.yaml", cwd=repo)
    git("commit", "-qm", "pre-commit config", cwd=repo)
    installed = framework("install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    stash = bad_and_good(cli, repo)
    stash.write_text(stash.read_text().replace("status: open", "status: done"))
    git("add", "-A", cwd=repo)
    refused = subprocess.run(["git", "commit", "-m", "by hand"], cwd=repo, env={**os.environ, **env},
                             capture_output=True, text=True)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "subtask a: open -> done is not a transition" in refused.stdout + refused.stderr
    stash.write_text(stash.read_text().replace("status: done", "status: open").replace("objective: x", "objective: y"))
    git("add", "-A", cwd=repo)
    made = subprocess.run(["git", "commit", "-m", "by hand"], cwd=repo, env={**os.environ, **env},
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    everything = framework("run", "--all-files", cwd=repo, env=env)
    assert everything.returncode == 0 and "gitcontracts check" in everything.stdout, everything.stdout


# --- the version the docs name is the package's ---------------------------------------------------------------------

def test_the_documented_rev_is_the_package_version() -> None:
    import gitcontracts

    version = project_version()
    assert gitcontracts.__version__ == version
    for doc in ("docs/precommit.md", "docs/ci.md", "README.md"):
        revs = re.findall(r"rev: (\S+)", (ROOT / doc).read_text())
        assert revs and set(revs) == {f"v{version}"}, f"{doc} names rev {revs}, the package is {version}"
