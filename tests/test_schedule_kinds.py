"""The schedules people have (SPEC §4): --rrule, --cycle, per-time amounts and med taper,
through the command line, with every bad input refused and the journal left unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from adherelog.migrations import MIGRATIONS, m006_schedule_kinds
from helpers import count, data, downgrade, invoke, journal, ok, one_error_line, scalar, sha256

# The fixed clock of conftest: Sun 22 Nov 2026 09:10, Europe/London.


def slots_today() -> list[tuple[str, str]]:
    return [(s["med"], s["scheduled_for"][11:16]) for s in data("due")["slots"]]


# ------------------------------------------------------------------------ the five kinds


def test_a_cyclic_pill_takes_21_days_then_pauses_7() -> None:
    ok("med", "add", "Pill", "--time", "08:00", "--cycle", "21/7", "--start", "2026-10-11")
    shown = data("med", "show", "Pill")["schedules"][0]
    assert (shown["cycle"], shown["rrule"], shown["amounts"]) == ([21, 7], None, {})
    # 11 Oct + 21 days on = 31 Oct; off 1–7 Nov; on 8–28 Nov: today (22 Nov) has a dose.
    assert slots_today() == [("Pill", "08:00")]
    found = data("summary", "--since", "2026-10-11")["meds"][0]
    assert found["scheduled"] == 21 + 15  # 11–31 Oct, 8–22 Nov
    assert "21 days on, 7 off at 08:00" in ok("med", "list").stdout


def test_a_cycle_off_today_has_no_slot() -> None:
    ok("med", "add", "Pill", "--time", "08:00", "--cycle", "21/7", "--start", "2026-10-25")
    # on 25 Oct – 14 Nov, off 15–21 Nov, on again from 22 Nov (today)
    assert slots_today() == [("Pill", "08:00")]
    ok("med", "edit", "Pill", "--cycle", "2/5", "--from", "2026-11-19")
    assert slots_today() == []  # 19, 20 on; 21–25 off


def test_a_weekly_injection_every_other_monday() -> None:
    ok(
        "med", "add", "Adalimumab", "--time", "19:00", "--start", "2026-10-05",
        "--rrule", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    )  # fmt: skip
    found = data("summary", "--since", "2026-10-05")["meds"][0]
    assert found["scheduled"] == 4  # 5 Oct, 19 Oct, 2 Nov, 16 Nov
    assert data("med", "show", "adalimumab")["schedules"][0]["rrule"] == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    )
    assert "every 2 weeks on mon at 19:00" in ok("med", "show", "adalimumab").stdout
    # Mon 16 Nov 19:00 GMT, taken on Tuesday morning: the nearest slot within 12 hours.
    took = data("take", "adalimumab", "--at", "2026-11-17 06:00")
    assert took["scheduled_for"] == "2026-11-16T19:00:00+00:00"


def test_a_monthly_shot_on_the_first_and_the_last_friday_across_dst() -> None:
    ok(
        "med", "add", "B12", "--time", "01:30", "--start", "2026-01-01",
        "--tz", "America/New_York", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=1",
    )  # fmt: skip
    ok(
        "med", "add", "Zol", "--time", "10:00", "--start", "2026-01-01",
        "--rrule", "RRULE:freq=monthly;byday=-1FR",
    )  # fmt: skip
    meds = {m["name"]: m for m in data("summary", "--since", "2026-01-01")["meds"]}
    assert meds["B12"]["scheduled"] == 11  # 1 Jan – 1 Nov
    assert meds["Zol"]["scheduled"] == 10  # last Fridays, Jan – Oct
    assert data("med", "show", "zol")["schedules"][0]["rrule"] == "FREQ=MONTHLY;BYDAY=-1FR"
    assert "monthly on the last fri at 10:00" in ok("med", "show", "zol").stdout


def test_a_rule_with_count_ends_after_its_doses() -> None:
    ok(
        "med", "add", "Course", "--time", "08:00", "--start", "2026-11-01",
        "--rrule", "FREQ=DAILY;INTERVAL=3;COUNT=4",
    )  # fmt: skip
    found = data("summary", "--since", "2026-11-01")["meds"][0]
    assert found["scheduled"] == 4  # 1, 4, 7, 10 Nov


def test_a_split_dose_records_and_counts_each_amount() -> None:
    ok(
        "med", "add", "Metformin", "--time", "08:00=2", "--time", "20:00",
        "--per-dose", "1", "--supply", "20", "--start", "2026-11-20",
    )  # fmt: skip
    shown = data("med", "show", "metformin")
    assert shown["schedules"][0]["amounts"] == {"08:00": 2}
    assert shown["schedules"][0]["times"] == ["08:00", "20:00"]
    took = data("take", "metformin", "--at", "08:05")
    assert (took["scheduled_for"][11:16], took["amount"]) == ("08:00", 2)
    assert data("med", "show", "metformin")["supply"] == 18
    took = data("take", "metformin", "--slot", "20:00")
    assert took["amount"] == 1
    # 17 left, counted over the slots from now on as runs_out always has (today's 20:00
    # included): 1 tonight, 2 + 1 on 23–27 Nov (15), and 1 left is short of 28 Nov's 2.
    found = data("summary")["meds"][0]
    assert (found["supply"], found["runs_out"]) == (17, "2026-11-27")
    assert "08:00 (2), 20:00" in ok("med", "show", "metformin").stdout


def test_runs_out_with_amounts_looks_past_weeks_without_a_dose() -> None:
    ok(
        "med", "add", "B12", "--time", "10:00=2", "--supply", "5",
        "--rrule", "FREQ=MONTHLY;BYMONTHDAY=1",
    )  # fmt: skip
    # 1 Dec and 1 Jan take 2 each; the 1 left is short of 1 Feb's 2.
    assert data("summary")["meds"][0]["runs_out"] == "2027-01-01"
    ok("med", "add", "Course", "--time", "08:00=2", "--supply", "50", "--start", "2026-11-20",
       "--rrule", "FREQ=DAILY;COUNT=5")  # fmt: skip
    found = {m["name"]: m for m in data("summary")["meds"]}
    assert found["Course"]["runs_out"] is None  # the course ends before the supply does


def test_edit_carries_the_rule_over_and_replaces_it_with_another_kind() -> None:
    ok("med", "add", "Mtx", "--time", "09:00", "--rrule", "FREQ=WEEKLY;BYDAY=SU")
    ok("med", "edit", "mtx", "--time", "10:00", "--from", "2026-11-29")
    later = data("med", "show", "mtx")["schedules"][-1]
    assert (later["times"], later["rrule"]) == (["10:00"], "FREQ=WEEKLY;BYDAY=SU")
    ok("med", "edit", "mtx", "--every", "2", "--from", "2026-12-06")
    last = data("med", "show", "mtx")["schedules"][-1]
    assert (last["every"], last["rrule"], last["cycle"]) == (2, None, None)


def test_as_needed_from_a_date_leaves_the_rule_and_amounts_behind() -> None:
    ok("med", "add", "Mtx", "--time", "09:00=2", "--rrule", "FREQ=WEEKLY;BYDAY=SU")
    ok("med", "edit", "mtx", "--as-needed", "--from", "2026-11-29")
    later = data("med", "show", "mtx")["schedules"][-1]
    assert (later["as_needed"], later["rrule"], later["amounts"]) == (True, None, {})


# ------------------------------------------------------------------------ bad inputs

BAD_ADD = [
    (["--rrule", "FREQ=YEARLY"], 2, "FREQ=YEARLY"),
    (["--rrule", "FREQ=WEEKLY;BYHOUR=8"], 2, "BYHOUR=8"),
    (["--rrule", "FREQ=WEEKLY;BYSETPOS=1"], 2, "BYSETPOS=1"),
    (["--rrule", "INTERVAL=2"], 2, "FREQ"),
    (["--rrule", "FREQ=DAILY;COUNT=0"], 2, "COUNT=0"),
    (["--rrule", "FREQ=DAILY;UNTIL=20200101"], 2, "UNTIL=20200101"),
    (["--rrule", "FREQ=DAILY;COUNT=2;UNTIL=20270101"], 2, "COUNT or UNTIL"),
    (["--rrule", "FREQ=WEEKLY;BYDAY=1MO"], 2, "BYDAY=1MO"),
    (["--rrule", "FREQ=WEEKLY;BYDAY=XX"], 2, "XX"),
    (["--rrule", "FREQ=MONTHLY;BYMONTHDAY=32"], 2, "BYMONTHDAY=32"),
    (["--rrule", "FREQ=DAILY;INTERVAL=0"], 2, "INTERVAL=0"),
    (["--rrule", "FREQ=DAILY;;"], 2, "''"),
    (["--cycle", "0/7"], 2, "0/7"),
    (["--cycle", "21/"], 2, "21/"),
    (["--cycle", "abc"], 2, "abc"),
    (["--time", "08:00=0"], 2, "'0'"),
    (["--time", "08:00=abc"], 2, "'abc'"),
    (["--time", "08:00=-1"], 2, "'-1'"),
    (["--time", "08:00=2", "--time", "08:00"], 2, "08:00"),
    (["--time", "25:00=2"], 2, "25:00"),
    (["--every", "2", "--on", "mon"], 2, "--every and --on"),
    (["--every", "2", "--cycle", "21/7"], 2, "--every and --cycle"),
    (["--on", "mon", "--rrule", "FREQ=DAILY"], 2, "--on and --rrule"),
    (["--rrule", "FREQ=DAILY", "--cycle", "21/7"], 2, "--rrule and --cycle"),
    (["--as-needed", "--cycle", "21/7"], 2, "--cycle needs --time"),
]


@pytest.mark.parametrize(("extra", "code", "named"), BAD_ADD)
def test_bad_schedule_options_are_refused_and_change_nothing(
    extra: list[str], code: int, named: str
) -> None:
    ok("med", "add", "Existing", "--time", "08:00")
    before = sha256(journal())
    times = [] if "--time" in extra or "--as-needed" in extra else ["--time", "08:00"]
    result = invoke("med", "add", "New", *times, *extra)
    assert result.exit_code == code, result.stderr
    line = one_error_line(result.stderr)
    assert named in line
    assert line.rstrip().endswith(".")
    assert sha256(journal()) == before
    # The same options on med edit are refused the same way.
    edited = invoke("med", "edit", "existing", *times, *extra)
    assert edited.exit_code == code
    assert named in one_error_line(edited.stderr)
    assert sha256(journal()) == before
    assert count("schedules") == 1


def test_a_rule_that_ends_before_the_start_is_refused_on_add_but_not_as_a_part() -> None:
    result = invoke(
        "med", "add", "X", "--time", "08:00", "--start", "2026-11-01",
        "--rrule", "FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=20261130",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "UNTIL=20261130" in one_error_line(result.stderr)
    assert not journal().exists() or count("meds") == 0


# ------------------------------------------------------------------------------ taper

STEPS = [
    "--step", "2026-11-29 30 mg", "--step", "2026-12-06 20 mg",
    "--step", "2026-12-13 10 mg", "--step", "2026-12-20 5 mg",
]  # fmt: skip


def add_prednisone() -> None:
    ok("med", "add", "Prednisone", "--dose", "40 mg", "--time", "08:00", "--start", "2026-11-01")


def test_a_four_step_taper_is_one_command() -> None:
    add_prednisone()
    made = data("med", "taper", "prednisone", *STEPS, "--stop", "2026-12-27")
    assert made["dry_run"] is False
    versions = made["schedules"]
    assert [(v["from"][:10], v["dose"], v["active"]) for v in versions] == [
        ("2026-11-01", "40 mg", True),
        ("2026-11-29", "30 mg", True),
        ("2026-12-06", "20 mg", True),
        ("2026-12-13", "10 mg", True),
        ("2026-12-20", "5 mg", True),
        ("2026-12-27", "5 mg", False),
    ]
    assert all(v["times"] == ["08:00"] for v in versions)
    shown = ok("med", "show", "prednisone").stdout
    assert shown.count("(planned)") == 5
    assert "Sun 1 Nov 00:00" in shown
    # Doses on the planned days are counted with the step in force.
    assert count("schedules") == 6


def test_a_taper_carries_the_rule_and_amounts_over() -> None:
    ok(
        "med", "add", "Pred", "--dose", "40 mg", "--time", "08:00=2", "--start", "2026-11-01",
        "--rrule", "FREQ=DAILY;INTERVAL=2",
    )  # fmt: skip
    made = data("med", "taper", "pred", "--step", "2026-12-01 20 mg")
    last = made["schedules"][-1]
    assert (last["rrule"], last["amounts"], last["dose"]) == (
        "FREQ=DAILY;INTERVAL=2",
        {"08:00": 2},
        "20 mg",
    )


def test_a_taper_dry_run_prints_the_plan_and_writes_nothing() -> None:
    add_prednisone()
    before = sha256(journal())
    result = ok("med", "taper", "prednisone", *STEPS, "--stop", "2026-12-27", "--dry-run")
    assert result.stdout.startswith("Plan only, nothing changed:")
    assert "20 mg" in result.stdout
    assert "stopped (planned)" in result.stdout
    planned = data("med", "taper", "prednisone", *STEPS, "--dry-run")
    assert planned["dry_run"] is True
    assert len(planned["schedules"]) == 5
    assert sha256(journal()) == before
    assert count("schedules") == 1


BAD_TAPER = [
    (["--step", "2026-12-06 20 mg", "--step", "2026-11-29 30 mg"], 2, "2026-11-29"),
    (["--step", "2026-12-06 20 mg", "--step", "2026-12-06 10 mg"], 2, "2026-12-06"),
    (["--step", "2026-10-01 30 mg"], 1, "2026-10-01"),
    (["--step", "2026-12-06"], 2, "2026-12-06"),
    (["--step", "2026-12-06 \x1b[31m"], 2, "dose"),
    (["--step", "soon 10 mg"], 2, "soon 10 mg"),
    (["--step", "2026-12-06 20 mg", "--stop", "2026-12-06"], 2, "2026-12-06"),
    (["--stop", "2026-12-06"], 2, "--step"),
]


@pytest.mark.parametrize(("args", "code", "named"), BAD_TAPER)
def test_bad_taper_steps_are_refused_and_change_nothing(
    args: list[str], code: int, named: str
) -> None:
    add_prednisone()
    before = sha256(journal())
    result = invoke("med", "taper", "prednisone", *args)
    assert result.exit_code == code, result.stderr
    assert named in one_error_line(result.stderr)
    assert sha256(journal()) == before
    assert count("schedules") == 1


# ---------------------------------------------------------------------- the migration


def test_a_journal_from_before_m006_migrates_and_keeps_its_schedules(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--time", "20:00", "--start", "2026-11-01")
    ok("take", "metformin", "--at", "2026-11-21 08:00")
    summary_before = data("summary")
    # Make it the journal an adherelog without m006 wrote: no new columns, an older version.
    older = MIGRATIONS.index(m006_schedule_kinds)
    downgrade(journal(), older)
    assert data("summary") == summary_before  # read: migrated in memory only
    assert scalar("PRAGMA user_version") == older
    ok("take", "metformin", "--at", "2026-11-21 20:00")  # a write migrates the file
    assert scalar("PRAGMA user_version") == len(MIGRATIONS)
    conn = sqlite3.connect(journal())
    names = [row[1] for row in conn.execute("PRAGMA table_info(schedules)")]
    assert names[-3:] == ["rrule", "cycle", "amounts"]
    assert conn.execute("SELECT rrule, cycle, amounts FROM schedules").fetchall() == [
        (None, None, None)
    ]
    conn.close()
    shown = data("med", "show", "metformin")["schedules"][0]
    assert (shown["rrule"], shown["cycle"], shown["amounts"]) == (None, None, {})
    assert data("summary")["meds"][0]["taken"] == summary_before["meds"][0]["taken"] + 1


# -------------------------------------------------------------------------- calendar


def test_the_calendar_writes_a_rule_schedule_as_one_event_with_the_same_rule() -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    ok(
        "med", "add", "Mtx", "--dose", "15 mg", "--time", "10:00", "--start", "2026-11-01",
        "--rrule", "FREQ=WEEKLY;BYDAY=SU,WE",
    )  # fmt: skip
    ok(
        "med", "add", "Course", "--time", "07:00", "--start", "2026-11-01",
        "--rrule", "FREQ=DAILY;INTERVAL=3;COUNT=12",
    )  # fmt: skip
    ok("med", "add", "Daily", "--time", "20:00")
    ok("take", "mtx", "--slot", "10:00")  # today's (Sunday's) dose, taken early
    cal: Any = Calendar.from_ical(ok("calendar", "--days", "14").stdout_bytes)
    found = {str(e["summary"]): e for e in cal.walk("VEVENT") if "rrule" in e}
    assert sorted(found) == ["Take Course", "Take Mtx 15 mg"]
    mtx = found["Take Mtx 15 mg"]
    london = ZoneInfo("Europe/London")
    assert mtx.decoded("dtstart") == datetime(2026, 11, 22, 10, tzinfo=london)
    assert mtx["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=SU,WE"
    assert [d.dt for d in mtx["exdate"].dts] == [datetime(2026, 11, 22, 10, tzinfo=london)]
    course = found["Take Course"]
    # 1 Nov + 3k: 22 Nov was the 8th day, 25 Nov the 9th: 4 of the 12 are left.
    assert course.decoded("dtstart") == datetime(2026, 11, 25, 7, tzinfo=london)
    rule = rrulestr(course["rrule"].to_ical().decode(), dtstart=course.decoded("dtstart"))
    assert [d.day for d in rule] == [25, 28, 1, 4]
    # Schedules without a rule keep one event per slot.
    daily = [e for e in cal.walk("VEVENT") if e["summary"] == "Take Daily"]
    assert len(daily) == 14
    assert all("rrule" not in e for e in daily)
    assert daily[0].decoded("dtstart") - timedelta(days=1) == datetime(
        2026, 11, 21, 20, tzinfo=london
    )


def test_the_clinic_report_shows_each_kind_and_each_taper_step() -> None:
    ok("med", "add", "Pill", "--time", "08:00", "--cycle", "21/7", "--start", "2026-10-01")
    ok(
        "med", "add", "B12", "--time", "10:00", "--start", "2026-09-01",
        "--rrule", "FREQ=MONTHLY;BYMONTHDAY=1",
    )  # fmt: skip
    add_prednisone()
    ok("med", "taper", "prednisone", "--step", "2026-11-08 30 mg", "--step", "2026-11-15 20 mg")
    report = ok("report").stdout
    assert "21 days on, 7 off at 08:00" in report
    assert "monthly on day 1 at 10:00" in report
    assert "30 mg" in report
    assert "20 mg" in report


# -------------------------------------------------------------------- export and import


def test_export_and_import_carry_every_schedule_kind(tmp_path: Path) -> None:
    ok("med", "add", "Pill", "--time", "08:00", "--cycle", "21/7", "--start", "2026-10-01")
    ok("med", "add", "Mtx", "--time", "09:00=2", "--rrule", "FREQ=WEEKLY;BYDAY=WE")
    exported = tmp_path / "e.json"
    assert invoke("export", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    assert invoke("--db", str(other), "import", str(exported)).exit_code == 0
    for name in ("pill", "mtx"):
        mine = data("med", "show", name)
        theirs = data("--db", str(other), "med", "show", name)
        assert theirs == mine
    assert data("--db", str(other), "med", "show", "mtx")["schedules"][0]["amounts"] == {"09:00": 2}


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("rrule", "FREQ=YEARLY"),
        ("rrule", "FREQ=DAILY;BYHOUR=8"),
        ("cycle", "0/7"),
        ("cycle", "21/"),
        ("amounts", '{"08:00": 0}'),
        ("amounts", '{"25:00": 2}'),
        ("amounts", "[2]"),
    ],
)
def test_an_import_with_a_bad_schedule_kind_is_refused(
    tmp_path: Path, column: str, value: str
) -> None:
    import json

    ok("med", "add", "Pill", "--time", "08:00")
    exported = tmp_path / "e.json"
    assert invoke("export", "-o", str(exported)).exit_code == 0
    doc = json.loads(exported.read_text())
    doc["schedules"][0][column] = value
    exported.write_text(json.dumps(doc))
    other = tmp_path / "other.db"
    result = invoke("--db", str(other), "import", str(exported))
    assert result.exit_code == 1
    assert f"schedules[0].{column}" in one_error_line(result.stderr)
    assert not other.exists() or scalar("SELECT count(*) FROM meds", path=other) == 0


def test_an_import_with_two_day_kinds_in_one_version_is_refused(tmp_path: Path) -> None:
    import json

    ok("med", "add", "Pill", "--time", "08:00", "--cycle", "21/7")
    exported = tmp_path / "e.json"
    assert invoke("export", "-o", str(exported)).exit_code == 0
    doc = json.loads(exported.read_text())
    doc["schedules"][0]["every"] = 2
    exported.write_text(json.dumps(doc))
    result = invoke("--db", str(tmp_path / "other.db"), "import", str(exported))
    assert result.exit_code == 1
    assert "at most one of every, on_days, rrule and cycle" in one_error_line(result.stderr)


def test_an_optional_slot_of_the_day_of_adding_keeps_its_own_amount() -> None:
    env = {"ADHERELOG_NOW": "2026-11-22T08:10:00"}
    ok("med", "add", "Calcium", "--time", "08:00=2", "--time", "20:00", "--supply", "10", env=env)
    taken = data("take", "Calcium", env=env)
    assert taken["scheduled_for"] == "2026-11-22T08:00:00+00:00"
    assert taken["amount"] == 2
    assert data("med", "show", "Calcium", env=env)["supply"] == 8
    due = data("due", env=env)
    assert [(s["scheduled_for"], s["status"]) for s in due["slots"]] == [
        ("2026-11-22T08:00:00+00:00", "taken"),
        ("2026-11-22T20:00:00+00:00", "upcoming"),
    ]
