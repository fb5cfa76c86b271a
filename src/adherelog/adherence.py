"""Slot status, and (built on it) day classification, streaks and adherence (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import repeat
from zoneinfo import ZoneInfo

from adherelog.clock import localize
from adherelog.model import ScheduleVersion, Slot, SlotStatus
from adherelog.recurrence import count_cycle_days, count_rule_days, has_rule_day
from adherelog.schedule import spans


def slot_status(slot: Slot, record_kind: str | None, now: datetime) -> SlotStatus:
    """The status of ``slot`` at ``now`` given the kind of record that fills it, if any
    (SPEC §5): taken/skipped when filled; otherwise upcoming before its time, due within
    the grace period, overdue later the same local day, missed once that day is over."""
    if record_kind == "dose":
        return SlotStatus.TAKEN
    if record_kind == "skip":
        return SlotStatus.SKIPPED
    now_utc, scheduled = now.astimezone(UTC), slot.scheduled.astimezone(UTC)
    if now_utc < scheduled:
        return SlotStatus.UPCOMING
    if now_utc <= scheduled + timedelta(minutes=slot.grace):
        return SlotStatus.DUE
    if now.astimezone(slot.scheduled.tzinfo).date() <= slot.local_date:
        return SlotStatus.OVERDUE
    return SlotStatus.MISSED


# ----------------------------------------------------------------- days and streaks (pure)


class DayClass:
    """What a day means for a streak (SPEC §6). Bit flags (plain ints, cheap to combine),
    so the days of several medications combine with ``|``: see :func:`resolve`."""

    NONE = 0  # no doses scheduled: neutral
    KEPT = 1  # every dose taken (late counts as taken)
    BROKEN = 2  # a dose skipped or missed
    OPEN = 4  # doses still pending and nothing broken yet: neutral


class Value:
    """A small value object: equality, hash and repr from its ``__slots__`` (cheaper to
    define than a dataclass or a NamedTuple, which matters for start-up time)."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Value)
            and type(other) is type(self)
            and (self._fields() == other._fields())
        )

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"


def classify_day(expected: int, taken: int, skipped: int, missed: int) -> int:
    """One medication's day from its slot counts; ``expected - taken - skipped - missed``
    slots are still pending."""
    if skipped or missed:
        return DayClass.BROKEN
    if taken < expected:
        return DayClass.OPEN
    return DayClass.KEPT if expected else DayClass.NONE


def resolve(flags: int) -> int:
    """The overall class of a day from the ``|`` of its medications' classes: broken when
    any is broken, else open while any has pending doses, else kept when any had doses."""
    if flags & DayClass.BROKEN:
        return DayClass.BROKEN
    if flags & DayClass.OPEN:
        return DayClass.OPEN
    return DayClass.KEPT if flags & DayClass.KEPT else DayClass.NONE


# ``bytes.translate`` table applying :func:`resolve` to every byte at once.
RESOLVE_TABLE = bytes(resolve(value) for value in range(256))


class Streak(Value):
    """Runs of kept days (SPEC §6). ``current`` is the run ending at the latest non-neutral
    day (0 when that day is broken); ``longest`` the longest run ever (the earliest one
    when several are as long). Days are dates in the schedule's zone."""

    __slots__ = (
        "current",
        "current_from",
        "current_to",
        "last_broken",
        "longest",
        "longest_from",
        "longest_to",
    )

    def __init__(
        self,
        current: int = 0,
        current_from: date | None = None,
        current_to: date | None = None,
        longest: int = 0,
        longest_from: date | None = None,
        longest_to: date | None = None,
        last_broken: date | None = None,
    ) -> None:
        self.current = current
        self.current_from = current_from
        self.current_to = current_to
        self.longest = longest
        self.longest_from = longest_from
        self.longest_to = longest_to
        self.last_broken = last_broken


