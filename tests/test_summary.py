"""Summaries, streaks and supply over real journals, checked against hand-worked numbers
and against a brute-force reference that makes every slot and matches every record."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adherelog import schedule, summary
from adherelog.adherence import DayClass, Streak, classify_day, fold_streak, resolve, slot_status
from adherelog.clock import localize, to_utc_text
from adherelog.doses import new_record, write_record
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions
from adherelog.model import SlotStatus
from adherelog.storage import open_store
from bulk import BulkRecord, bulk_record_doses

LONDON = ZoneInfo("Europe/London")
D = date.fromisoformat


def moment(day: str, clock: str, zone: ZoneInfo = LONDON) -> datetime:
    return localize(D(day), time.fromisoformat(clock), zone)


def opened(path: Path, now: datetime, zone: ZoneInfo = LONDON) -> Journal:
    return Journal(open_store(path, write=True), now, zone)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    found = opened(tmp_path / "j.db", moment("2026-11-22", "09:10"))
    yield found
    found.store.close()


def daily(*times: str, **extra: object) -> ScheduleOptions:
    return ScheduleOptions(times=[time.fromisoformat(t) for t in times], **extra)  # type: ignore[arg-type]  # test shorthand


def take_every_slot(journal: Journal, name: str, first: str, last: str, *, skip: set[str]) -> None:
    """Take each slot of ``name`` between two dates on time, except those whose
    ``YYYY-MM-DD HH:MM`` (local) is in ``skip``."""
    med = journal.med(name)
    lo = moment(first, "00:00")
    hi = moment(last, "00:00") + timedelta(days=1)
    for slot in schedule.slots_between(med.versions, lo, min(hi, journal.now)):
        label = slot.scheduled.strftime("%Y-%m-%d %H:%M")
        if label not in skip:
            journal.take([name], at=slot.scheduled)


def counts_of(row: summary.MedSummary | summary.Summary) -> tuple[int, ...]:
    c = row.counts if isinstance(row, summary.MedSummary) else row.overall
    return (c.scheduled, c.taken, c.on_time, c.late, c.skipped, c.missed, c.pending)


# ------------------------------------------------------------------ the reference


Reference = tuple[dict[str, tuple[tuple[int, ...], Streak]], Streak]


def reference(journal: Journal, first: date, last: date) -> Reference:
    """Every slot made with ``slots_between``, every record matched by its slot."""
    now = journal.now
    tail = now.astimezone(UTC).date() + timedelta(days=1)
    per_med: dict[str, tuple[tuple[int, ...], Streak]] = {}
    overall: dict[date, int] = defaultdict(int)
    for med in journal.meds():
        fills = {
            str(a): (str(k), late)
            for a, k, late in journal.conn.execute(
                "SELECT slot_at, kind, late_minutes FROM records"
                " WHERE med_id = ? AND slot_at IS NOT NULL",
                (med.id,),
            )
        }
        lo = min(v.start for v in med.versions) - timedelta(days=2)
        hi = datetime.combine(tail + timedelta(days=1), time(0), UTC) + timedelta(hours=15)
        days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
        for slot in schedule.slots_between(med.versions, lo, hi):
            if slot.local_date > tail:
                continue
            tally = days[slot.local_date]
            tally[0] += 1
            fill = fills.get(to_utc_text(slot.scheduled))
            if fill and fill[0] == "dose":
                tally[1] += 1
                tally[2] += int(fill[1] or 0) > slot.grace
                tally[5] += int(fill[1] or 0) < -slot.grace
            elif fill and fill[0] == "skip":
                tally[3] += 1
            elif slot_status(slot, None, now) is SlotStatus.MISSED:
                tally[4] += 1
        totals = [0] * 8
        for day, (exp, taken, late, skipped, missed, early) in days.items():
            if first <= day <= last:
                pending = exp - taken - skipped - missed
                on_time = taken - late - early
                for i, v in enumerate((exp, taken, on_time, late, skipped, missed, pending, early)):
                    totals[i] += v
        classes = {d: classify_day(t[0], t[1], t[3], t[4]) for d, t in days.items()}
        for day, cls in classes.items():
            overall[day] |= cls
        per_med[med.name] = (tuple(totals), fold_streak(Streak(), sorted(classes.items())))
    return per_med, fold_streak(Streak(), sorted((d, resolve(c)) for d, c in overall.items()))


def check_against_reference(journal: Journal, first: date, last: date) -> summary.Summary:
    found = summary.summarize(journal, first=first, last=last)
    expected, overall = reference(journal, first, last)
    assert found.streak == overall
    by_name = {row.med.name: row for row in found.meds}
    for name, (totals, streak) in expected.items():
        if name in by_name:
            row = by_name[name]
            assert (*counts_of(row), row.counts.early) == totals, name
            assert by_name[name].streak == streak, name
        else:
            assert totals[0] == 0, name
    return found


# ---------------------------------------------------------------- hand-worked cases


def test_three_months_with_a_schedule_change_a_missed_week_and_a_dst_change(
    journal: Journal,
) -> None:
    # 08:00 and 20:00 from Mon 24 Aug; from 1 Oct 01:30 and 08:00 (01:30 happens twice on
    # 25 Oct, when London's clocks go back: it is one slot, the first).
    journal.add_med("Metformin", daily("08:00", "20:00"), start=D("2026-08-24"))
    journal.edit_med("Metformin", daily("01:30", "08:00"), from_date=D("2026-10-01"))
    missed_week = {
        f"2026-09-{day:02d} {clock}" for day in range(7, 14) for clock in ("08:00", "20:00")
    }
    take_every_slot(
        journal,
        "Metformin",
        "2026-08-24",
        "2026-11-22",
        skip=missed_week | {"2026-10-10 08:00", "2026-11-01 01:30", "2026-11-22 08:00"},
    )
    journal.take(["Metformin"], at=moment("2026-10-10", "09:30"))  # 90 minutes late
    journal.skip("Metformin", at=moment("2026-11-01", "01:35"))
    found = summary.summarize(journal, first=D("2026-08-24"), last=D("2026-11-22"))
    # 38 days × 2 + 53 days × 2 = 182 slots; a week (14 slots) missed, one skipped, today's
    # 08:00 still pending (overdue), one late.
    assert counts_of(found) == (182, 166, 165, 1, 1, 14, 1)
    assert found.overall.adherence == pytest.approx(166 / 181)
    # Kept: 24 Aug-6 Sep (14), 14 Sep-31 Oct (48), 2-21 Nov (20); today is still open.
    assert found.streak.current == 20
    assert (found.streak.current_from, found.streak.current_to) == (
        D("2026-11-02"),
        D("2026-11-21"),
    )
    assert found.streak.longest == 48
    assert (found.streak.longest_from, found.streak.longest_to) == (
        D("2026-09-14"),
        D("2026-10-31"),
    )
    assert found.streak.last_broken == D("2026-11-01")
    assert found.meds[0].streak == found.streak
    by_day = {c.day: c for c in found.calendar}
    assert (by_day[D("2026-10-25")].expected, by_day[D("2026-10-25")].taken) == (2, 2)
    assert by_day[D("2026-11-01")].cls == DayClass.BROKEN
    assert by_day[D("2026-11-22")].cls == DayClass.OPEN
    check_against_reference(journal, D("2026-08-24"), D("2026-11-22"))


def test_new_year_and_29_february(tmp_path: Path) -> None:
    journal = opened(tmp_path / "leap.db", moment("2028-03-02", "10:00"))
    journal.add_med("Levothyroxine", daily("09:00"), start=D("2027-12-30"))
    take_every_slot(journal, "Levothyroxine", "2027-12-30", "2028-03-02", skip={"2028-02-29 09:00"})
    found = summary.summarize(journal, first=D("2027-12-30"), last=D("2028-03-02"))
    # 2 + 31 + 29 + 2 days, one slot each; 29 February missed.
    assert counts_of(found) == (64, 63, 63, 0, 0, 1, 0)
    assert found.streak.current == 2
    assert found.streak.longest == 61  # 30 Dec 2027 - 28 Feb 2028
    assert found.streak.longest_to == D("2028-02-28")
    check_against_reference(journal, D("2027-12-30"), D("2028-03-02"))


def test_every_n_days_and_weekday_schedules(journal: Journal) -> None:
    journal.add_med("Methotrexate", daily("08:00", every=2), start=D("2026-11-01"))
    journal.add_med("Vitamin D", daily("09:00", on_days=frozenset({0, 3})), start=D("2026-11-01"))
    take_every_slot(journal, "Methotrexate", "2026-11-01", "2026-11-22", skip=set())
    take_every_slot(journal, "Vitamin D", "2026-11-01", "2026-11-22", skip={"2026-11-12 09:00"})
    found = check_against_reference(journal, D("2026-11-01"), D("2026-11-22"))
    rows = {row.med.name: row for row in found.meds}
    # 1, 3, ..., 21 November; today (22nd) is not a dose day.
    assert counts_of(rows["Methotrexate"]) == (11, 11, 11, 0, 0, 0, 0)
    assert rows["Methotrexate"].streak.current == 11
    # Mondays 2, 9, 16 and Thursdays 5, 12, 19; the 12th missed.
    assert counts_of(rows["Vitamin D"]) == (6, 5, 5, 0, 0, 1, 0)
    assert (rows["Vitamin D"].streak.current, rows["Vitamin D"].streak.longest) == (2, 3)


def test_a_stopped_period_neither_counts_nor_breaks_the_streak(journal: Journal) -> None:
    journal.add_med("Warfarin", daily("08:00"), start=D("2026-11-01"))
    journal.stop_med("Warfarin", from_date=D("2026-11-10"))
    journal.resume_med("Warfarin", from_date=D("2026-11-15"))
    take_every_slot(journal, "Warfarin", "2026-11-01", "2026-11-22", skip=set())
    found = check_against_reference(journal, D("2026-11-01"), D("2026-11-22"))
    # 1-9 and 15-22 November.
    assert counts_of(found) == (17, 17, 17, 0, 0, 0, 0)
    assert found.streak.current == found.streak.longest == 17


def test_as_needed_doses_are_counted_but_not_in_adherence(journal: Journal) -> None:
    journal.add_med("Ibuprofen", ScheduleOptions(as_needed=True), start=D("2026-11-01"))
    journal.add_med("Sertraline", daily("08:00"), start=D("2026-11-20"))
    journal.take(["Ibuprofen"], at=moment("2026-11-20", "14:00"))
    journal.take(["Ibuprofen"], at=moment("2026-11-21", "14:00"))
    journal.take(["Sertraline"], at=moment("2026-11-21", "08:00"))
    found = summary.summarize(journal, first=D("2026-11-01"), last=D("2026-11-22"))
    rows = {row.med.name: row for row in found.meds}
    assert rows["Ibuprofen"].as_needed
    assert rows["Ibuprofen"].as_needed_doses == 2
    assert rows["Ibuprofen"].counts.scheduled == 0
    assert rows["Ibuprofen"].counts.adherence is None
    # Sertraline: 20th missed, 21st taken, 22nd overdue (pending).
    assert counts_of(found) == (3, 1, 1, 0, 0, 1, 1)


def test_side_effects_are_counted_by_name_whatever_the_case(journal: Journal) -> None:
    for when, name, severity in (
        ("2026-11-20 10:00", "Nausea", 2),
        ("2026-11-21 10:00", "nausea", 3),
        ("2026-11-21 11:00", "Headache", None),
        ("2026-09-01 11:00", "Dizziness", 4),  # before the period
    ):
        day, clock = when.split()
        with journal.store.write() as conn:
            write_record(journal, conn, new_record(
                journal, f"e-{when}", "effect", None, moment(day, clock), None,
                effect=name, severity=severity,
            ))  # fmt: skip
    found = summary.summarize(journal, first=D("2026-10-24"), last=D("2026-11-22"))
    assert [(e.name, e.count, e.mean_severity) for e in found.effects] == [
        ("Nausea", 2, 2.5),
        ("Headache", 1, None),
    ]


# ----------------------------------------------------------------- time and travel


def test_a_journal_read_in_another_zone_gives_the_same_numbers(tmp_path: Path) -> None:
    now = datetime(2026, 11, 22, 9, 10, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    written = opened(tmp_path / "travel.db", now, new_york)
    written.add_med("Metformin", daily("08:00", "20:00"), start=D("2026-10-20"))
    take_every_slot(written, "Metformin", "2026-10-20", "2026-11-22", skip={"2026-11-03 20:00"})
    first, last = D("2026-10-20"), D("2026-11-22")
    at_home = summary.summarize(written, first=first, last=last)
    for zone in ("Asia/Tokyo", "Pacific/Kiritimati", "Europe/London"):
        away = Journal(written.store, now, ZoneInfo(zone))
        found = summary.summarize(away, first=first, last=last)
        assert found.overall == at_home.overall
        assert found.streak == at_home.streak
        assert [counts_of(r) for r in found.meds] == [counts_of(r) for r in at_home.meds]


# -------------------------------------------------------------- kept streak state


def test_the_kept_streak_state_is_used_and_dropped_by_a_backdated_record(
    journal: Journal,
) -> None:
    journal.add_med("Metformin", daily("08:00"), start=D("2026-10-01"))
    take_every_slot(journal, "Metformin", "2026-10-01", "2026-11-22", skip={"2026-10-15 08:00"})
    with journal.store.write():  # as a writing command does when the state is behind
        summary.keep_streaks(journal)
    first = summary.streak(journal)[1]
    assert (first.current, first.longest) == (38, 38)  # 16 October - 22 November
    kept = journal.conn.execute("SELECT scope, through FROM streak_cache").fetchall()
    assert {scope for scope, _ in kept} == {"*", journal.med("Metformin").id}
    assert {through for _, through in kept} == {D("2026-11-20").toordinal()}
    # Backfilling the missed day makes the whole month one run.
    journal.take(["Metformin"], at=moment("2026-10-15", "08:05"))
    assert journal.conn.execute("SELECT count(*) FROM streak_cache").fetchone()[0] == 0
    again = summary.streak(journal)[1]
    assert again.longest == again.current == first.current + 15
    assert again == reference(journal, D("2026-10-01"), D("2026-11-22"))[1]


def test_a_schedule_change_after_the_fact_is_judged_slot_by_slot(journal: Journal) -> None:
    journal.add_med("Metformin", daily("08:00"), start=D("2026-11-01"))
    take_every_slot(journal, "Metformin", "2026-11-01", "2026-11-22", skip=set())
    with journal.store.write():
        summary.keep_streaks(journal)  # keeps a state
    # The 08:00 doses since the 10th no longer fill a slot: the new time is 09:00.
    journal.edit_med("Metformin", daily("09:00"), from_date=D("2026-11-10"))
    found = check_against_reference(journal, D("2026-11-01"), D("2026-11-22"))
    assert counts_of(found) == (22, 9, 9, 0, 0, 12, 1)
    assert found.streak.current == 0


# ----------------------------------------------------------------------- supply


def test_runs_out_counts_the_doses_the_supply_covers(journal: Journal) -> None:
    journal.add_med("Metformin", daily("08:00", "20:00"), start=D("2026-11-01"), supply=10)
    med = journal.med("Metformin")
    # From 09:10 on the 22nd: 20:00 today, then two a day; the 10th dose is the 27th at 08:00.
    assert summary.runs_out(med, journal.now) == D("2026-11-27")
    warnings = summary.supply_warnings(journal)
    assert warnings == [
        "Metformin: 10 left, enough until Fri 27 Nov (in 5 days) at the current schedule."
    ]
    journal.refill("Metformin", 20)
    assert summary.runs_out(journal.med("Metformin"), journal.now) == D("2026-12-07")
    assert summary.supply_warnings(journal) == []


def test_runs_out_follows_the_schedule_and_is_none_without_one(journal: Journal) -> None:
    journal.add_med("Alendronate", daily("07:00", on_days=frozenset({6})), supply=3)
    journal.add_med("Ibuprofen", ScheduleOptions(as_needed=True), supply=20)
    journal.add_med("Untracked", daily("08:00"))
    # Sundays: 29 Nov, 6 Dec, 13 Dec (today's 07:00 was before the medication was added).
    assert summary.runs_out(journal.med("Alendronate"), journal.now) == D("2026-12-13")
    assert summary.runs_out(journal.med("Ibuprofen"), journal.now) is None
    assert summary.runs_out(journal.med("Untracked"), journal.now) is None
    journal.edit_med("Alendronate", ScheduleOptions(), supply=0.5)
    assert summary.runs_out(journal.med("Alendronate"), journal.now) == D("2026-11-22")
    assert summary.supply_warnings(journal) == [
        "Alendronate: the supply is used up (0.5 left); 'med refill' records more."
    ]


# ------------------------------------------------------------ migration, bulk


MINE = ("day_counts", "streak_cache", "exact_ranges")
MY_TRIGGERS = (
    "day_counts_insert",
    "day_counts_delete",
    "day_counts_update_old",
    "day_counts_update_new",
    "schedules_insert",
    "schedules_update",
    "schedules_delete",
    "meds_delete",
)


def test_the_migration_fills_day_counts_from_an_older_journal(tmp_path: Path) -> None:
    import sqlite_utils

    from adherelog.migrations import m003_day_counts, m010_early_counts

    path = tmp_path / "old.db"
    journal = opened(path, moment("2026-11-22", "09:10"))
    journal.add_med("Metformin", daily("08:00", "20:00"), start=D("2026-11-01"))
    journal.add_med("Sertraline", daily("08:00"), start=D("2026-11-01"))
    late = {"2026-11-05 20:00", "2026-11-06 20:00", "2026-11-07 20:00", "2026-11-08 20:00"}
    take_every_slot(journal, "Metformin", "2026-11-01", "2026-11-22", skip=late)
    take_every_slot(journal, "Sertraline", "2026-11-01", "2026-11-22", skip=set())
    journal.skip("Metformin", at=moment("2026-11-06", "20:00"))
    journal.take(["Metformin"], at=moment("2026-11-07", "22:00"))  # two hours late
    journal.take(["Metformin"], at=moment("2026-11-08", "18:00"))  # two hours early
    journal.store.close()
    expected = _counts_by_day(path)
    assert len(expected) == 44
    assert sum(r[3] for r in expected) == 1  # one skip
    assert sum(r[4] for r in expected) == 2  # two doses off time
    assert [r[1] for r in expected if r[5]] == [D("2026-11-08").toordinal()]  # one early
    # The journal as it was before the migration, then the migration alone.
    conn = sqlite3.connect(path, isolation_level=None)
    for name in MY_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    for name in MINE:
        conn.execute(f"DROP TABLE {name}")
    conn.execute("DROP INDEX idx_records_unslotted")
    conn.execute("BEGIN")
    m003_day_counts(sqlite_utils.Database(conn))
    m010_early_counts(sqlite_utils.Database(conn))
    conn.execute("COMMIT")
    conn.close()
    assert _counts_by_day(path) == expected
    migrated = opened(path, moment("2026-11-22", "09:10"))
    check_against_reference(migrated, D("2026-11-01"), D("2026-11-22"))
    migrated.store.close()


def _counts_by_day(path: Path) -> list[tuple[str, int, int, int, int, int]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT m.name, d.day, d.doses, d.skips, d.lates, d.earlies FROM day_counts d"
            " JOIN meds m ON m.id = d.med_id ORDER BY m.name, d.day"
        ).fetchall()
    finally:
        conn.close()


def test_bulk_records_are_what_take_stores(tmp_path: Path) -> None:
    now = moment("2026-11-22", "09:10")
    one, two = opened(tmp_path / "a.db", now), opened(tmp_path / "b.db", now)
    for j in (one, two):
        j.add_med("Metformin", daily("08:00"), start=D("2026-11-18"))
    slots = schedule.slots_between(
        one.med("Metformin").versions, moment("2026-11-18", "00:00"), now
    )
    for slot in slots:
        one.take(["Metformin"], at=slot.scheduled + timedelta(minutes=7))
    med_id = two.med("Metformin").id
    written = bulk_record_doses(
        two,
        [BulkRecord("dose", med_id, s.scheduled + timedelta(minutes=7), s, 1.0) for s in slots],
    )
    assert written == len(slots) == 5
    columns = "kind, at, zone, local_date, slot_at, slot_zone, slot_date, late_minutes, amount"
    query = f"SELECT {columns} FROM records ORDER BY at"
    assert one.conn.execute(query).fetchall() == two.conn.execute(query).fetchall()
    assert summary.summarize(one, first=D("2026-11-18"), last=D("2026-11-22")).overall == (
        summary.summarize(two, first=D("2026-11-18"), last=D("2026-11-22")).overall
    )


# ------------------------------------------------------- against the reference

ZONES = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")


@st.composite
def histories(draw: st.DrawFn) -> dict[str, object]:
    meds = []
    for index in range(draw(st.integers(1, 3))):
        times = draw(
            st.lists(st.sampled_from(["01:30", "02:30", "08:00", "13:15", "21:00"]), min_size=1,
                     max_size=3, unique=True)
        )  # fmt: skip
        every = draw(st.one_of(st.none(), st.integers(2, 4)))
        weekdays = None
        if every is None and draw(st.booleans()):
            weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
        meds.append(
            {
                "name": f"Med {index}",
                "times": sorted(times),
                "every": every,
                "on": weekdays,
                "zone": draw(st.sampled_from(ZONES)),
                "start": draw(st.integers(20, 120)),
                "change": draw(st.one_of(st.none(), st.integers(1, 60))),
                "stop": draw(st.one_of(st.none(), st.integers(1, 60))),
                "seed": draw(st.integers(0, 10_000)),
            }
        )
    return {
        "meds": meds,
        "now_zone": draw(st.sampled_from(ZONES)),
        "read_zone": draw(st.sampled_from((*ZONES, "Pacific/Kiritimati", "Pacific/Pago_Pago"))),
        "after": draw(st.booleans()),
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories(), period=st.integers(1, 90))
def test_summaries_and_streaks_equal_the_reference_in_any_reading_zone(
    tmp_path_factory: pytest.TempPathFactory, history: dict[str, object], period: int
) -> None:
    import random

    now = datetime(2026, 3, 30, 9, 10, tzinfo=UTC)  # just after London's spring change
    path = tmp_path_factory.mktemp("h") / "j.db"
    journal = opened(path, now, ZoneInfo(str(history["now_zone"])))
    today = now.date()
    for spec in history["meds"]:  # type: ignore[attr-defined]  # built above
        journal.add_med(
            spec["name"],
            daily(*spec["times"], every=spec["every"], on_days=spec["on"], zone=spec["zone"]),
            start=today - timedelta(days=spec["start"]),
        )
        if spec["stop"] is not None and not history["after"]:
            journal.stop_med(spec["name"], from_date=today - timedelta(days=spec["stop"]))
        med = journal.med(spec["name"])
        rng = random.Random(spec["seed"])
        rows = []
        for slot in schedule.slots_between(med.versions, med.versions[0].start, now):
            roll = rng.random()
            if roll < 0.8:
                late = rng.choice((-10, 0, 5, 70, 200))
                rows.append(
                    BulkRecord("dose", med.id, slot.scheduled + timedelta(minutes=late), slot)
                )
            elif roll < 0.88:
                rows.append(BulkRecord("skip", med.id, slot.scheduled, slot))
        bulk_record_doses(journal, rows)
        if spec["change"] is not None and history["after"]:
            # A change after the doses were recorded: some no longer fill a slot.
            journal.edit_med(
                spec["name"], daily("12:00"), from_date=today - timedelta(days=spec["change"])
            )
    summary.streak(journal)  # keep a state, then read through it
    first = today - timedelta(days=period - 1)
    found = check_against_reference(journal, first, today)
    # Read by a traveller in another zone at the same moment: nothing changes.
    away = Journal(journal.store, now, ZoneInfo(str(history["read_zone"])))
    again = summary.summarize(away, first=first, last=today)
    assert (again.overall, again.streak) == (found.overall, found.streak)
    assert [(r.med.name, r.counts, r.streak) for r in again.meds] == [
        (r.med.name, r.counts, r.streak) for r in found.meds
    ]
    journal.store.close()


def test_early_doses_are_counted_from_day_counts_not_from_every_record(journal: Journal) -> None:
    """Early is not late (SPEC §5) on settled regular days too, and telling them apart reads
    the per-day counts (``day_counts.earlies``) instead of each day's records."""
    journal.add_med("Metformin", daily("08:00", "20:00"), start=D("2026-09-01"))
    off = {"2026-09-10 08:00": -90, "2026-09-11 20:00": -90, "2026-09-12 08:00": -30}
    off |= {"2026-09-13 08:00": 90, "2026-10-01 20:00": -61, "2026-10-02 08:00": 61}
    med = journal.med("Metformin")
    for slot in schedule.slots_between(med.versions, moment("2026-09-01", "00:00"), journal.now):
        minutes = off.get(slot.scheduled.strftime("%Y-%m-%d %H:%M"), 0)
        journal.take(["Metformin"], at=slot.scheduled + timedelta(minutes=minutes))
    statements: list[str] = []
    journal.conn.set_trace_callback(statements.append)
    found = check_against_reference(journal, D("2026-09-01"), D("2026-11-22"))
    journal.conn.set_trace_callback(None)
    assert (found.overall.early, found.overall.late) == (3, 2)
    assert not [s for s in statements if "late_minutes <" in s]
    # A wider grace from 1 Oct judges the doses of those days again.
    journal.edit_med("Metformin", ScheduleOptions(grace=65), from_date=D("2026-10-01"))
    found = check_against_reference(journal, D("2026-09-01"), D("2026-11-22"))
    assert (found.overall.early, found.overall.late) == (2, 1)
    # And the counts kept by the triggers are those counted afresh from the records.
    kept = journal.conn.execute("SELECT day, lates, earlies FROM day_counts WHERE lates > 0")
    assert sorted(kept) == [
        (D("2026-09-10").toordinal(), 1, 1),
        (D("2026-09-11").toordinal(), 1, 1),
        (D("2026-09-13").toordinal(), 1, 0),
    ]
