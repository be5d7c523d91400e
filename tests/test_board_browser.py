"""The board in a real browser: headless Chromium loads the static pages and the served ones, and the tests read
the DOM it built (scripts run: the timeline filter, and any hostile payload that got through would mark the
page). Skipped where no Chromium is installed; CI installs Debian's `chromium`."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from board_world import XSS, Page, Served

BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
# CI sets GITCONTRACTS_REQUIRE_BROWSER after installing Chromium: there, a missing browser fails instead of skipping.
REQUIRED = os.environ.get("GITCONTRACTS_REQUIRE_BROWSER") == "1"
pytestmark = pytest.mark.skipif(BROWSER is None and not REQUIRED, reason="no Chromium here (Debian: apt-get install chromium)")


def browse(url: str, profile: Path, *extra: str) -> str:
    """What headless Chromium prints for `url` (the DOM with --dump-dom)."""
    flags = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}")
    assert BROWSER, "no Chromium: install Debian's chromium (CI's .ci/run does)"
    done = subprocess.run((BROWSER, *flags, *extra, url), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom(url: str, profile: Path) -> Page:
    return Page(browse(url, profile, "--dump-dom"))


def unmarked(page: Page) -> bool:
    """No payload ran or became markup: none set its mark on the body or renamed the page, and no element a
    payload would bring is in the DOM."""
    brought = [tag for tag, _ in page.tags if tag in ("img", "svg", "iframe", "object", "embed", "textarea")]
    return "data-xss" not in page.having("body")[0] and page.title != "pwned" and not brought


def test_the_static_page_in_a_browser_has_the_subtasks_a_pending_claim_and_the_timeline(board_site: Path, tmp_path: Path) -> None:
    page = dom((board_site / "contracts/site-redesign.html").as_uri(), tmp_path / "profile")
    assert {a["data-subtask"] for a in page.having("article")} == {"research", "copy", "build", "review"}
    assert page.having("div", **{"class": "claim", "data_agent": "build-bot"})
    assert any(a["data-label"] == "progress" for a in page.having("li") if "data-label" in a)
    assert unmarked(page)


def test_the_timeline_filter_runs_in_the_browser(board_site: Path, tmp_path: Path) -> None:
    page = dom((board_site / "contracts/site-redesign.html").as_uri() + "#label=progress", tmp_path / "profile")
    rows = [a for a in page.having("li") if "data-label" in a]
    shown = {a["data-label"] for a in rows if "hidden" not in a}
    assert shown == {"progress"} and any("hidden" in a for a in rows)


def test_hostile_pages_run_no_script_in_the_browser(board_site: Path, tmp_path: Path) -> None:
    for rel in ("contracts/hostile.html", "index.html"):
        page = dom((board_site / rel).as_uri(), tmp_path / "profile")
        assert unmarked(page)
    hostile = dom((board_site / "contracts/hostile.html").as_uri(), tmp_path / "profile")
    assert hostile.title == "hostile · gitcontracts board"
    assert all(payload in hostile.words for payload in XSS)


def test_the_served_board_in_a_browser_with_a_screenshot(board_served: Served, tmp_path: Path) -> None:
    page = dom(board_served.url + "contracts/site-redesign.html", tmp_path / "profile")
    assert page.having("body", data_live="1")
    assert page.having("div", **{"class": "claim", "data_agent": "build-bot"})
    assert unmarked(dom(board_served.url + "contracts/hostile.html", tmp_path / "profile"))
    shot = tmp_path / "board.png"
    browse(board_served.url + "contracts/site-redesign.html", tmp_path / "profile", f"--screenshot={shot}",
           "--window-size=1280,1600")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