def fold_streak(state: Streak, days: Iterable[tuple[date, int]]) -> Streak:
    """``state`` carried forward over ``days`` (in date order): the definition, day by day."""
    cur, cur_from, cur_to = state.current, state.current_from, state.current_to
    best, best_from, best_to = state.longest, state.longest_from, state.longest_to
    broken = state.last_broken
    for day, cls in days:
        if cls == DayClass.KEPT:
            if cur == 0:
                cur_from = day
            cur += 1
            cur_to = day
            if cur > best:
                best, best_from, best_to = cur, cur_from, day
        elif cls == DayClass.BROKEN:
            cur, cur_from, cur_to, broken = 0, None, None, day
    return Streak(cur, cur_from, cur_to, best, best_from, best_to, broken)


def fold_marks(state: Streak, first: date, marks: bytes) -> Streak:
    """:func:`fold_streak` over ``marks[i]`` = the class of day ``first + i`` (bytes of
    resolved :class:`DayClass` values), a run of kept days at a time."""
    if not marks:
        return state
    base = first.toordinal()
    runs = marks.split(bytes([DayClass.BROKEN]))
    kept = list(map(bytes.count, runs, repeat(bytes([DayClass.KEPT]))))
    lengths = [state.current + kept[0], *kept[1:]]
    best = max(lengths)
    longest, longest_from, longest_to = state.longest, state.longest_from, state.longest_to

    offsets: dict[int, int] = {0: 0, len(runs) - 1: len(marks) - len(runs[-1])}

    def offset(index: int) -> int:
        if index not in offsets:
            offsets[index] = sum(map(len, runs[:index])) + index
        return offsets[index]

    def first_kept(index: int) -> date | None:
        if index == 0 and state.current:
            return state.current_from
        at = runs[index].find(DayClass.KEPT)
        return None if at < 0 else date.fromordinal(base + offset(index) + at)

    def last_kept(index: int) -> date | None:
        at = runs[index].rfind(DayClass.KEPT)
        if at < 0:
            return state.current_to if index == 0 else None
        return date.fromordinal(base + offset(index) + at)

    if best > longest:
        index = lengths.index(best)
        longest, longest_from, longest_to = best, first_kept(index), last_kept(index)
    last = len(runs) - 1
    broken = state.last_broken
    if last:
        broken = date.fromordinal(base + len(marks) - len(runs[-1]) - 1)
    current = lengths[-1]
    return Streak(
        current,
        first_kept(last) if current else None,
        last_kept(last) if current else None,
        longest,
        longest_from,
        longest_to,
        broken,
    )


def adherence(taken: int, skipped: int, missed: int) -> float | None:
    """taken / (taken + skipped + missed); None when no slot has been decided yet."""
    decided = taken + skipped + missed
    return None if decided == 0 else taken / decided


# ------------------------------------------------------- counting slots without making them


def on_day_count(version: ScheduleVersion, first: int, last: int) -> int:
    """How many days with ordinals in ``[first, last]`` the schedule covers (``every`` and
    ``on_days``; start and end not considered), by arithmetic."""
    if last < first:
        return 0
    if version.rrule is not None:
        return count_rule_days(version.rrule, version.anchor, first, last)
    if version.cycle is not None:
        return count_cycle_days(version.cycle, version.anchor, first, last)
    every, weekdays = version.every, version.on_days
    if every is None and weekdays is None:
        return last - first + 1
    anchor = version.anchor.toordinal()
    if weekdays is None:
        assert every is not None
        return (last - anchor) // every - (first - 1 - anchor) // every
    if every is None:
        full, rest = divmod(last - first + 1, 7)
        count = full * len(weekdays)
        return count + sum(1 for i in range(rest) if (first + i + 6) % 7 in weekdays)
    # Both: the pattern repeats every 7 × every days.
    cycle = 7 * every
    full, rest = divmod(last - first + 1, cycle)

    def hits(start: int, length: int) -> int:
        return sum(
            1
            for day in range(start, start + length)
            if (day - anchor) % every == 0 and (day + 6) % 7 in weekdays
        )

    return full * hits(first, cycle) + hits(first + full * cycle, rest)


