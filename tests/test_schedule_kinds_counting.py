"""The fast slot counting of every schedule kind (daily, --every, --on, --rrule, --cycle)
equals making every slot, over random rules, zones and DST transitions: the arithmetic of
:mod:`adherelog.adherence`, the ``day_counts`` filter in SQL, and whole summaries and
streaks against the brute-force reference of ``test_summary``."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from adherelog import recurrence, schedule, summary
from adherelog.adherence import count_slots, is_on_day, on_day_count
from adherelog.errors import UsageError
from adherelog.journal import Journal
from adherelog.model import ScheduleVersion
from adherelog.schedule import slots_between
from adherelog.storage import summary as queries
from adherelog.summary_engine import _covered_runs
from adherelog.valueclass import replace
from bulk import BulkRecord, bulk_record_doses
from helpers import schedule_version as version
from test_summary import check_against_reference, daily, opened

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kolkata",
    "UTC",
)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def rules(draw: st.DrawFn) -> str:
    """A random RRULE made only of the parts SPEC §4 allows."""
    freq = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY")))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    if freq == "MONTHLY" and draw(st.booleans()):
        ordinal = draw(st.sampled_from((1, 2, 3, 4, -1, -2)))
        parts.append(f"BYDAY={ordinal}{draw(st.sampled_from(DAYS))}")
    elif freq != "DAILY" or draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    if freq != "WEEKLY" and draw(st.integers(0, 3)) == 0:
        monthdays = draw(
            st.lists(st.sampled_from((1, 2, 15, 28, 29, 30, 31, -1)), min_size=1, max_size=2)
        )
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in monthdays))
    limit = draw(st.integers(0, 4))
    if limit == 1:
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif limit == 2:
        parts.append(f"UNTIL={20100101 + draw(st.integers(0, 25)) * 10000}")
    return ";".join(parts)


times_st = st.lists(
    st.sampled_from(("00:30", "01:30", "02:00", "02:30", "08:00", "13:15", "23:30")),
    min_size=1,
    max_size=3,
    unique=True,
).map(lambda ts: tuple(sorted(ts)))


def kind_of(draw: st.DrawFn, anchor: date) -> dict[str, object]:
    """The day-picking part of a version: one of the five kinds."""
    kind = draw(st.sampled_from(("daily", "every", "on", "rrule", "cycle")))
    if kind == "every":
        return {"every": draw(st.integers(2, 9))}
    if kind == "on":
        return {"on_days": draw(st.frozensets(st.integers(0, 6), min_size=1))}
    if kind == "rrule":
        rule = recurrence.normalize_rrule(draw(rules()))
        try:
            recurrence.check_yields(rule, anchor)
        except UsageError:
            assume(False)
        return {"rrule": rule}
    if kind == "cycle":
        return {"cycle": (draw(st.integers(1, 30)), draw(st.integers(1, 14)))}
    return {}


@st.composite
def schedules(draw: st.DrawFn) -> list[ScheduleVersion]:
    """One to three versions of any kinds, some stopped or ended, starting in any year
    from 2009 to 2026 (so DST changes of every kind are crossed)."""
    zone = draw(st.sampled_from(ZONES))
    start = datetime(2009, 1, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 24 * 365 * 17)))
    out: list[ScheduleVersion] = []
    for number in range(draw(st.integers(1, 3))):
        own_zone = draw(st.sampled_from((zone, zone, *ZONES)))
        base = version(start, draw(times_st), zone=own_zone, number=number)
        ends = draw(st.one_of(st.none(), st.integers(1, 24 * 400)))
        out.append(
            replace(
                base,
                active=draw(st.booleans()) or number == 0,
                end=None if ends is None else start + timedelta(hours=ends),
                **kind_of(draw, base.anchor),
            )
        )
        start += timedelta(hours=draw(st.integers(1, 24 * 300)))
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(versions=schedules(), offset=st.integers(-100, 24 * 300), length=st.integers(0, 24 * 700))
def test_counting_slots_of_every_kind_equals_making_them(
    versions: list[ScheduleVersion], offset: int, length: int
) -> None:
    lo = versions[0].start + timedelta(hours=offset)
    hi = lo + timedelta(hours=length)
    assert count_slots(versions, lo, hi) == len(slots_between(versions, lo, hi))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(versions=schedules(), first=st.integers(-30, 400), length=st.integers(0, 800))
def test_covered_days_by_arithmetic_by_progressions_and_in_sql(
    versions: list[ScheduleVersion], first: int, length: int
) -> None:
    v = versions[0]
    lo = v.anchor.toordinal() + first
    hi = lo + length
    expected = [d for d in range(lo, hi + 1) if v.on_day(date.fromordinal(d))]
    assert [d for d in range(lo, hi + 1) if is_on_day(v, d)] == expected
    assert on_day_count(v, lo, hi) == len(expected)
    runs = sorted(d for start, step in _covered_runs(v, lo, hi) for d in range(start, hi + 1, step))
    assert runs == expected
    # The SQL filter summaries use picks exactly the covered days of day_counts.
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute("CREATE TABLE day_counts (med_id, day, doses, skips, lates, earlies)")
    conn.executemany(
        "INSERT INTO day_counts VALUES ('m', ?, 1, 0, 0, 0)", [(d,) for d in range(lo - 3, hi + 4)]
    )
    skip = tuple(expected[:1])
    days = queries.RegularDays(
        med_id="m",
        first=lo,
        last=hi,
        skip=skip,
        slots=len(v.times),
        anchor=v.anchor.toordinal(),
        every=v.every,
        weekdays=None if v.on_days is None else tuple(sorted(v.on_days)),
        cycle=v.cycle,
        only=None if v.rrule is None else tuple(recurrence.rule_days(v.rrule, v.anchor, lo, hi)),
    )
    assert queries.days_with_records(conn, days) == set(expected) - set(skip)
    conn.close()


def test_a_monthly_rule_on_the_31st_and_the_last_friday() -> None:
    anchor = date(2026, 1, 1)
    first, last = anchor.toordinal(), date(2026, 12, 31).toordinal()
    days31 = recurrence.rule_days("FREQ=MONTHLY;BYMONTHDAY=31", anchor, first, last)
    assert [date.fromordinal(d).month for d in days31] == [1, 3, 5, 7, 8, 10, 12]
    fridays = recurrence.rule_days("FREQ=MONTHLY;BYDAY=-1FR", anchor, first, last)
    assert [date.fromordinal(d).isoformat() for d in fridays[:3]] == [
        "2026-01-30",
        "2026-02-27",
        "2026-03-27",
    ]
    assert recurrence.count_cycle_days((21, 7), anchor, first, first + 27) == 21
    assert recurrence.count_cycle_days((21, 7), anchor, first + 21, first + 27) == 0


# -------------------------------------------------- whole summaries against the reference


@st.composite
def histories(draw: st.DrawFn) -> dict[str, object]:
    meds = []
    for index in range(draw(st.integers(1, 3))):
        anchor_days = draw(st.integers(20, 200))
        start = date(2026, 3, 30) - timedelta(days=anchor_days)
        zone = draw(st.sampled_from(ZONES))
        kind = kind_of(draw, start)
        meds.append(
            {
                "name": f"Med {index}",
                "times": list(draw(times_st)),
                "zone": zone,
                "start": start,
                "kind": kind,
                "seed": draw(st.integers(0, 10_000)),
            }
        )
    return {"meds": meds, "now_zone": draw(st.sampled_from(ZONES))}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(history=histories(), period=st.integers(1, 120))
def test_summaries_of_every_kind_equal_the_reference(
    tmp_path_factory: pytest.TempPathFactory, history: dict[str, object], period: int
) -> None:
    now = datetime(2026, 3, 30, 9, 10, tzinfo=UTC)  # just after London's spring change
    path = tmp_path_factory.mktemp("k") / "j.db"
    journal: Journal = opened(path, now, ZoneInfo(str(history["now_zone"])))
    for spec in history["meds"]:  # type: ignore[attr-defined]  # built above
        kind = dict(spec["kind"])
        journal.add_med(
            spec["name"],
            daily(*spec["times"], zone=spec["zone"], **kind),
            start=spec["start"],
        )
        med = journal.med(spec["name"])
        rng = random.Random(spec["seed"])
        rows = []
        for slot in schedule.slots_between(med.versions, med.versions[0].start, now):
            roll = rng.random()
            if roll < 0.85:
                late = rng.choice((-10, 0, 5, 70))
                rows.append(
                    BulkRecord("dose", med.id, slot.scheduled + timedelta(minutes=late), slot)
                )
            elif roll < 0.9:
                rows.append(BulkRecord("skip", med.id, slot.scheduled, slot))
        bulk_record_doses(journal, rows)
    summary.streak(journal)  # keep a state, then read through it
    today = now.date()
    check_against_reference(journal, today - timedelta(days=period - 1), today)
    journal.store.close()


@settings(max_examples=300, deadline=None)
@given(
    rule=rules(),
    anchor=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    offset=st.integers(-40, 2000),
    length=st.integers(0, 900),
)
def test_the_days_of_a_rule_are_the_days_dateutil_gives(
    rule: str, anchor: date, offset: int, length: int
) -> None:
    clean = recurrence.normalize_rrule(rule)
    reference = recurrence.read_rrule(clean, anchor)
    first = anchor.toordinal() + offset
    last = first + length
    start = datetime.combine(date.fromordinal(first), datetime.min.time())
    end = datetime.combine(date.fromordinal(last), datetime.min.time())
    expected = [d.toordinal() for d in reference.between(start, end, inc=True)]  # type: ignore[attr-defined]  # a dateutil rrule
    recurrence._CACHE.clear()
    # Asked first about a later stretch, so the days already made are grown backwards too.
    recurrence.rule_days(clean, anchor, first + length // 2, last + 30)
    assert recurrence.rule_days(clean, anchor, first, last) == expected
    assert recurrence.count_rule_days(clean, anchor, first, last) == len(expected)
    probe = first + length // 2
    assert recurrence.has_rule_day(clean, anchor, probe) == (probe in expected)
