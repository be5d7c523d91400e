"""Imports point down, and click and watchdog stay at their edges: the import-linter contracts of
pyproject.toml ([tool.importlinter]), which see every import form (`import gitcontracts.x`,
`from gitcontracts import x`, relative imports, imports inside functions). CI runs `lint-imports` too."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports() -> str | None:
    beside = Path(sys.executable).parent / "lint-imports"  # the environment running the tests first
    return str(beside) if beside.exists() else shutil.which("lint-imports")


def test_the_import_contracts_are_kept() -> None:
    command = lint_imports()
    if command is None:
        pytest.skip("import-linter is not installed (pip install '.[lint]')")
    result = subprocess.run((command, "--no-cache"), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout
