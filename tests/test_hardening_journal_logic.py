"""Hardening of the journal's logic: concurrent schedule edits, the repeated hour of a
fall-back day, deeply nested import values, the supported range of dates, and names
typed in another Unicode normal form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog import clock, storage
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions
from helpers import connect, count, data, invoke, journal, ok, one_error_line, run, sha256


def fail(code: int, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a command that must fail with ``code``; return its one stderr line."""
    result = invoke(*args, env=env)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return one_error_line(result.stderr)


def versions(name: str) -> list[dict[str, Any]]:
    schedules: list[dict[str, Any]] = data("med", "show", name)["schedules"]
    return schedules


# --- 3. concurrent schedule edits ---------------------------------------------------------


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "adherelog", *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_edits_from_the_same_day_both_survive() -> None:
    ok("med", "add", "m", "--time", "08:00", "--dose", "5 mg", "--start", "2026-11-01")
    for number in range(20):
        day = (date(2026, 12, 1) + timedelta(days=number)).isoformat()
        clock_time, dose = f"09:{number:02d}", f"{10 + number} mg"
        first = _spawn("med", "edit", "m", "--time", clock_time, "--from", day)
        second = _spawn("med", "edit", "m", "--dose", dose, "--from", day)
        for process in (first, second):
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
        latest = versions("m")[-1]
        assert latest["from"].startswith(day)
        assert (latest["times"], latest["dose"]) == ([clock_time], dose), number


@pytest.fixture
def opened() -> Iterator[Journal]:
    """The test journal opened in this process at the fixed test time."""
    store = storage.open_store(journal(), write=True)
    zone = clock.local_zone()
    try:
        yield Journal(store, clock.now(zone), zone)
    finally:
        store.close()


def _rival_writes_first(
    monkeypatch: pytest.MonkeyPatch, journal_: Journal, *args: str
) -> list[subprocess.CompletedProcess[str]]:
    """Make another process run ``adherelog ARGS`` just before this journal's next write
    transaction begins: the moment a change read too early would be lost."""
    done: list[subprocess.CompletedProcess[str]] = []
    real_write = journal_.store.write

    def write() -> Any:
        if not done:
            done.append(run(*args))
        return real_write()

    monkeypatch.setattr(journal_.store, "write", write)
    return done


def test_an_edit_sees_a_change_committed_while_it_waited(
    monkeypatch: pytest.MonkeyPatch, opened: Journal
) -> None:
    ok("med", "add", "m", "--time", "08:00", "--dose", "5 mg", "--start", "2026-11-01")
    rival = _rival_writes_first(
        monkeypatch, opened, "med", "edit", "m", "--time", "09:00", "--from", "2026-12-01"
    )
    opened.edit_med("m", ScheduleOptions(dose="10 mg"), from_date=date(2026, 12, 1))
    assert rival[0].returncode == 0, rival[0].stderr
    latest = versions("m")[-1]
    assert (latest["times"], latest["dose"]) == (["09:00"], "10 mg")


def test_a_stop_sees_a_change_committed_while_it_waited(
    monkeypatch: pytest.MonkeyPatch, opened: Journal
) -> None:
    ok("med", "add", "m", "--time", "08:00", "--dose", "5 mg", "--start", "2026-11-01")
    _rival_writes_first(
        monkeypatch, opened, "med", "edit", "m", "--dose", "10 mg", "--from", "2026-12-01"
    )
    opened.stop_med("m", from_date=date(2026, 12, 1))
    latest = versions("m")[-1]
    assert (latest["active"], latest["dose"]) == (False, "10 mg")


def test_a_resume_sees_a_change_committed_while_it_waited(
    monkeypatch: pytest.MonkeyPatch, opened: Journal
) -> None:
    ok("med", "add", "m", "--time", "08:00", "--dose", "5 mg", "--start", "2026-11-01")
    ok("med", "stop", "m", "--from", "2026-12-01")
    _rival_writes_first(
        monkeypatch, opened, "med", "edit", "m", "--dose", "10 mg", "--from", "2026-12-01"
    )
    opened.resume_med("m", from_date=date(2026, 12, 1))
    latest = versions("m")[-1]
    assert (latest["active"], latest["dose"]) == (True, "10 mg")


