"""Use cases over an open journal: the only API the command-line layer calls.

Each public method is one command's work. Writes happen inside one ``BEGIN IMMEDIATE``
transaction (:meth:`adherelog.storage.Store.write`); a raised :class:`AdherelogError` rolls
everything back, so a refused command writes nothing.
"""

from __future__ import annotations

import json
import math
import sqlite3
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from adherelog import schedule
from adherelog.adherence import slot_status
from adherelog.clock import from_utc_text, localize, to_utc_text
from adherelog.errors import ConflictError, NotFoundError, UsageError
from adherelog.model import WEEKDAYS, Med, Record, Refill, ScheduleVersion, Slot, SlotStatus
from adherelog.storage import Store
from adherelog.text import check_text

if TYPE_CHECKING:
    from adherelog.tips import Tip

MATCH_WINDOW = timedelta(hours=12)
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_GRACE = 60
MAX_NAME = 80
MAX_NOTE = 2000


def new_id() -> str:
    return str(uuid.uuid4())


def name_key(name: str) -> str:
    """The identity of a medication name: NFC-normalised, single-spaced and case-folded,
    so that a name typed composed (``Café``) or decomposed (``Cafe`` + U+0301) and in any
    case is the same name."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


MED_COLUMNS = "id, name, per_dose, supply, note, created_at"


def find_med_row(conn: sqlite3.Connection, name: str) -> Sequence[object] | None:
    """The ``MED_COLUMNS`` of the medication called ``name``, or None.

    Found by its stored key, else by the keys of the stored names: a journal written
    elsewhere may hold a name (and its key) in another normal form than the one typed."""
    key = name_key(name)
    row: Sequence[object] | None = conn.execute(
        f"SELECT {MED_COLUMNS} FROM meds WHERE name_key = ?", (key,)
    ).fetchone()
    if row is None:
        every = conn.execute(f"SELECT {MED_COLUMNS} FROM meds")
        row = next((r for r in every if name_key(str(r[1])) == key), None)
    return row


def too_far_ahead(moment: datetime, now: datetime) -> bool:
    """True when ``moment`` is more than :data:`FUTURE_TOLERANCE` after ``now``.

    Counted in UTC: adding a timedelta to an aware local time moves its wall clock and
    drops its ``fold``, so during the repeated hour of a fall-back day ``now + 5 min``
    would land an hour early and the present would look like the future."""
    return moment.astimezone(UTC) > now.astimezone(UTC) + FUTURE_TOLERANCE


def clock_text(value: time) -> str:
    return value.strftime("%H:%M")


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
class DueView:
    now: datetime
    slots: list[DueSlot]
    as_needed: list[AsNeeded]
    meds: list[Med] = field(default_factory=list)


@dataclass(frozen=True)
class Undone:
    """What ``undo`` removed: its kind, a one-line description, its id and the thing itself
    (None when it was already gone)."""

    kind: str
    summary: str
    id: str
    removed: Record | Refill | Tip | None


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


class Journal:
    """An open journal with a fixed "now" and local zone."""

    def __init__(self, store: Store, now: datetime, local_zone: ZoneInfo) -> None:
        self.store = store
        self.conn = store.conn
        self.now = now
        self.zone = local_zone

    # ----------------------------------------------------------------- reading helpers

    def _versions(self, med_id: str) -> tuple[ScheduleVersion, ...]:
        rows = self.conn.execute(
            "SELECT id, med_id, start_at, end_at, zone, times, every, anchor, on_days, dose,"
            " grace, as_needed, active FROM schedules WHERE med_id = ? ORDER BY start_at",
            (med_id,),
        ).fetchall()
        return tuple(_version_from_row(row) for row in rows)

    def _med_from_row(self, row: Sequence[object]) -> Med:
        med_id = str(row[0])
        return Med(
            id=med_id,
            name=str(row[1]),
            per_dose=float(row[2]),  # type: ignore[arg-type]
            supply=None if row[3] is None else float(row[3]),  # type: ignore[arg-type]
            note=None if row[4] is None else str(row[4]),
            created_at=from_utc_text(str(row[5])),
            versions=self._versions(med_id),
        )

    def meds(self) -> list[Med]:
        """Every medication, by name."""
        rows = self.conn.execute(f"SELECT {MED_COLUMNS} FROM meds ORDER BY name_key").fetchall()
        return [self._med_from_row(row) for row in rows]

    def med(self, name: str) -> Med:
        """The medication called ``name`` (case-insensitive), or a NotFoundError that
        suggests close names."""
        row = find_med_row(self.conn, name)
        if row is None:
            raise NotFoundError(self._unknown_med_message(name))
        return self._med_from_row(row)

    def _unknown_med_message(self, name: str) -> str:
        import difflib

        from adherelog.text import one_line

        names = [str(r[0]) for r in self.conn.execute("SELECT name FROM meds ORDER BY name_key")]
        by_key = {n.casefold(): n for n in names}
        close = difflib.get_close_matches(name.casefold(), list(by_key), n=3, cutoff=0.6)
        shown = one_line(name)
        if close:
            guesses = " or ".join(f"'{one_line(by_key[c])}'" for c in close)
            return f"No medication named '{shown}'. Did you mean {guesses}?"
        if not names:
            return (
                f"No medication named '{shown}'; the journal has none yet "
                "(add one with 'adherelog med add')."
            )
        return f"No medication named '{shown}'; 'adherelog med list' shows them."

    def last_dose(self, med_id: str) -> Record | None:
        row = self.conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records r LEFT JOIN meds m ON m.id = r.med_id"
            " WHERE r.med_id = ? AND r.kind = 'dose' ORDER BY r.at DESC LIMIT 1",
            (med_id,),
        ).fetchone()
        return None if row is None else record_from_row(row)

    # ------------------------------------------------------------------- medications

    def _start_of(self, day: date, zone_name: str) -> datetime:
        return localize(day, time(0, 0), schedule.zone(zone_name)).astimezone(UTC)

    def add_med(
        self,
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
        zone_name = _zone_or_error(options.zone) if options.zone is not None else self.zone.key
        as_needed = bool(options.as_needed)
        _check_schedule(
            options.times or [], options.every, options.on_days, as_needed, options.grace
        )
        _check_count(supply, "The supply", zero_ok=True)
        _check_count(per_dose, "The amount per dose")
        start_at = self._start_of(start, zone_name) if start else self.now.astimezone(UTC)
        anchor = start or self.now.astimezone(schedule.zone(zone_name)).date()
        end_at = self._end_of(options.end, zone_name, start_at)
        with self.store.write() as conn:
            if find_med_row(conn, clean) is not None:
                raise ConflictError(f"A medication named '{clean}' already exists.")
            med_id = new_id()
            conn.execute(
                "INSERT INTO meds (id, name, name_key, per_dose, supply, note, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    med_id,
                    clean,
                    name_key(clean),
                    per_dose if per_dose is not None else 1.0,
                    supply,
                    _clean_note(note),
                    to_utc_text(self.now),
                ),
            )
            self._insert_version(
                conn,
                med_id,
                start_at=start_at,
                end_at=end_at,
                zone_name=zone_name,
                times=sorted(set(options.times or [])),
                every=options.every,
                anchor=anchor,
                on_days=options.on_days,
                dose=_clean_dose(options.dose),
                grace=DEFAULT_GRACE if options.grace is None else options.grace,
                as_needed=as_needed,
                active=True,
            )
        return self.med(clean)

    def _end_of(self, end: date | None, zone_name: str, start_at: datetime) -> datetime | None:
        if end is None:
            return None
        end_at = self._start_of(end + timedelta(days=1), zone_name)
        if end_at <= start_at:
            raise UsageError(f"The end date {end.isoformat()} is before the schedule starts.")
        return end_at

    def _insert_version(
        self,
        conn: sqlite3.Connection,
        med_id: str,
        *,
        start_at: datetime,
        end_at: datetime | None,
        zone_name: str,
        times: Sequence[time],
        every: int | None,
        anchor: date,
        on_days: frozenset[int] | None,
        dose: str | None,
        grace: int,
        as_needed: bool,
        active: bool,
    ) -> None:
        values = (
            to_utc_text(end_at) if end_at else None,
            zone_name,
            json.dumps([clock_text(t) for t in times]),
            every,
            anchor.isoformat(),
            None if on_days is None else ",".join(WEEKDAYS[d] for d in sorted(on_days)),
            dose,
            grace,
            int(as_needed),
            int(active),
        )
        start_text = to_utc_text(start_at)
        existing = conn.execute(
            "SELECT id FROM schedules WHERE med_id = ? AND start_at = ?", (med_id, start_text)
        ).fetchone()
        if existing:
            conn.execute(
                "UPDATE schedules SET end_at = ?, zone = ?, times = ?, every = ?, anchor = ?,"
                " on_days = ?, dose = ?, grace = ?, as_needed = ?, active = ? WHERE id = ?",
                (*values, existing[0]),
            )
            return
        conn.execute(
            "INSERT INTO schedules (id, med_id, start_at, end_at, zone, times, every, anchor,"
            " on_days, dose, grace, as_needed, active, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), med_id, start_text, *values, to_utc_text(self.now)),
        )

    def _new_version_from(
        self,
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
            end_at = self._end_of(options.end, zone_name, start_at)
        self._insert_version(
            self.conn,
            med.id,
            start_at=start_at,
            end_at=end_at,
            zone_name=zone_name,
            times=times,
            every=every,
            anchor=anchor,
            on_days=on_days,
            dose=base.dose if options.dose is None else _clean_dose(options.dose),
            grace=grace,
            as_needed=as_needed,
            active=base.active if active is None else active,
        )

    def edit_med(
        self,
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
        _check_count(supply, "The supply", zero_ok=True)
        _check_count(per_dose, "The amount per dose")
        # The medication is read inside the write transaction: read before it, a change
        # another process commits meanwhile would be overwritten by this one.
        with self.store.write() as conn:
            med = self.med(name)
            if options.given():
                zone_name = (
                    _zone_or_error(options.zone)
                    if options.zone is not None
                    else (med.version_at(self.now) or med.versions[0]).zone
                )
                day = from_date or self.now.astimezone(schedule.zone(zone_name)).date()
                self._new_version_from(med, self._start_of(day, zone_name), options=options)
            if supply is not None:
                conn.execute("UPDATE meds SET supply = ? WHERE id = ?", (supply, med.id))
            if per_dose is not None:
                conn.execute("UPDATE meds SET per_dose = ? WHERE id = ?", (per_dose, med.id))
            if note is not None:
                conn.execute("UPDATE meds SET note = ? WHERE id = ?", (_clean_note(note), med.id))
        return self.med(med.name)

    def _status_change_start(self, med: Med, from_date: date | None) -> datetime:
        if from_date is None:
            return self.now.astimezone(UTC)
        zone_name = (med.version_at(self.now) or med.versions[0]).zone
        return self._start_of(from_date, zone_name)

    def stop_med(self, name: str, *, from_date: date | None = None) -> Med:
        """``med stop``: no doses are scheduled from then on; history stays."""
        with self.store.write():
            med = self.med(name)
            start_at = max(self._status_change_start(med, from_date), med.versions[0].start)
            current = med.version_at(start_at)
            if current is not None and not current.active:
                raise ConflictError(f"{med.name} is already stopped at that time.")
            self._new_version_from(med, start_at, active=False)
        return self.med(med.name)

    def resume_med(self, name: str, *, from_date: date | None = None) -> Med:
        """``med resume``: the schedule in force before the stop starts again."""
        with self.store.write():
            med = self.med(name)
            start_at = max(self._status_change_start(med, from_date), med.versions[0].start)
            current = med.version_at(start_at)
            if current is None or current.active:
                raise ConflictError(f"{med.name} is not stopped at that time.")
            self._new_version_from(med, start_at, active=True, base=current)
        return self.med(med.name)

    def remove_med(self, name: str) -> Med:
        """``med rm``: only a medication with nothing recorded against it."""
        with self.store.write() as conn:
            med = self.med(name)
            used = conn.execute(
                "SELECT (SELECT count(*) FROM records WHERE med_id = ?)"
                " + (SELECT count(*) FROM refills WHERE med_id = ?)",
                (med.id, med.id),
            ).fetchone()[0]
            if used:
                raise ConflictError(
                    f"{med.name} has {used} record(s) in the journal and cannot be removed; "
                    f"use 'adherelog med stop {med.name}' to stop scheduling it."
                )
            conn.execute("DELETE FROM undo_log WHERE med_id = ?", (med.id,))
            conn.execute("DELETE FROM schedules WHERE med_id = ?", (med.id,))
            conn.execute("DELETE FROM meds WHERE id = ?", (med.id,))
        return med

    def refill(self, name: str, count: float) -> tuple[Med, float]:
        """``med refill``: add ``count`` to the supply (starting to track it if untracked)."""
        _check_count(count, "The refill count")
        with self.store.write() as conn:
            med = self.med(name)
            tracked = conn.execute(
                "SELECT supply IS NOT NULL FROM meds WHERE id = ?", (med.id,)
            ).fetchone()[0]
            refill_id = new_id()
            conn.execute(
                "INSERT INTO refills (id, med_id, count, at, zone, local_date, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    refill_id,
                    med.id,
                    count,
                    to_utc_text(self.now),
                    self.zone.key,
                    self.now.astimezone(self.zone).date().isoformat(),
                    to_utc_text(self.now),
                ),
            )
            conn.execute(
                "UPDATE meds SET supply = coalesce(supply, 0) + ? WHERE id = ?", (count, med.id)
            )
            # A refill that starts tracking the supply logs no delta: undo makes it untracked.
            self._log(conn, "refill", refill_id, med.id, count if tracked else None)
        return self.med(med.name), count

    def _log(
        self,
        conn: sqlite3.Connection,
        kind: str,
        ref_id: str,
        med_id: str | None,
        supply_delta: float | None,
    ) -> None:
        conn.execute(
            "INSERT INTO undo_log (kind, ref_id, med_id, supply_delta, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (kind, ref_id, med_id, supply_delta, to_utc_text(self.now)),
        )

    # ------------------------------------------------------------------------- doses

    def check_not_future(self, at: datetime, what: str = "a dose") -> None:
        """Refuse a moment more than :data:`FUTURE_TOLERANCE` ahead of now."""
        if too_far_ahead(at, self.now):
            shown = at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
            raise ConflictError(
                f"{shown} is in the future; {what} can only be recorded once it has happened."
            )

    def _fill(self, med_id: str, slot: Slot) -> Record | None:
        row = self.conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records r LEFT JOIN meds m ON m.id = r.med_id"
            " WHERE r.med_id = ? AND r.slot_at = ?",
            (med_id, to_utc_text(slot.scheduled)),
        ).fetchone()
        return None if row is None else record_from_row(row)

    def _describe_last(self, med: Med) -> str:
        last = self.last_dose(med.id)
        if last is None:
            return "no dose has been recorded yet"
        return f"the last dose was taken {self.describe_moment(last.at)}"

    def describe_moment(self, moment: datetime) -> str:
        """'today 08:05', 'yesterday 21:10' or '2026-11-03 08:00' in the local zone."""
        local = moment.astimezone(self.zone)
        today = self.now.astimezone(self.zone).date()
        clock = local.strftime("%H:%M")
        if local.date() == today:
            return f"today {clock}"
        if local.date() == today - timedelta(days=1):
            return f"yesterday {clock}"
        return f"{local.date().isoformat()} {clock}"

    def _slot_label(self, med: Med, slot: Slot) -> str:
        tz = schedule.zone(slot.zone)
        today = self.now.astimezone(tz).date()
        day = (
            "today"
            if slot.local_date == today
            else "yesterday"
            if slot.local_date == today - timedelta(days=1)
            else slot.local_date.isoformat()
        )
        return f"{med.name}'s {clock_text(slot.time)} dose {day}"

    def _choose_slot(
        self, med: Med, at: datetime, slot_time: time | None, extra: bool
    ) -> Slot | None:
        """The slot a dose at ``at`` fills, or None for an additional dose; refuses a
        second fill of a slot (the double-dose guard)."""
        # Before the first version (a dose backfilled from before the medication was added)
        # the first version says whether it is taken as needed.
        version = med.version_at(at) or (med.versions[0] if med.versions else None)
        if slot_time is not None:
            zone_name = (version or med.versions[0]).zone
            day = at.astimezone(schedule.zone(zone_name)).date()
            candidates = [
                s for s in schedule.slots_on(med.versions, day, zone_name) if s.time == slot_time
            ]
            if not candidates:
                raise NotFoundError(
                    f"{med.name} has no {clock_text(slot_time)} slot on {day.isoformat()}."
                )
            chosen = candidates[0]
            filled = self._fill(med.id, chosen)
            if filled is not None:
                raise ConflictError(self._filled_message(med, chosen, filled))
            return chosen
        if version is not None and version.as_needed:
            return None
        nearby = schedule.slots_between(med.versions, at - MATCH_WINDOW, at + MATCH_WINDOW)
        if not nearby:
            if extra:
                return None
            if version is not None and not version.active:
                raise ConflictError(
                    f"{med.name} is stopped, so no dose is scheduled; {self._describe_last(med)}."
                    " Use --extra to record a dose anyway."
                )
            raise ConflictError(
                f"No {med.name} dose is scheduled within 12 hours of "
                f"{self.describe_moment(at)}; {self._describe_last(med)}."
                " Use --extra to record an additional dose."
            )
        chosen = min(nearby, key=lambda s: (abs(s.scheduled - at), s.scheduled))
        if extra:
            return None
        filled = self._fill(med.id, chosen)
        if filled is not None:
            raise ConflictError(self._filled_message(med, chosen, filled))
        return chosen

    def _filled_message(self, med: Med, slot: Slot, filled: Record) -> str:
        what = (
            f"already taken ({self.describe_moment(filled.at)})"
            if filled.kind == "dose"
            else "already skipped"
        )
        last = "" if filled.kind == "dose" else f"; {self._describe_last(med)}"
        return (
            f"{self._slot_label(med, slot)} is {what}{last}. "
            "Use --slot HH:MM to take another of the day's doses early, or --extra to record "
            "an additional dose."
        )

    def take(
        self,
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
        _check_count(amount, "The amount")
        moment = (at or self.now).astimezone(UTC)
        self.check_not_future(moment)
        clean_note = _clean_note(note)
        seen: set[str] = set()
        ids: list[str] = []
        with self.store.write() as conn:
            for name in names:
                med = self.med(name)
                if med.id in seen:
                    raise UsageError(f"{med.name} is named twice; take it once per command.")
                seen.add(med.id)
                slot = self._choose_slot(med, moment, slot_time, extra)
                dose_amount = amount if amount is not None else med.per_dose
                record_id = new_id()
                self._insert_record(
                    conn,
                    record_id,
                    "dose",
                    med.id,
                    moment,
                    slot,
                    amount=dose_amount,
                    note=clean_note,
                )
                delta = None
                if med.supply is not None:
                    delta = -dose_amount
                    conn.execute(
                        "UPDATE meds SET supply = supply + ? WHERE id = ?", (delta, med.id)
                    )
                self._log(conn, "dose", record_id, med.id, delta)
                ids.append(record_id)
        return [self.record(record_id) for record_id in ids]

    def skip(self, name: str, *, at: datetime | None = None, reason: str | None = None) -> Record:
        """``skip``: close the nearest open slot as skipped."""
        moment = (at or self.now).astimezone(UTC)
        self.check_not_future(moment)
        clean_reason = _clean_note(reason)
        with self.store.write() as conn:
            med = self.med(name)
            version = med.version_at(moment)
            if version is not None and version.as_needed:
                raise ConflictError(f"{med.name} is taken as needed; there is no dose to skip.")
            nearby = schedule.slots_between(
                med.versions, moment - MATCH_WINDOW, moment + MATCH_WINDOW
            )
            open_slots = [s for s in nearby if self._fill(med.id, s) is None]
            if not open_slots:
                raise ConflictError(
                    f"No open {med.name} dose within 12 hours of "
                    f"{self.describe_moment(moment)} to skip."
                )
            slot = min(open_slots, key=lambda s: (abs(s.scheduled - moment), s.scheduled))
            record_id = new_id()
            self._insert_record(conn, record_id, "skip", med.id, moment, slot, note=clean_reason)
            self._log(conn, "skip", record_id, med.id, None)
        return self.record(record_id)

    def _insert_record(
        self,
        conn: sqlite3.Connection,
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
    ) -> None:
        late = None
        if slot is not None and kind == "dose":
            late = round((moment - slot.scheduled).total_seconds() / 60)
        conn.execute(
            "INSERT INTO records (id, kind, med_id, at, zone, local_date, slot_at, slot_zone,"
            " slot_date, late_minutes, amount, note, effect, severity, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                kind,
                med_id,
                to_utc_text(moment),
                self.zone.key,
                moment.astimezone(self.zone).date().isoformat(),
                to_utc_text(slot.scheduled) if slot else None,
                slot.zone if slot else None,
                slot.local_date.isoformat() if slot else None,
                late,
                amount,
                note,
                effect,
                severity,
                to_utc_text(self.now),
            ),
        )

    def record(self, record_id: str) -> Record:
        row = self.conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records r LEFT JOIN meds m ON m.id = r.med_id"
            " WHERE r.id = ?",
            (record_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No record with id '{record_id}'.")
        return record_from_row(row)

    # -------------------------------------------------------------------------- undo

    def undo(self) -> Undone:
        """``undo``: remove the most recent record written and restore what it changed."""
        with self.store.write() as conn:
            row = conn.execute(
                "SELECT seq, kind, ref_id, med_id, supply_delta FROM undo_log"
                " ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise NotFoundError("Nothing to undo: the journal has no records.")
            seq, kind, ref_id, med_id, delta = row
            handler = UNDO_HANDLERS.get(kind)
            if handler is None:
                raise ConflictError(f"The last change ({kind}) cannot be undone.")
            undone = handler(self, conn, ref_id)
            if delta is not None and med_id is not None:
                conn.execute(
                    "UPDATE meds SET supply = supply - ? WHERE id = ? AND supply IS NOT NULL",
                    (delta, med_id),
                )
            conn.execute("DELETE FROM undo_log WHERE seq = ?", (seq,))
        return undone

    # --------------------------------------------------------------------- due, history

    def due(self) -> DueView:
        """``due``: today's slots of every medication with their status, and the
        as-needed medications with their last dose."""
        slots: list[DueSlot] = []
        as_needed: list[AsNeeded] = []
        meds = self.meds()
        for med in meds:
            version = med.version_at(self.now)
            if version is None:
                continue
            if version.as_needed:
                if version.active:
                    as_needed.append(AsNeeded(med, self.last_dose(med.id)))
                continue
            today = self.now.astimezone(schedule.zone(version.zone)).date()
            day_slots = schedule.slots_on(med.versions, today, version.zone)
            if not day_slots:
                continue
            filled = {
                r.slot_at: r
                for r in self._records_where(
                    "r.med_id = ? AND r.slot_date = ?", (med.id, today.isoformat())
                )
            }
            for slot in day_slots:
                record = filled.get(slot.scheduled.astimezone(UTC))
                status = slot_status(slot, None if record is None else record.kind, self.now)
                slots.append(DueSlot(med, slot, status, record))
        slots.sort(key=lambda d: (d.slot.scheduled.astimezone(UTC), d.med.name.casefold()))
        return DueView(self.now, slots, as_needed, meds)

    def _records_where(self, where: str, params: Sequence[object]) -> list[Record]:
        rows = self.conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records r LEFT JOIN meds m ON m.id = r.med_id"
            # ``+r.at`` keeps SQLite from walking the (med_id, at) index for the ORDER BY,
            # which would read a medication's whole history instead of one day's slots.
            f" WHERE {where} ORDER BY +r.at",
            tuple(params),
        ).fetchall()
        return [record_from_row(row) for row in rows]

    def history(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        med: str | None = None,
    ) -> list[Record]:
        """``history``: doses, skips, side effects and missed slots in ``[since, until)``
        (default: the last 7 days, including what was just recorded), in time order."""
        if until is None:
            # Doses may be recorded up to FUTURE_TOLERANCE ahead; the default end keeps them.
            until = self.now.astimezone(UTC) + FUTURE_TOLERANCE + timedelta(seconds=1)
        until = until.astimezone(UTC)
        since = (since or (self.now.astimezone(UTC) - timedelta(days=7))).astimezone(UTC)
        if since >= until:
            raise UsageError("--since must be before --until.")
        where = "r.at >= ? AND r.at < ?"
        params: list[object] = [to_utc_text(since), to_utc_text(until)]
        meds = self.meds()
        if med is not None:
            chosen = self.med(med)
            meds = [chosen]
            where += " AND r.med_id = ?"
            params.append(chosen.id)
        records = self._records_where(where, params)
        for each in meds:
            for slot in schedule.slots_between(each.versions, since, min(until, self.now)):
                if slot_status(slot, None, self.now) is not SlotStatus.MISSED:
                    continue
                if self._fill(each.id, slot) is not None:
                    continue
                records.append(
                    Record(
                        id="",
                        kind="missed",
                        med_id=each.id,
                        med_name=each.name,
                        at=slot.scheduled.astimezone(UTC),
                        zone=slot.zone,
                        local_date=slot.local_date,
                        slot_at=slot.scheduled.astimezone(UTC),
                        slot_zone=slot.zone,
                        slot_date=slot.local_date,
                    )
                )
        records.sort(key=lambda r: (r.at, r.kind))
        return records


# ---------------------------------------------------------------------------- helpers

_RECORD_COLUMNS = (
    "r.id, r.kind, r.med_id, m.name, r.at, r.zone, r.local_date, r.slot_at, r.slot_zone,"
    " r.slot_date, r.late_minutes, r.amount, r.note, r.effect, r.severity"
)


def record_from_row(row: Sequence[object]) -> Record:
    """A :class:`Record` from a row selected with ``_RECORD_COLUMNS``."""
    return Record(
        id=str(row[0]),
        kind=str(row[1]),
        med_id=None if row[2] is None else str(row[2]),
        med_name=None if row[3] is None else str(row[3]),
        at=from_utc_text(str(row[4])),
        zone=str(row[5]),
        local_date=date.fromisoformat(str(row[6])),
        slot_at=None if row[7] is None else from_utc_text(str(row[7])),
        slot_zone=None if row[8] is None else str(row[8]),
        slot_date=None if row[9] is None else date.fromisoformat(str(row[9])),
        late_minutes=None if row[10] is None else int(row[10]),  # type: ignore[call-overload]
        amount=None if row[11] is None else float(row[11]),  # type: ignore[arg-type]
        note=None if row[12] is None else str(row[12]),
        effect=None if row[13] is None else str(row[13]),
        severity=None if row[14] is None else int(row[14]),  # type: ignore[call-overload]
    )


def _version_from_row(row: Sequence[object]) -> ScheduleVersion:
    on_days = None
    if row[8]:
        on_days = frozenset(WEEKDAYS.index(d) for d in str(row[8]).split(","))
    return ScheduleVersion(
        id=str(row[0]),
        med_id=str(row[1]),
        start=from_utc_text(str(row[2])),
        end=None if row[3] is None else from_utc_text(str(row[3])),
        zone=str(row[4]),
        times=tuple(time.fromisoformat(t) for t in json.loads(str(row[5]))),
        every=None if row[6] is None else int(row[6]),  # type: ignore[call-overload]
        anchor=date.fromisoformat(str(row[7])),
        on_days=on_days,
        dose=None if row[9] is None else str(row[9]),
        grace=int(row[10]),  # type: ignore[call-overload]
        as_needed=bool(row[11]),
        active=bool(row[12]),
    )


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


def _check_count(value: float | None, what: str, *, zero_ok: bool = False) -> None:
    """Refuse a count that is not a finite number above zero (or at least zero)."""
    if value is None:
        return
    if not math.isfinite(value):
        raise UsageError(f"{what} must be a number, not {value}.")
    if value < 0 or (value == 0 and not zero_ok):
        bound = "zero or more" if zero_ok else "more than zero"
        raise UsageError(f"{what} must be {bound}, not {_num(value)}.")


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    cleaned = check_text(note, "note", max_len=MAX_NOTE, min_len=0, allow_newline=True)
    return cleaned or None


def _clean_dose(dose: str | None) -> str | None:
    if dose is None:
        return None
    return check_text(dose, "dose", max_len=MAX_NAME, min_len=0) or None


def _undo_record(journal: Journal, conn: sqlite3.Connection, ref_id: str) -> Undone:
    from adherelog import views

    record = journal.record(ref_id)
    conn.execute("DELETE FROM records WHERE id = ?", (ref_id,))
    return Undone(record.kind, views.record_summary(record, journal.zone), record.id, record)


def _undo_refill(journal: Journal, conn: sqlite3.Connection, ref_id: str) -> Undone:
    row = conn.execute(
        "SELECT f.id, m.name, f.count, f.at, f.zone, f.med_id FROM refills f"
        " JOIN meds m ON m.id = f.med_id"
        " WHERE f.id = ?",
        (ref_id,),
    ).fetchone()
    conn.execute("DELETE FROM refills WHERE id = ?", (ref_id,))
    started = conn.execute(
        "SELECT 1 FROM undo_log WHERE kind = 'refill' AND ref_id = ? AND supply_delta IS NULL",
        (ref_id,),
    ).fetchone()
    if started:  # the supply was untracked before this refill
        conn.execute("UPDATE meds SET supply = NULL WHERE id = ?", (row[5],))
    count = _num(float(row[2]))
    refill = Refill(id=row[0], med_name=row[1], count=float(row[2]))
    return Undone("refill", f"refill of {count} {row[1]}", refill.id, refill)


def _undo_tip(journal: Journal, conn: sqlite3.Connection, ref_id: str) -> Undone:
    from adherelog.tips import undo_tip

    return undo_tip(journal, conn, ref_id)


UndoHandler = Callable[[Journal, sqlite3.Connection, str], Undone]
UNDO_HANDLERS: dict[str, UndoHandler] = {
    "dose": _undo_record,
    "skip": _undo_record,
    "effect": _undo_record,
    "refill": _undo_refill,
    "tip": _undo_tip,
}
