"""Adherence summaries, streaks and supply over a journal (SPEC §6). No printing here.

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

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from adherelog import schedule, storage
from adherelog.adherence import (
    RESOLVE_TABLE,
    DayClass,
    SpanCounter,
    SpanDays,
    Streak,
    Value,
    adherence,
    classify_day,
    fold_marks,
    irregular_days,
    is_on_day,
    on_day_count,
    scheduled_spans,
    slot_status,
    span_days,
)
from adherelog.clock import MIN_DATE, from_utc_text, to_utc_text
from adherelog.errors import UsageError
from adherelog.journal import Journal
from adherelog.model import Med, ScheduleVersion, SlotStatus
from adherelog.text import one_line

CACHE_VERSION = 1
OVERALL = "*"
DEFAULT_DAYS = 30
CALENDAR_WEEKS = 6
LOW_SUPPLY_DAYS = 7
_MARGIN = timedelta(hours=15)  # more than any zone's distance from UTC


# --------------------------------------------------------------------------- results


class Counts(Value):
    """Slot counts over a period: scheduled = taken + skipped + missed + pending."""

    __slots__ = ("late", "missed", "pending", "scheduled", "skipped", "taken")

    def __init__(
        self,
        scheduled: int = 0,
        taken: int = 0,
        late: int = 0,
        skipped: int = 0,
        missed: int = 0,
        pending: int = 0,
    ) -> None:
        self.scheduled, self.taken, self.late = scheduled, taken, late
        self.skipped, self.missed, self.pending = skipped, missed, pending

    @property
    def on_time(self) -> int:
        return self.taken - self.late

    @property
    def adherence(self) -> float | None:
        return adherence(self.taken, self.skipped, self.missed)

    def plus(self, other: Counts) -> Counts:
        return Counts(
            self.scheduled + other.scheduled,
            self.taken + other.taken,
            self.late + other.late,
            self.skipped + other.skipped,
            self.missed + other.missed,
            self.pending + other.pending,
        )


class MedSummary(Value):
    """One medication's row of a summary."""

    __slots__ = (
        "as_needed",
        "as_needed_doses",
        "counts",
        "extra_doses",
        "med",
        "runs_out",
        "streak",
        "supply",
    )

    def __init__(
        self,
        med: Med,
        counts: Counts,
        streak: Streak,
        as_needed: bool,
        as_needed_doses: int,
        extra_doses: int,
        supply: float | None,
        runs_out: date | None,
    ) -> None:
        self.med = med
        self.counts = counts
        self.streak = streak
        self.as_needed = as_needed
        self.as_needed_doses = as_needed_doses
        self.extra_doses = extra_doses
        self.supply = supply
        self.runs_out = runs_out


class EffectCount(Value):
    """A side effect by name (case-insensitive) over the period."""

    __slots__ = ("count", "mean_severity", "name")

    def __init__(self, name: str, count: int, mean_severity: float | None) -> None:
        self.name, self.count, self.mean_severity = name, count, mean_severity


class CalendarDay(Value):
    """One heatmap cell: all medications (or the one chosen) on one day; ``cls`` a
    :class:`DayClass` value."""

    __slots__ = (
        "cls",
        "day",
        "expected",
        "future",
        "taken",
    )

    def __init__(
        self,
        day: date,
        expected: int,
        taken: int,
        cls: int,
        future: bool,
    ) -> None:
        self.day = day
        self.expected = expected
        self.taken = taken
        self.cls = cls
        self.future = future


class Summary(Value):
    """What ``summary`` shows; ``med`` is the medication chosen with --med, or None."""

    __slots__ = (
        "calendar",
        "effects",
        "first",
        "last",
        "med",
        "meds",
        "overall",
        "streak",
        "today",
        "warnings",
    )

    def __init__(
        self,
        first: date,
        last: date,
        med: Med | None,
        overall: Counts,
        streak: Streak,
        meds: list[MedSummary],
        effects: list[EffectCount],
        calendar: list[CalendarDay],
        today: date,
        warnings: list[str],
    ) -> None:
        self.first = first
        self.last = last
        self.med = med
        self.overall = overall
        self.streak = streak
        self.meds = meds
        self.effects = effects
        self.calendar = calendar
        self.today = today
        self.warnings = warnings


