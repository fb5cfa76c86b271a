"""``due``: today's slots of every medication with their status, and the medications
taken as needed with their last dose."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from adherelog import schedule
from adherelog.adherence import slot_status
from adherelog.model import Med, Record, Slot, SlotStatus
from adherelog.session import Session
from adherelog.storage import contacts as stored_contacts
from adherelog.storage import records as stored_records
from adherelog.valueclass import dataclass, field


@dataclass(frozen=True)
class DueSlot:
    med: Med
    slot: Slot
    status: SlotStatus
    record: Record | None


@dataclass(frozen=True)
class AsNeeded:
    med: Med
    last_taken: Record | None


@dataclass(frozen=True)
class BuddyDue:
    """A buddy whose last contact is at least ``every`` days ago (SPEC §12)."""

    name: str
    last_contact: datetime | None
    every: int
    days: int | None  # local calendar days since the last contact; None when none


@dataclass(frozen=True)
class DueView:
    now: datetime
    slots: list[DueSlot]
    as_needed: list[AsNeeded]
    meds: list[Med] = field(default_factory=list)
    buddies: list[BuddyDue] = field(default_factory=list)


def days_since(last: datetime | None, today: date, zone: tzinfo) -> int | None:
    """Local calendar days from ``last`` to ``today``; None when there was none."""
    return None if last is None else (today - last.astimezone(zone).date()).days


def contact_due(days: int | None, every: int) -> bool:
    """Whether something last done ``days`` ago (None: never) is due again, at ``every``
    days: the rule of buddy nudges, and of the weekly cards of reminders (SPEC §12, §13)."""
    return days is None or days >= every


def buddies_due(session: Session) -> list[BuddyDue]:
    """Buddies whose last contact (a card received or sent, a check-in) is at least their
    ``every`` days ago, counted in local calendar days."""
    today = session.now.astimezone(session.zone).date()
    found: list[BuddyDue] = []
    for name, every, last in stored_contacts.last_contacts(session.conn):
        days = days_since(last, today, session.zone)
        if contact_due(days, every):
            found.append(BuddyDue(name, last, every, days))
    return found


def due(session: Session) -> DueView:
    """``due``: today's slots of every medication with their status, and the as-needed
    medications with their last dose."""
    now = session.now
    slots: list[DueSlot] = []
    as_needed: list[AsNeeded] = []
    meds = session.meds()
    for med in meds:
        version = med.version_at(now)
        if version is None:
            continue
        if version.as_needed:
            if version.active:
                as_needed.append(AsNeeded(med, stored_records.last_dose(session.conn, med.id)))
            continue
        today = now.astimezone(schedule.zone(version.zone)).date()
        day_slots = schedule.slots_on(med.versions, today, version.zone, optional=True)
        if not day_slots:
            continue
        filled = {r.slot_at: r for r in stored_records.records_of_day(session.conn, med.id, today)}
        for slot in day_slots:
            record = filled.get(slot.scheduled.astimezone(UTC))
            status = slot_status(slot, None if record is None else record.kind, now)
            if slot.optional and status in (SlotStatus.OVERDUE, SlotStatus.MISSED):
                continue  # before the medication was added: never overdue, never missed
            slots.append(DueSlot(med, slot, status, record))
    slots.sort(key=lambda d: (d.slot.scheduled.astimezone(UTC), d.med.name.casefold()))
    return DueView(now, slots, as_needed, meds, buddies_due(session))
