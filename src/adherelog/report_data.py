"""The clinic report's values (SPEC §8): what a person brings to a visit.

:func:`build_report` gathers plain values for a period — the current medications and their
schedules, adherence per medication, each day's state for the calendar heatmap, the side
effects and the skipped doses with their reasons. The numbers are those of ``adherelog
summary`` for the same period. The renderers (:mod:`adherelog.report_md`,
:mod:`adherelog.report_html`) turn them into a document; nothing here prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from adherelog import schedule, summary
from adherelog.adherence import DayClass
from adherelog.clock import localize
from adherelog.errors import UsageError
from adherelog.journal import Journal
from adherelog.model import Med, Record, ScheduleVersion
from adherelog.schedule import schedule_text
from adherelog.summary_values import Counts, MedSummary
from adherelog.valueclass import dataclass, replace
from adherelog.views import is_active

DEFAULT_DAYS = 90
TARGET = 0.8  # the reference line drawn at 80 % (SPEC §6)
MAX_LISTED = 200  # side effects and skips listed in full; older ones are counted


@dataclass(frozen=True)
class ScheduleChange:
    """A schedule version that started inside the period (a taper, a new time, a stop)."""

    start: date
    text: str
    dose: str | None
    until: date | None = None  # the last day it was in force within the period


@dataclass(frozen=True)
class TimeOfDay:
    """The scheduled doses at one clock time over the period: how many were due, missed
    and skipped (SPEC §8: "which times of day are missed most")."""

    clock: str  # "08:00", the schedule's own clock time
    due: int
    missed: int
    skipped: int

    @property
    def not_taken(self) -> int:
        return self.missed + self.skipped


@dataclass(frozen=True)
class MedRow:
    name: str
    dose: str | None
    schedule: str  # "daily at 08:00, 20:00", "as needed", "stopped"
    zone: str
    since: date
    supply: float | None
    active: bool
    as_needed: bool
    counts: Counts | None  # None for a medication without slots in the period
    as_needed_doses: int
    extra_doses: int  # additional doses of a scheduled medication, filling no slot
    changes: tuple[ScheduleChange, ...] = ()
    # Every schedule version in force during the period, oldest first, with its dose.
    versions: tuple[ScheduleChange, ...] = ()


@dataclass(frozen=True)
class Day:
    """One calendar day: ``state`` is kept, broken, open (doses still pending today) or
    none (nothing scheduled)."""

    day: date
    state: str
    expected: int
    taken: int


@dataclass(frozen=True)
class EffectItem:
    at: datetime  # local
    name: str
    severity: int | None
    med: str | None
    note: str | None


@dataclass(frozen=True)
class SkipItem:
    at: datetime  # local: the scheduled moment that was skipped
    med: str
    reason: str | None


@dataclass(frozen=True)
class ReportData:
    generated: datetime  # local
    since: date
    until: date  # inclusive
    zone: str
    overall: Counts
    current_streak: int
    longest_streak: int
    meds: tuple[MedRow, ...]
    days: tuple[Day, ...]
    effects: tuple[EffectItem, ...]
    skips: tuple[SkipItem, ...]
    effects_total: int
    skips_total: int
    by_time: tuple[TimeOfDay, ...] = ()  # most often not taken first

    @property
    def day_count(self) -> int:
        return (self.until - self.since).days + 1


def _calendar_weeks(first: date, last: date) -> int:
    """Weeks of calendar, ending with the week of ``last``, that reach back to ``first``."""
    before = (last - first).days - last.weekday()
    return max(1, -(-before // 7) + 1)


def _version_text(med: Med, version: ScheduleVersion) -> str:
    return schedule_text(replace(med, versions=(version,)), version.start)


def _med_row(journal: Journal, row: MedSummary, first: date, last: date) -> MedRow:
    med = row.med
    now = journal.now
    current = med.version_at(now) or med.versions[-1]
    origin = med.versions[0]
    changes = []
    for version in med.versions[1:]:
        start = version.start.astimezone(schedule.zone(version.zone)).date()
        if first <= start <= last:
            changes.append(ScheduleChange(start, _version_text(med, version), version.dose))
    versions = []
    for index, version in enumerate(med.versions):
        zone = schedule.zone(version.zone)
        start = version.start.astimezone(zone).date()
        ends = [v.start for v in med.versions[index + 1 : index + 2]]
        if version.end is not None:
            ends.append(version.end)
        end = (min(ends) - timedelta(microseconds=1)).astimezone(zone).date() if ends else None
        if start > last or (end is not None and end < first):
            continue
        versions.append(
            ScheduleChange(
                max(start, first),
                _version_text(med, version),
                version.dose,
                min(end, last) if end is not None else None,
            )
        )
    return MedRow(
        name=med.name,
        dose=current.dose,
        schedule=schedule_text(med, now),
        zone=current.zone,
        since=origin.start.astimezone(schedule.zone(origin.zone)).date(),
        supply=med.supply,
        active=is_active(med, now),
        as_needed=row.as_needed,
        counts=row.counts if row.counts.scheduled else None,
        as_needed_doses=row.as_needed_doses,
        extra_doses=row.extra_doses,
        changes=tuple(changes),
        versions=tuple(versions),
    )


_STATES = {
    DayClass.KEPT: "kept",
    DayClass.BROKEN: "broken",
    DayClass.OPEN: "open",
    DayClass.NONE: "none",
}


def build_report(
    journal: Journal, *, since: datetime | None = None, until: datetime | None = None
) -> ReportData:
    """The report's values for the local days from ``since`` to ``until`` (default: the
    last 90 days, today included). The numbers are those of ``summary`` for those days."""
    zone = journal.zone
    today = journal.now.astimezone(zone).date()
    last = today
    if until is not None:
        last = min(today, (until - timedelta(microseconds=1)).astimezone(zone).date())
    first = today - timedelta(days=DEFAULT_DAYS - 1)
    if since is not None:
        first = since.astimezone(zone).date()
    if first > last:
        raise UsageError("The report period is empty: --since must be before --until and today.")
    found = summary.summarize(
        journal, first=first, last=last, calendar_weeks=_calendar_weeks(first, last)
    )
    meds = tuple(_med_row(journal, row, first, last) for row in found.meds)
    # The real period starts with the journal's first medication, not with empty weeks.
    shown_from = max(first, min((m.since for m in meds), default=first))
    shown_from = min(shown_from, last)
    days = tuple(
        Day(c.day, _STATES.get(c.cls, "none"), c.expected, c.taken)
        for c in found.calendar
        if shown_from <= c.day <= last
    )
    start = localize(first, datetime.min.time(), zone)
    end = localize(last + timedelta(days=1), datetime.min.time(), zone)
    records = journal.history(since=start, until=end)
    effects = [
        EffectItem(r.at.astimezone(zone), r.effect or "", r.severity, r.med_name, r.note)
        for r in records
        if r.kind == "effect"
    ]
    skips = [
        SkipItem(
            (r.slot_at or r.at).astimezone(schedule.zone(r.slot_zone or r.zone)),
            r.med_name or "",
            r.note,
        )
        for r in records
        if r.kind == "skip"
    ]
    return ReportData(
        generated=journal.now.astimezone(zone),
        since=shown_from,
        until=last,
        zone=zone.key,
        overall=found.overall,
        current_streak=found.streak.current,
        longest_streak=found.streak.longest,
        meds=meds,
        days=days,
        effects=tuple(effects[-MAX_LISTED:]),
        skips=tuple(skips[-MAX_LISTED:]),
        effects_total=len(effects),
        skips_total=len(skips),
        by_time=_by_time(records),
    )


def _by_time(records: Sequence[Record]) -> tuple[TimeOfDay, ...]:
    """Scheduled doses per clock time of their slot (in the schedule's zone): due, missed,
    skipped; the times most often not taken first."""
    due: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for r in records:
        if r.slot_at is None or r.kind not in ("dose", "skip", "missed"):
            continue
        clock = r.slot_at.astimezone(schedule.zone(r.slot_zone or r.zone)).strftime("%H:%M")
        due[clock] += 1
        if r.kind == "missed":
            missed[clock] += 1
        elif r.kind == "skip":
            skipped[clock] += 1
    rows = [TimeOfDay(c, due[c], missed[c], skipped[c]) for c in due]
    rows.sort(key=lambda t: (-(t.not_taken / t.due), t.clock))
    return tuple(rows)