# ------------------------------------------------------------------ per-medication days


class _Tally:
    """Slot counts of one day or a run of days (mutable while they are added up)."""

    __slots__ = ("expected", "late", "missed", "skipped", "taken")

    def __init__(self) -> None:
        self.expected = self.taken = self.late = self.skipped = self.missed = 0

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


class _Plan:
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


def _off_days_sql(version: ScheduleVersion) -> str:
    """SQL true for a ``day_counts`` row on a day the schedule has no doses (built from
    integers only)."""
    off = ["0"]
    if version.every is not None:
        off.append(f"(day - {version.anchor.toordinal():d}) % {version.every:d} != 0")
    if version.on_days is not None:
        weekdays = ",".join(str(int(d)) for d in sorted(version.on_days))
        off.append(f"(day + 6) % 7 NOT IN ({weekdays})")
    return " OR ".join(off)


def _covered_runs(version: ScheduleVersion, lo: int, hi: int) -> list[tuple[int, int]]:
    """The covered days of ``[lo, hi]`` as (first day, step) progressions."""
    every, weekdays = version.every, version.on_days
    if every is not None and weekdays is None:
        offset = (lo - version.anchor.toordinal()) % every
        starts = [(lo + (every - offset) % every, every)]
    elif weekdays is not None and every is None:
        starts = [(lo + (weekday - (lo + 6) % 7) % 7, 7) for weekday in sorted(weekdays)]
    elif every is None:
        starts = [(lo, 1)]
    else:
        starts = [(d, 7 * every) for d in range(lo, lo + 7 * every) if is_on_day(version, d)]
    return [(start, step) for start, step in starts if start <= hi]


