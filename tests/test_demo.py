from __future__ import annotations

from pathlib import Path

from helpers import run_cli


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = run_cli("demo", "--dir", str(tmp_path / "d"), cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert "all valid" in result.out and "(exit 3, as expected)" in result.out
    assert (tmp_path / "d/.contracts/stashes/website-redesign.yaml").exists()
