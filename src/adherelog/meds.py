"""Medications and their schedule versions: ``med add``, ``edit``, ``stop``, ``resume``,
``rm`` and ``refill``, with the checks of what they are given.

A schedule change never rewrites the past: it stores a new version from the start of a day
(or from now), which :mod:`adherelog.schedule` reads with the versions before it.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from adherelog import schedule, undo
from adherelog.clock import localize
from adherelog.errors import ConflictError, UsageError
from adherelog.model import WEEKDAYS, Med, Refill, ScheduleVersion
from adherelog.session import Session, new_id
from adherelog.storage import meds as stored_meds
from adherelog.storage import refills as stored_refills
from adherelog.storage import undo as undo_log
from adherelog.text import check_text
from adherelog.valueclass import dataclass

DEFAULT_GRACE = 60
MAX_NAME = 80
MAX_NOTE = 2000


@dataclass
class ScheduleOptions:
    """Schedule options of ``med add`` / ``med edit``; ``None`` means "not given"."""

    dose: str | None = None
    times: list[time] | None = None
    every: int | None = None
    on_days: frozenset[int] | None = None
    as_needed: bool | None = None
    end: date | None = None
    grace: int | None = None
    zone: str | None = None

    def given(self) -> bool:
        return any(
            value is not None
            for value in (
                self.dose,
                self.times,
                self.every,
                self.on_days,
                self.as_needed,
                self.end,
                self.grace,
                self.zone,
            )
        )


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekdays(text: str) -> frozenset[int]:
    """``mon,wed,fri`` (or full names) → {0, 2, 4}; anything else is a usage error."""
    days: set[int] = set()
    for part in text.split(","):
        key = part.strip().lower()
        if key in WEEKDAYS:
            days.add(WEEKDAYS.index(key))
        elif key in _FULL_DAYS:
            days.add(_FULL_DAYS.index(key))
        else:
            raise UsageError(
                f"Cannot understand the weekday '{part.strip()}'; use names like mon,wed,fri."
            )
    return frozenset(days)


# ------------------------------------------------------------------------------ checks


def _zone_or_error(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise UsageError(
            f"Unknown time zone '{name}'; use an IANA name like Europe/London."
        ) from None
    return name


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _check_schedule(
    times: Sequence[time],
    every: int | None,
    on_days: frozenset[int] | None,
    as_needed: bool,
    grace: int | None,
) -> None:
    if as_needed and times:
        raise UsageError("Give either --time or --as-needed, not both.")
    if not as_needed and not times:
        raise UsageError("A schedule needs at least one --time HH:MM, or --as-needed.")
    if every is not None and every < 1:
        raise UsageError(f"--every must be 1 or more days, not {every}.")
    if every is not None and on_days is not None:
        raise UsageError("Give either --every or --on, not both.")
    if on_days is not None and not on_days:
        raise UsageError("--on needs at least one weekday, e.g. mon,thu.")
    if grace is not None and not 0 <= grace <= 720:
        raise UsageError(f"--grace must be between 0 and 720 minutes, not {grace}.")


def check_count(value: float | None, what: str, *, zero_ok: bool = False) -> None:
    """Refuse a count that is not a finite number above zero (or at least zero)."""
    if value is None:
        return
    if not math.isfinite(value):
        raise UsageError(f"{what} must be a number, not {value}.")
    if value < 0 or (value == 0 and not zero_ok):
        bound = "zero or more" if zero_ok else "more than zero"
        raise UsageError(f"{what} must be {bound}, not {_num(value)}.")


def clean_note(note: str | None) -> str | None:
    """A note as stored: checked, and None when empty."""
    if note is None:
        return None
    cleaned = check_text(note, "note", max_len=MAX_NOTE, min_len=0, allow_newline=True)
    return cleaned or None


def _clean_dose(dose: str | None) -> str | None:
    if dose is None:
        return None
    return check_text(dose, "dose", max_len=MAX_NAME, min_len=0) or None


# ------------------------------------------------------------------- schedule versions


def _start_of(day: date, zone_name: str) -> datetime:
    return localize(day, time(0, 0), schedule.zone(zone_name)).astimezone(UTC)


def _end_of(end: date | None, zone_name: str, start_at: datetime) -> datetime | None:
    if end is None:
        return None
    end_at = _start_of(end + timedelta(days=1), zone_name)
    if end_at <= start_at:
        raise UsageError(f"The end date {end.isoformat()} is before the schedule starts.")
    return end_at


def _new_version_from(
    session: Session,
    med: Med,
    start_at: datetime,
    *,
    active: bool | None = None,
    options: ScheduleOptions | None = None,
    base: ScheduleVersion | None = None,
) -> None:
    first = med.versions[0]
    start_at = max(start_at, first.start)
    base = base or med.version_at(start_at) or first
    options = options or ScheduleOptions()
    zone_name = _zone_or_error(options.zone) if options.zone is not None else base.zone
    as_needed = base.as_needed if options.as_needed is None else options.as_needed
    times = list(base.times)
    if options.times is not None:
        times = sorted(set(options.times))
        as_needed = bool(options.as_needed)
    elif options.as_needed:
        times = []
    every, on_days, anchor = base.every, base.on_days, base.anchor
    if options.every is not None:
        every, on_days = (None if options.every == 1 else options.every), None
        anchor = start_at.astimezone(schedule.zone(zone_name)).date()
    if options.on_days is not None:
        on_days, every = options.on_days, None
    grace = base.grace if options.grace is None else options.grace
    _check_schedule(times, every, on_days, as_needed, grace)
    end_at = base.end
    if options.end is not None:
        end_at = _end_of(options.end, zone_name, start_at)
    version = ScheduleVersion(
        id=new_id(),
        med_id=med.id,
        start=start_at,
        end=end_at,
        zone=zone_name,
        times=tuple(times),
        every=every,
        anchor=anchor,
        on_days=on_days,
        dose=base.dose if options.dose is None else _clean_dose(options.dose),
        grace=grace,
        as_needed=as_needed,
        active=base.active if active is None else active,
    )
    stored_meds.save_version(session.conn, version, session.now)


def _status_change_start(session: Session, med: Med, from_date: date | None) -> datetime:
    if from_date is None:
        return session.now.astimezone(UTC)
    zone_name = (med.version_at(session.now) or med.versions[0]).zone
    return _start_of(from_date, zone_name)


# ---------------------------------------------------------------------------- commands


def add_med(
    session: Session,
    name: str,
    options: ScheduleOptions,
    *,
    start: date | None = None,
    supply: float | None = None,
    per_dose: float | None = None,
    note: str | None = None,
) -> Med:
    """``med add``: a new medication with its first schedule version."""
    clean = check_text(name, "medication name", max_len=MAX_NAME)
    zone_name = _zone_or_error(options.zone) if options.zone is not None else session.zone.key
    as_needed = bool(options.as_needed)
    _check_schedule(options.times or [], options.every, options.on_days, as_needed, options.grace)
    check_count(supply, "The supply", zero_ok=True)
    check_count(per_dose, "The amount per dose")
    start_at = _start_of(start, zone_name) if start else session.now.astimezone(UTC)
    anchor = start or session.now.astimezone(schedule.zone(zone_name)).date()
    end_at = _end_of(options.end, zone_name, start_at)
    with session.store.write() as conn:
        if stored_meds.find_med(conn, clean) is not None:
            raise ConflictError(f"A medication named '{clean}' already exists.")
        med = Med(
            id=new_id(),
            name=clean,
            per_dose=per_dose if per_dose is not None else 1.0,
            supply=supply,
            note=clean_note(note),
            created_at=session.now,
        )
        stored_meds.insert_med(conn, med)
        first = ScheduleVersion(
            id=new_id(),
            med_id=med.id,
            start=start_at,
            end=end_at,
            zone=zone_name,
            times=tuple(sorted(set(options.times or []))),
            every=options.every,
            anchor=anchor,
            on_days=options.on_days,
            dose=_clean_dose(options.dose),
            grace=DEFAULT_GRACE if options.grace is None else options.grace,
            as_needed=as_needed,
            active=True,
        )
        stored_meds.save_version(conn, first, session.now)
    return session.med(clean)


def edit_med(
    session: Session,
    name: str,
    options: ScheduleOptions,
    *,
    from_date: date | None = None,
    supply: float | None = None,
    per_dose: float | None = None,
    note: str | None = None,
) -> Med:
    """``med edit``: a new schedule version from the start of ``from_date`` (default
    today); medication-level values (supply, per-dose amount, note) change at once."""
    if not options.given() and supply is None and per_dose is None and note is None:
        raise UsageError("Nothing to change: give at least one option, e.g. --time 09:00.")
    check_count(supply, "The supply", zero_ok=True)
    check_count(per_dose, "The amount per dose")
    # The medication is read inside the write transaction: read before it, a change
    # another process commits meanwhile would be overwritten by this one.
    with session.store.write() as conn:
        med = session.med(name)
        if options.given():
            zone_name = (
                _zone_or_error(options.zone)
                if options.zone is not None
                else (med.version_at(session.now) or med.versions[0]).zone
            )
            day = from_date or session.now.astimezone(schedule.zone(zone_name)).date()
            _new_version_from(session, med, _start_of(day, zone_name), options=options)
        if supply is not None:
            stored_meds.set_supply(conn, med.id, supply)
        if per_dose is not None:
            stored_meds.set_per_dose(conn, med.id, per_dose)
        if note is not None:
            stored_meds.set_note(conn, med.id, clean_note(note))
    return session.med(med.name)


def stop_med(session: Session, name: str, *, from_date: date | None = None) -> Med:
    """``med stop``: no doses are scheduled from then on; history stays."""
    with session.store.write():
        med = session.med(name)
        start_at = max(_status_change_start(session, med, from_date), med.versions[0].start)
        current = med.version_at(start_at)
        if current is not None and not current.active:
            raise ConflictError(f"{med.name} is already stopped at that time.")
        _new_version_from(session, med, start_at, active=False)
    return session.med(med.name)


def resume_med(session: Session, name: str, *, from_date: date | None = None) -> Med:
    """``med resume``: the schedule in force before the stop starts again."""
    with session.store.write():
        med = session.med(name)
        start_at = max(_status_change_start(session, med, from_date), med.versions[0].start)
        current = med.version_at(start_at)
        if current is None or current.active:
            raise ConflictError(f"{med.name} is not stopped at that time.")
        _new_version_from(session, med, start_at, active=True, base=current)
    return session.med(med.name)


def remove_med(session: Session, name: str) -> Med:
    """``med rm``: only a medication with nothing recorded against it."""
    with session.store.write() as conn:
        med = session.med(name)
        used = stored_meds.times_used(conn, med.id)
        if used:
            raise ConflictError(
                f"{med.name} has {used} record(s) in the journal and cannot be removed; "
                f"use 'adherelog med stop {med.name}' to stop scheduling it."
            )
        undo_log.forget_med(conn, med.id)
        stored_meds.delete_med(conn, med.id)
    return med


def refill(session: Session, name: str, count: float) -> tuple[Med, float]:
    """``med refill``: add ``count`` to the supply (starting to track it if untracked)."""
    check_count(count, "The refill count")
    with session.store.write() as conn:
        med = session.med(name)
        tracked = stored_meds.supply_tracked(conn, med.id)
        refill_id = new_id()
        stored_refills.insert_refill(
            conn,
            refill_id,
            med.id,
            count,
            at=session.now,
            zone=session.zone.key,
            local_date=session.now.astimezone(session.zone).date(),
            created_at=session.now,
        )
        stored_meds.refill_supply(conn, med.id, count)
        # A refill that starts tracking the supply logs no delta: undo makes it untracked.
        undo.log_change(session, conn, "refill", refill_id, med.id, count if tracked else None)
    return session.med(med.name), count


def _undo_refill(session: Session, conn: sqlite3.Connection, ref_id: str) -> undo.Undone:
    found = stored_refills.refill_by_id(conn, ref_id)
    if found is None:
        return undo.Undone("refill", "a refill that was already removed", ref_id, None)
    stored_refills.delete_refill(conn, ref_id)
    if undo_log.logged_without_delta(conn, "refill", ref_id):
        # the supply was untracked before this refill
        stored_meds.set_supply(conn, found.med_id, None)
    count = _num(found.added)
    removed = Refill(id=found.id, med_name=found.med_name, count=found.added)
    return undo.Undone("refill", f"refill of {count} {found.med_name}", found.id, removed)


undo.register("refill", _undo_refill)
