"""Plain values shared by the pure modules and the journal. No I/O here."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from adherelog.valueclass import dataclass, field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SlotStatus(StrEnum):
    """Where a scheduled dose stands (SPEC §5)."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    MISSED = "missed"
    TAKEN = "taken"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ScheduleVersion:
    """One version of a medication's schedule, in force from ``start`` (UTC) until the next
    version starts or ``end`` (UTC, exclusive) passes."""

    id: str
    med_id: str
    start: datetime
    zone: str
    times: tuple[time, ...]
    anchor: date
    grace: int
    as_needed: bool
    active: bool
    every: int | None = None
    on_days: frozenset[int] | None = None  # 0 = Monday
    end: datetime | None = None
    dose: str | None = None

    def on_day(self, day: date) -> bool:
        """True when the schedule has doses on ``day`` (ignoring start/end)."""
        if self.every is not None and (day - self.anchor).days % self.every != 0:
            return False
        return self.on_days is None or day.weekday() in self.on_days


@dataclass(frozen=True)
class Med:
    id: str
    name: str
    per_dose: float
    supply: float | None
    note: str | None
    created_at: datetime
    versions: tuple[ScheduleVersion, ...] = field(default=())

    def version_at(self, moment: datetime) -> ScheduleVersion | None:
        """The schedule version in force at ``moment`` (aware), or None before the first."""
        current = None
        for version in self.versions:
            if version.start <= moment:
                current = version
            else:
                break
        return current


@dataclass(frozen=True)
class Slot:
    """One scheduled dose: a medication and a scheduled moment (SPEC §4)."""

    med_id: str
    scheduled: datetime  # aware, in the schedule's zone
    local_date: date
    time: time  # the wall-clock time the schedule names
    grace: int
    zone: str


@dataclass(frozen=True)
class Record:
    """A dose, skip or side effect as stored."""

    id: str
    kind: str
    med_id: str | None
    med_name: str | None
    at: datetime  # UTC
    zone: str
    local_date: date
    slot_at: datetime | None = None  # UTC
    slot_zone: str | None = None
    slot_date: date | None = None
    late_minutes: int | None = None
    amount: float | None = None
    note: str | None = None
    effect: str | None = None
    severity: int | None = None


@dataclass(frozen=True)
class Refill:
    """A refill of a medication's supply."""

    id: str
    med_name: str
    count: float
