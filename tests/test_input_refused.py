"""Input the tool itself must refuse (issue 11, item 7): names git cannot use in a ref, numbers JSON does not
have, text that is not Unicode — each a clear error with exit 3, nothing written; large data by file or stdin."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import git


@pytest.fixture
def site(cli, repo: Path) -> Path:
    assert cli("new", "site", "--objective", "x", "--subtask", "a:first").code == 0
    return repo


@pytest.mark.parametrize("name", ["notes.", "notes.lock", "x.lock"])
def test_names_git_cannot_use_in_a_ref_are_refused(cli, site: Path, name: str) -> None:
    head = git("rev-parse", "HEAD", cwd=site)
    result = cli("stream", "create", name)
    assert result.code == 3 and "git ref" in result.err
    assert cli("--agent", name, "ask", "site", "-m", "hi").code == 3
    assert git("rev-parse", "HEAD", cwd=site) == head


@pytest.mark.parametrize("data", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', "[1, NaN]"])
def test_numbers_json_does_not_have_are_refused(cli, site: Path, data: str) -> None:
    head = git("rev-parse", "HEAD", cwd=site)
    for args in (("stream", "post", "site-execution", "--label", "note", "--data", data),
                 ("progress", "site", "a", "-m", "x", "--data", data)):
        result = cli(*args)
        assert result.code == 3 and "Traceback" not in result.err, result.err
    assert git("rev-parse", "HEAD", cwd=site) == head


def test_text_that_is_not_unicode_is_refused_not_a_crash(site: Path) -> None:
    message = b"caf\xff\xfe"  # invalid UTF-8 in argv: Python hands it over as lone surrogates
    result = subprocess.run([sys.executable, "-m", "gitcontracts", "--agent", "orchestrator", "ask", "site", "-m", message],
                            cwd=site, capture_output=True)
    assert result.returncode == 3 and b"Unicode" in result.stderr and b"Traceback" not in result.stderr


def test_data_from_a_file_or_stdin_passes_what_argv_cannot(cli, site: Path, tmp_path: Path) -> None:
    payload = '{"text": "' + "x" * 200_000 + '"}'  # over the 128 KiB an argument may hold
    (tmp_path / "data.json").write_text(payload)
    by_file = cli("stream", "post", "site-execution", "--label", "note", "--data", f"@{tmp_path / 'data.json'}", "--json")
    by_stdin = cli("stream", "post", "site-execution", "--label", "note", "--data", "-", "--json", input=payload)
    assert by_file.code == 0 and by_stdin.code == 0, by_file.err + by_stdin.err
    assert len(by_file.json["data"]["text"]) == len(by_stdin.json["data"]["text"]) == 200_000
    missing = cli("stream", "post", "site-execution", "--label", "note", "--data", "@/nowhere.json")
    assert missing.code == 2 and "cannot read" in missing.err
