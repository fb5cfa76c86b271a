"""What ``summary`` shows, as plain values: slot counts, a medication's row, side effects
by name, the calendar's days and the whole summary. The renderers and the JSON shapes read
them without loading the summary engine."""

from __future__ import annotations

from datetime import date

from adherelog.adherence import Streak, Value, adherence
from adherelog.model import Med


class Counts(Value):
    """Slot counts over a period: scheduled = taken + skipped + missed + pending, and
    taken = on time + early + late (SPEC §5: early is not late)."""

    __slots__ = ("early", "late", "missed", "pending", "scheduled", "skipped", "taken")

    def __init__(
        self,
        scheduled: int = 0,
        taken: int = 0,
        late: int = 0,
        skipped: int = 0,
        missed: int = 0,
        pending: int = 0,
        early: int = 0,
    ) -> None:
        self.scheduled, self.taken, self.late = scheduled, taken, late
        self.skipped, self.missed, self.pending = skipped, missed, pending
        self.early = early

    @property
    def on_time(self) -> int:
        return self.taken - self.late - self.early

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
            self.early + other.early,
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