def test_a_removal_sees_a_dose_recorded_while_it_waited(
    monkeypatch: pytest.MonkeyPatch, opened: Journal
) -> None:
    ok("med", "add", "m", "--time", "09:00", "--start", "2026-11-01")
    _rival_writes_first(monkeypatch, opened, "take", "m")
    with pytest.raises(Exception, match="has 1 record"):
        opened.remove_med("m")
    assert count("meds") == 1


# --- 4. the repeated hour of a fall-back day -------------------------------------------

# (zone, the fall-back day, the offset of the first and of the second 01:30)
FALL_BACK = {
    "America/New_York": ("2026-11-01", "-04:00", "-05:00"),
    "Europe/London": ("2026-10-25", "+01:00", "+00:00"),
}


def _repeated_hour(zone: str, occurrence: int) -> tuple[dict[str, str], str]:
    """The environment of a moment in the repeated hour, and that moment as ISO text."""
    day, first, second = FALL_BACK[zone]
    moment = f"{day}T01:30:00{first if occurrence == 1 else second}"
    return {"TZ": zone, "ADHERELOG_NOW": moment}, moment


@pytest.mark.parametrize("zone", sorted(FALL_BACK))
@pytest.mark.parametrize("occurrence", [1, 2])
@pytest.mark.parametrize("command", ["take", "skip"])
@pytest.mark.parametrize("with_at", [False, True])
def test_the_present_of_the_repeated_hour_is_not_the_future(
    zone: str, occurrence: int, command: str, with_at: bool
) -> None:
    day = FALL_BACK[zone][0]
    ok("med", "add", "vit", "--time", "08:00", "--start", "2026-10-01", env={"TZ": zone})
    env, moment = _repeated_hour(zone, occurrence)
    at = ["--at", moment] if with_at else []
    record = data(command, "vit", *at, env=env)
    assert record["at"] == moment
    assert record["scheduled_for"].startswith(f"{day}T08:00:00")
    # The default end of history keeps what was just recorded.
    history = data("history", env=env)["records"]
    assert [r["at"] for r in history if r["kind"] == command.replace("take", "dose")] == [moment]


@pytest.mark.parametrize("zone", sorted(FALL_BACK))
def test_six_minutes_after_the_second_occurrence_is_the_future(zone: str) -> None:
    ok("med", "add", "vit", "--time", "08:00", "--start", "2026-10-01", env={"TZ": zone})
    env, moment = _repeated_hour(zone, 2)
    ahead = (datetime.fromisoformat(moment) + timedelta(minutes=6)).isoformat()
    line = fail(1, "take", "vit", "--at", ahead, env=env)
    assert "is in the future" in line
    assert count("records") == 0


@pytest.mark.parametrize("zone", sorted(FALL_BACK))
def test_a_side_effect_in_the_repeated_hour_is_not_the_future(zone: str) -> None:
    env, moment = _repeated_hour(zone, 2)
    record = data("effect", "add", "nausea", env=env)
    assert record["at"] == moment


@given(
    instant=st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2026, 12, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe"]),
    ahead=st.integers(min_value=-7200, max_value=7200),
)
def test_too_far_ahead_counts_elapsed_time_in_every_zone(
    instant: datetime, zone: str, ahead: int
) -> None:
    from adherelog.session import too_far_ahead

    now = instant.astimezone(ZoneInfo(zone))
    moment = instant + timedelta(seconds=ahead)
    expected = ahead > 300
    assert too_far_ahead(moment, now) is expected
    assert too_far_ahead(moment.astimezone(ZoneInfo(zone)), now) is expected


# --- 6. deeply nested values in an imported journal ------------------------------------

DEEP = 100_000
# The deepest list a text cell can hold within its 100,000-character limit.
DEEP_CELL = 50_000


def _export_with(tmp_path: Path, change: Any) -> Path:
    ok("med", "add", "m", "--time", "08:00")
    ok("tip", "add", "Eat first", "--tag", "food")
    doc = json.loads(ok("export").stdout)
    change(doc)
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(("table", "column"), [("schedules", "times"), ("tips", "tags")])
def test_deep_nesting_is_refused_naming_where(tmp_path: Path, table: str, column: str) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc[table][0][column] = "[" * DEEP_CELL + "]" * DEEP_CELL

    path = _export_with(tmp_path, change)
    before = sha256(journal())
    result = run("import", str(path))
    assert result.returncode == 1, result.stderr
    line = one_error_line(result.stderr)
    assert f"{table}[0].{column}" in line
    assert "internal error" not in line
    assert sha256(journal()) == before


