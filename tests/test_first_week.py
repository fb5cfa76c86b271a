"""The first week of a new user (issue 13): the day a medication is added, the skip guard,
early is not late, one display rule for moments, rows as wide as the terminal, groups that
print their help, failing commands that create nothing, as-needed summaries, the warning of
a backdated edit, and the wording."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog.clock import localize
from adherelog.schedule import optional_slots, slots_on
from adherelog.views import clock_text, day_text
from helpers import data, invoke, ok, one_error_line, run
from helpers import schedule_version as version


def at(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", value)


def refused(*args: str, code: int = 1) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


# --- 1. the day a medication is added -------------------------------------------------------


def test_quick_start_after_eight_takes_todays_eight_oclock_dose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at(monkeypatch, "2026-11-22T08:10:00")
    ok("med", "add", "Sertraline", "--time", "08:00")
    record = data("take", "sertraline")
    assert record["scheduled_for"] == "2026-11-22T08:00:00+00:00"
    assert record["late_minutes"] == 10
    due = data("due")
    assert [(s["scheduled_for"], s["status"]) for s in due["slots"]] == [
        ("2026-11-22T08:00:00+00:00", "taken")
    ]
    at(monkeypatch, "2026-11-23T10:00:00")
    counts = data("summary")["meds"][0]
    assert (counts["scheduled"], counts["taken"], counts["missed"]) == (2, 1, 0)
    assert (counts["pending"], counts["adherence"]) == (1, 1.0)


def test_an_empty_slot_before_the_moment_of_adding_is_never_missed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at(monkeypatch, "2026-11-22T14:00:00")
    ok("med", "add", "Metformin", "--time", "08:00", "--time", "20:00")
    assert [s["status"] for s in data("due")["slots"]] == ["upcoming"]
    at(monkeypatch, "2026-11-22T20:05:00")
    ok("take", "metformin")
    at(monkeypatch, "2026-11-25T09:00:00")
    counts = data("summary")["meds"][0]
    assert (counts["taken"], counts["missed"], counts["pending"]) == (1, 4, 2)
    history = data("history", "--since", "2026-11-22")["records"]
    assert next(r["scheduled_for"] for r in history if r["kind"] == "missed") == (
        "2026-11-23T08:00:00+00:00"
    )
    assert data("streak")["longest"] == 1  # the day of adding is kept


def test_a_skip_of_an_optional_slot_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-11-22T08:30:00")
    ok("med", "add", "Metformin", "--time", "08:00")
    assert data("skip", "metformin")["scheduled_for"] == "2026-11-22T08:00:00+00:00"
    at(monkeypatch, "2026-11-23T07:00:00")
    counts = data("summary")["meds"][0]
    assert (counts["scheduled"], counts["skipped"], counts["missed"]) == (2, 1, 0)
    assert counts["pending"] == 1


def test_with_start_today_the_earlier_slots_are_real(monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-11-22T14:00:00")
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "today")
    assert [s["status"] for s in data("due")["slots"]] == ["overdue"]


def test_the_hint_names_the_slot_that_fits_not_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--every", "2", "--start", "2026-11-20")
    at(monkeypatch, "2026-11-22T21:00:00")
    line = refused("take", "metformin")
    assert "--slot 08:00" in line
    assert "--extra" in line  # still offered, but after the slot


def test_med_edit_that_changes_nothing_says_so_and_writes_nothing() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-01")
    before = data("med", "show", "metformin")
    result = invoke("med", "edit", "metformin", "--time", "08:00", "--from", "today")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "Metformin: nothing to change; its schedule stays as it is.\n"
    result = invoke("med", "edit", "metformin", "--grace", "60")
    assert "nothing to change" in result.stdout
    assert data("med", "show", "metformin") == before
    assert invoke("med", "edit", "metformin", "--from", "today").exit_code == 2  # no option


ZONES = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC")


@given(
    zone_name=st.sampled_from(ZONES),
    minutes=st.lists(st.integers(0, 24 * 60 - 1), min_size=1, max_size=4, unique=True),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    added=st.integers(0, 24 * 60 - 1),
)
def test_the_day_of_adding_has_its_slots_optional_before_and_real_after(
    zone_name: str, minutes: list[int], day: date, added: int
) -> None:
    """On the day a medication is added, the optional slots and the real ones together are
    exactly the day's slots as if it had started at midnight, split at the moment of
    adding; every other day is untouched."""
    tz = ZoneInfo(zone_name)
    times = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in sorted(minutes))
    moment = localize(day, time(added // 60, added % 60), tz)
    added_now = version(moment, times, zone=zone_name)
    from_midnight = version(localize(day, time(0), tz), times, zone=zone_name)
    whole_day = slots_on((from_midnight,), day, zone_name)
    real = slots_on((added_now,), day, zone_name)
    both = slots_on((added_now,), day, zone_name, optional=True)
    assert [s.scheduled for s in both] == [s.scheduled for s in whole_day]
    assert all(s.optional == (s.scheduled.astimezone(UTC) < moment) for s in both)
    assert [s for s in both if not s.optional] == real
    far = (datetime(1900, 1, 2, tzinfo=UTC), datetime(2199, 1, 1, tzinfo=UTC))
    assert all(s.local_date == day for s in optional_slots((added_now,), *far))
    assert not optional_slots((from_midnight,), *far)  # --start DATE: none


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_the_date_style_has_the_year_only_outside_the_current_one(day: date) -> None:
    today = date(2026, 11, 22)
    text = day_text(day, today)
    assert text.split()[1] == str(day.day)
    assert text.endswith(str(day.year)) == (day.year != today.year)
    assert day_text(day, today, words=True) in (
        {"today"} if day == today else {"yesterday"} if day == today - timedelta(1) else {text}
    )


def test_only_a_doubled_wall_time_carries_the_zone_abbreviation() -> None:
    tz = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC).astimezone(tz)
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC).astimezone(tz)
    plain = datetime(2026, 11, 1, 12, 0, tzinfo=UTC).astimezone(tz)
    assert (clock_text(first), clock_text(second), clock_text(plain)) == (
        "01:30 EDT",
        "01:30 EST",
        "07:00",
    )


# --- 2. the skip guard --------------------------------------------------------------------


def test_a_second_skip_refuses_instead_of_skipping_tonight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ok("med", "add", "Metformin", "--time", "09:00", "--time", "21:00", "--start", "2026-11-01")
    at(monkeypatch, "2026-11-22T10:20:00")
    ok("skip", "metformin")
    line = refused("skip", "metformin")
    assert line.startswith("adherelog: Metformin's dose of today 09:00 is already skipped")
    assert "--slot 21:00" in line
    records = data("history", "--since", "today")["records"]
    assert [r["scheduled_for"] for r in records] == ["2026-11-22T09:00:00+00:00"]


def test_skip_slot_skips_tonights_dose_in_the_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Metformin", "--time", "09:00", "--time", "21:00", "--start", "2026-11-01")
    at(monkeypatch, "2026-11-22T08:00:00")
    record = data("skip", "metformin", "--slot", "21:00", "--reason", "out tonight")
    assert record["scheduled_for"] == "2026-11-22T21:00:00+00:00"
    assert "already skipped" in refused("skip", "metformin", "--slot", "21:00")
    assert "no 10:00 dose" in refused("skip", "metformin", "--slot", "10:00")
    assert "--slot" in refused("skip", "metformin", "--slot", "25:00", code=2)


def test_take_slot_is_there_too(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Metformin", "--time", "09:00", "--time", "21:00", "--start", "2026-11-01")
    at(monkeypatch, "2026-11-22T09:00:00")
    assert data("take", "metformin", "--slot", "21:00")["late_minutes"] == -720


# --- 3. early is not late ----------------------------------------------------------------


def test_early_doses_are_counted_and_shown_apart_from_late_ones() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-01")
    ok("take", "metformin", "--at", "2026-11-10 05:00")  # 3 h early
    ok("take", "metformin", "--at", "2026-11-11 10:00")  # 2 h late
    ok("take", "metformin", "--at", "2026-11-12 08:20")  # on time
    ok("take", "metformin", "--at", "2026-11-21 03:00")  # 5 h early, a recent day
    ok("take", "metformin", "--at", "09:00")  # on time, today
    for scope in (data("summary", "--since", "2026-11-10")["overall"],):
        assert (scope["taken"], scope["on_time"], scope["early"], scope["late"]) == (5, 2, 2, 1)
    assert scope["taken"] == scope["on_time"] + scope["early"] + scope["late"]
    history = ok("history", "--since", "2026-11-10", env={"COLUMNS": "120"}).stdout
    assert "for 08:00, 3 h early" in history
    assert "for 08:00, 2 h late" in history
    assert "for 08:00, 5 h early" in history
    explained = ok("summary", "--since", "2026-11-10", "--explain").stdout
    assert "5 taken = 2 on time + 2 early + 1 late" in explained
    report = ok("report", "--format", "md", "--since", "2026-11-10").stdout
    assert "| … on time / early / late | 2 / 2 / 1 |" in report


def test_lateness_words_never_contradict() -> None:
    ok("med", "add", "Metformin", "--time", "09:00", "--start", "2026-11-01")
    assert "(on time)" in ok("take", "metformin", "--at", "09:00").stdout
    ok("undo")
    assert "(on time, 5 min after)" in ok("take", "metformin", "--at", "09:05").stdout
    history = ok("history", "--since", "today").stdout
    assert "min late" not in history
    assert "0 min" not in history


# --- 4. one display rule for moments in other zones ---------------------------------------


def test_a_travelling_slot_reads_the_same_in_every_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    at(monkeypatch, "2026-10-20T07:00:00")
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-10-01")
    monkeypatch.setenv("TZ", "Europe/Berlin")  # 6 hours later than New York
    at(monkeypatch, "2026-10-21T13:30:00")
    shown = "14:00 (08:00 America/New_York)"
    assert shown in ok("due").stdout
    took = ok("take", "sertraline").stdout
    assert f"for the {shown} dose" in took
    assert "(on time, 30 min before)" in took
    at(monkeypatch, "2026-10-22T09:00:00")
    history = ok("history", "--since", "2026-10-21").stdout
    assert "Wed 21 Oct 13:30  dose" in history
    assert f"for {shown}, on time" in history
    assert "Removed dose of Sertraline at Wed 21 Oct 13:30" in ok("undo").stdout


def test_two_fall_back_doses_at_the_same_clock_time_are_told_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    at(monkeypatch, "2026-11-02T09:00:00")
    ok("med", "add", "Ibuprofen", "--as-needed", "--start", "2026-10-01")
    ok("take", "ibuprofen", "--at", "2026-11-01T01:30:00-04:00")
    ok("take", "ibuprofen", "--at", "2026-11-01T01:30:00-05:00")
    history = ok("history").stdout
    assert "Sun 1 Nov 01:30 EDT" in history
    assert "Sun 1 Nov 01:30 EST" in history


# --- 5. rows as wide as the terminal ------------------------------------------------------

LONG_NOTE = " ".join(["word"] * 20)


@pytest.mark.parametrize("columns", [80, 200])
def test_history_notes_wrap_to_the_terminal_width(
    monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    ok("med", "add", "Metformin", "--time", "09:00", "--start", "2026-11-22")
    ok("take", "metformin", "--note", LONG_NOTE)
    lines = ok("history", "--since", "today").stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert " ".join(" ".join(lines[1:]).split()).endswith(LONG_NOTE)
    assert "…" not in "".join(lines)
    assert len(lines) == (2 if columns == 200 else 4)


def test_effect_list_notes_wrap_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    ok("effect", "add", "nausea", "--note", LONG_NOTE)
    lines = ok("effect", "list").stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert " ".join(" ".join(lines[1:]).split()).endswith(LONG_NOTE)


def test_narrow_terminals_still_get_eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    ok("effect", "add", "nausea", "--note", LONG_NOTE)
    lines = ok("effect", "list").stdout.splitlines()
    assert 60 < max(len(line) for line in lines) <= 80


# --- 6. groups print their help -----------------------------------------------------------


@pytest.mark.parametrize("group", [[], ["med"], ["effect"], ["tip"], ["share"]])
def test_a_group_without_its_command_prints_its_normal_help(group: list[str]) -> None:
    result = invoke(*group)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == invoke(*group, "--help").stdout
    assert result.stderr.startswith(f"Usage: adherelog {' '.join(group)}".rstrip() + " [OPTIONS]")
    assert len(result.stderr.splitlines()) > 5


def test_json_may_come_before_a_groups_command() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    assert [m["name"] for m in data("med", "list")["meds"]] == ["Metformin"]
    assert ok("med", "--json", "list").stdout == ok("med", "list", "--json").stdout
    assert ok("--json", "med", "list").stdout == ok("med", "list", "--json").stdout


# --- 7. a failing command creates nothing ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["take", "foo"],
        ["undo"],
        ["skip", "foo"],
        ["med", "edit", "foo", "--time", "08:00"],
        ["med", "refill", "foo", "10"],
        ["effect", "add", "nausea", "--at", "tomorrow"],
        ["med", "add", "X", "--time", "08:00", "--start", "2026-11-31"],
    ],
)
def test_a_failing_write_creates_no_journal_and_no_folder(tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "new" / "folder"
    result = invoke("--db", str(folder / "typo.db"), *args)
    assert result.exit_code in (1, 2)
    assert not (tmp_path / "new").exists()


def test_a_failing_write_in_a_real_process_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    result = run("--db", str(typo), "take", "foo")
    assert result.returncode == 1
    assert "No medication named 'foo'" in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert run("--db", str(typo), "undo").returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failure_in_an_existing_journal_keeps_it(isolated_journal: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    assert invoke("take", "foo").exit_code == 1
    assert isolated_journal.exists()
    assert [m["name"] for m in data("med", "list")["meds"]] == ["Metformin"]


# --- 9. a backdated edit warns -------------------------------------------------------------


def test_an_edit_reaching_back_over_recorded_days_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-10")
    for day in ("18", "19", "20", "21"):
        at(monkeypatch, f"2026-11-{day}T08:05:00")
        ok("take", "metformin")
    at(monkeypatch, "2026-11-22T09:10:00")
    result = invoke("med", "edit", "metformin", "--time", "20:00", "--from", "2026-11-17")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: Metformin's new schedule starts Tue 17 Nov, so 4 days already recorded"
        " will be judged anew by it (a dose it does not schedule no longer counts).\n"
    )
    again = invoke("med", "edit", "metformin", "--time", "20:30", "--from", "2026-11-17", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["name"] == "Metformin"
    assert again.stderr == result.stderr  # the same warning, the JSON alone on stdout
    result = invoke("med", "edit", "metformin", "--time", "21:00")  # from today: no warning
    assert (result.exit_code, result.stderr) == (0, "")


# --- 8. as needed in one line -----------------------------------------------------------------


def test_an_as_needed_summary_is_one_line() -> None:
    ok("med", "add", "Ibuprofen", "--as-needed")
    ok("take", "ibuprofen")
    ok("take", "ibuprofen", "--at", "1h ago")
    out = ok("summary", "--med", "ibuprofen").stdout
    assert out.splitlines()[1:] == [
        "",
        "  Ibuprofen, as needed: 2 doses in this period, not part of adherence",
    ]
    streak = ok("streak", "--med", "ibuprofen").stdout
    assert "0 days" not in streak
    assert "taken as needed: no scheduled doses, so no streak" in streak


# --- 10. wording --------------------------------------------------------------------------


def test_refill_counts_are_refused_in_words() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    assert refused("med", "refill", "metformin", "-5", code=2) == (
        "adherelog: A count must be more than zero, not -5 (see 'adherelog med refill --help')."
    )
    assert refused("med", "refill", "metformin", "--", "-5", code=2) == (
        "adherelog: The refill count is the number of units added, so it must be more than"
        " zero, not -5; to correct a supply use 'adherelog med edit NAME --supply N'."
    )
    assert refused("med", "refill", "metformin", "abc", code=2) == (
        "adherelog: The refill count is the number of units added, such as 60; 'abc' is not"
        " a number."
    )
    assert "30 on hand" in ok("med", "refill", "metformin", "30").stdout


def test_a_day_the_month_lacks_is_named() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    line = refused("take", "metformin", "--at", "2026-11-31", code=2)
    assert "'2026-11-31': November has 30 days" in line


def test_med_list_sorts_accents_and_case_alike() -> None:
    for name in ("Vitamin D", "zinc", "Ácido fólico", "Metformin", "aspirin"):
        ok("med", "add", name, "--time", "08:00")
    names = [m["name"] for m in data("med", "list")["meds"]]
    assert names == ["Ácido fólico", "aspirin", "Metformin", "Vitamin D", "zinc"]
    rows = [line.split("  ")[0] for line in ok("med", "list").stdout.splitlines()[1:]]
    assert rows == names


def test_a_markdown_export_of_my_tips_is_headed_as_mine() -> None:
    ok("tip", "add", "walk after dinner")
    assert invoke("tip", "export", "--format", "md", "--mine").stdout.startswith(
        "# My coping tips\n"
    )
    assert invoke("tip", "export", "--format", "md").stdout.startswith("# Coping tips\n")


def test_the_as_needed_list_in_due_is_aligned() -> None:
    ok("med", "add", "Ibuprofen", "--as-needed")
    ok("med", "add", "Salbutamol inhaler", "--as-needed")
    ok("take", "ibuprofen", "--at", "08:00")
    lines = ok("due").stdout.splitlines()
    start = lines.index("As needed")
    rows = lines[start + 1 :]
    assert rows == [
        "  Ibuprofen           last taken today 08:00",
        "  Salbutamol inhaler  never taken",
    ]


def test_import_and_check_name_rows_in_words(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    ok("take", "metformin")
    out = ok("check").stdout
    assert "tip_bundle_worked" not in out
    assert "1 medication" in out
    assert "0 peers' 'it worked'" in out
    export = tmp_path / "journal.json"
    assert invoke("export", "-o", str(export)).exit_code == 0
    other = tmp_path / "other.db"
    imported = invoke("--db", str(other), "import", str(export))
    assert imported.exit_code == 0, imported.stderr
    assert "Added 1 medication, 1 schedule version, 1 dose, skip or side effect" in (
        imported.stdout
    )
    assert "_" not in imported.stdout.replace(str(export), "")


def test_plurals_in_place_of_brackets() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    ok("take", "metformin")
    line = refused("med", "rm", "metformin")
    assert "has 1 record in the journal" in line
    assert "(s)" not in line
