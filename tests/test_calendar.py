"""calendar: iCalendar reminders for the coming doses (SPEC §8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from helpers import invoke, ok, one_error_line

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def calendar(*args: str) -> Any:
    result = ok("calendar", *args)
    return Calendar.from_ical(result.stdout_bytes)


def events(cal: Any) -> list[Any]:
    return list(cal.walk("VEVENT"))


def starts(cal: Any) -> list[datetime]:
    return [e.decoded("dtstart") for e in events(cal)]


def test_one_event_with_an_alarm_per_open_slot_of_the_next_7_days() -> None:
    ok("med", "add", "Metformin", "--dose", "500 mg", "--time", "08:00", "--time", "20:00")
    ok("med", "add", "Vitamin D", "--time", "09:00", "--on", "mon", "--note", "secret note")
    ok("med", "add", "Ibuprofen", "--as-needed")
    cal = calendar()
    # 2026-11-22 09:10 (a Sunday): 20:00 today, then 08:00 and 20:00 for six days, and the
    # 08:00 of the seventh day; Vitamin D on Monday the 23rd only.
    metformin = [e for e in events(cal) if e["summary"] == "Take Metformin 500 mg"]
    vitamin = [e for e in events(cal) if e["summary"] == "Take Vitamin D"]
    assert len(metformin) == 14
    assert [v.decoded("dtstart") for v in vitamin] == [datetime(2026, 11, 23, 9, tzinfo=LONDON)]
    assert len(events(cal)) == 15
    first = metformin[0]
    assert first.decoded("dtstart") == datetime(2026, 11, 22, 20, tzinfo=LONDON)
    assert first["dtstart"].params["TZID"] == "Europe/London"
    assert first.decoded("duration") == timedelta(minutes=15)
    assert first.decoded("dtstamp") == datetime(2026, 11, 22, 9, 10, tzinfo=UTC)
    (alarm,) = first.walk("VALARM")
    assert alarm["action"] == "DISPLAY"
    assert alarm["description"] == "Take Metformin 500 mg"
    assert alarm.decoded("trigger") == timedelta(0)
    assert starts(cal) == sorted(starts(cal))
    raw = invoke("calendar").stdout_bytes
    assert b"secret note" not in raw
    assert b"Ibuprofen" not in raw
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//adherelog//")
    assert raw.endswith(b"END:VCALENDAR\r\n")


def test_uids_are_unique_per_slot_and_the_same_in_every_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--time", "20:00")
    first = {str(e["uid"]): e.decoded("dtstart") for e in events(calendar())}
    assert len(first) == 14
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-23T09:10:00")
    later = {str(e["uid"]): e.decoded("dtstart") for e in events(calendar())}
    shared = set(first) & set(later)
    assert len(shared) == 12
    assert all(first[uid] == later[uid] for uid in shared)


def test_a_slot_already_taken_needs_no_reminder(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--time", "20:00")
    before = len(events(calendar()))
    ok("take", "metformin", "--slot", "20:00")
    after = starts(calendar())
    assert len(after) == before - 1
    assert datetime(2026, 11, 22, 20, tzinfo=LONDON) not in after


def test_every_zone_used_has_its_vtimezone_across_a_dst_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-10-22T09:00:00")
    ok("med", "add", "Metformin", "--time", "08:00")
    ok("med", "add", "Lisinopril", "--time", "07:30", "--tz", "America/New_York")
    cal = calendar("--days", "14")
    zones = {str(tz["tzid"]): tz for tz in cal.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/London", "America/New_York"}
    # Both zones change offset inside the window (25 October and 1 November).
    for tz in zones.values():
        assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    london = [e.decoded("dtstart") for e in events(cal) if "Metformin" in e["summary"]]
    assert {d.astimezone(LONDON).hour for d in london} == {8}
    assert {d.utcoffset() for d in london} == {timedelta(hours=1), timedelta(0)}
    new_york = [e.decoded("dtstart") for e in events(cal) if "Lisinopril" in e["summary"]]
    assert {(d.astimezone(NEW_YORK).hour, d.astimezone(NEW_YORK).minute) for d in new_york} == {
        (7, 30)
    }
    # Read back as instants, the events sit exactly at the slots adherelog computes.
    text = invoke("calendar", "--days", "14").stdout
    assert "DTSTART;TZID=America/New_York:20261102T073000" in text  # EST after the change
    assert datetime(2026, 11, 2, 12, 30, tzinfo=UTC) in [d.astimezone(UTC) for d in new_york]


def test_a_utc_schedule_is_written_in_utc_without_a_vtimezone() -> None:
    ok("med", "add", "Metformin", "--time", "12:00", "--tz", "UTC")
    cal = calendar("--days", "2")
    assert list(cal.walk("VTIMEZONE")) == []
    assert starts(cal)[0] == datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert "DTSTART:20261122T120000Z" in invoke("calendar", "--days", "2").stdout


def test_no_slots_gives_an_empty_calendar() -> None:
    cal = calendar()
    assert events(cal) == []
    assert str(cal["version"]) == "2.0"


def test_calendar_days_is_checked_and_json_changes_nothing(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    assert ok("calendar", "--json").stdout == ok("calendar").stdout
    for bad in ("0", "367"):
        result = invoke("calendar", "--days", bad)
        assert result.exit_code == 2
        assert "--days must be from 1 to 366" in one_error_line(result.stderr)
    target = tmp_path / "meds.ics"
    result = invoke("calendar", "-o", str(target), "--days", "3")
    assert result.exit_code == 0
    assert result.stderr == f"Wrote reminders for 3 days to {target}.\n"
    assert len(events(Calendar.from_ical(target.read_bytes()))) == 3
    assert target.stat().st_mode & 0o777 == 0o600