def test_a_document_nested_deeper_than_any_export_is_refused(tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["meds"][0]["note"] = "placeholder"

    path = _export_with(tmp_path, change)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"placeholder"', "[" * DEEP + "]" * DEEP), encoding="utf-8")
    before = sha256(journal())
    result = run("import", str(path))
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "too deeply" in line
    assert sha256(journal()) == before


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ax,:'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\a'), inner, max_size=3)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_nesting_is_the_depth_of_the_decoded_value(value: Any) -> None:
    from adherelog.strictjson import nesting

    assert nesting(json.dumps(value)) == _depth(value)


# --- 7. the supported range of dates ---------------------------------------------------

RANGE_WORDS = ("1900-01-01", "2199-12-31")


def _refused_as_outside(line: str, value: str) -> None:
    assert value in line
    for bound in RANGE_WORDS:
        assert bound in line


ENTRY_POINTS: dict[str, tuple[str, ...]] = {
    "med add --start": ("med", "add", "New", "--time", "08:00", "--start"),
    "med add --end": ("med", "add", "New", "--time", "08:00", "--start", "1900-01-01", "--end"),
    "med edit --from": ("med", "edit", "m", "--dose", "2 mg", "--from"),
    "med stop --from": ("med", "stop", "m", "--from"),
    "take --at": ("take", "m", "--extra", "--at"),
    "skip --at": ("skip", "m", "--at"),
    "history --since": ("history", "--since"),
    "history --until": ("history", "--since", "1900-01-01", "--until"),
    "summary --since": ("summary", "--since"),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("value", ["1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"])
def test_a_date_outside_the_range_is_a_usage_error(entry: str, value: str) -> None:
    ok("med", "add", "m", "--time", "08:00", "--start", "2026-01-01")
    before = sha256(journal())
    line = fail(2, *ENTRY_POINTS[entry], value)
    _refused_as_outside(line, value)
    assert sha256(journal()) == before


@pytest.mark.parametrize("value", ["1899-12-31T23:59", "2200-01-01T00:00"])
def test_a_moment_just_outside_the_range_is_refused(value: str) -> None:
    line = fail(2, "med", "add", "m", "--time", "08:00", "--start", value)
    _refused_as_outside(line, value)
    assert count("meds") == 0


@pytest.mark.parametrize(
    "value", ["1899-12-31T23:59", "2200-01-01T00:00", "0001-01-01T00:00", "9999-12-31T23:59"]
)
def test_adherelog_now_outside_the_range_is_a_usage_error(value: str) -> None:
    for args in (("due",), ("med", "add", "m", "--time", "08:00")):
        line = fail(2, *args, env={"ADHERELOG_NOW": value})
        _refused_as_outside(line, value)
    assert not journal().exists()


@pytest.mark.parametrize("value", ["999999999d ago", "999999999 days ago", "50000d ago"])
def test_a_count_back_past_the_range_is_a_usage_error(value: str) -> None:
    _refused_as_outside(fail(2, "history", "--since", value), value)


def test_summary_days_never_reach_back_past_the_range() -> None:
    ok("med", "add", "m", "--time", "08:00", "--start", "2026-01-01")
    assert data("summary", "--days", "99999999")["from"] == "1900-01-01"
    assert data("summary", "--days", "3")["from"] == "2026-11-20"


def test_the_days_at_both_ends_are_accepted() -> None:
    ok("med", "add", "Old", "--time", "08:00", "--start", "1900-01-01", "--end", "2199-12-31")
    ok("take", "Old", "--extra", "--at", "1900-01-01T00:00")
    ok("med", "edit", "Old", "--dose", "1 mg", "--from", "2199-12-31")
    assert data("history", "--since", "1900-01-01", "--until", "1900-01-01")["records"]


READERS: tuple[tuple[str, ...], ...] = (
    ("due",),
    ("summary",),
    ("streak",),
    ("history",),
    ("report",),
    ("share", "card"),
    ("export",),
    ("calendar",),
    ("fhir",),
    ("check",),
)


def test_extreme_supported_values_leave_every_reading_command_working() -> None:
    early, late = "1900-01-01T00:00", "2199-12-31T23:59"
    ok("med", "add", "Old", "--time", "08:00", "--start", "1900-01-01", "--end", "2199-12-31")
    ok("med", "add", "Early", "--time", "08:00", env={"ADHERELOG_NOW": early})
    ok("take", "Old", "--extra", env={"ADHERELOG_NOW": early})
    ok("med", "add", "Late", "--time", "08:00", env={"ADHERELOG_NOW": late})
    ok("take", "Old", "--slot", "08:00", env={"ADHERELOG_NOW": late})
    ok("take", "Late", env={"ADHERELOG_NOW": late})
    for now in (early, "2026-11-22T09:10", late):
        for args in READERS:
            result = invoke(*args, env={"ADHERELOG_NOW": now})
            assert result.exit_code == 0, (now, args, result.stderr)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("schedules", "start_at", "0001-01-01T00:00:00Z"),
        ("schedules", "end_at", "9999-12-31T00:00:00Z"),
        ("schedules", "anchor", "0001-01-01"),
        ("meds", "created_at", "1899-12-30T00:00:00Z"),
        ("records", "at", "2200-01-03T00:00:00Z"),
        ("records", "local_date", "1899-12-30"),
        ("records", "slot_date", "2200-01-02"),
    ],
)
def test_an_imported_date_outside_the_range_is_refused_naming_the_record(
    tmp_path: Path, table: str, column: str, value: str
) -> None:
    ok("med", "add", "m", "--time", "08:00", "--start", "2026-11-01")
    ok("take", "m", "--at", "08:00")
    doc = json.loads(ok("export").stdout)
    doc[table][0][column] = value
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    journal().unlink()
    result = run("import", str(path))
    assert result.returncode == 1, result.stderr
    line = one_error_line(result.stderr)
    assert f"{table}[0].{column}" in line
    for bound in RANGE_WORDS:
        assert bound in line
    assert not journal().exists() or count("meds") == 0


