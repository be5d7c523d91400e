"""The one clock helper: $GITCONTRACTS_NOW fixes or shifts now, so time is a parameter of every test."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest

from gitcontracts.errors import UsageError
from gitcontracts.timeutil import utcnow
from helpers import Result, run_cli


@pytest.mark.parametrize("setting, expected", [
    ("2026-12-04T10:00:00Z", datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)),
    ("2026-12-04T12:00:00+02:00", datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)),
    ("2026-12-04T10:00:00.250Z", datetime(2026, 12, 4, 10, 0, 0, 250_000, tzinfo=timezone.utc)),
])
def test_a_date_time_fixes_now(monkeypatch: pytest.MonkeyPatch, setting: str, expected: datetime) -> None:
    monkeypatch.setenv("GITCONTRACTS_NOW", setting)
    assert utcnow() == expected and utcnow() == expected  # fixed: it does not move


@pytest.mark.parametrize("setting, shift", [
    ("+90s", timedelta(seconds=90)), ("+2h", timedelta(hours=2)), ("-1d", timedelta(days=-1)),
    ("+1h30m", timedelta(minutes=90)), (" -1w ", timedelta(weeks=-1)),
])
def test_an_offset_shifts_the_real_time(monkeypatch: pytest.MonkeyPatch, setting: str, shift: timedelta) -> None:
    monkeypatch.setenv("GITCONTRACTS_NOW", setting)
    before = datetime.now(timezone.utc)
    moment = utcnow()
    after = datetime.now(timezone.utc)
    assert before + shift <= moment <= after + shift
    assert moment.tzinfo is not None


def test_unset_or_empty_is_the_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in (None, "", "  "):
        if value is None:
            monkeypatch.delenv("GITCONTRACTS_NOW", raising=False)
        else:
            monkeypatch.setenv("GITCONTRACTS_NOW", value)
        before = datetime.now(timezone.utc)
        assert before <= utcnow() <= datetime.now(timezone.utc)


@pytest.mark.parametrize("setting", ["tomorrow", "+", "90s", "+x", "2026-12-04T10:00:00", "2026-13-04T10:00:00Z",
                                     "1733306400", "++1h"])
def test_an_invalid_setting_is_a_usage_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("GITCONTRACTS_NOW", setting)
    with pytest.raises(UsageError) as caught:
        utcnow()
    assert "GITCONTRACTS_NOW" in caught.value.message and repr(setting.strip()) in caught.value.message
    assert caught.value.exit_code == 2


def test_the_cli_stamps_entries_with_the_set_time_and_refuses_an_invalid_one(
        cli: Callable[..., Result], repo: Path) -> None:
    assert cli("stream", "create", "notes").code == 0
    fixed = run_cli("stream", "post", "notes", "--label", "progress", "--data", "{}", cwd=repo, agent="orchestrator",
                    env={"GITCONTRACTS_NOW": "2026-12-04T10:00:00Z"})
    assert fixed.code == 0, fixed.err
    assert cli("stream", "read", "notes", "--json").json["entries"][0]["ts"] == "2026-12-04T10:00:00.000000Z"
    refused = run_cli("stream", "post", "notes", "--label", "progress", "--data", "{}", cwd=repo, agent="orchestrator",
                      env={"GITCONTRACTS_NOW": "next tuesday"})
    assert refused.code == 2 and "GITCONTRACTS_NOW" in refused.err and "Traceback" not in refused.err, refused.err
    assert len(cli("stream", "read", "notes", "--json").json["entries"]) == 1
