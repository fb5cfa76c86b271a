"""Every test runs against a journal in its own tmp_path, at a fixed time and zone."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXED_NOW = "2026-11-22T09:10:00"
FIXED_TZ = "Europe/London"
# The desktop session bus the tests were started with is never reached (no notification
# pops up): tests/test_remind.py's real notify-send call goes to a private bus of its own.


@pytest.fixture(autouse=True)
def isolated_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point adherelog at a journal inside ``tmp_path`` so no test can touch a real one."""
    journal = tmp_path / "data" / "journal.db"
    monkeypatch.setenv("ADHERELOG_DB", str(journal))
    monkeypatch.setenv("ADHERELOG_NOW", FIXED_NOW)
    monkeypatch.setenv("TZ", FIXED_TZ)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # ``remind install`` writes systemd units under $XDG_CONFIG_HOME: never the real one.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/adherelog-test-bus")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ADHERELOG_NO_FAST_PATH", raising=False)
    monkeypatch.delenv("ADHERELOG_DEBUG", raising=False)
    return journal
