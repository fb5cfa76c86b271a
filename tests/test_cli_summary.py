"""``summary`` and ``streak`` through the command line (fixed ADHERELOG_NOW and TZ from
conftest: Sunday 22 November 2026, 09:10 in London)."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adherelog import schedule
from adherelog.clock import localize
from adherelog.doses import new_record, write_record
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions
from adherelog.storage import open_store
from adherelog.text import display_width
from helpers import data, invoke, ok, one_error_line, run

LONDON = ZoneInfo("Europe/London")
NOW = localize(date(2026, 11, 22), time(9, 10), LONDON)
COUNT_KEYS = {
    "scheduled",
    "taken",
    "on_time",
    "early",
    "late",
    "skipped",
    "missed",
    "pending",
    "adherence",
}
OVERALL_KEYS = COUNT_KEYS | {"current_streak", "longest_streak"}
MED_KEYS = OVERALL_KEYS | {
    "name",
    "supply",
    "runs_out",
    "as_needed",
    "as_needed_doses",
    "extra_doses",
}


WARNING = (
    "warning: Metformin: 9 left, enough until Thu 26 Nov (in 4 days) at the current schedule.\n"
)


def at(day: str, clock: str) -> datetime:
    return localize(date.fromisoformat(day), time.fromisoformat(clock), LONDON)


@pytest.fixture
def history(isolated_journal: Path) -> Path:
    """1-22 November: Metformin 08:00 and 20:00 (20:00 on the 5th missed, 08:00 on the
    10th skipped, 20:00 on the 3rd taken 90 minutes late, today's 20:00 to come),
    Sertraline 08:00 (the 12th missed, today's overdue), Ibuprofen as needed twice, two
    side effects."""
    store = open_store(isolated_journal, write=True)
    journal = Journal(store, NOW, LONDON)
    times = [time(8), time(20)]
    journal.add_med("Metformin", ScheduleOptions(times=times), start=date(2026, 11, 1), supply=50)
    journal.add_med("Sertraline", ScheduleOptions(times=[time(8)]), start=date(2026, 11, 1))
    journal.add_med("Ibuprofen", ScheduleOptions(as_needed=True), start=date(2026, 11, 1))
    not_taken = {
        ("Metformin", "2026-11-05 20:00"),
        ("Metformin", "2026-11-10 08:00"),
        ("Metformin", "2026-11-03 20:00"),
        ("Sertraline", "2026-11-12 08:00"),
        ("Sertraline", "2026-11-22 08:00"),
    }
    for name in ("Metformin", "Sertraline"):
        med = journal.med(name)
        for slot in schedule.slots_between(med.versions, at("2026-11-01", "00:00"), NOW):
            if (name, slot.scheduled.strftime("%Y-%m-%d %H:%M")) not in not_taken:
                journal.take([name], at=slot.scheduled + timedelta(minutes=5))
    journal.take(["Metformin"], at=at("2026-11-03", "21:30"))
    journal.skip("Metformin", at=at("2026-11-10", "08:00"), reason="stomach bug")
    journal.take(["Ibuprofen"], at=at("2026-11-20", "14:00"))
    journal.take(["Ibuprofen"], at=at("2026-11-21", "14:00"))
    for when, name, severity in (("2026-11-20", "Nausea", 2), ("2026-11-21", "nausea", 3)):
        with store.write() as conn:
            write_record(journal, conn, new_record(
                journal, f"e{when}", "effect", None, at(when, "10:00"), None,
                effect=name, severity=severity,
            ))  # fmt: skip
    store.close()
    return isolated_journal


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def assert_fits_80_columns_without_colour(text: str) -> None:
    assert "\x1b" not in text
    for line in lines_of(text):
        assert display_width(line) <= 79, line
        assert line == line.rstrip(), repr(line)


# ----------------------------------------------------------------------------- summary


def test_summary_last_30_days(history: Path) -> None:
    result = invoke("summary")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert_fits_80_columns_without_colour(out)
    assert lines_of(out)[0] == "Adherence, Sat 24 Oct – Sun 22 Nov 2026 (30 days)"
    table = re.sub(r" +", " ", out)
    assert "medication slots taken on time early late skipped missed adherence" in table
    assert "\nMetformin 44 41 40 0 1 1 1 95.3%" in table
    assert "\nSertraline 22 20 20 0 0 0 1 95.2%" in table
    assert "\nall medications 66 61 60 0 1 1 2 95.3%" in table
    assert "2 doses still to come or within its time are not counted yet." in out
    assert "│ marks 80%" in out
    assert re.search(r"all medications\s+9 now\s+longest 9 \(Fri 13 Nov – Sat 21 Nov\)", out)
    assert re.search(r"Metformin\s+11 now\s+longest 11 \(Wed 11 Nov – Sat 21 Nov\)", out)
    assert "Last 6 weeks, all medications" in out
    assert "  16 Nov     ■   ■   ■   ■   ■   ■  [◩]" in out  # today: partly taken so far
    assert "  9 Nov      ■   ◩   ■   ◩   ■   ■   ■" in out
    assert "Metformin         9 left, enough until Thu 26 Nov" in out
    assert "Ibuprofen         2 doses in this period" in out
    assert "Nausea            2 times, mean severity 2.5 of 5" in out
    assert result.stderr == WARNING
    for word in ("increase", "reduce", "double", "should"):
        assert word not in out.lower()


def test_summary_since_a_date_for_one_medication_as_json(history: Path) -> None:
    doc = data("summary", "--since", "2026-01-01", "--med", "metformin")
    assert set(doc) == {"from", "to", "overall", "meds", "effects", "calendar", "goals"}
    assert (doc["from"], doc["to"]) == ("2026-01-01", "2026-11-22")
    assert set(doc["overall"]) == OVERALL_KEYS
    assert [m["name"] for m in doc["meds"]] == ["Metformin"]
    med = doc["meds"][0]
    assert set(med) == MED_KEYS
    assert med == {
        "name": "Metformin",
        "scheduled": 44,
        "taken": 41,
        "on_time": 40,
        "early": 0,
        "late": 1,
        "skipped": 1,
        "missed": 1,
        "pending": 1,
        "adherence": 0.9535,
        "current_streak": 11,
        "longest_streak": 11,
        "supply": 9,
        "runs_out": "2026-11-26",
        "as_needed": False,
        "as_needed_doses": 0,
        "extra_doses": 0,
    }
    assert doc["overall"] == {k: v for k, v in med.items() if k in OVERALL_KEYS}
    assert doc["effects"] == []  # the side effects were not linked to Metformin


def test_summary_json_for_all_medications(history: Path) -> None:
    doc = data("summary")
    assert doc["overall"] == {
        "scheduled": 66,
        "taken": 61,
        "on_time": 60,
        "early": 0,
        "late": 1,
        "skipped": 1,
        "missed": 2,
        "pending": 2,
        "adherence": 0.9531,
        "current_streak": 9,
        "longest_streak": 9,
    }
    rows = {m["name"]: m for m in doc["meds"]}
    assert set(rows) == {"Ibuprofen", "Metformin", "Sertraline"}
    assert rows["Ibuprofen"]["as_needed"] is True
    assert rows["Ibuprofen"]["as_needed_doses"] == 2
    assert rows["Ibuprofen"]["scheduled"] == 0
    assert rows["Ibuprofen"]["adherence"] is None
    assert rows["Sertraline"]["supply"] is None
    assert rows["Sertraline"]["runs_out"] is None
    assert doc["effects"] == [{"name": "Nausea", "count": 2, "mean_severity": 2.5}]
    days = {d["date"]: d for d in doc["calendar"]}
    assert days["2026-11-05"] == {"date": "2026-11-05", "scheduled": 3, "taken": 2, "day": "broken"}
    assert days["2026-11-22"]["day"] == "open"
    assert days["2026-10-20"]["day"] == "none"


def test_summary_explain_shows_the_arithmetic(history: Path) -> None:
    out = invoke("summary", "--explain").stdout
    assert_fits_80_columns_without_colour(out)
    text = " ".join(out.split())
    assert "How the numbers were worked out" in out
    assert "44 scheduled = 41 taken + 1 skipped + 1 missed + 1 pending" in text
    assert "41 taken = 40 on time + 0 early + 1 late" in text
    assert "adherence = 41 taken / (41 + 1 skipped + 1 missed) = 95.3%" in text
    assert (
        "current streak 11: 11 kept days from Wed 11 Nov to Sat 21 Nov, after the broken"
        " day Tue 10 Nov" in text
    )
    assert "longest streak 11: 11 kept days from Wed 11 Nov to Sat 21 Nov" in text
    assert "adherence = 61 taken / (61 + 1 skipped + 2 missed) = 95.3%" in text


def test_summary_explain_json_adds_an_explain_key(history: Path) -> None:
    doc = data("summary", "--explain")
    overall = doc["explain"]["overall"]
    assert overall["name"] is None
    assert "adherence = 61 taken / (61 + 1 skipped + 2 missed) = 95.3%" in overall["lines"]
    assert overall["current_run"] == {
        "days": 9,
        "from": "2026-11-13",
        "to": "2026-11-21",
        "after_broken_day": "2026-11-12",
    }
    assert [m["name"] for m in doc["explain"]["meds"]] == ["Metformin", "Sertraline"]


def test_summary_days_option(history: Path) -> None:
    doc = data("summary", "--days", "7")
    assert (doc["from"], doc["to"]) == ("2026-11-16", "2026-11-22")
    assert doc["overall"]["scheduled"] == 7 * 3
    assert doc["overall"]["current_streak"] == 9  # streaks always cover the whole history


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--days", "0"), 2, "--days must be 1 or more, not 0."),
        (("--days", "3", "--since", "mon"), 2, "Give either --since or --days, not both."),
        (("--since", "2027-01-01"), 2, "--since 2027-01-01 is after today."),
        (("--med", "metformn"), 1, "No medication named 'metformn'. Did you mean 'Metformin'?"),
    ],
)
def test_summary_refuses_what_it_cannot_use(
    history: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = invoke("summary", *args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert one_error_line(result.stderr) == f"adherelog: {message}"


def test_summary_of_an_empty_journal(isolated_journal: Path) -> None:
    doc = data("summary")
    assert doc["meds"] == []
    assert doc["overall"]["adherence"] is None
    assert doc["overall"]["current_streak"] == 0
    assert not isolated_journal.exists()  # reading never creates the journal
    assert "No medications yet" in ok("summary").stdout


# ------------------------------------------------------------------------------ streak


def test_streak(history: Path) -> None:
    out = ok("streak").stdout
    assert out.splitlines() == [
        "Streak, all medications",
        "  now: 9 days with every dose taken, since Fri 13 Nov",
        "  longest: 9 days, Fri 13 Nov – Sat 21 Nov",
    ]


def test_streak_of_one_medication_as_json(history: Path) -> None:
    assert data("streak", "--med", "sertraline") == {
        "med": "Sertraline",
        "current": 9,
        "longest": 11,
        "longest_from": "2026-11-01",
        "longest_to": "2026-11-11",
        "current_from": "2026-11-13",
        "last_broken": "2026-11-12",
    }
    assert data("streak")["med"] is None


# ----------------------------------------------------------------- fast path and due


@pytest.mark.parametrize(
    "args",
    [
        ("summary",),
        ("summary", "--since", "2026-01-01", "--med", "metformin", "--json"),
        ("summary", "--explain"),
        ("--json", "summary", "--days=10"),
        ("streak",),
        ("streak", "--med", "sertraline", "--json"),
    ],
)
def test_the_fast_path_and_typer_print_the_same(history: Path, args: tuple[str, ...]) -> None:
    fast = run(*args)
    slow = run(*args, env={"ADHERELOG_NO_FAST_PATH": "1"})
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert fast.stdout == slow.stdout
    assert fast.stderr == slow.stderr


def test_the_fast_path_takes_summary_without_typer(history: Path) -> None:
    from adherelog.cli.dispatch_table import COMMANDS

    assert COMMANDS[("summary",)][0] == "adherelog.cli.actions.summary:summary"
    probe = run(
        "summary",
        env={"PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert probe.returncode == 0
    assert "typer" not in probe.stderr
    assert "rich" not in probe.stderr


def test_due_warns_when_the_supply_runs_out_within_a_week(history: Path) -> None:
    result = invoke("due")
    assert result.exit_code == 0
    assert result.stderr == WARNING
    # With --json, stdout is the document alone and the warning still goes to stderr (§1).
    for args in (("--json", "due"), ("due", "--json"), ("--json", "summary")):
        result = invoke(*args)
        assert result.exit_code == 0
        assert json.loads(result.stdout) == data(args[1] if args[0] == "--json" else args[0])
        assert result.stderr == WARNING


def test_summary_reads_the_same_in_another_time_zone(history: Path) -> None:
    here = data("summary", "--since", "2026-11-01")
    env = {"TZ": "Asia/Tokyo", "ADHERELOG_NOW": "2026-11-22T18:10:00"}  # the same moment
    away = data("summary", "--since", "2026-11-01", env=env)
    assert away["overall"] == here["overall"]
    assert away["meds"] == here["meds"]
    assert os.environ["TZ"] == "Europe/London"
