"""take, skip, undo, due and history through the Typer app."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adherelog.adherence import slot_status
from adherelog.clock import localize
from adherelog.model import Slot, SlotStatus
from helpers import count, data, invoke, ok, one_error_line, scalar

RECORD_KEYS = {"id", "kind", "med", "at", "scheduled_for", "late_minutes", "amount", "note"}


def fail(code: int, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


def add(name: str, *options: str) -> None:
    ok("med", "add", name, "--start", "2026-11-01", *options)


def now_is(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", value)


def supply(name: str) -> Any:
    return data("med", "show", name)["supply"]


# --- take: matching a slot ----------------------------------------------------------------


def test_take_fills_the_nearest_slot_and_prints_the_record() -> None:
    add("Sertraline", "--time", "08:00", "--time", "20:00", "--dose", "50 mg")
    record = data("take", "sertraline")
    assert set(record) == RECORD_KEYS
    assert record == {
        "id": record["id"],
        "kind": "dose",
        "med": "Sertraline",
        "at": "2026-11-22T09:10:00+00:00",
        "scheduled_for": "2026-11-22T08:00:00+00:00",
        "late_minutes": 70,
        "amount": 1,
        "note": None,
    }
    assert len(record["id"]) == 36
    assert scalar("SELECT id FROM records") == record["id"]


def test_a_tie_goes_to_the_earlier_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    now_is(monkeypatch, "2026-11-22T14:00:00")
    add("A", "--time", "08:00", "--time", "20:00")
    record = data("take", "a")
    assert record["scheduled_for"] == "2026-11-22T08:00:00+00:00"
    assert record["late_minutes"] == 360


def test_early_dose_has_negative_late_minutes() -> None:
    add("A", "--time", "09:30", "--grace", "30")
    record = data("take", "a", "--at", "09:05")
    assert record["scheduled_for"] == "2026-11-22T09:30:00+00:00"
    assert record["late_minutes"] == -25
    ok("undo")
    out = ok("take", "a", "--at", "09:05").stdout
    assert out == "Took A today 09:05, for the 09:30 dose (on time, 25 min before)\n"


@pytest.mark.parametrize(
    ("at", "late", "shown"),
    [
        ("08:00", 0, "(on time)"),
        ("08:30", 30, "(on time, 30 min after)"),
        ("08:31", 31, "(31 min late)"),
        ("07:29", -31, "(31 min early)"),
        ("09:10", 70, "(1 h 10 min late)"),
    ],
)
def test_on_time_means_within_grace(at: str, late: int, shown: str) -> None:
    add("A", "--time", "08:00", "--grace", "30")
    out = ok("take", "a", "--at", at).stdout
    assert out == f"Took A today {at}, for the 08:00 dose {shown}\n"
    assert scalar("SELECT late_minutes FROM records") == late


def test_the_parsed_moment_is_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    add("A", "--time", "21:00")
    out = ok("take", "a", "--at", "yesterday 21:10").stdout
    assert out == "Took A yesterday 21:10, for the 21:00 dose (on time, 10 min after)\n"


def test_slot_takes_the_evening_dose_early(monkeypatch: pytest.MonkeyPatch) -> None:
    now_is(monkeypatch, "2026-11-22T14:00:00")
    add("A", "--time", "08:00", "--time", "20:00")
    ok("take", "a", "--at", "08:05")
    record = data("take", "a", "--slot", "20:00")
    assert record["scheduled_for"] == "2026-11-22T20:00:00+00:00"
    assert record["late_minutes"] == -360
    now_is(monkeypatch, "2026-11-22T20:05:00")
    line = fail(1, "take", "a")
    assert "A's dose of today 20:00 is already taken (today 14:00)" in line
    assert count("records") == 2


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("--slot", "13:00"), 1, "A has no 13:00 dose on today."),
        (("--slot", "25:00"), 2, "--slot: Cannot understand the clock time '25:00'"),
        (("--slot", "20:00", "--extra"), 2, "--slot and --extra"),
        (("--amount", "0"), 2, "more than zero, not 0"),
        (("--amount", "-1.5"), 2, "more than zero, not -1.5"),
        (("--amount", "nan"), 2, "The amount must be a number, not nan"),
        (("--amount", "inf"), 2, "The amount must be a number, not inf"),
        (("--note", "a\x1bb"), 2, "U+001B"),
    ],
)
def test_take_option_errors(args: tuple[str, ...], code: int, text: str) -> None:
    add("A", "--time", "08:00", "--time", "20:00")
    assert text in fail(code, "take", "a", *args)
    assert count("records") == 0


# --- take: bad input and the double-dose guard --------------------------------------------


def test_unknown_medication_suggests_close_names() -> None:
    add("Sertraline", "--time", "08:00")
    add("Metformin", "--time", "08:00")
    line = fail(1, "take", "sertralin")
    assert line == "adherelog: No medication named 'sertralin'. Did you mean 'Sertraline'?"
    line = fail(1, "take", "zzz")
    assert line == "adherelog: No medication named 'zzz'; 'adherelog med list' shows them."
    assert count("records") == 0


def test_unknown_medication_on_an_empty_journal_says_how_to_add_one() -> None:
    line = fail(1, "take", "sertraline")
    assert "the journal has none yet" in line
    assert "med add" in line


@pytest.mark.parametrize("value", ["01/02/2025", "tomorrow", "next tuesday", "8", ""])
def test_unparseable_time_is_a_usage_error_that_quotes_it(value: str) -> None:
    add("A", "--time", "08:00")
    line = fail(2, "take", "a", "--at", value)
    assert f"--at: Cannot understand the time '{value}'" in line
    assert "'2026-11-01 08:15'" in line
    assert count("records") == 0


def test_a_dose_in_the_future_is_refused() -> None:
    add("A", "--time", "09:00")
    line = fail(1, "take", "a", "--at", "09:16")
    assert line == (
        "adherelog: Today 09:16 is in the future; a dose can only be recorded once it has happened."
    )
    assert "in the future" in fail(1, "skip", "a", "--at", "10:00")
    assert count("records") == 0
    record = data("take", "a", "--at", "09:14")
    assert record["at"] == "2026-11-22T09:14:00+00:00"
    assert record["late_minutes"] == 14


def test_a_second_take_of_the_same_slot_is_refused_unless_extra() -> None:
    add("A", "--time", "08:00", "--supply", "10")
    ok("take", "a", "--at", "08:05")
    line = fail(1, "take", "a")
    assert line.startswith("adherelog: A's dose of today 08:00 is already taken (today 08:05).")
    assert "--extra" in line
    assert count("records") == 1
    assert supply("a") == 9
    extra = data("take", "a", "--extra")
    assert extra["scheduled_for"] is None
    assert extra["late_minutes"] is None
    assert extra["at"] == "2026-11-22T09:10:00+00:00"
    assert count("records") == 2
    assert supply("a") == 8
    out = ok("take", "a", "--extra").stdout
    assert "(an additional dose, no slot)" in out


def test_a_skipped_slot_refuses_a_take_and_names_the_last_dose() -> None:
    add("A", "--time", "08:00")
    ok("take", "a", "--at", "yesterday 08:02")
    ok("skip", "a")
    line = fail(1, "take", "a")
    assert "A's dose of today 08:00 is already skipped" in line
    assert "the last dose was taken yesterday 08:02" in line


def test_no_slot_within_12_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    add("Weekly", "--time", "08:00", "--on", "wed")
    line = fail(1, "take", "weekly")
    assert "No Weekly dose is scheduled within 12 hours of today 09:10" in line
    assert "no dose has been recorded yet" in line
    assert data("take", "weekly", "--extra")["scheduled_for"] is None


# --- take: several medications, as needed, supply ------------------------------------------


def test_taking_several_medications_at_once() -> None:
    add("A", "--time", "08:00", "--supply", "5")
    add("B", "--time", "09:00", "--per-dose", "2", "--supply", "10")
    doc = data("take", "a", "B", "--note", "with breakfast")
    assert set(doc) == {"records"}
    assert [(r["med"], r["scheduled_for"], r["amount"], r["note"]) for r in doc["records"]] == [
        ("A", "2026-11-22T08:00:00+00:00", 1, "with breakfast"),
        ("B", "2026-11-22T09:00:00+00:00", 2, "with breakfast"),
    ]
    assert all(set(r) == RECORD_KEYS for r in doc["records"])
    assert (supply("a"), supply("b")) == (4, 8)


def test_taking_several_is_all_or_nothing() -> None:
    add("A", "--time", "08:00", "--supply", "5")
    add("B", "--time", "09:00")
    assert "No medication named 'zz'" in fail(1, "take", "a", "zz", "b")
    assert count("records") == 0
    assert count("undo_log") == 0
    assert supply("a") == 5
    ok("take", "b")
    assert "B's dose of today 09:00 is already taken" in fail(1, "take", "a", "b")
    assert count("records") == 1
    assert supply("a") == 5
    assert "named twice" in fail(2, "take", "a", "A")
    assert count("records") == 1


def test_as_needed_dose_and_amounts() -> None:
    ok("med", "add", "Ibuprofen", "--as-needed", "--supply", "20", "--per-dose", "2")
    record = data("take", "ibuprofen")
    assert (record["scheduled_for"], record["late_minutes"], record["amount"]) == (None, None, 2)
    assert supply("ibuprofen") == 18
    record = data("take", "ibuprofen", "--amount", "0.5")
    assert record["amount"] == 0.5
    assert supply("ibuprofen") == 17.5
    out = ok("take", "ibuprofen", "--amount", "3").stdout
    assert out == "Took Ibuprofen ×3 today 09:10 (as needed)\n  14.5 left\n"
    assert "no dose to skip" in fail(1, "skip", "ibuprofen")


def test_as_needed_dose_from_before_the_medication_was_added() -> None:
    ok("med", "add", "Spray", "--as-needed")
    record = data("take", "spray", "--at", "yesterday 22:00")
    assert (record["at"], record["scheduled_for"]) == ("2026-11-21T22:00:00+00:00", None)
    add("Daily", "--time", "08:00", "--start", "2026-11-22")
    assert "No Daily dose is scheduled" in fail(1, "take", "daily", "--at", "yesterday 08:00")


def test_supply_goes_down_by_the_per_dose_amount() -> None:
    add("A", "--time", "08:00", "--time", "20:00", "--supply", "30", "--per-dose", "1.5")
    out = ok("take", "a").stdout
    assert out.splitlines()[-1] == "  28.5 left"
    ok("take", "a", "--slot", "20:00", "--amount", "4")
    assert supply("a") == 24.5


# --- skip ---------------------------------------------------------------------------------


def test_skip_closes_the_nearest_slot_and_never_reaches_for_another() -> None:
    add("A", "--time", "08:00", "--time", "20:00")
    ok("take", "a", "--at", "08:01")
    line = fail(1, "skip", "a")
    assert line == (
        "adherelog: A's dose of today 08:00 is already taken (today 08:01)."
        " Use --slot 20:00 to skip that dose."
    )
    record = data("skip", "a", "--slot", "20:00", "--reason", "felt sick")
    assert set(record) == RECORD_KEYS
    assert {k: record[k] for k in RECORD_KEYS - {"id"}} == {
        "kind": "skip",
        "med": "A",
        "at": "2026-11-22T09:10:00+00:00",
        "scheduled_for": "2026-11-22T20:00:00+00:00",
        "late_minutes": None,
        "amount": None,
        "note": "felt sick",
    }
    assert count("records") == 2


def test_skip_human_output() -> None:
    add("A", "--time", "08:00")
    out = ok("skip", "a", "--at", "08:30", "--reason", "no food").stdout
    assert out == "Skipped A today 08:30, the 08:00 dose: no food\n"


def test_skip_unknown_med() -> None:
    add("Sertraline", "--time", "08:00")
    assert "Did you mean 'Sertraline'" in fail(1, "skip", "sertralin")


# --- undo ---------------------------------------------------------------------------------


def test_undo_goes_back_one_record_at_a_time() -> None:
    add("A", "--time", "08:00", "--time", "20:00", "--supply", "10")
    first = data("take", "a", "--at", "yesterday 20:00")
    second = data("take", "a", "--at", "08:00")
    ok("skip", "a", "--at", "09:00", "--slot", "20:00")
    assert supply("a") == 8
    assert ok("undo").stdout == "Removed skip of A at Sun 22 Nov 09:00\n"
    assert count("records") == 2
    undone = data("undo")
    assert undone["kind"] == "dose"
    assert undone["undone"] == second
    assert supply("a") == 9
    assert data("undo")["undone"]["id"] == first["id"]
    assert supply("a") == 10
    assert count("records") == 0
    assert count("undo_log") == 0
    line = fail(1, "undo")
    assert line == "adherelog: Nothing to undo: the journal has no records."


def test_undo_on_an_empty_journal() -> None:
    assert fail(1, "undo") == "adherelog: Nothing to undo: the journal has no records."


def test_undo_reopens_the_slot() -> None:
    add("A", "--time", "08:00")
    ok("take", "a")
    ok("undo")
    assert data("take", "a")["scheduled_for"] == "2026-11-22T08:00:00+00:00"


# --- due ----------------------------------------------------------------------------------


def test_due_shows_every_status() -> None:
    add("A", "--time", "06:00", "--time", "07:00", "--time", "08:00", "--time", "09:00")
    add("A late", "--time", "10:00", "--dose", "2 mg")
    ok("med", "add", "Rescue", "--as-needed")
    ok("med", "add", "Spray", "--as-needed")
    ok("take", "a", "--at", "06:10")
    ok("skip", "a", "--at", "07:00", "--reason", "nausea")
    ok("take", "spray", "--at", "yesterday 22:00")
    doc = data("due")
    assert doc["now"] == "2026-11-22T09:10:00+00:00"
    expected_keys = {"med", "scheduled_for", "status", "at", "late_minutes"}
    assert all(expected_keys <= set(s) for s in doc["slots"])
    assert [
        (s["med"], s["scheduled_for"], s["status"], s["at"], s["late_minutes"])
        for s in doc["slots"]
    ] == [
        ("A", "2026-11-22T06:00:00+00:00", "taken", "2026-11-22T06:10:00+00:00", 10),
        ("A", "2026-11-22T07:00:00+00:00", "skipped", "2026-11-22T07:00:00+00:00", None),
        ("A", "2026-11-22T08:00:00+00:00", "overdue", None, None),
        ("A", "2026-11-22T09:00:00+00:00", "due", None, None),
        ("A late", "2026-11-22T10:00:00+00:00", "upcoming", None, None),
    ]
    assert doc["as_needed"] == [
        {"med": "Rescue", "last_taken": None},
        {"med": "Spray", "last_taken": "2026-11-21T22:00:00+00:00"},
    ]
    out = ok("due").stdout.splitlines()
    assert out[0] == "Today, Sun 22 Nov — now 09:10 (Europe/London)"
    assert out[1].split() == ["time", "medication", "dose", "status"]
    assert out[2].split() == [
        "06:00",
        "A",
        "taken",
        "at",
        "06:10,",
        "on",
        "time,",
        "10",
        "min",
        "after",
    ]
    assert out[3].split() == ["07:00", "A", "skipped", "nausea"]
    assert out[4].split() == ["08:00", "A", "overdue"]
    assert out[5].split() == ["09:00", "A", "due"]
    assert out[6].split() == ["10:00", "A", "late", "2", "mg", "upcoming"]
    assert out[7] == "As needed"
    assert out[8].split() == ["Rescue", "never", "taken"]
    assert out[9].split() == ["Spray", "last", "taken", "yesterday", "22:00"]


def test_missed_is_not_due_but_is_in_history(monkeypatch: pytest.MonkeyPatch) -> None:
    add("A", "--time", "08:00", "--start", "2026-11-21")
    now_is(monkeypatch, "2026-11-22T07:00:00")
    assert [(s["scheduled_for"], s["status"]) for s in data("due")["slots"]] == [
        ("2026-11-22T08:00:00+00:00", "upcoming")
    ]
    records = data("history")["records"]
    assert [(r["kind"], r["scheduled_for"], r["at"], r["id"]) for r in records] == [
        ("missed", "2026-11-21T08:00:00+00:00", None, None)
    ]
    slot = Slot(
        med_id="m",
        scheduled=localize(date(2026, 11, 21), time(8, 0), ZoneInfo("Europe/London")),
        local_date=date(2026, 11, 21),
        time=time(8, 0),
        grace=60,
        zone="Europe/London",
    )
    now = localize(date(2026, 11, 22), time(7, 0), ZoneInfo("Europe/London"))
    assert slot_status(slot, None, now) is SlotStatus.MISSED


def test_due_with_nothing_scheduled() -> None:
    assert ok("due").stdout == (
        "Today, Sun 22 Nov — now 09:10 (Europe/London)\n  Nothing is scheduled today.\n"
    )
    assert data("due") == {
        "now": "2026-11-22T09:10:00+00:00",
        "slots": [],
        "as_needed": [],
        "buddies_due": [],
    }


def test_due_of_a_schedule_in_another_zone() -> None:
    add("Tokyo", "--time", "20:00", "--tz", "Asia/Tokyo")
    doc = data("due")
    assert [(s["scheduled_for"], s["status"]) for s in doc["slots"]] == [
        ("2026-11-22T20:00:00+09:00", "upcoming")
    ]
    assert "20:00 Asia/Tokyo" in ok("due").stdout


# --- history ------------------------------------------------------------------------------


def test_history_default_is_the_last_seven_days(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "P", "--as-needed", "--start", "2026-11-01")
    for at in ("2026-11-15 09:00", "2026-11-15 09:20", "2026-11-20 12:00", "2026-11-22 09:10"):
        ok("take", "p", "--at", at)
    records = data("history")["records"]
    assert [r["at"] for r in records] == [
        "2026-11-15T09:20:00+00:00",
        "2026-11-20T12:00:00+00:00",
        "2026-11-22T09:10:00+00:00",
    ]
    assert all(set(r) == RECORD_KEYS for r in records)
    ok("take", "p", "--at", "09:14")
    assert data("history")["records"][-1]["at"] == "2026-11-22T09:14:00+00:00"


def test_history_lists_doses_skips_and_missed_in_time_order() -> None:
    add("A", "--time", "08:00", "--start", "2026-11-19")
    add("B", "--time", "07:00", "--start", "2026-11-20", "--per-dose", "2")
    ok("take", "a", "--at", "2026-11-19 08:30", "--note", "late\nbreakfast")
    ok("skip", "b", "--at", "2026-11-20 07:05")
    ok("take", "b", "--at", "2026-11-21 06:55")
    records = data("history", "--since", "2026-11-19")["records"]
    assert [(r["kind"], r["med"], r["scheduled_for"]) for r in records] == [
        ("dose", "A", "2026-11-19T08:00:00+00:00"),
        ("skip", "B", "2026-11-20T07:00:00+00:00"),
        ("missed", "A", "2026-11-20T08:00:00+00:00"),
        ("dose", "B", "2026-11-21T07:00:00+00:00"),
        ("missed", "A", "2026-11-21T08:00:00+00:00"),
    ]
    assert records[0]["note"] == "late\nbreakfast"
    assert records[3]["late_minutes"] == -5
    assert records[3]["amount"] == 2
    out = ok("history", "--since", "2026-11-19", env={"COLUMNS": "120"}).stdout.splitlines()
    assert out[0].split() == ["when", "kind", "what", "details"]
    assert out[1].split() == [
        "Thu",
        "19",
        "Nov",
        "08:30",
        "dose",
        "A",
        "for",
        "08:00,",
        "on",
        "time,",
        "30",
        "min",
        "after:",
        "late",
        "⏎",
        "breakfast",
    ]
    assert out[2].split() == ["Fri", "20", "Nov", "07:05", "skip", "B", "the", "07:00", "dose"]
    assert out[3].split() == ["Fri", "20", "Nov", "08:00", "missed", "A"]


def test_history_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    add("A", "--time", "08:00")
    add("B", "--time", "08:00")
    for day in ("18", "19", "20", "21"):
        ok("take", "a", "b", "--at", f"2026-11-{day} 08:00")
    only_a = data("history", "--med", "a", "--since", "2026-11-19", "--until", "2026-11-20")
    assert [(r["med"], r["at"]) for r in only_a["records"]] == [
        ("A", "2026-11-19T08:00:00+00:00"),
        ("A", "2026-11-20T08:00:00+00:00"),
    ]
    window = data("history", "--since", "2026-11-21 07:00", "--until", "2026-11-21 09:00")
    assert [r["med"] for r in window["records"]] == ["A", "B"]
    assert "No medication named 'zzz'" in fail(1, "history", "--med", "zzz")
    assert "--since" in fail(2, "history", "--since", "2026-11-20", "--until", "2026-11-19")
    assert "'last week'" in fail(2, "history", "--since", "last week")


def test_history_empty() -> None:
    assert ok("history").stdout == "No records in this period.\n"
    assert data("history") == {"records": []}


# --- zones --------------------------------------------------------------------------------


def test_iso_offsets_follow_the_records_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    now_is(monkeypatch, "2026-11-01T12:00:00")
    add("X", "--time", "01:30", "--start", "2026-10-30")
    record = data("take", "x", "--at", "2026-11-01 01:30")
    assert record["at"] == "2026-11-01T01:30:00-04:00"
    assert record["scheduled_for"] == "2026-11-01T01:30:00-04:00"
    assert record["late_minutes"] == 0
    later = data("take", "x", "--at", "2026-11-01T01:40:00-05:00", "--extra")
    assert later["at"] == "2026-11-01T01:40:00-05:00"
    assert data("due")["now"] == "2026-11-01T12:00:00-05:00"


def test_spring_forward_slot_in_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    now_is(monkeypatch, "2026-03-10T12:00:00")
    add("Y", "--time", "02:30", "--start", "2026-03-07")
    records = data("history", "--since", "2026-03-07", "--until", "2026-03-09")["records"]
    assert [r["scheduled_for"] for r in records] == [
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
    ]


def test_travel_does_not_rewrite_history(monkeypatch: pytest.MonkeyPatch) -> None:
    add("A", "--time", "08:00", "--time", "20:00", "--start", "2026-11-18")
    ok("take", "a", "--at", "2026-11-19 08:10")
    ok("skip", "a", "--at", "2026-11-19 20:00")
    ok("take", "a", "--at", "2026-11-20 07:50")
    london = data("history")["records"]
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    now_is(monkeypatch, "2026-11-22T18:10:00")  # the same instant, seen from Tokyo
    tokyo = data("history")["records"]
    assert [r["scheduled_for"] for r in tokyo] == [r["scheduled_for"] for r in london]
    assert [r["at"] for r in tokyo] == [r["at"] for r in london]
    assert tokyo[0]["scheduled_for"] == "2026-11-18T08:00:00+00:00"
    assert [r["kind"] for r in tokyo] == [
        "missed",
        "missed",
        "dose",
        "skip",
        "dose",
        "missed",
        "missed",
        "missed",
    ]
    # A dose taken while in Tokyo still fills the London slot nearest to it.
    record = data("take", "a", "--at", "2026-11-22 17:05")
    assert record["scheduled_for"] == "2026-11-22T08:00:00+00:00"
    assert record["at"] == "2026-11-22T17:05:00+09:00"
    assert record["late_minutes"] == 5