def is_on_day(version: ScheduleVersion, ordinal: int) -> bool:
    """:meth:`ScheduleVersion.on_day` for a date ordinal."""
    if version.every is not None and (ordinal - version.anchor.toordinal()) % version.every:
        return False
    if version.rrule is not None:
        return has_rule_day(version.rrule, version.anchor, ordinal)
    if version.cycle is not None:
        on, off = version.cycle
        return (ordinal - version.anchor.toordinal()) % (on + off) < on
    return version.on_days is None or (ordinal + 6) % 7 in version.on_days


FAR_PAST = datetime(1, 1, 2, tzinfo=UTC)
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=1024)
def _offset_changes(zone_name: str, year: int) -> tuple[int, ...]:
    """Ordinals of the days of ``year`` whose UTC offset at midnight differs from the next
    day's: the days a DST (or other) transition touches."""
    tz = ZoneInfo(zone_name)
    day = datetime(year, 1, 1, tzinfo=tz)
    step = timedelta(days=1)
    found: list[int] = []
    before = day.utcoffset()
    while day.year == year:
        after_day = day + step
        after = after_day.utcoffset()
        if after != before:
            found.append(day.toordinal())
        day, before = after_day, after
    return tuple(found)


def transition_days(zone_name: str, first: int, last: int) -> set[int]:
    """Day ordinals in ``[first, last]`` near a zone transition: the day of the change
    and one either side (two after, for a change at midnight)."""
    if last < first:
        return set()
    out: set[int] = set()
    for year in range(date.fromordinal(first).year, date.fromordinal(last).year + 1):
        for day in _offset_changes(zone_name, year):
            out.update(d for d in (day - 1, day, day + 1, day + 2) if first <= d <= last)
    return out


def irregular_days(version: ScheduleVersion, first: int, last: int) -> set[int]:
    """The days in ``[first, last]`` where a zone transition gives ``version`` another
    number of slots than its number of times (a time in a skipped hour that lands on
    another listed time, or a slot pushed past midnight), and their neighbours."""
    if last < first:
        return set()
    out: set[int] = set()
    key = (
        version.zone,
        version.times,
        version.every,
        version.anchor,
        version.on_days,
        version.rrule,
        version.cycle,
    )
    for year in range(date.fromordinal(first).year - 1, date.fromordinal(last).year + 2):
        for day in _irregular_in_year(key, year):
            # With its neighbours: a slot the day lost went to one of them.
            out.update(d for d in (day - 1, day, day + 1) if first <= d <= last)
    return out


_VersionKey = tuple[
    str,
    tuple[time, ...],
    int | None,
    date,
    frozenset[int] | None,
    str | None,
    tuple[int, int] | None,
]


@lru_cache(maxsize=1024)
def _irregular_in_year(key: _VersionKey, year: int) -> tuple[int, ...]:
    zone_name, times, every, anchor, on_days, rrule, cycle = key
    probe = ScheduleVersion(
        id="",
        med_id="",
        start=FAR_PAST,
        zone=zone_name,
        times=times,
        anchor=anchor,
        grace=0,
        as_needed=False,
        active=True,
        every=every,
        on_days=on_days,
        rrule=rrule,
        cycle=cycle,
    )
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    candidates = sorted(transition_days(zone_name, first - 3, last + 3))
    found = brute_force_days(probe, candidates, FAR_PAST, FAR_FUTURE)
    return tuple(
        day
        for day, slots in found.items()
        if first <= day <= last and len(slots) != (len(times) if is_on_day(probe, day) else 0)
    )


def brute_force_days(
    version: ScheduleVersion, days: Iterable[int], lo: datetime, hi: datetime
) -> dict[int, list[datetime]]:
    """The slot instants (UTC) of ``version`` on each of ``days`` (ordinals, ascending)
    within ``[lo, hi)``, exactly as :func:`adherelog.schedule.slots_between` makes them: one
    per time, resolved by the RFC 5545 rule, a moment already used by the previous day not
    repeated."""
    tz = ZoneInfo(version.zone)
    out: dict[int, list[datetime]] = {}
    seen: set[datetime] = set()
    previous = None
    for ordinal in days:
        if previous is None or ordinal != previous + 1:
            seen = set()
        previous = ordinal
        found: list[datetime] = []
        if is_on_day(version, ordinal):
            day = date.fromordinal(ordinal)
            for wall in version.times:
                instant = localize(day, wall, tz).astimezone(UTC)
                if lo <= instant < hi and instant not in seen:
                    seen.add(instant)
                    found.append(instant)
        out[ordinal] = found
    return out


