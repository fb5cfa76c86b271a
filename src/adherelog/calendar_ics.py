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
from datetime import UTC, timedelta

from adherelog import __version__, schedule
from adherelog.clock import to_utc_text
from adherelog.journal import Journal
from adherelog.model import Med, Slot
from adherelog.storage import records as stored_records
from adherelog.text import one_line
from adherelog.valueclass import dataclass

DEFAULT_DAYS = 7
MAX_DAYS = 366
EVENT_LENGTH = timedelta(minutes=15)
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


def build_calendar(journal: Journal, days: int = DEFAULT_DAYS) -> bytes:
    """The iCalendar file of :func:`upcoming` reminders."""
    from icalendar import Alarm, Calendar, Event

    reminders = upcoming(journal, days)
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
    if reminders:
        first = reminders[0].slot.scheduled.date() - timedelta(days=1)
        last = reminders[-1].slot.scheduled.date() + timedelta(days=2)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return bytes(cal.to_ical())
