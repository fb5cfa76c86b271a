"""Supply: the day a medication's tracked supply runs out at its schedule, and the
warnings for supplies that run out within a week (SPEC §6). No printing here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from adherelog import schedule, views
from adherelog.adherence import SpanCounter, scheduled_spans, span_days
from adherelog.model import Med
from adherelog.session import Session
from adherelog.text import one_line

LOW_SUPPLY_DAYS = 7


def is_as_needed(med: Med, now: datetime) -> bool:
    version = med.version_at(now) or (med.versions[-1] if med.versions else None)
    return version is not None and version.as_needed


def has_future(med: Med, now: datetime) -> bool:
    """True while the medication is scheduled now or later (or taken as needed)."""
    current = med.version_at(now)
    if current is None:
        return bool(med.versions) and med.versions[0].active
    if current.active and (current.end is None or current.end > now):
        return True
    return any(v.active and v.start > now for v in med.versions)


def runs_out(med: Med, now: datetime) -> date | None:
    """The date of the last dose the tracked supply covers at the current schedule (today
    when it covers none); None when the supply is not tracked, the medication is taken as
    needed, or the schedule ends before the supply does."""
    if med.supply is None or not med.versions or is_as_needed(med, now):
        return None
    version = med.version_at(now) or med.versions[0]
    if any(v.amounts for v in med.versions if v.end is None or v.end > now):
        return _runs_out_by_amount(med, now, med.supply)
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


_YEAR = timedelta(days=366)


def _runs_out_by_amount(med: Med, now: datetime, supply: float) -> date | None:
    """:func:`runs_out` for schedules whose doses differ in amount (``--time 08:00=2``):
    the slots from now on, a week, then twice as long each time (at most a year), each
    taking its own amount."""
    version = med.version_at(now) or med.versions[0]
    last = now.astimezone(schedule.zone(version.zone)).date()
    left = supply
    start = now.astimezone(UTC)
    step = timedelta(days=7)
    while start.year < 2200:
        slots = schedule.slots_between(med.versions, start, start + step)
        for slot in slots:
            amount = med.per_dose if slot.amount is None else slot.amount
            if left + 1e-9 < amount:
                return last
            left -= amount
            last = slot.local_date
        if not slots and step >= _YEAR and not any(v.start > start for v in med.versions):
            return None  # the schedule ends before the supply does
        start += step
        step = min(step * 2, _YEAR)
    return None


def supply_warnings(
    journal: Session,
    meds: Sequence[Med] | None = None,
    ends: dict[str, date | None] | None = None,
) -> list[str]:
    """One line per medication whose supply runs out within a week at its schedule
    (``ends``: :func:`runs_out` of each medication id, when already known)."""
    out: list[str] = []
    today = journal.now.astimezone(journal.zone).date()
    for med in journal.meds() if meds is None else meds:
        if med.supply is None or not has_future(med, journal.now):
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
            f"{name}: {amount} left, enough until {views.day_text(end, today)}"
            f" ({when}) at the current schedule."
        )
    return out
