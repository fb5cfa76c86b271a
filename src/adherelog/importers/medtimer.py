"""MedTimer's JSON backup (Futsch1/medTimer) as an adherelog export. Pure.

The format is what MedTimer's ``BackupManager`` writes (see ``docs/importing.md`` for the
source files): an object with ``medicines`` and ``events`` (and ``settings``, ignored),
each ``{"version": N, "list": [...]}``; an older backup may be one of the two parts alone.

- A medicine becomes a medication. Its active, time-based reminders that repeat every
  day, on some weekdays, or every N days (``consecutiveDays`` 1 and ``pauseDays`` N-1)
  become its schedule: one time per reminder, the dose from the reminder's ``amount`` and
  the medicine's ``unit``. Other reminders (interval reminders, linked reminders, cycles of
  several days on, days of the month, paused ones) are listed as not mapped; their events
  are still imported, as unscheduled doses.
- An event ``TAKEN`` is a dose at ``processedTimestamp``, ``SKIPPED`` a skip, both of the
  slot at ``remindedTimestamp`` when it is one of the schedule's times. ``RAISED`` (never
  answered), ``DELETED`` and ``ACKNOWLEDGED`` events are listed as not mapped.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adherelog import strictjson
from adherelog.errors import InvalidFileError
from adherelog.importers.common import (
    Converted,
    clock_text,
    day_start,
    from_epoch_seconds,
    in_range,
    med_row,
    number,
    record_row,
    schedule_row,
    stable_id,
)
from adherelog.text import name_key, printable

APP = "medtimer"
MAX_BYTES = 256 * 1024 * 1024
EPOCH = date(1970, 1, 1)
# MedTimer shows a linked or cyclic reminder's event as "Name (1/2)".
_SUFFIX = re.compile(r" \(\d+/\d+\)\Z")
_STATUS = {"TAKEN": "dose", "SKIPPED": "skip"}


def _bad(where: str, what: str) -> InvalidFileError:
    return InvalidFileError(f"{where}: {what}; this is not a MedTimer backup MedTimer wrote.")


def _part(doc: dict[str, Any], key: str) -> list[Any]:
    part = doc.get(key)
    if part is None:
        return []
    if not isinstance(part, dict) or not isinstance(part.get("list"), list):
        raise _bad(key, 'must be an object with a "list"')
    return list(part["list"])


def _int(item: dict[str, Any], key: str, where: str, default: int = 0) -> int:
    value = item.get(key, default)
    if type(value) is not int:
        raise _bad(f"{where}.{key}", "must be a whole number")
    return value


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{where}.{key}", "must be text")
    return value


def _plain_schedule(reminder: dict[str, Any]) -> str | None:
    """Why a reminder is not a schedule adherelog has, or None when it is one."""
    if reminder.get("active") is False:
        return "is paused in MedTimer"
    if reminder.get("intervalStart", 0) or reminder.get("reminderType", "TIME_BASED") not in (
        "TIME_BASED",
        None,
    ):
        return "repeats at an interval, which adherelog schedules do not do"
    if reminder.get("linkedReminderId", 0):
        return "follows another reminder, which adherelog schedules do not do"
    if reminder.get("consecutiveDays", 1) != 1:
        return "runs several days on, then pauses, which adherelog schedules do not do"
    if reminder.get("activeDaysOfMonth", -1) not in (-1, 0, 0x7FFFFFFF):
        return "runs on some days of the month only, which adherelog schedules do not do"
    return None


def convert(data: bytes, zone: ZoneInfo, now: datetime) -> Converted:
    """The medicines and events of a MedTimer backup (raises InvalidFileError naming the
    first place that is not what MedTimer writes)."""
    doc = strictjson.loads(data, what="a MedTimer backup", max_bytes=MAX_BYTES, max_int_digits=20)
    if not isinstance(doc, dict):
        raise _bad("The file", "must hold a JSON object")
    if "list" in doc and "medicines" not in doc and "events" not in doc:
        items = doc["list"] if isinstance(doc["list"], list) else []
        is_events = bool(items) and isinstance(items[0], dict) and "status" in items[0]
        doc = {"events" if is_events else "medicines": doc}
    if "medicines" not in doc and "events" not in doc:
        raise _bad("The file", 'has neither "medicines" nor "events"')
    out = Converted(APP)
    medicines = _part(doc, "medicines")
    events = _part(doc, "events")

    # Events first: the earliest one of a medication is where its schedule starts.
    first_seen: dict[str, datetime] = {}
    parsed: list[tuple[int, dict[str, Any], str, datetime, datetime]] = []
    for index, event in enumerate(events):
        where = f"events[{index}]"
        if not isinstance(event, dict):
            raise _bad(where, "must be an object")
        name = _SUFFIX.sub("", _text(event, "medicineName", where)).strip()
        reminded = _int(event, "remindedTimestamp", where)
        processed = _int(event, "processedTimestamp", where) or reminded
        if not name:
            out.skip(where, "has no medicine name")
            continue
        try:
            slot = from_epoch_seconds(reminded)
            at = from_epoch_seconds(processed)
        except (OverflowError, OSError, ValueError):
            out.skip(where, "has a time adherelog cannot read")
            continue
        if not (in_range(slot) and in_range(at)):
            out.skip(where, "has a time outside 1900 to 2199")
            continue
        key = name_key(name)
        first_seen[key] = min(first_seen.get(key, slot), slot)
        parsed.append((index, event, name, slot, at))

    reminder_med: dict[int, str] = {}
    slot_times: dict[str, set[str]] = {}
    meds_by_key: dict[str, dict[str, Any]] = {}
    for index, full in enumerate(medicines):
        where = f"medicines[{index}]"
        if not isinstance(full, dict) or not isinstance(full.get("medicine"), dict):
            raise _bad(where, 'must be an object with a "medicine"')
        medicine = full["medicine"]
        name = _text(medicine, "name", f"{where}.medicine").strip()
        if not name:
            out.skip(where, "has no name")
            continue
        key = name_key(name)
        if key in meds_by_key:
            out.skip(where, f"repeats the medicine '{printable(name)}'")
            continue
        reminders = full.get("reminders", [])
        if not isinstance(reminders, list):
            raise _bad(f"{where}.reminders", "must be a list")
        unit = _text(medicine, "unit", f"{where}.medicine").strip()
        notes = _text(medicine, "notes", f"{where}.medicine").strip() or None
        start = first_seen.get(key, now).astimezone(zone).date()
        med = med_row(APP, name, day_start(start, zone), notes)
        meds_by_key[key] = med
        out.meds.append(med)
        times: list[str] = []
        doses: set[str] = set()
        pattern: tuple[Any, ...] | None = None
        for r_index, reminder in enumerate(reminders):
            r_where = f"{where}.reminders[{r_index}]"
            if not isinstance(reminder, dict):
                raise _bad(r_where, "must be an object")
            reminder_id = _int(reminder, "reminderId", r_where)
            reminder_med[reminder_id] = med["id"]
            why = _plain_schedule(reminder)
            minutes = _int(reminder, "timeInMinutes", r_where)
            days = reminder.get("days", [True] * 7)
            if not (isinstance(days, list) and len(days) == 7):
                raise _bad(f"{r_where}.days", "must be a list of seven true or false")
            pause = _int(reminder, "pauseDays", r_where)
            this = (
                frozenset(i for i, on in enumerate(days) if on),
                pause,
                _int(reminder, "cycleStartDay", r_where),
            )
            if why is None and not 0 <= minutes < 24 * 60:
                why = "has a time of day adherelog cannot read"
            if why is None and not this[0]:
                why = "is set for no day of the week"
            if why is None and pattern is not None and this != pattern:
                why = "repeats on other days than the medicine's first reminder"
            if why is not None:
                out.skip(f"{r_where} ({printable(name)} {clock_text(minutes % 1440)})", why)
                continue
            pattern = this
            times.append(clock_text(minutes))
            amount = _text(reminder, "amount", r_where).strip()
            doses.add(f"{amount} {unit}".strip() if amount and amount != "?" else unit)
        if times and pattern is not None:
            weekdays, pause, cycle_day = pattern
            dose = doses.pop() if len(doses) == 1 else None
            if len(doses) > 0:
                out.skip(where, "has different amounts at different times; the dose was left empty")
            out.schedules.append(
                schedule_row(
                    APP,
                    med,
                    key="main",
                    start=start,
                    zone=zone,
                    times=times,
                    dose=dose or None,
                    every=pause + 1 if pause else None,
                    anchor=EPOCH + timedelta(days=cycle_day) if pause else start,
                    on_days=weekdays if len(weekdays) < 7 else None,
                )
            )
            slot_times[med["id"]] = set(times)

    taken_slots: set[tuple[str, datetime]] = set()
    for index, event, name, slot, at in parsed:
        where = f"events[{index}] ({printable(name)})"
        status = _text(event, "status", where)
        kind = _STATUS.get(status)
        if kind is None:
            reason = {
                "RAISED": "was never answered (neither taken nor skipped)",
                "DELETED": "was deleted in MedTimer",
                "ACKNOWLEDGED": "was acknowledged, not taken",
            }.get(status, f"has the status '{printable(status)}', which adherelog does not know")
            out.skip(where, reason)
            continue
        reminder_id = _int(event, "reminderId", where)
        med_id = reminder_med.get(reminder_id)
        if med_id is None:
            key = name_key(name)
            held = meds_by_key.get(key)
            if held is None:
                held = med_row(APP, name, day_start(first_seen[key].astimezone(zone).date(), zone))
                meds_by_key[key] = held
                out.meds.append(held)
            med_id = str(held["id"])
        local = slot.astimezone(zone)
        clock = clock_text(local.hour * 60 + local.minute)
        use_slot = clock in slot_times.get(med_id, set()) and local.second == 0
        if use_slot and (med_id, slot) in taken_slots:
            use_slot = False
        if use_slot:
            taken_slots.add((med_id, slot))
        if kind == "skip" and not use_slot:
            out.skip(where, "skips a time that is not in the medication's schedule")
            continue
        amount_text = _text(event, "amount", where).strip()
        taken = number(amount_text) if amount_text else None
        notes = _text(event, "notes", where).strip()
        if taken is None and amount_text and amount_text != "?":
            notes = f"{notes} (amount {amount_text})".strip()
        out.records.append(
            record_row(
                record_id=stable_id(
                    APP, "event", reminder_id, name_key(name), int(slot.timestamp())
                ),
                kind=kind,
                med_id=med_id,
                at=at if kind == "dose" else max(at, slot),
                zone=zone,
                slot=slot if use_slot else None,
                amount=taken if kind == "dose" else None,
                note=notes or None,
            )
        )
    return out
