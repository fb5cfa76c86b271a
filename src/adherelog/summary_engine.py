"""The summary engine: slot counts, day classes and streaks of one medication's days,
worked out from one consistent state of the journal (see :mod:`adherelog.summary` for how
the numbers stay fast at any length of history). No printing here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from adherelog import schedule, streak_state
from adherelog.adherence import (
    RESOLVE_TABLE,
    DayClass,
    SpanDays,
    Streak,
    classify_day,
    fold_marks,
    irregular_days,
    is_on_day,
    on_day_count,
    scheduled_spans,
    slot_status,
)
from adherelog.clock import from_utc_text, to_utc_text
from adherelog.model import Med, ScheduleVersion, SlotStatus
from adherelog.recurrence import rule_days
from adherelog.session import Session
from adherelog.storage import summary as queries
from adherelog.summary_values import Counts, EffectCount

OVERALL = "*"
_MARGIN = timedelta(hours=15)  # more than any zone's distance from UTC


# ------------------------------------------------------------------ per-medication days


class _Tally:
    """Slot counts of one day or a run of days (mutable while they are added up)."""

    __slots__ = ("early", "expected", "late", "missed", "skipped", "taken")

    def __init__(self) -> None:
        self.expected = self.taken = self.late = self.skipped = self.missed = self.early = 0

    @property
    def pending(self) -> int:
        return self.expected - self.taken - self.skipped - self.missed


class _Days:
    """What one medication's days ``[first, last]`` hold: counts, and only when asked for,
    the DayClass, expected and taken doses of each day."""

    __slots__ = ("counts", "expected", "first", "last", "marks", "taken")

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = first, last
        self.counts = Counts()
        self.marks = bytearray()
        self.expected: list[int] = []
        self.taken: list[int] = []


class Plan:
    """A medication's scheduled spans and the days that need a slot-by-slot look."""

    def __init__(self, med: Med, exact: Sequence[tuple[int, int]]) -> None:
        self.med = med
        self.spans: list[SpanDays] = scheduled_spans(med.versions)
        self.exact = exact
        edges = [day for span in self.spans for day in span.special]
        self.first_day: int | None = min(edges) if edges else None
        self.exact_days: dict[int, _Tally] = {}  # memo of slot-by-slot days

    def special(self, first: int, last: int, settled: int) -> set[int]:
        """Days in ``[first, last]`` looked at slot by slot."""
        out = {d for span in self.spans for d in span.special if first <= d <= last}
        for span in self.spans:
            lo, hi = max(first, span.first), min(last, span.last, settled)
            out |= irregular_days(span.version, lo, hi)
        for lo, hi in self.exact:
            out.update(range(max(first, lo), min(last, hi) + 1))
        out.update(range(max(first, settled + 1), last + 1))
        return out


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def _runs(days: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted days grouped into runs of consecutive days."""
    out: list[tuple[int, int]] = []
    for day in sorted(days):
        if out and out[-1][1] == day - 1:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _covered_runs(version: ScheduleVersion, lo: int, hi: int) -> list[tuple[int, int]]:
    """The covered days of ``[lo, hi]`` as (first day, step) progressions."""
    every, weekdays = version.every, version.on_days
    if version.rrule is not None:  # each day of the rule on its own
        days = rule_days(version.rrule, version.anchor, lo, hi)
        return [(day, hi - lo + 1) for day in days]
    if version.cycle is not None:  # each ON day of the cycle, every ON + OFF days
        on, off = version.cycle
        period = on + off
        offset = (lo - version.anchor.toordinal()) % period
        starts = [(lo + (r - offset) % period, period) for r in range(on)]
    elif every is not None and weekdays is None:
        offset = (lo - version.anchor.toordinal()) % every
        starts = [(lo + (every - offset) % every, every)]
    elif weekdays is not None and every is None:
        starts = [(lo + (weekday - (lo + 6) % 7) % 7, 7) for weekday in sorted(weekdays)]
    elif every is None:
        starts = [(lo, 1)]
    else:
        starts = [(d, 7 * every) for d in range(lo, lo + 7 * every) if is_on_day(version, d)]
    return [(start, step) for start, step in starts if start <= hi]


class Engine:
    """Reads one consistent snapshot of a journal and works out the numbers."""

    def __init__(self, journal: Session) -> None:
        self.journal = journal
        self.conn = journal.conn
        self.now = journal.now
        self.settled = queries.settled_day(self.now)  # every day up to here is over everywhere
        self.tail_end = self.settled + queries.SETTLED_LAG + 1  # no zone's today is later
        self.today = self.now.astimezone(journal.zone).date()
        self._exact = self._exact_ranges()
        self._summed: dict[queries.RegularDays, queries.DaySums] = {}
        # The streak states at the settled day that are newer than the kept ones.
        self.settled_states: list[tuple[str, int, Streak]] = []

    def _exact_ranges(self) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list[tuple[int, int]]] = {}
        for found in queries.exact_ranges(self.conn):
            first = from_utc_text(found.from_at).date().toordinal() - 1
            last = from_utc_text(found.to_at).date().toordinal() + 1
            out.setdefault(found.med_id, []).append((first, last))
        return out

    def plan(self, med: Med) -> Plan:
        return Plan(med, self._exact.get(med.id, []))

    # ---------------------------------------------------------------- slot by slot

    def _exact_days(self, plan: Plan, days: Iterable[int]) -> None:
        """Fill ``plan.exact_days`` for ``days`` by making their slots and matching records."""
        missing = [d for d in days if d not in plan.exact_days]
        for first, last in _runs(missing):
            lo = datetime.combine(date.fromordinal(first), time(0), UTC) - _MARGIN
            hi = datetime.combine(date.fromordinal(last + 1), time(0), UTC) + _MARGIN
            fills = {
                fill.slot_at: (fill.kind, fill.late_minutes)
                for fill in queries.slot_fills(
                    self.conn, plan.med.id, _iso(first - 1), _iso(last + 1)
                )
            }
            found = {day: _Tally() for day in range(first, last + 1)}
            for slot in schedule.slots_between(plan.med.versions, lo, hi, optional=True):
                tally = found.get(slot.local_date.toordinal())
                if tally is None:
                    continue
                fill = fills.get(to_utc_text(slot.scheduled))
                if slot.optional and fill is None:
                    continue  # the day it was added, before it was: counts only when filled
                tally.expected += 1
                if fill is not None and fill[0] == "dose":
                    tally.taken += 1
                    tally.late += int(fill[1] or 0) > slot.grace
                    tally.early += int(fill[1] or 0) < -slot.grace
                elif fill is not None and fill[0] == "skip":
                    tally.skipped += 1
                elif slot_status(slot, None, self.now) is SlotStatus.MISSED:
                    tally.missed += 1
            plan.exact_days.update(found)

    # -------------------------------------------------------------------- the days

    def days(
        self, plan: Plan, first: int, last: int, *, marks: bool = False, tallies: bool = False
    ) -> _Days:
        """Counts over the days ``[first, last]`` of one medication, with each day's class
        (``marks``) and expected and taken doses (``tallies``) when asked for."""
        size = max(0, last - first + 1)
        out = _Days(first, last)
        if marks:
            out.marks = bytearray(size)
        if tallies:
            out.expected, out.taken = [0] * size, [0] * size
        if size == 0 or plan.first_day is None:
            return out
        special = plan.special(first, last, self.settled)
        totals = _Tally()
        for span in plan.spans:
            lo, hi = max(first, span.first), min(last, span.last, self.settled)
            if lo <= hi:
                self._regular(plan, span, lo, hi, special, out, totals, per_day=marks or tallies)
        self._exact_days(plan, special)
        for day in special:
            tally = plan.exact_days[day]
            totals.expected += tally.expected
            totals.taken += tally.taken
            totals.late += tally.late
            totals.early += tally.early
            totals.skipped += tally.skipped
            totals.missed += tally.missed
            index = day - first
            if marks:
                out.marks[index] = classify_day(
                    tally.expected, tally.taken, tally.skipped, tally.missed
                )
            if tallies:
                out.expected[index], out.taken[index] = tally.expected, tally.taken
        out.counts = Counts(
            totals.expected,
            totals.taken,
            totals.late,
            totals.skipped,
            totals.missed,
            totals.pending,
            totals.early,
        )
        return out

    def _regular(
        self,
        plan: Plan,
        span: SpanDays,
        lo: int,
        hi: int,
        special: set[int],
        out: _Days,
        totals: _Tally,
        *,
        per_day: bool,
    ) -> None:
        """The regular days ``[lo, hi]`` of ``span`` (settled, one slot per time on every
        covered day), minus ``special``, from ``day_counts``: summed in SQL; for each day
        (``per_day``) every covered day is marked kept, then the few that are not read."""
        version = span.version
        k = len(version.times)
        skip = sorted(d for d in special if lo <= d <= hi)
        on_days = on_day_count(version, lo, hi) - sum(1 for d in skip if is_on_day(version, d))
        expected = k * on_days
        days = queries.RegularDays(
            med_id=plan.med.id,
            first=lo,
            last=hi,
            skip=tuple(skip),
            slots=k,
            anchor=version.anchor.toordinal(),
            every=version.every,
            weekdays=None if version.on_days is None else tuple(sorted(version.on_days)),
            cycle=version.cycle,
            only=None
            if version.rrule is None
            else tuple(rule_days(version.rrule, version.anchor, lo, hi)),
        )
        present, taken, skipped, off_time, early = self._sums(days)
        totals.expected += expected
        totals.taken += taken
        totals.skipped += skipped
        totals.late += off_time - early  # ``lates`` counts both sides of the grace period
        totals.early += early
        totals.missed += expected - taken - skipped
        if not per_day:
            return
        self._mark_on_days(version, lo, hi, out, k)
        first = out.first
        marks, tallies = bool(out.marks), bool(out.taken)
        if tallies:
            for day, day_taken in queries.broken_day_doses(self.conn, days):
                out.taken[day - first] = day_taken
                if marks:
                    out.marks[day - first] = DayClass.BROKEN
        elif marks:
            target = out.marks
            for index in queries.broken_day_offsets(self.conn, days, first):
                target[index] = DayClass.BROKEN
        if present < on_days:  # days without any record: every dose missed
            seen = queries.days_with_records(self.conn, days)
            seen.update(skip)
            for start, step in _covered_runs(version, lo, hi):
                for day in set(range(start, hi + 1, step)) - seen:
                    if marks:
                        out.marks[day - first] = DayClass.BROKEN
                    if tallies:
                        out.taken[day - first] = 0

    def _sums(self, days: queries.RegularDays) -> queries.DaySums:
        """Rows, doses, skips and late doses of ``days`` (remembered: the period and the
        streaks often ask for the same days)."""
        found = self._summed.get(days)
        if found is None:
            found = self._summed[days] = queries.day_sums(self.conn, days)
        return found

    def _mark_on_days(self, version: ScheduleVersion, lo: int, hi: int, out: _Days, k: int) -> None:
        """Mark every covered day of ``[lo, hi]`` kept, ``k`` doses expected and taken: the
        odd days are corrected afterwards."""
        first = out.first
        for start, step in _covered_runs(version, lo, hi):
            count = (hi - start) // step + 1
            window = slice(start - first, hi - first + 1, step)
            if out.marks:
                out.marks[window] = bytes([DayClass.KEPT]) * count
            if out.expected:
                out.expected[window] = [k] * count
            if out.taken:
                out.taken[window] = [k] * count

    # ----------------------------------------------------------------- streaks

    def _cached(self, scopes: Sequence[str]) -> dict[str, tuple[int, Streak]]:
        out: dict[str, tuple[int, Streak]] = {}
        for kept in queries.streak_states(self.conn, scopes):
            streak = streak_state.from_json(kept.state)
            if streak is not None and kept.through <= self.settled:
                out[kept.scope] = (kept.through, streak)
        return out

    def streaks(
        self, plans: Sequence[Plan], *, overall: bool
    ) -> tuple[dict[str, Streak], Streak | None]:
        """Each medication's streak and (``overall``) the streak of all of them together;
        the states at the settled day that are newer than the kept ones go to
        :attr:`settled_states`."""
        scopes = [p.med.id for p in plans] + ([OVERALL] if overall else [])
        cached = self._cached(scopes)
        firsts = [p.first_day for p in plans if p.first_day is not None]
        if not firsts:
            if overall and OVERALL not in cached:
                self.settled_states.append((OVERALL, self.settled, Streak()))
            return {p.med.id: Streak() for p in plans}, Streak() if overall else None
        history = min(firsts)

        def start_of(scope: str, first: int) -> int:
            hit = cached.get(scope)
            return hit[0] + 1 if hit else first

        overall_start = start_of(OVERALL, history) if overall else self.tail_end + 1
        results: dict[str, Streak] = {}
        combined = 0
        for plan in plans:
            if plan.first_day is None:
                results[plan.med.id] = Streak()
                continue
            own = start_of(plan.med.id, plan.first_day)
            begin = min(own, overall_start, self.tail_end)
            marks = self.days(plan, begin, self.tail_end, marks=True).marks
            state = cached[plan.med.id][1] if plan.med.id in cached else Streak()
            results[plan.med.id] = self._fold(plan.med.id, state, own, marks[own - begin :], cached)
            if overall:
                part = bytes(marks[overall_start - begin :])
                combined |= int.from_bytes(part, "little")
        total = None
        if overall:
            size = self.tail_end - overall_start + 1
            marks_all = combined.to_bytes(max(size, 0), "little").translate(RESOLVE_TABLE)
            state = cached[OVERALL][1] if OVERALL in cached else Streak()
            total = self._fold(OVERALL, state, overall_start, marks_all, cached)
        return results, total

    def _fold(
        self,
        scope: str,
        state: Streak,
        start: int,
        marks: bytes | bytearray,
        cached: dict[str, tuple[int, Streak]],
    ) -> Streak:
        """Fold the settled days (noting that state when it is newer than the kept one)
        then the recent ones. Days before a history starts are neutral, so the state at the
        settled day is known (and noted) even when the history starts later."""
        settled = max(0, self.settled - start + 1)
        first = date.fromordinal(start)
        state = fold_marks(state, first, bytes(marks[:settled]))
        if scope not in cached or cached[scope][0] < self.settled:
            self.settled_states.append((scope, self.settled, state))
        return fold_marks(state, first + timedelta(days=settled), bytes(marks[settled:]))

    # -------------------------------------------------------- as needed, effects

    def unslotted_doses(self, med: Med, first: int, last: int) -> int:
        """Doses that fill no slot (as needed, or additional) on local days in range."""
        return queries.unslotted_dose_count(self.conn, med.id, _iso(first), _iso(last))

    def effects(self, first: int, last: int, med: Med | None) -> list[EffectCount]:
        groups: dict[str, tuple[str, int, list[int]]] = {}
        med_id = None if med is None else med.id
        for name, severity in queries.effect_rows(self.conn, _iso(first), _iso(last), med_id):
            key = " ".join(str(name or "").split()).casefold()
            shown, count, severities = groups.get(key, (str(name or ""), 0, []))
            if severity is not None:
                severities.append(severity)
            groups[key] = (shown, count + 1, severities)
        out = [
            EffectCount(
                shown,
                count,
                round(sum(sev) / len(sev), 2) if sev else None,
            )
            for shown, count, sev in groups.values()
        ]
        out.sort(key=lambda e: (-e.count, e.name.casefold()))
        return out
