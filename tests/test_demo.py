from __future__ import annotations

from pathlib import Path

from helpers import run_cli


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = run_cli("demo", "--dir", str(tmp_path / "d"), cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    for expected in ("(exit 4, as expected)", "(exit 3, as expected)", "api-load-test (done)", "all valid",
                     "offered to load-bot next", "rejected load-bot"):
        assert expected in result.out, expected
    assert (tmp_path / "d/remote.git").is_dir() and (tmp_path / "d/load-bot/.contracts/stashes/api-load-test.yaml").exists()
