"""Adherence summaries and streaks over a journal (SPEC §6). No printing here.

How the numbers stay fast at any length of history (docs/design-adherence.md):

- Slots are counted, not made: days × times on the regular days of each schedule span
  (:func:`adherelog.adherence.count_span`); only span edges, zone-transition days, the last
  few (unsettled) days and days a later schedule change may have disturbed are looked at
  slot by slot.
- Doses, skips and late doses per medication and day are kept by triggers in the
  ``day_counts`` table (migration ``m003_day_counts``), so a period reads one row per day
  at most, and a long period only sums in SQL.
- Streaks are folded day by day from the first day of history, and the state at the last
  *settled* day (two days before today's UTC date: over in every zone) is kept in
  ``streak_cache`` by writing commands (:func:`keep_streaks`, just before they commit,
  when the kept state is behind). Triggers drop that state when a record or schedule
  changes a settled day, and the write that did so folds from the start again. Reading
  commands never write: they fold only the days since the kept state, in memory, so the
  current streak costs the same at any length of history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from adherelog import storage, streak_state
from adherelog.adherence import RESOLVE_TABLE, DayClass, Streak
from adherelog.clock import MIN_DATE
from adherelog.errors import UsageError
from adherelog.journal import Journal
from adherelog.model import Med
from adherelog.storage import summary as queries
from adherelog.summary_engine import Engine
from adherelog.summary_values import CalendarDay, Counts, EffectCount, MedSummary, Summary
from adherelog.supply import has_future, is_as_needed, runs_out, supply_warnings

# The results and the supply a summary holds, for those who read it through this module.
__all__ = [
    "CALENDAR_WEEKS",
    "DEFAULT_DAYS",
    "CalendarDay",
    "Counts",
    "EffectCount",
    "MedSummary",
    "Summary",
    "keep_streaks",
    "period",
    "runs_out",
    "streak",
    "summarize",
    "supply_warnings",
]

DEFAULT_DAYS = 30
CALENDAR_WEEKS = 6


def period(
    journal: Journal, *, since: datetime | None = None, days: int | None = None
) -> tuple[date, date]:
    """The days a summary covers: from the local date of ``since``, or the last ``days``
    days (default 30, never before :data:`clock.MIN_DATE`), to today (local)."""
    today = journal.now.astimezone(journal.zone).date()
    if since is not None and days is not None:
        raise UsageError("Give either --since or --days, not both.")
    if days is not None:
        if days < 1:
            raise UsageError(f"--days must be 1 or more, not {days}.")
        # No period starts before the first supported date (nor leaves the calendar).
        return today - timedelta(days=min(days - 1, (today - MIN_DATE).days)), today
    if since is not None:
        first = since.astimezone(journal.zone).date()
        if first > today:
            raise UsageError(f"--since {first.isoformat()} is after today.")
        return first, today
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def summarize(
    journal: Journal,
    *,
    first: date,
    last: date,
    med: str | None = None,
    calendar_weeks: int = CALENDAR_WEEKS,
) -> Summary:
    """``summary``: slot counts per medication and overall over the days ``[first, last]``,
    streaks (over the whole history), supply, side effects and a calendar of recent weeks."""
    with storage.snapshot(journal.conn):
        chosen = journal.med(med) if med is not None else None
        meds = [chosen] if chosen is not None else journal.meds()
        engine = Engine(journal)
        plans = [engine.plan(m) for m in meds]
        lo, hi = first.toordinal(), last.toordinal()
        cal_first = (last - timedelta(days=last.weekday() + 7 * (calendar_weeks - 1))).toordinal()
        cal_last = cal_first + 7 * calendar_weeks - 1
        per_med, overall_streak = engine.streaks(plans, overall=chosen is None)
        ends = {m.id: runs_out(m, journal.now) for m in meds}
        rows: list[MedSummary] = []
        cal_expected = [0] * (hi - cal_first + 1)
        cal_taken = [0] * (hi - cal_first + 1)
        cal_marks = 0
        total = Counts()
        for plan in plans:
            start = lo if plan.first_day is None else max(lo, plan.first_day)
            counts = engine.days(plan, start, hi).counts if start <= hi else Counts()
            unslotted = engine.unslotted_doses(plan.med, lo, hi)
            as_needed = is_as_needed(plan.med, journal.now)
            cal = engine.days(plan, cal_first, hi, marks=True, tallies=True)
            cal_marks |= int.from_bytes(bytes(cal.marks), "little")
            cal_expected = [a + b for a, b in zip(cal_expected, cal.expected, strict=True)]
            cal_taken = [a + b for a, b in zip(cal_taken, cal.taken, strict=True)]
            active = has_future(plan.med, journal.now)
            if chosen is None and not (counts.scheduled or unslotted or active):
                continue
            total = total.plus(counts)
            rows.append(
                MedSummary(
                    med=plan.med,
                    counts=counts,
                    streak=per_med[plan.med.id],
                    as_needed=as_needed,
                    as_needed_doses=unslotted if as_needed else 0,
                    extra_doses=0 if as_needed else unslotted,
                    supply=plan.med.supply,
                    runs_out=ends[plan.med.id],
                )
            )
        classes = cal_marks.to_bytes(hi - cal_first + 1, "little").translate(RESOLVE_TABLE)
        calendar = [
            CalendarDay(
                date.fromordinal(cal_first + i),
                cal_expected[i] if i < len(cal_expected) else 0,
                cal_taken[i] if i < len(cal_taken) else 0,
                classes[i] if i < len(classes) else DayClass.NONE,
                cal_first + i > hi,
            )
            for i in range(cal_last - cal_first + 1)
        ]
        streak = overall_streak if overall_streak is not None else per_med[meds[0].id]
        effects = engine.effects(lo, hi, chosen)
        return Summary(
            first=first,
            last=last,
            med=chosen,
            overall=total,
            streak=streak,
            meds=rows,
            effects=effects,
            calendar=calendar,
            today=engine.today,
            warnings=supply_warnings(journal, meds, ends),
        )


def streak(journal: Journal, *, med: str | None = None) -> tuple[Med | None, Streak]:
    """``streak``: the streak of one medication, or of all of them together."""
    with storage.snapshot(journal.conn):
        chosen = journal.med(med) if med is not None else None
        meds = [chosen] if chosen is not None else journal.meds()
        engine = Engine(journal)
        plans = [engine.plan(m) for m in meds]
        per_med, overall = engine.streaks(plans, overall=chosen is None)
        if chosen is not None:
            return chosen, per_med[chosen.id]
        return None, overall or Streak()


def keep_streaks(journal: Journal) -> None:
    """Keep the streak state at the settled day of every medication and of all of them
    together, folded on from the kept one. Writing commands run this inside their write
    transaction when the kept state is behind; reading commands never write it."""
    engine = Engine(journal)
    engine.streaks([engine.plan(m) for m in journal.meds()], overall=True)
    states = [
        queries.StreakState(scope, day, streak_state.to_json(state))
        for scope, day, state in engine.settled_states
    ]
    queries.save_streak_states(journal.conn, states)