def test_an_export_at_the_ends_of_the_range_imports_again(tmp_path: Path) -> None:
    ok("med", "add", "Old", "--time", "08:00", "--start", "1900-01-01", "--end", "2199-12-31")
    ok("take", "Old", "--extra", env={"ADHERELOG_NOW": "2199-12-31T23:59"})
    path = tmp_path / "x.json"
    path.write_text(ok("export").stdout, encoding="utf-8")
    journal().unlink()
    result = run("import", str(path))
    assert result.returncode == 0, result.stderr
    assert count("records") == 1


# --- 14. names in another Unicode normal form ------------------------------------------

NFC_NAME = "Caf\u00e9"
NFD_NAME = "Cafe\u0301"


def test_a_decomposed_name_finds_the_composed_medication() -> None:
    ok("med", "add", NFC_NAME, "--time", "09:00", "--start", "2026-11-01")
    record = data("take", NFD_NAME)
    assert record["med"] == NFC_NAME
    assert data("med", "show", NFD_NAME.upper())["name"] == NFC_NAME


def test_a_decomposed_name_is_a_duplicate_of_the_composed_one() -> None:
    ok("med", "add", NFC_NAME, "--time", "09:00", "--start", "2026-11-01")
    line = fail(1, "med", "add", NFD_NAME, "--time", "08:00")
    assert "already exists" in line
    assert count("meds") == 1


def test_a_new_name_is_stored_composed() -> None:
    ok("med", "add", NFD_NAME, "--time", "09:00")
    conn = connect()
    try:
        assert conn.execute("SELECT name FROM meds").fetchone()[0] == NFC_NAME
    finally:
        conn.close()


def _store_decomposed() -> None:
    """Make the journal hold the name decomposed, as a journal from elsewhere may."""
    ok("med", "add", NFC_NAME, "--time", "09:00", "--start", "2026-11-01")
    conn = connect()
    try:
        conn.execute("UPDATE meds SET name = ?, name_key = ?", (NFD_NAME, NFD_NAME.casefold()))
    finally:
        conn.close()


def test_a_stored_decomposed_name_is_found_when_typed_composed() -> None:
    _store_decomposed()
    record = data("take", NFC_NAME)
    assert unicodedata.normalize("NFC", record["med"]) == NFC_NAME
    assert data("med", "show", NFC_NAME)["schedules"]


def test_a_stored_decomposed_name_is_a_duplicate_of_a_composed_new_one() -> None:
    _store_decomposed()
    line = fail(1, "med", "add", NFC_NAME.upper(), "--time", "08:00")
    assert "already exists" in line
    assert count("meds") == 1