class SpanDays(Value):
    """The days of one scheduled span (a version in force for ``[lo, hi)``, UTC): its
    *regular* days ``first..last`` (ordinals) have one slot per time on every covered day;
    the days in ``special`` (edges) must be looked at slot by slot."""

    __slots__ = ("first", "hi", "last", "lo", "special", "version")

    def __init__(
        self,
        version: ScheduleVersion,
        lo: datetime,
        hi: datetime,
        first: int,
        last: int,
        special: frozenset[int],
    ) -> None:
        self.version, self.lo, self.hi = version, lo, hi
        self.first, self.last, self.special = first, last, special


def span_days(version: ScheduleVersion, lo: datetime, hi: datetime | None) -> SpanDays:
    """Split the span ``[lo, hi)`` of ``version`` into regular and special days."""
    hi = FAR_FUTURE if hi is None else hi
    tz = ZoneInfo(version.zone)
    d0 = lo.astimezone(tz).date().toordinal()
    d1 = (hi - timedelta(microseconds=1)).astimezone(tz).date().toordinal()
    edges = {d0 - 1, d0, d1, d1 + 1} if hi is not FAR_FUTURE else {d0 - 1, d0}
    first, last = d0 + 1, d1 - 1
    return SpanDays(version, lo, hi, first, last, frozenset(edges))


def scheduled_spans(versions: Sequence[ScheduleVersion]) -> list[SpanDays]:
    """The spans in which ``versions`` schedule doses (active, not as needed, with times)."""
    return [
        span_days(version, lo, hi)
        for version, lo, hi in spans(versions)
        if version.active and not version.as_needed and version.times
    ]


MIN_DAY, MAX_DAY = date.min.toordinal(), date.max.toordinal()


def count_slots(versions: Sequence[ScheduleVersion], start: datetime, end: datetime) -> int:
    """``len(slots_between(versions, start, end))`` by arithmetic: days × times on the
    regular days of each span, slot by slot only on its edges and zone-transition days."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = 0
    for span in scheduled_spans(versions):
        lo, hi = max(start, span.lo), min(end, span.hi)
        if lo < hi:
            total += count_span(span_days(span.version, lo, hi), MIN_DAY, MAX_DAY)
    return total


def count_span(span: SpanDays, first: int, last: int) -> int:
    """The slots of ``span`` whose local date (ordinal) is in ``[first, last]``."""
    counter = SpanCounter(span)
    return counter.upto(last) - counter.upto(first - 1)


class SpanCounter:
    """Slots of one span on its days up to a given day, by arithmetic: one slot per time on
    every covered regular day; edges and irregular days made slot by slot (once)."""

    def __init__(self, span: SpanDays) -> None:
        self.span = span
        self.times = len(span.version.times)
        self.edges = brute_force_days(span.version, sorted(span.special), span.lo, span.hi)
        self.exact: dict[int, int] = {}  # slots of irregular days already made

    def upto(self, last: int) -> int:
        """Slots whose local date (ordinal) is ``last`` or earlier."""
        span, version = self.span, self.span.version
        total = sum(len(found) for day, found in self.edges.items() if day <= last)
        hi_day = min(last, span.last)
        if hi_day < span.first:
            return total
        shifted = sorted(irregular_days(version, span.first, hi_day))
        regular = on_day_count(version, span.first, hi_day)
        regular -= sum(1 for day in shifted if is_on_day(version, day))
        new = [day for day in shifted if day not in self.exact]
        if new:
            # With the day before each, when it is irregular too: a slot moved onto it
            # from the day before is counted once, as slots_between does.
            known = set(shifted)
            ask = sorted({d for day in new for d in (day - 1, day) if d in known})
            made = brute_force_days(version, ask, span.lo, span.hi)
            self.exact.update((day, len(made[day])) for day in new)
        return total + self.times * regular + sum(self.exact[day] for day in shifted)
