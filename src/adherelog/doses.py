"""Doses and skips: ``take`` and ``skip``, the slot a dose fills, and the records they write.

A dose fills the nearest open slot within :data:`MATCH_WINDOW` (or the one ``--slot``
names); a slot is filled once (the double-dose guard). Every record, side effects
included, is built by :func:`new_record` and written by :func:`write_record`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from adherelog import schedule, undo, views
from adherelog.errors import ConflictError, NotFoundError, UsageError
from adherelog.meds import check_count, clean_note
from adherelog.model import Med, Record, Slot
from adherelog.session import Session, new_record_id
from adherelog.storage import meds as stored_meds
from adherelog.storage import records as stored_records

MATCH_WINDOW = timedelta(hours=12)


def clock_text(value: time) -> str:
    return value.strftime("%H:%M")


# ----------------------------------------------------------------------------- records


def new_record(
    session: Session,
    record_id: str,
    kind: str,
    med_id: str | None,
    moment: datetime,
    slot: Slot | None,
    *,
    amount: float | None = None,
    note: str | None = None,
    effect: str | None = None,
    severity: int | None = None,
) -> Record:
    """The record of a dose, skip or side effect at ``moment``, in the local zone, filling
    ``slot`` (a dose's lateness is counted from it)."""
    late = None
    if slot is not None and kind == "dose":
        late = round((moment - slot.scheduled).total_seconds() / 60)
    return Record(
        id=record_id,
        kind=kind,
        med_id=med_id,
        med_name=None,
        at=moment.astimezone(UTC),
        zone=session.zone.key,
        local_date=moment.astimezone(session.zone).date(),
        slot_at=slot.scheduled.astimezone(UTC) if slot else None,
        slot_zone=slot.zone if slot else None,
        slot_date=slot.local_date if slot else None,
        late_minutes=late,
        amount=amount,
        note=note,
        effect=effect,
        severity=severity,
    )


def write_record(session: Session, conn: sqlite3.Connection, made: Record) -> None:
    """Store a record (see :func:`new_record`), inside the caller's write."""
    stored_records.insert_records(conn, [made], session.now)


def record(session: Session, record_id: str) -> Record:
    found = stored_records.record_by_id(session.conn, record_id)
    if found is None:
        raise NotFoundError(f"No record with id '{record_id}'.")
    return found


def undo_record(session: Session, conn: sqlite3.Connection, ref_id: str) -> undo.Undone:
    """``undo`` of a dose, skip or side effect: the record is deleted."""
    found = record(session, ref_id)
    stored_records.delete_record(conn, ref_id)
    return undo.Undone(
        found.kind, views.record_summary(found, session.zone, session.now), found.id, found
    )


undo.register("dose", undo_record)
undo.register("skip", undo_record)


# ------------------------------------------------------------------------ slot choice


def _fill(session: Session, med_id: str, slot: Slot) -> Record | None:
    return stored_records.record_for_slot(session.conn, med_id, slot.scheduled)


def _describe_last(session: Session, med: Med) -> str:
    last = stored_records.last_dose(session.conn, med.id)
    if last is None:
        return "no dose has been recorded yet"
    return f"the last dose was taken {session.describe_moment(last.at)}"


def _slot_label(session: Session, med: Med, slot: Slot) -> str:
    return f"{med.name}'s dose of {session.describe_slot(slot)}"


def _open_times(session: Session, med: Med, at: datetime) -> list[str]:
    """The clock times of the open slots of the day of ``at`` (in the schedule's zone)."""
    version = med.version_at(at) or med.versions[0]
    day = at.astimezone(schedule.zone(version.zone)).date()
    return [
        clock_text(s.time)
        for s in schedule.slots_on(med.versions, day, version.zone, optional=True)
        if _fill(session, med.id, s) is None
    ]


def _slot_hint(session: Session, med: Med, at: datetime, verb: str) -> str:
    """What to do instead: name an open slot of the day with --slot when there is one."""
    times = _open_times(session, med, at)
    if times:
        shown = " or ".join(f"--slot {t}" for t in times)
        return f"Use {shown} to {verb} that dose" + (
            ", or --extra to record an additional dose." if verb == "take" else "."
        )
    return "Use --extra to record an additional dose." if verb == "take" else ""


def _filled_message(
    session: Session, med: Med, slot: Slot, filled: Record, verb: str = "take"
) -> str:
    what = (
        f"already taken ({session.describe_moment(filled.at)})"
        if filled.kind == "dose"
        else "already skipped"
    )
    last = "" if filled.kind == "dose" else f"; {_describe_last(session, med)}"
    hint = _slot_hint(session, med, slot.scheduled, verb)
    return f"{_slot_label(session, med, slot)} is {what}{last}." + (f" {hint}" if hint else "")


def _named_slot(session: Session, med: Med, at: datetime, slot_time: time) -> Slot:
    """The slot at ``slot_time`` of the day of ``at`` in the schedule's zone (``--slot``)."""
    version = med.version_at(at) or med.versions[0]
    day = at.astimezone(schedule.zone(version.zone)).date()
    candidates = [
        s
        for s in schedule.slots_on(med.versions, day, version.zone, optional=True)
        if s.time == slot_time
    ]
    if not candidates:
        raise NotFoundError(
            f"{med.name} has no {clock_text(slot_time)} dose on {session.describe_day(day)}."
        )
    return candidates[0]


def _nearest_slot(session: Session, med: Med, at: datetime) -> Slot | None:
    """The slot nearest to ``at`` within 12 hours (ties go to the earlier), optional slots
    of the day the medication was added included."""
    nearby = schedule.slots_between(
        med.versions, at - MATCH_WINDOW, at + MATCH_WINDOW, optional=True
    )
    if not nearby:
        return None
    return min(nearby, key=lambda s: (abs(s.scheduled - at), s.scheduled))


def choose_slot(
    session: Session, med: Med, at: datetime, slot_time: time | None, extra: bool
) -> Slot | None:
    """The slot a dose at ``at`` fills, or None for an additional dose; refuses a second
    fill of a slot (the double-dose guard)."""
    # Before the first version (a dose backfilled from before the medication was added)
    # the first version says whether it is taken as needed.
    version = med.version_at(at) or (med.versions[0] if med.versions else None)
    if slot_time is not None:
        chosen = _named_slot(session, med, at, slot_time)
        filled = _fill(session, med.id, chosen)
        if filled is not None:
            raise ConflictError(_filled_message(session, med, chosen, filled))
        return chosen
    if version is not None and version.as_needed:
        return None
    nearest = _nearest_slot(session, med, at)
    if nearest is None:
        if extra:
            return None
        if version is not None and not version.active:
            raise ConflictError(
                f"{med.name} is stopped, so no dose is scheduled; "
                f"{_describe_last(session, med)}. Use --extra to record a dose anyway."
            )
        raise ConflictError(
            f"No {med.name} dose is scheduled within 12 hours of "
            f"{session.describe_moment(at)}; {_describe_last(session, med)}. "
            + _slot_hint(session, med, at, "take")
        )
    if extra:
        return None
    filled = _fill(session, med.id, nearest)
    if filled is not None:
        raise ConflictError(_filled_message(session, med, nearest, filled))
    return nearest


# ---------------------------------------------------------------------------- commands


def take(
    session: Session,
    names: Sequence[str],
    *,
    at: datetime | None = None,
    amount: float | None = None,
    note: str | None = None,
    slot_time: time | None = None,
    extra: bool = False,
) -> list[Record]:
    """``take``: record a dose of each medication, all or none."""
    if slot_time is not None and extra:
        raise UsageError("--slot and --extra cannot be used together.")
    check_count(amount, "The amount")
    moment = (at or session.now).astimezone(UTC)
    session.check_not_future(moment)
    cleaned = clean_note(note)
    seen: set[str] = set()
    ids: list[str] = []
    with session.store.write() as conn:
        for name in names:
            med = session.med(name)
            if med.id in seen:
                raise UsageError(f"{med.name} is named twice; take it once per command.")
            seen.add(med.id)
            slot = choose_slot(session, med, moment, slot_time, extra)
            dose_amount = amount if amount is not None else med.per_dose
            if amount is None and slot is not None and slot.amount is not None:
                dose_amount = slot.amount  # the slot's own amount (--time 08:00=2)
            record_id = new_record_id(moment)
            write_record(
                session, conn, new_record(
                    session, record_id, "dose", med.id, moment, slot,
                    amount=dose_amount, note=cleaned,
                ),
            )  # fmt: skip
            delta = None
            if med.supply is not None:
                delta = -dose_amount
                stored_meds.change_supply(conn, med.id, delta)
            undo.log_change(session, conn, "dose", record_id, med.id, delta)
            ids.append(record_id)
    return [record(session, record_id) for record_id in ids]


def skip(
    session: Session,
    name: str,
    *,
    at: datetime | None = None,
    reason: str | None = None,
    slot_time: time | None = None,
) -> Record:
    """``skip``: close the nearest slot within 12 hours (or the one ``--slot`` names) as
    skipped; a slot already taken or skipped is refused, never another one reached for."""
    moment = (at or session.now).astimezone(UTC)
    session.check_not_future(moment)
    clean_reason = clean_note(reason)
    with session.store.write() as conn:
        med = session.med(name)
        version = med.version_at(moment)
        if version is not None and version.as_needed:
            raise ConflictError(f"{med.name} is taken as needed; there is no dose to skip.")
        if slot_time is not None:
            slot: Slot | None = _named_slot(session, med, moment, slot_time)
        else:
            slot = _nearest_slot(session, med, moment)
        if slot is None:
            hint = _slot_hint(session, med, moment, "skip")
            raise ConflictError(
                f"No {med.name} dose is scheduled within 12 hours of "
                f"{session.describe_moment(moment)} to skip." + (f" {hint}" if hint else "")
            )
        filled = _fill(session, med.id, slot)
        if filled is not None:
            raise ConflictError(_filled_message(session, med, slot, filled, "skip"))
        # The id holds the slot's time, which the skip is shown as of (FHIR included), not
        # the moment the skip was recorded.
        record_id = new_record_id(slot.scheduled)
        made = new_record(session, record_id, "skip", med.id, moment, slot, note=clean_reason)
        write_record(session, conn, made)
        undo.log_change(session, conn, "skip", record_id, med.id, None)
    return record(session, record_id)
