"""Slots from schedule versions (pure).

A version is in force from its ``start`` until the next version's start or its own ``end``.
Within that span each local day of the version's zone that the schedule covers (``every``,
``on_days``) has exactly one slot per listed time; a time in a DST gap or overlap is resolved
by the RFC 5545 rule of :func:`adherelog.clock.localize`, so it still yields one slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from adherelog.clock import localize
from adherelog.model import WEEKDAYS, Med, ScheduleVersion, Slot

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A cached ZoneInfo for an IANA key."""
    return ZoneInfo(name)


def spans(
    versions: Sequence[ScheduleVersion],
) -> list[tuple[ScheduleVersion, datetime, datetime | None]]:
    """Each version with the UTC span it is in force for: ``(version, start, end_or_None)``."""
    out: list[tuple[ScheduleVersion, datetime, datetime | None]] = []
    for index, version in enumerate(versions):
        end = versions[index + 1].start if index + 1 < len(versions) else None
        if version.end is not None and (end is None or version.end < end):
            end = version.end
        if end is not None and end <= version.start:
            continue
        out.append((version, version.start, end))
    return out


def days_between(first: date, last: date) -> Iterable[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def optional_slots(
    versions: Sequence[ScheduleVersion], start: datetime, end: datetime
) -> list[Slot]:
    """The optional slots in ``[start, end)``: those of the day a medication was added
    (without ``--start``) that are earlier than the moment it was added (SPEC §4). A dose
    or skip may fill them; left empty they are never missed. A medication started from a
    date starts at that day's 00:00 and so has none."""
    if not versions:
        return []
    first_start = versions[0].start
    version = [v for v in versions if v.start == first_start][-1]  # the one in force then
    if not version.active or version.as_needed or not version.times:
        return []
    tz = zone(version.zone)
    day = first_start.astimezone(tz).date()
    if not version.on_day(day):
        return []
    midnight = localize(day, time(0), tz).astimezone(UTC)
    lo, hi = max(start.astimezone(UTC), midnight), min(end.astimezone(UTC), first_start)
    out: list[Slot] = []
    amounts = dict(version.amounts)
    for wall in version.times:
        moment = localize(day, wall, tz)
        if lo <= moment.astimezone(UTC) < hi:
            out.append(
                Slot(
                    med_id=version.med_id,
                    scheduled=moment,
                    local_date=day,
                    time=wall,
                    grace=version.grace,
                    zone=version.zone,
                    amount=amounts.get(wall),
                    optional=True,
                )
            )
    return sorted(out, key=lambda s: s.scheduled.astimezone(UTC))


def slots_between(
    versions: Sequence[ScheduleVersion],
    start: datetime,
    end: datetime,
    *,
    optional: bool = False,
) -> list[Slot]:
    """All slots scheduled at a moment in ``[start, end)``, in time order, with the
    optional slots of the day the medication was added when ``optional`` is set.

    Instants are compared in UTC: within one zone Python compares wall clocks, which is
    wrong for the doubled hour of a fall-back day."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    found: dict[datetime, Slot] = {}
    if optional:
        found.update((s.scheduled.astimezone(UTC), s) for s in optional_slots(versions, start, end))
    for version, span_start, span_end in spans(versions):
        if not version.active or version.as_needed or not version.times:
            continue
        lo = max(start, span_start)
        hi = end if span_end is None else min(end, span_end)
        if lo >= hi:
            continue
        tz = zone(version.zone)
        amounts = dict(version.amounts)
        # One day of margin either side: a wall time maps to an instant at most a day away.
        for day in days_between(lo.astimezone(tz).date() - ONE_DAY, hi.astimezone(tz).date()):
            if not version.on_day(day):
                continue
            for wall in version.times:
                moment = localize(day, wall, tz)
                instant = moment.astimezone(UTC)
                if lo <= instant < hi and instant not in found:
                    found[instant] = Slot(
                        med_id=version.med_id,
                        scheduled=moment,
                        local_date=day,
                        time=wall,
                        grace=version.grace,
                        zone=version.zone,
                        amount=amounts.get(wall),
                    )
    return [found[key] for key in sorted(found)]


def slots_on(
    versions: Sequence[ScheduleVersion], day: date, zone_name: str, *, optional: bool = False
) -> list[Slot]:
    """The slots whose local date (in their schedule's zone) is ``day``, looking at the day
    as seen from ``zone_name`` with a day's margin either side (``optional``: see
    :func:`slots_between`)."""
    tz = zone(zone_name)
    lo = localize(day, datetime.min.time(), tz) - ONE_DAY
    hi = localize(day + ONE_DAY, datetime.min.time(), tz) + ONE_DAY
    return [
        slot
        for slot in slots_between(versions, lo, hi, optional=optional)
        if slot.local_date == day
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def times_text(version: ScheduleVersion) -> str:
    """'08:00, 20:00', with a slot's own amount after its time: '08:00 (2), 20:00'."""
    amounts = dict(version.amounts)
    return ", ".join(
        t.strftime("%H:%M") + (f" ({_number(amounts[t])})" if t in amounts else "")
        for t in version.times
    )


_RULE_DAYS = {
    "MO": "mon",
    "TU": "tue",
    "WE": "wed",
    "TH": "thu",
    "FR": "fri",
    "SA": "sat",
    "SU": "sun",
}
_NTH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "2nd last"}


def rrule_text(rule: str) -> str:
    """A stored rule in words: 'every 2 weeks on mon', 'monthly on the last fri',
    'monthly on day 1, 6 times', 'daily until 2027-01-31'."""
    parts = dict(part.split("=", 1) for part in rule.split(";"))
    interval = int(parts.get("INTERVAL", "1"))
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month"}[parts["FREQ"]]
    base = parts["FREQ"].lower() if interval == 1 else f"every {interval} {unit}s"
    on: list[str] = []
    for item in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []:
        code, number = item[-2:], item[:-2]
        name = _RULE_DAYS[code]
        on.append(name if not number else f"the {_NTH.get(int(number), number)} {name}")
    if "BYMONTHDAY" in parts:
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
        on += [f"day {d}" if d > 0 else f"the {_NTH.get(d, str(d))} day" for d in days]
    text = base + (" on " + ", ".join(on) if on else "")
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        text += f" until {until[:4]}-{until[4:6]}-{until[6:8]}"
    return text


def cycle_text(cycle: tuple[int, int]) -> str:
    on, off = cycle
    return f"{on} days on, {off} off"


def schedule_text(med: Med, now: datetime) -> str:
    """'08:00, 20:00 daily', 'every 2 days at 08:00', 'mon, thu at 09:00', 'as needed',
    'monthly on day 1 at 09:00', '21 days on, 7 off at 08:00'."""
    version = med.version_at(now) or med.versions[0]
    if version.as_needed:
        base = "as needed"
    else:
        times = times_text(version)
        if version.rrule:
            base = f"{rrule_text(version.rrule)} at {times}"
        elif version.cycle:
            base = f"{cycle_text(version.cycle)} at {times}"
        elif version.every:
            base = f"every {version.every} days at {times}"
        elif version.on_days is not None:
            base = ", ".join(WEEKDAYS[d] for d in sorted(version.on_days)) + f" at {times}"
        else:
            base = f"daily at {times}"
    if not version.active:
        base = "stopped"
    return base
