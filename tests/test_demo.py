from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

from gitcontracts import api
from helpers import run_cli


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = run_cli("demo", "--dir", str(tmp_path / "d"), "--json", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    Draft202012Validator(api.output_schema("demo")).validate(result.json)
    story = "\n".join(result.json["lines"])  # with --json, the story's lines, as the text output prints them
    for expected in ("(exit 4, as expected)", "(exit 3, as expected)", "api-load-test (done)", "all valid",
                     "offered to load-bot next", "rejected load-bot"):
        assert expected in story, expected
    assert result.json["root"] == str((tmp_path / "d").resolve())
    assert (tmp_path / "d/remote.git").is_dir() and (tmp_path / "d/load-bot/.contracts/stashes/api-load-test.yaml").exists()
