"""Pure adherence arithmetic: day classes, streaks, adherence and slot counting without
making slots (checked against :func:`adherelog.schedule.slots_between`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adherelog.adherence import (
    DayClass,
    Streak,
    adherence,
    classify_day,
    count_slots,
    fold_marks,
    fold_streak,
    on_day_count,
    resolve,
)
from adherelog.model import ScheduleVersion
from adherelog.schedule import slots_between
from adherelog.valueclass import replace
from helpers import local_at as at
from helpers import schedule_version as version

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kolkata",
    "Pacific/Auckland",
    "Pacific/Apia",  # skipped 30 December 2011 entirely
    "America/Havana",  # DST changes at midnight
    "UTC",
)
D = date.fromisoformat


# ------------------------------------------------------------------------ day classes


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((2, 2, 0, 0), DayClass.KEPT),  # every dose taken (late counts as taken)
        ((2, 1, 1, 0), DayClass.BROKEN),  # one skipped
        ((2, 1, 0, 1), DayClass.BROKEN),  # one missed
        ((2, 0, 1, 0), DayClass.BROKEN),  # skipped today, the other still to come
        ((2, 1, 0, 0), DayClass.OPEN),  # one still pending: neutral for now
        ((2, 0, 0, 0), DayClass.OPEN),
        ((0, 0, 0, 0), DayClass.NONE),  # no doses that day
    ],
)
def test_classify_day(counts: tuple[int, int, int, int], expected: int) -> None:
    assert classify_day(*counts) == expected


def test_overall_day_is_broken_when_any_medication_is_then_open_then_kept() -> None:
    assert resolve(DayClass.KEPT | DayClass.BROKEN) == DayClass.BROKEN
    assert resolve(DayClass.KEPT | DayClass.OPEN) == DayClass.OPEN
    assert resolve(DayClass.KEPT | DayClass.NONE) == DayClass.KEPT
    assert resolve(DayClass.NONE) == DayClass.NONE
    assert resolve(DayClass.BROKEN | DayClass.OPEN) == DayClass.BROKEN


# ------------------------------------------------------------------------------ streaks


NEW_YEAR = D("2026-01-01")


def days_of(classes: str, first: date = NEW_YEAR) -> list[tuple[date, int]]:
    """'KKB.O' → kept, kept, broken, none, open on consecutive days."""
    code = {"K": DayClass.KEPT, "B": DayClass.BROKEN, ".": DayClass.NONE, "O": DayClass.OPEN}
    return [(first + timedelta(days=i), code[c]) for i, c in enumerate(classes)]


def test_streak_definition_by_hand() -> None:
    # kept 3, broken, kept 2 with a day without doses between, today still open
    streak = fold_streak(Streak(), days_of("KKKBK.KO"))
    assert streak.current == 2
    assert (streak.current_from, streak.current_to) == (D("2026-01-05"), D("2026-01-07"))
    assert streak.longest == 3
    assert (streak.longest_from, streak.longest_to) == (D("2026-01-01"), D("2026-01-03"))
    assert streak.last_broken == D("2026-01-04")


def test_current_streak_is_zero_when_the_latest_day_with_doses_is_broken() -> None:
    streak = fold_streak(Streak(), days_of("KKKB..O"))
    assert (streak.current, streak.longest) == (0, 3)


def test_the_earliest_of_equally_long_runs_is_the_longest() -> None:
    streak = fold_streak(Streak(), days_of("KKBKK"))
    assert (streak.longest, streak.longest_from) == (2, D("2026-01-01"))


classes = st.text(alphabet="KB.O", max_size=60)


@given(before=classes, after=classes)
def test_longest_streak_is_never_shorter_than_the_current_one(before: str, after: str) -> None:
    state = fold_streak(Streak(), days_of(before))
    streak = fold_streak(state, days_of(after, D("2026-03-01")))
    assert streak.longest >= streak.current >= 0


@given(before=classes, after=classes)
def test_folding_runs_at_once_equals_folding_day_by_day(before: str, after: str) -> None:
    state = fold_streak(Streak(), days_of(before))
    first = D("2026-03-01")
    marks = bytes(cls for _, cls in days_of(after, first))
    assert fold_marks(state, first, marks) == fold_streak(state, days_of(after, first))


@given(text=classes, cut=st.integers(min_value=0, max_value=60))
def test_folding_in_two_parts_equals_folding_once(text: str, cut: int) -> None:
    cut = min(cut, len(text))
    first = D("2026-01-01")
    whole = fold_streak(Streak(), days_of(text, first))
    part = fold_streak(Streak(), days_of(text[:cut], first))
    rest = fold_streak(part, days_of(text[cut:], first + timedelta(days=cut)))
    assert rest == whole


# ---------------------------------------------------------------------------- adherence


def test_adherence_is_taken_over_decided_slots() -> None:
    assert adherence(27, 1, 2) == pytest.approx(0.9)
    assert adherence(0, 0, 0) is None
    assert adherence(0, 1, 0) == 0.0


@given(
    taken=st.integers(0, 500),
    skipped=st.integers(0, 500),
    missed=st.integers(0, 500),
    pending=st.integers(1, 10),
)
def test_taking_a_pending_dose_never_lowers_adherence(
    taken: int, skipped: int, missed: int, pending: int
) -> None:
    before = adherence(taken, skipped, missed)
    after = adherence(taken + 1, skipped, missed)
    assert after is not None
    assert before is None or after >= before
    assert 0.0 <= after <= 1.0


# ------------------------------------------------------------------- counting slots


@given(
    first=st.integers(737_000, 740_000),
    length=st.integers(0, 400),
    every=st.one_of(st.none(), st.integers(1, 12)),
    weekdays=st.one_of(st.none(), st.frozensets(st.integers(0, 6), min_size=1)),
    anchor_shift=st.integers(-30, 30),
)
def test_covered_days_by_arithmetic(
    first: int, length: int, every: int | None, weekdays: frozenset[int] | None, anchor_shift: int
) -> None:
    v = version(
        at("2020-01-01"),
        ("08:00",),
        every=every,
        on_days=weekdays,
        anchor=date.fromordinal(first + anchor_shift),
    )
    last = first + length
    expected = sum(1 for d in range(first, last + 1) if v.on_day(date.fromordinal(d)))
    assert on_day_count(v, first, last) == expected


def test_a_daily_0230_dose_counts_once_a_day_across_both_dst_changes() -> None:
    for zone, spring, autumn in (
        ("Europe/London", "2026-03-29", "2026-10-25"),
        ("America/New_York", "2026-03-08", "2026-11-01"),
    ):
        v = version(at("2026-01-01", zone=zone), ("02:30",), zone=zone)
        for day in (spring, autumn):
            lo, hi = at(day, zone=zone), at(day, zone=zone) + timedelta(days=1)
            assert count_slots([v], lo, hi) == 1 == len(slots_between([v], lo, hi))
        whole = count_slots([v], at("2026-01-01", zone=zone), at("2027-01-01", zone=zone))
        assert whole == 365


def test_times_that_meet_in_the_spring_gap_are_one_slot() -> None:
    # London skips 01:00-02:00 on 29 March 2026: 01:30 is read as 02:30, the same moment.
    v = version(at("2026-03-01"), ("01:30", "02:30"))
    lo, hi = at("2026-03-29"), at("2026-03-30")
    assert count_slots([v], lo, hi) == len(slots_between([v], lo, hi)) == 1


def test_the_day_samoa_skipped_has_no_slot_of_its_own() -> None:
    zone = "Pacific/Apia"
    v = version(at("2011-12-01", zone=zone), ("18:30",), zone=zone)
    lo, hi = at("2011-12-01", zone=zone), at("2012-01-10", zone=zone)
    assert count_slots([v], lo, hi) == len(slots_between([v], lo, hi))


times_st = st.lists(
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30])),
    min_size=1,
    max_size=4,
    unique=True,
).map(lambda ts: tuple(sorted(ts)))


@st.composite
def schedules(draw: st.DrawFn) -> list[ScheduleVersion]:
    """One to three versions, some stopped or ended, in one or two zones."""
    zone = draw(st.sampled_from(ZONES))
    start = datetime(2009, 1, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 24 * 365 * 17)))
    out: list[ScheduleVersion] = []
    for number in range(draw(st.integers(1, 3))):
        own_zone = draw(st.sampled_from((zone, zone, *ZONES)))
        every = draw(st.one_of(st.none(), st.integers(2, 9)))
        weekdays = None
        if every is None and draw(st.booleans()):
            weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
        ends = draw(st.one_of(st.none(), st.integers(1, 24 * 400)))
        out.append(
            version(
                start,
                draw(times_st),
                zone=own_zone,
                every=every,
                on_days=weekdays,
                active=draw(st.booleans()) or number == 0,
                end=None if ends is None else start + timedelta(hours=ends),
                number=number,
            )
        )
        start += timedelta(hours=draw(st.integers(1, 24 * 300)))
    return out


@settings(max_examples=150, deadline=None)
@given(
    versions=schedules(),
    offset=st.integers(-100, 24 * 300),
    length=st.integers(0, 24 * 700),
)
def test_counting_slots_equals_making_them(
    versions: list[ScheduleVersion], offset: int, length: int
) -> None:
    lo = versions[0].start + timedelta(hours=offset)
    hi = lo + timedelta(hours=length)
    assert count_slots(versions, lo, hi) == len(slots_between(versions, lo, hi))


@settings(max_examples=60, deadline=None)
@given(versions=schedules(), days=st.integers(0, 800))
def test_counting_slots_over_new_year_and_29_february(
    versions: list[ScheduleVersion], days: int
) -> None:
    shift = datetime(2027, 12, 20, tzinfo=UTC) - versions[0].start
    moved = [
        replace(
            v,
            start=v.start + shift,
            end=None if v.end is None else v.end + shift,
            anchor=v.anchor + timedelta(days=shift.days),
        )
        for v in versions
    ]
    lo = moved[0].start
    hi = lo + timedelta(days=days)
    assert count_slots(moved, lo, hi) == len(slots_between(moved, lo, hi))
