"""Reminders for the coming doses as an iCalendar file (RFC 5545, SPEC §8).

One event per open slot in the window, each with a display alarm at the slot's time. The
start is written in the schedule's own zone (``DTSTART;TZID=…``) with a ``VTIMEZONE`` for
every zone used, so a calendar app shows the dose at the right wall-clock time even across
a daylight-saving change. The UID of a slot's event is the same in every file, so
re-importing a newer file updates events instead of duplicating them. No notes are
written. Nothing here prints.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from adherelog import __version__, recurrence, schedule
from adherelog.clock import localize, to_utc_text
from adherelog.journal import Journal
from adherelog.model import Med, ScheduleVersion, Slot
from adherelog.storage import records as stored_records
from adherelog.text import one_line
from adherelog.valueclass import dataclass

DEFAULT_DAYS = 7
MAX_DAYS = 366
EVENT_LENGTH = timedelta(minutes=15)
REPEAT_YEARS = 5  # how far ahead the zones of recurring events are described
# Fixed namespace for event UIDs: uuid5(namespace, "<med id>/<slot instant>").
UID_NAMESPACE = uuid.UUID("5b0f1a8e-3c1d-4e1f-9a52-6d0c8f3e2b71")


@dataclass(frozen=True)
class Reminder:
    med: Med
    slot: Slot
    dose: str | None

    @property
    def uid(self) -> str:
        key = f"{self.med.id}/{to_utc_text(self.slot.scheduled)}"
        return f"{uuid.uuid5(UID_NAMESPACE, key)}@adherelog"

    @property
    def summary(self) -> str:
        text = f"Take {one_line(self.med.name)}"
        return f"{text} {one_line(self.dose)}" if self.dose else text


def upcoming(journal: Journal, days: int = DEFAULT_DAYS) -> list[Reminder]:
    """The open slots from now until ``days`` days ahead, in time order (a slot already
    taken or skipped needs no reminder)."""
    start = journal.now.astimezone(UTC)
    end = start + timedelta(days=days)
    found: list[Reminder] = []
    for med in journal.meds():
        slots = schedule.slots_between(med.versions, start, end)
        if not slots:
            continue
        filled = stored_records.filled_slots(journal.conn, med.id, start, end)
        for slot in slots:
            if to_utc_text(slot.scheduled) in filled:
                continue
            version = med.version_at(slot.scheduled)
            found.append(Reminder(med, slot, version.dose if version else None))
    found.sort(key=lambda r: (r.slot.scheduled.astimezone(UTC), r.med.name.casefold()))
    return found


@dataclass(frozen=True)
class Recurring:
    """The doses at one time of a schedule version with an RRULE, as one recurring event
    with the same rule: from the first slot from now on, to the end of the version; the
    slots already taken or skipped are left out (EXDATE)."""

    med: Med
    version: ScheduleVersion
    first: Slot
    rule: str
    done: tuple[datetime, ...]

    @property
    def uid(self) -> str:
        key = f"{self.med.id}/{self.version.id}/{self.first.time.strftime('%H:%M')}"
        return f"{uuid.uuid5(UID_NAMESPACE, key)}@adherelog"

    @property
    def summary(self) -> str:
        text = f"Take {one_line(self.med.name)}"
        return f"{text} {one_line(self.version.dose)}" if self.version.dose else text


def _rule_from(version: ScheduleVersion, first: Slot, span_end: datetime | None) -> str:
    """The version's rule as it reads from ``first``: COUNT less the days before it, UNTIL
    (and the version's end) as the UTC end of its last day (RFC 5545 for a DTSTART with a
    TZID). Starting at one of its own days keeps every INTERVAL in step."""
    assert version.rrule is not None
    parts = [p for p in version.rrule.split(";") if not p.startswith(("COUNT=", "UNTIL="))]
    values = dict(p.split("=", 1) for p in version.rrule.split(";"))
    start_day = first.local_date.toordinal()
    if "COUNT" in values:
        before = recurrence.count_rule_days(
            version.rrule, version.anchor, version.anchor.toordinal(), start_day - 1
        )
        parts.append(f"COUNT={int(values['COUNT']) - before}")
    ends: list[datetime] = []
    tz = schedule.zone(version.zone)
    if "UNTIL" in values:
        last = datetime.strptime(values["UNTIL"], "%Y%m%d").date()
        ends.append(localize(last + timedelta(days=1), time(0), tz) - timedelta(seconds=1))
    if span_end is not None:
        ends.append(span_end - timedelta(seconds=1))
    if ends and "COUNT" not in values:
        parts.append("UNTIL=" + min(ends).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def recurring(journal: Journal, days: int = DEFAULT_DAYS) -> list[Recurring]:
    """One :class:`Recurring` per time of each RRULE schedule version with a slot in the
    next ``days`` days."""
    start = journal.now.astimezone(UTC)
    end = start + timedelta(days=days)
    found: list[Recurring] = []
    for med in journal.meds():
        for version, lo, hi in schedule.spans(med.versions):
            if version.rrule is None or not version.active or version.as_needed:
                continue
            slots = schedule.slots_between(
                (version,), max(lo, start), end if hi is None else min(hi, end)
            )
            filled = stored_records.filled_slots(journal.conn, med.id, start, end)
            for wall in version.times:
                own = [slot for slot in slots if slot.time == wall]
                if not own:
                    continue
                done = tuple(
                    slot.scheduled for slot in own if to_utc_text(slot.scheduled) in filled
                )
                rule = _rule_from(version, own[0], hi)
                found.append(Recurring(med, version, own[0], rule, done))
    return found


def build_calendar(journal: Journal, days: int = DEFAULT_DAYS) -> bytes:
    """The iCalendar file of :func:`upcoming` reminders; a schedule with an RRULE is one
    recurring event per time, with the same rule (:func:`recurring`)."""
    from icalendar import Alarm, Calendar, Event, vRecur

    repeats = recurring(journal, days)
    ruled = {(r.med.id, r.version.id) for r in repeats}
    reminders = [
        r
        for r in upcoming(journal, days)
        if (r.med.id, (r.med.version_at(r.slot.scheduled) or r.med.versions[0]).id) not in ruled
    ]
    stamp = journal.now.astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", f"-//adherelog//adherelog {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Medication reminders")
    for reminder in reminders:
        event = Event()
        event.add("uid", reminder.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", reminder.slot.scheduled.replace(microsecond=0))
        event.add("duration", EVENT_LENGTH)
        event.add("summary", reminder.summary)
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["Medication"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", reminder.summary)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    for repeat in repeats:
        event = Event()
        event.add("uid", repeat.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", repeat.first.scheduled.replace(microsecond=0))
        event.add("duration", EVENT_LENGTH)
        event.add("rrule", vRecur.from_ical(repeat.rule))
        for moment in repeat.done:
            event.add("exdate", moment.replace(microsecond=0))
        event.add("summary", repeat.summary)
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["Medication"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", repeat.summary)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    moments = [r.slot.scheduled for r in reminders] + [r.first.scheduled for r in repeats]
    if moments:
        first = min(m.date() for m in moments) - timedelta(days=1)
        # A recurring event goes on past the window: its zone's changes for years ahead.
        ahead = timedelta(days=366 * REPEAT_YEARS if repeats else 2)
        last = max(m.date() for m in moments) + ahead
        cal.add_missing_timezones(first_date=first, last_date=last)
    return bytes(cal.to_ical())
