"""The read-only views for Datasette and sqlite-utils (migrations m009_views and
m011_local_times)."""

from __future__ import annotations

import bisect
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adherelog import portability
from adherelog.clock import offset_changes, to_utc_text
from helpers import downgrade, invoke, journal, ok


def test_dose_log_names_the_medication_and_the_status() -> None:
    ok("med", "add", "Metformin", "--dose", "500 mg", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "Metformin", "--at", "2026-11-21 08:10", "--note", "with tea")
    ok("skip", "Metformin", "--at", "2026-11-22 08:00")
    ok("effect", "add", "nausea", "--severity", "2", "--med", "Metformin")
    conn = sqlite3.connect(journal())
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM dose_log ORDER BY at_utc")]
    assert [(r["medication"], r["status"], r["local_date"]) for r in rows] == [
        ("Metformin", "taken", "2026-11-21"),
        ("Metformin", "skipped", "2026-11-22"),
    ]
    assert rows[0]["late_minutes"] == 10
    assert rows[0]["note"] == "with tea"
    assert rows[0]["zone"] == "Europe/London"
    versions = [dict(r) for r in conn.execute("SELECT * FROM schedule_versions")]
    assert versions[0]["medication"] == "Metformin"
    assert versions[0]["dose"] == "500 mg"
    effects = [dict(r) for r in conn.execute("SELECT * FROM side_effect_log")]
    assert [(e["effect"], e["severity"], e["medication"]) for e in effects] == [
        ("nausea", 2, "Metformin")
    ]
    conn.close()


def test_views_are_not_exported_tables() -> None:
    ok("med", "add", "Metformin", "--as-needed")
    conn = sqlite3.connect(journal())
    names = {t.name for t in portability.journal_tables(conn)}
    conn.close()
    assert not names & {"dose_log", "schedule_versions", "side_effect_log"}


def test_the_views_show_local_clock_times_in_the_zone_of_each_record() -> None:
    """SPEC: dose_log gives the local time; a dose taken while travelling shows the clock of
    where it was taken, the slot the clock of its schedule, summer time included."""
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-07-01")
    ok("take", "Metformin", "--at", "2026-07-02 08:10")  # British summer time
    ok("take", "Metformin", "--at", "2026-11-21 08:05")
    travelling = {"TZ": "America/New_York"}
    ok("take", "Metformin", "--at", "2026-11-22 03:20", env=travelling)
    ok("effect", "add", "dizzy", "--at", "2026-11-22 04:00", env=travelling)
    conn = sqlite3.connect(journal())
    rows = conn.execute(
        "SELECT local_date, local_time, zone, scheduled_date, scheduled_time FROM dose_log"
        " ORDER BY at_utc"
    ).fetchall()
    assert rows == [
        ("2026-07-02", "08:10", "Europe/London", "2026-07-02", "08:00"),
        ("2026-11-21", "08:05", "Europe/London", "2026-11-21", "08:00"),
        ("2026-11-22", "03:20", "America/New_York", "2026-11-22", "08:00"),
    ]
    effects = conn.execute("SELECT local_date, local_time, zone FROM side_effect_log")
    assert effects.fetchall() == [("2026-11-22", "04:00", "America/New_York")]
    zones = conn.execute("SELECT DISTINCT zone FROM zone_offsets ORDER BY zone").fetchall()
    assert zones == [("America/New_York",), ("Europe/London",)]
    conn.close()


def test_an_older_journal_and_an_import_get_local_times(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-01")
    ok("take", "Metformin", "--at", "2026-11-21 08:05", env={"TZ": "Asia/Kolkata"})
    exported = tmp_path / "export.json"
    assert invoke("export", "-o", str(exported)).exit_code == 0
    downgrade(journal(), 10)  # before m011_local_times
    ok("med", "edit", "Metformin", "--note", "with food")  # written by this version: migrated
    query = "SELECT local_time, scheduled_time FROM dose_log"
    with contextlib.closing(sqlite3.connect(journal())) as conn:
        assert conn.execute(query).fetchall() == [("08:05", "08:00")]
    other = tmp_path / "other.db"
    assert invoke("--db", str(other), "import", str(exported)).exit_code == 0
    with contextlib.closing(sqlite3.connect(other)) as conn:
        assert conn.execute(query).fetchall() == [("08:05", "08:00")]


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"]
ZONES += ["Asia/Kolkata", "Africa/Casablanca", "America/Sao_Paulo", "Asia/Gaza"]


def _offset_in(changes: list[tuple[str, int]], at: datetime) -> int:
    starts = [start for start, _ in changes]
    return changes[bisect.bisect_right(starts, to_utc_text(at)) - 1][1]


def _zone_offset(key: str, at: datetime) -> int:
    offset = at.astimezone(ZoneInfo(key)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31, 23, 59)),
)
def test_offset_changes_give_the_offset_of_every_moment(key: str, moment: datetime) -> None:
    at = moment.replace(microsecond=0, tzinfo=UTC)
    assert _offset_in(offset_changes(key, at.year), at) == _zone_offset(key, at)


@pytest.mark.parametrize("key", ["Asia/Gaza", "Africa/Casablanca", "Australia/Lord_Howe"])
def test_offset_changes_miss_no_change_of_zones_with_unusual_rules(key: str) -> None:
    """Every twelve hours of 1970-2099 in zones with changes weeks or days apart (Ramadan
    breaks, half-hour summer time)."""
    for year in range(1970, 2100):
        changes = offset_changes(key, year)
        assert changes[0][0] == f"{year}-01-01T00:00:00Z"
        at = datetime(year, 1, 1, tzinfo=UTC)
        while at.year == year:
            assert _offset_in(changes, at) == _zone_offset(key, at), (key, at)
            at += timedelta(hours=12)


def test_a_zone_this_machine_does_not_know_has_no_offsets() -> None:
    assert offset_changes("Nowhere/Atlantis", 2026) == []


def test_local_times_before_1970_and_after_2100() -> None:
    ok("med", "add", "Old", "--time", "08:00", "--start", "1965-01-01")
    ok("take", "Old", "--at", "1965-01-05T08:00")  # London kept GMT in the winter of 1965
    later = {"ADHERELOG_NOW": "2150-07-02T09:10:00"}
    ok("med", "add", "New", "--time", "08:00", "--start", "2150-07-01", env=later)
    ok("take", "New", "--at", "2150-07-02T08:00", env=later)  # summer time in 2150
    with contextlib.closing(sqlite3.connect(journal())) as conn:
        rows = conn.execute("SELECT local_date, local_time FROM dose_log ORDER BY at_utc")
        assert rows.fetchall() == [("1965-01-05", "08:00"), ("2150-07-02", "08:00")]
