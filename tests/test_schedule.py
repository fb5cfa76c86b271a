"""Slots from schedule versions (pure), and the status of one slot."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adherelog.adherence import slot_status
from adherelog.clock import localize
from adherelog.model import Slot, SlotStatus
from adherelog.schedule import slots_between, slots_on, spans
from helpers import local_at as at
from helpers import schedule_version as version

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "UTC",
)
NEW_YORK = "America/New_York"


def days_of(slots: list[Slot]) -> list[str]:
    return [s.local_date.isoformat() for s in slots]


def walls(slots: list[Slot]) -> list[str]:
    return [s.scheduled.isoformat() for s in slots]


# --- the property: every local day has exactly its slots ---------------------------------

# Clock times on a 5-minute grid whose pairwise differences are never a multiple of 30
# minutes: a time inside a spring-forward gap moves forward by the gap (30 or 60 minutes in
# these zones), so only such a pair could land on the same instant (see the test below).
clock_times = st.lists(
    st.integers(min_value=0, max_value=24 * 12 - 1).map(lambda n: n * 5),
    min_size=1,
    max_size=4,
    unique=True,
).filter(lambda ms: all((a - b) % 30 != 0 for a in ms for b in ms if a != b))


@settings(max_examples=150, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    minutes=clock_times,
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    length=st.integers(min_value=1, max_value=40),
)
def test_every_local_day_has_one_slot_per_time(
    zone_name: str, minutes: list[int], first: date, length: int
) -> None:
    tz = ZoneInfo(zone_name)
    times = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in minutes)
    last = first + timedelta(days=length - 1)
    v = version(at("2025-12-01", zone=zone_name), times, zone=zone_name)
    found = slots_between(
        [v], localize(first, time(0, 0), tz), localize(last + timedelta(days=1), time(0, 0), tz)
    )
    per_day = Counter(s.local_date for s in found)
    expected_days = [first + timedelta(days=n) for n in range(length)]
    assert sorted(per_day) == expected_days
    assert all(per_day[d] == len(times) for d in expected_days)
    for slot in found:
        local = slot.scheduled.astimezone(tz)
        assert local.date() == slot.local_date
        assert slot.zone == zone_name
        assert slot.time.strftime("%H:%M") in times
    instants = [s.scheduled.astimezone(UTC) for s in found]
    assert instants == sorted(set(instants))


def test_new_york_spring_forward_gap_gives_one_slot_at_0330() -> None:
    v = version(at("2026-03-01", zone=NEW_YORK), ("02:30",), zone=NEW_YORK)
    found = slots_between([v], at("2026-03-07", zone=NEW_YORK), at("2026-03-10", zone=NEW_YORK))
    assert walls(found) == [
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
    ]
    assert days_of(found) == ["2026-03-07", "2026-03-08", "2026-03-09"]


def test_new_york_fall_back_overlap_gives_the_first_occurrence_once() -> None:
    v = version(at("2026-10-25", zone=NEW_YORK), ("01:30",), zone=NEW_YORK)
    found = slots_between([v], at("2026-10-31", zone=NEW_YORK), at("2026-11-03", zone=NEW_YORK))
    assert walls(found) == [
        "2026-10-31T01:30:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:30:00-05:00",
    ]
    assert found[1].scheduled.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_gap_time_meeting_a_listed_time_is_one_slot() -> None:
    """RFC 5545 keeps a recurrence set: 02:30 read as 03:30 and a listed 03:30 are one
    instant on the spring-forward day, so that day has one slot (the next day has two)."""
    v = version(at("2026-03-01", zone=NEW_YORK), ("02:30", "03:30"), zone=NEW_YORK)
    found = slots_between([v], at("2026-03-08", zone=NEW_YORK), at("2026-03-10", zone=NEW_YORK))
    assert walls(found) == [
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
        "2026-03-09T03:30:00-04:00",
    ]


def test_lord_howe_half_hour_gap() -> None:
    zone = "Australia/Lord_Howe"  # 02:00 -> 02:30 on 2026-10-04
    v = version(at("2026-09-01", zone=zone), ("02:10", "08:00"), zone=zone)
    found = slots_between([v], at("2026-10-04", zone=zone), at("2026-10-05", zone=zone))
    assert walls(found) == ["2026-10-04T02:40:00+11:00", "2026-10-04T08:00:00+11:00"]


def test_every_n_days_counts_from_the_anchor() -> None:
    v = version(at("2026-01-01"), ("08:00",), every=3, anchor=date(2026, 1, 2))
    found = slots_between([v], at("2026-01-01"), at("2026-01-15"))
    assert days_of(found) == ["2026-01-02", "2026-01-05", "2026-01-08", "2026-01-11", "2026-01-14"]


def test_every_n_days_anchor_before_the_range() -> None:
    v = version(at("2025-12-30"), ("08:00",), every=2)
    found = slots_between([v], at("2026-01-01"), at("2026-01-06"))
    # Anchor 2025-12-30: 12-30, 01-01, 01-03, 01-05.
    assert days_of(found) == ["2026-01-01", "2026-01-03", "2026-01-05"]


def test_on_weekdays_only() -> None:
    # 2026-11-02 is a Monday.
    v = version(at("2026-11-01"), ("09:00",), on_days=frozenset({0, 3}))
    found = slots_between([v], at("2026-11-01"), at("2026-11-15"))
    assert days_of(found) == ["2026-11-02", "2026-11-05", "2026-11-09", "2026-11-12"]
    assert {s.scheduled.strftime("%a %H:%M") for s in found} == {"Mon 09:00", "Thu 09:00"}


def test_version_starting_mid_day_has_no_earlier_slot_that_day() -> None:
    v = version(at("2026-11-22", "14:00"), ("08:00", "20:00"))
    found = slots_between([v], at("2026-11-22"), at("2026-11-24"))
    assert walls(found) == [
        "2026-11-22T20:00:00+00:00",
        "2026-11-23T08:00:00+00:00",
        "2026-11-23T20:00:00+00:00",
    ]


def test_stop_and_resume_leave_no_slots_while_stopped() -> None:
    versions = [
        version(at("2026-11-01"), ("08:00",), number=1),
        version(at("2026-11-05"), ("08:00",), active=False, number=2),
        version(at("2026-11-08"), ("08:00",), number=3),
    ]
    found = slots_between(versions, at("2026-11-01"), at("2026-11-11"))
    assert days_of(found) == [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-08",
        "2026-11-09",
        "2026-11-10",
    ]


def test_new_version_keeps_past_days_on_the_old_schedule() -> None:
    versions = [
        version(at("2026-11-01"), ("08:00",), number=1),
        version(at("2026-11-03"), ("09:30", "21:00"), number=2),
    ]
    found = slots_between(versions, at("2026-11-01"), at("2026-11-05"))
    assert [s.scheduled.strftime("%d %H:%M") for s in found] == [
        "01 08:00",
        "02 08:00",
        "03 09:30",
        "03 21:00",
        "04 09:30",
        "04 21:00",
    ]


def test_end_closes_the_span() -> None:
    v = version(at("2026-11-01"), ("08:00",), end=at("2026-11-03"))
    assert spans([v]) == [(v, v.start, v.end)]
    assert days_of(slots_between([v], at("2026-10-01"), at("2026-12-01"))) == [
        "2026-11-01",
        "2026-11-02",
    ]


def test_a_version_replaced_before_it_starts_has_no_span() -> None:
    first = version(at("2026-11-01"), ("08:00",), end=at("2026-11-02"), number=1)
    second = version(at("2026-11-05"), ("09:00",), number=2)
    assert [s[0].id for s in spans([first, second])] == ["v1", "v2"]
    assert spans([first, second])[0][2] == at("2026-11-02").astimezone(UTC)


def test_slots_are_half_open_and_in_time_order() -> None:
    v = version(at("2026-11-01"), ("20:00", "08:00"))
    found = slots_between([v], at("2026-11-02", "08:00"), at("2026-11-03", "08:00"))
    assert walls(found) == ["2026-11-02T08:00:00+00:00", "2026-11-02T20:00:00+00:00"]


def test_slots_on_a_day_in_another_zone() -> None:
    v = version(at("2026-11-01", zone="Asia/Tokyo"), ("08:00",), zone="Asia/Tokyo")
    found = slots_on([v], date(2026, 11, 10), "Europe/London")
    assert walls(found) == ["2026-11-10T08:00:00+09:00"]


def test_inactive_or_as_needed_versions_have_no_slots() -> None:
    stopped = version(at("2026-11-01"), ("08:00",), active=False)
    assert slots_between([stopped], at("2026-11-01"), at("2026-11-10")) == []


# --- slot status --------------------------------------------------------------------------


def london_slot(clock: str = "08:00", day: str = "2026-11-22", grace: int = 60) -> Slot:
    return Slot(
        med_id="med",
        scheduled=at(day, clock),
        local_date=date.fromisoformat(day),
        time=time.fromisoformat(clock),
        grace=grace,
        zone="Europe/London",
    )


@pytest.mark.parametrize(
    ("now", "kind", "expected"),
    [
        ("2026-11-22T07:59", None, SlotStatus.UPCOMING),
        ("2026-11-22T08:00", None, SlotStatus.DUE),
        ("2026-11-22T09:00", None, SlotStatus.DUE),
        ("2026-11-22T09:01", None, SlotStatus.OVERDUE),
        ("2026-11-22T23:59", None, SlotStatus.OVERDUE),
        ("2026-11-23T00:00", None, SlotStatus.MISSED),
        ("2026-11-25T12:00", None, SlotStatus.MISSED),
        ("2026-11-22T07:00", "dose", SlotStatus.TAKEN),
        ("2026-11-25T07:00", "dose", SlotStatus.TAKEN),
        ("2026-11-22T09:30", "skip", SlotStatus.SKIPPED),
    ],
)
def test_slot_status(now: str, kind: str | None, expected: SlotStatus) -> None:
    moment = at(now[:10], now[11:])
    assert slot_status(london_slot(), kind, moment) is expected


def test_slot_status_judges_the_day_in_the_slots_zone() -> None:
    """A Tokyo slot is missed once Tokyo's day is over, whatever zone 'now' is given in."""
    slot = Slot(
        med_id="med",
        scheduled=at("2026-11-22", "20:00", "Asia/Tokyo"),
        local_date=date(2026, 11, 22),
        time=time(20, 0),
        grace=30,
        zone="Asia/Tokyo",
    )
    # 2026-11-22 15:30 in London is 2026-11-23 00:30 in Tokyo.
    assert slot_status(slot, None, at("2026-11-22", "14:30")) is SlotStatus.OVERDUE
    assert slot_status(slot, None, at("2026-11-22", "15:30")) is SlotStatus.MISSED


@given(offsets=st.lists(st.integers(min_value=-600, max_value=3000), min_size=2, max_size=8))
def test_status_only_moves_forward_with_time(offsets: list[int]) -> None:
    order = [SlotStatus.UPCOMING, SlotStatus.DUE, SlotStatus.OVERDUE, SlotStatus.MISSED]
    slot = london_slot("08:00", grace=45)
    ranks = [
        order.index(slot_status(slot, None, slot.scheduled + timedelta(minutes=m)))
        for m in sorted(offsets)
    ]
    assert ranks == sorted(ranks)