class _Engine:
    """Reads one consistent snapshot of a journal and works out the numbers."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.conn: sqlite3.Connection = journal.conn
        self.now = journal.now
        self.settled = storage.settled_day(self.now)  # every day up to here is over everywhere
        self.tail_end = self.settled + storage.SETTLED_LAG + 1  # no zone's today is later
        self.today = self.now.astimezone(journal.zone).date()
        self._exact = self._exact_ranges()
        self._summed: dict[tuple[str, tuple[object, ...]], tuple[int, int, int, int]] = {}
        # The streak states at the settled day that are newer than the kept ones.
        self.settled_states: list[tuple[str, int, Streak]] = []

    def _exact_ranges(self) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list[tuple[int, int]]] = {}
        for med_id, lo, hi in self.conn.execute("SELECT med_id, from_at, to_at FROM exact_ranges"):
            first = from_utc_text(str(lo)).date().toordinal() - 1
            last = from_utc_text(str(hi)).date().toordinal() + 1
            out.setdefault(str(med_id), []).append((first, last))
        return out

    def plan(self, med: Med) -> _Plan:
        return _Plan(med, self._exact.get(med.id, []))

    # ---------------------------------------------------------------- slot by slot

    def _exact_days(self, plan: _Plan, days: Iterable[int]) -> None:
        """Fill ``plan.exact_days`` for ``days`` by making their slots and matching records."""
        missing = [d for d in days if d not in plan.exact_days]
        for first, last in _runs(missing):
            lo = datetime.combine(date.fromordinal(first), time(0), UTC) - _MARGIN
            hi = datetime.combine(date.fromordinal(last + 1), time(0), UTC) + _MARGIN
            fills = {
                str(at): (str(kind), late)
                for at, kind, late in self.conn.execute(
                    "SELECT slot_at, kind, late_minutes FROM records WHERE med_id = ?"
                    " AND slot_date BETWEEN ? AND ? AND slot_at IS NOT NULL",
                    (plan.med.id, _iso(first - 1), _iso(last + 1)),
                )
            }
            found = {day: _Tally() for day in range(first, last + 1)}
            for slot in schedule.slots_between(plan.med.versions, lo, hi):
                tally = found.get(slot.local_date.toordinal())
                if tally is None:
                    continue
                tally.expected += 1
                fill = fills.get(to_utc_text(slot.scheduled))
                if fill is not None and fill[0] == "dose":
                    tally.taken += 1
                    tally.late += abs(int(fill[1] or 0)) > slot.grace
                elif fill is not None and fill[0] == "skip":
                    tally.skipped += 1
                elif slot_status(slot, None, self.now) is SlotStatus.MISSED:
                    tally.missed += 1
            plan.exact_days.update(found)

    # -------------------------------------------------------------------- the days

    def days(
        self, plan: _Plan, first: int, last: int, *, marks: bool = False, tallies: bool = False
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
        )
        return out

    def _regular(
        self,
        plan: _Plan,
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
        not_special = f" AND day NOT IN ({','.join('?' * len(skip))})" if skip else ""
        # Rows on days with doses; a day never counts more records than it has slots
        # (records left by a schedule change that removed their slot): skips first.
        where = (
            f"med_id = ? AND day BETWEEN ? AND ?{not_special} AND NOT ({_off_days_sql(version)})"
        )
        params = (plan.med.id, lo, hi, *skip)
        skips = f"min(skips, {k:d})"
        doses = f"min(doses, {k:d} - {skips})"
        present, taken, skipped, late = self._sums(plan.med.id, where, params, k)
        totals.expected += expected
        totals.taken += taken
        totals.skipped += skipped
        totals.late += late
        totals.missed += expected - taken - skipped
        if not per_day:
            return
        self._mark_on_days(version, lo, hi, out, k)
        first = out.first
        marks, tallies = bool(out.marks), bool(out.taken)
        broken = f"{where} AND (skips > 0 OR doses < {k:d})"
        if tallies:
            for day, day_taken in self.conn.execute(
                f"SELECT day, {doses} FROM day_counts WHERE {broken}", params
            ):
                out.taken[day - first] = day_taken
                if marks:
                    out.marks[day - first] = DayClass.BROKEN
        elif marks:
            # One text of day offsets: much faster than a row per day for long histories.
            (joined,) = self.conn.execute(
                f"SELECT group_concat(day - {first:d}) FROM day_counts WHERE {broken}", params
            ).fetchone()
            if joined:
                target = out.marks
                for index in map(int, str(joined).split(",")):
                    target[index] = DayClass.BROKEN
        if present < on_days:  # days without any record: every dose missed
            seen = {
                int(found)
                for (found,) in self.conn.execute(
                    f"SELECT day FROM day_counts WHERE {where}", params
                )
            }
            seen.update(skip)
            for start, step in _covered_runs(version, lo, hi):
                for day in set(range(start, hi + 1, step)) - seen:
                    if marks:
                        out.marks[day - first] = DayClass.BROKEN
                    if tallies:
                        out.taken[day - first] = 0

    def _sums(
        self, med_id: str, where: str, params: tuple[object, ...], k: int
    ) -> tuple[int, int, int, int]:
        """Rows, doses, skips and late doses of the rows ``where`` picks (remembered: the
        period and the streaks often ask for the same days)."""
        key = (where, params)
        if key in self._summed:
            return self._summed[key]
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(doses), 0), coalesce(sum(skips), 0),"
            f" coalesce(sum(lates), 0), coalesce(sum(doses + skips > {k:d}), 0)"
            f" FROM day_counts WHERE {where}",
            params,
        ).fetchone()
        if row[4]:  # some day has more records than slots: count at most one per slot
            skips = f"min(skips, {k:d})"
            doses = f"min(doses, {k:d} - {skips})"
            row = self.conn.execute(
                f"SELECT count(*), coalesce(sum({doses}), 0), coalesce(sum({skips}), 0),"
                f" coalesce(sum(min(lates, {doses})), 0) FROM day_counts WHERE {where}",
                params,
            ).fetchone()
        found = (int(row[0]), int(row[1]), int(row[2]), int(row[3]))
        self._summed[key] = found
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
        marks = ",".join("?" * len(scopes))
        for scope, through, state in self.conn.execute(
            f"SELECT scope, through, state FROM streak_cache WHERE scope IN ({marks})",
            tuple(scopes),
        ):
            streak = _streak_from_json(str(state))
            if streak is not None and int(through) <= self.settled:
                out[str(scope)] = (int(through), streak)
        return out

    def streaks(
        self, plans: Sequence[_Plan], *, overall: bool
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
        row = self.conn.execute(
            "SELECT count(*) FROM records WHERE kind = 'dose' AND med_id = ?"
            " AND slot_at IS NULL AND local_date BETWEEN ? AND ?",
            (med.id, _iso(first), _iso(last)),
        ).fetchone()
        return int(row[0])

    def effects(self, first: int, last: int, med: Med | None) -> list[EffectCount]:
        where = "kind = 'effect' AND slot_at IS NULL AND local_date BETWEEN ? AND ?"
        params: list[object] = [_iso(first), _iso(last)]
        if med is not None:
            where += " AND med_id = ?"
            params.append(med.id)
        groups: dict[str, tuple[str, int, list[int]]] = {}
        for name, severity in self.conn.execute(
            f"SELECT effect, severity FROM records WHERE {where} ORDER BY at", tuple(params)
        ):
            key = " ".join(str(name or "").split()).casefold()
            shown, count, severities = groups.get(key, (str(name or ""), 0, []))
            if severity is not None:
                severities.append(int(severity))
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


# ------------------------------------------------------------------------ the cache


def _streak_to_json(state: Streak) -> str:
    def iso(value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    return json.dumps(
        {
            "v": CACHE_VERSION,
            "current": state.current,
            "current_from": iso(state.current_from),
            "current_to": iso(state.current_to),
            "longest": state.longest,
            "longest_from": iso(state.longest_from),
            "longest_to": iso(state.longest_to),
            "last_broken": iso(state.last_broken),
        }
    )


def _streak_from_json(text: str) -> Streak | None:
    """A cached state, or None when it was written by another version of this code."""
    try:
        data = json.loads(text)
        if data.get("v") != CACHE_VERSION:
            return None

        def day(key: str) -> date | None:
            value = data.get(key)
            return None if value is None else date.fromisoformat(value)

        return Streak(
            int(data["current"]),
            day("current_from"),
            day("current_to"),
            int(data["longest"]),
            day("longest_from"),
            day("longest_to"),
            day("last_broken"),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


# ------------------------------------------------------------------------ use cases


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


class _Snapshot:
    """A read transaction: every number comes from one consistent state of the journal
    (another process may write meanwhile)."""

    def __init__(self, journal: Journal) -> None:
        self.conn = journal.conn

    def __enter__(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")

    def __exit__(self, *exc: object) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError:
                self.conn.execute("ROLLBACK")


def _is_as_needed(med: Med, now: datetime) -> bool:
    version = med.version_at(now) or (med.versions[-1] if med.versions else None)
    return version is not None and version.as_needed


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
    with _Snapshot(journal):
        chosen = journal.med(med) if med is not None else None
        meds = [chosen] if chosen is not None else journal.meds()
        engine = _Engine(journal)
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
            as_needed = _is_as_needed(plan.med, journal.now)
            cal = engine.days(plan, cal_first, hi, marks=True, tallies=True)
            cal_marks |= int.from_bytes(bytes(cal.marks), "little")
            cal_expected = [a + b for a, b in zip(cal_expected, cal.expected, strict=True)]
            cal_taken = [a + b for a, b in zip(cal_taken, cal.taken, strict=True)]
            active = _has_future(plan.med, journal.now)
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
    with _Snapshot(journal):
        chosen = journal.med(med) if med is not None else None
        meds = [chosen] if chosen is not None else journal.meds()
        engine = _Engine(journal)
        plans = [engine.plan(m) for m in meds]
        per_med, overall = engine.streaks(plans, overall=chosen is None)
        if chosen is not None:
            return chosen, per_med[chosen.id]
        return None, overall or Streak()


def keep_streaks(journal: Journal) -> None:
    """Keep the streak state at the settled day of every medication and of all of them
    together, folded on from the kept one. Writing commands run this inside their write
    transaction when the kept state is behind; reading commands never write it."""
    engine = _Engine(journal)
    engine.streaks([engine.plan(m) for m in journal.meds()], overall=True)
    states = [(scope, day, _streak_to_json(state)) for scope, day, state in engine.settled_states]
    storage.save_streak_states(journal.conn, states)


def _has_future(med: Med, now: datetime) -> bool:
    """True while the medication is scheduled now or later (or taken as needed)."""
    current = med.version_at(now)
    if current is None:
        return bool(med.versions) and med.versions[0].active
    if current.active and (current.end is None or current.end > now):
        return True
    return any(v.active and v.start > now for v in med.versions)


# ---------------------------------------------------------------------------- supply


def runs_out(med: Med, now: datetime) -> date | None:
    """The date of the last dose the tracked supply covers at the current schedule (today
    when it covers none); None when the supply is not tracked, the medication is taken as
    needed, or the schedule ends before the supply does."""
    if med.supply is None or not med.versions or _is_as_needed(med, now):
        return None
    version = med.version_at(now) or med.versions[0]
    today = now.astimezone(schedule.zone(version.zone)).date().toordinal()
    doses = math.floor(med.supply / med.per_dose + 1e-9) if med.per_dose > 0 else 0
    if doses <= 0:
        return date.fromordinal(today)
    moment = now.astimezone(UTC)
    counters = [
        SpanCounter(span_days(span.version, max(span.lo, moment), span.hi))
        for span in scheduled_spans(med.versions)
        if span.hi > moment
    ]

    def covered(last: int) -> int:
        """Slots from now on whose local date is ``last`` or earlier."""
        return sum(counter.upto(last) for counter in counters)

    reach = 1
    while covered(today + reach) < doses:
        if reach > 366 * 200:
            return None  # the schedule ends (or pauses for good) before the supply does
        reach *= 2
    lo, hi = today - 1, today + reach  # covered(lo) < doses <= covered(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if covered(mid) >= doses:
            hi = mid
        else:
            lo = mid
    return date.fromordinal(hi)


def supply_warnings(
    journal: Journal,
    meds: Sequence[Med] | None = None,
    ends: dict[str, date | None] | None = None,
) -> list[str]:
    """One line per medication whose supply runs out within a week at its schedule
    (``ends``: :func:`runs_out` of each medication id, when already known)."""
    out: list[str] = []
    today = journal.now.astimezone(journal.zone).date()
    for med in journal.meds() if meds is None else meds:
        if med.supply is None or not _has_future(med, journal.now):
            continue
        end = ends[med.id] if ends is not None and med.id in ends else runs_out(med, journal.now)
        if end is None:
            continue
        left = (end - today).days
        if left >= LOW_SUPPLY_DAYS:
            continue
        amount = f"{med.supply:g}"
        name = one_line(med.name)
        if med.supply < med.per_dose:
            out.append(f"{name}: the supply is used up ({amount} left); 'med refill' records more.")
            continue
        when = "today" if left <= 0 else "tomorrow" if left == 1 else f"in {left} days"
        out.append(
            f"{name}: {amount} left, enough until {end.strftime('%a')} {end.day}"
            f" {end.strftime('%b')} ({when}) at the current schedule."
        )
    return out
