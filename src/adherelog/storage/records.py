"""The ``records`` table: doses, skips and side effects, read with their medication's name."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

from adherelog.clock import from_utc_text, to_utc_text
from adherelog.model import Record
from adherelog.storage import zones
from adherelog.storage.rows import select

_SELECT = (
    "SELECT r.id, r.kind, r.med_id, m.name AS med_name, r.at, r.zone, r.local_date,"
    " r.slot_at, r.slot_zone, r.slot_date, r.late_minutes, r.amount, r.note, r.effect,"
    " r.severity FROM records r LEFT JOIN meds m ON m.id = r.med_id"
)


def _record(row: sqlite3.Row) -> Record:
    return Record(
        id=row["id"],
        kind=row["kind"],
        med_id=row["med_id"],
        med_name=row["med_name"],
        at=from_utc_text(row["at"]),
        zone=row["zone"],
        local_date=date.fromisoformat(row["local_date"]),
        slot_at=None if row["slot_at"] is None else from_utc_text(row["slot_at"]),
        slot_zone=row["slot_zone"],
        slot_date=None if row["slot_date"] is None else date.fromisoformat(row["slot_date"]),
        late_minutes=row["late_minutes"],
        amount=None if row["amount"] is None else float(row["amount"]),
        note=row["note"],
        effect=row["effect"],
        severity=row["severity"],
    )


def _records(conn: sqlite3.Connection, where: str, params: Sequence[object]) -> list[Record]:
    return [_record(row) for row in select(conn, f"{_SELECT} WHERE {where}", params)]


def insert_records(
    conn: sqlite3.Connection, records: Iterable[Record], created_at: datetime
) -> None:
    """Store new records (their ``med_name`` is not stored: it is the medication's), and
    the offsets of a zone the journal meets for the first time."""
    created = to_utc_text(created_at)
    records = list(records)
    zones.add_missing(
        conn,
        [(r.zone, r.at.astimezone(UTC).year) for r in records]
        + [(r.slot_zone, r.slot_at.astimezone(UTC).year) for r in records if r.slot_at],
    )
    conn.executemany(
        "INSERT INTO records (id, kind, med_id, at, zone, local_date, slot_at, slot_zone,"
        " slot_date, late_minutes, amount, note, effect, severity, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                r.id,
                r.kind,
                r.med_id,
                to_utc_text(r.at),
                r.zone,
                r.local_date.isoformat(),
                None if r.slot_at is None else to_utc_text(r.slot_at),
                r.slot_zone,
                None if r.slot_date is None else r.slot_date.isoformat(),
                r.late_minutes,
                r.amount,
                r.note,
                r.effect,
                r.severity,
                created,
            )
            for r in records
        ),
    )


def record_by_id(conn: sqlite3.Connection, record_id: str) -> Record | None:
    found = _records(conn, "r.id = ?", (record_id,))
    return found[0] if found else None


def delete_record(conn: sqlite3.Connection, record_id: str) -> None:
    conn.execute("DELETE FROM records WHERE id = ?", (record_id,))


def record_for_slot(conn: sqlite3.Connection, med_id: str, slot_at: datetime) -> Record | None:
    """The dose or skip that fills the medication's slot scheduled at ``slot_at``."""
    found = _records(conn, "r.med_id = ? AND r.slot_at = ?", (med_id, to_utc_text(slot_at)))
    return found[0] if found else None


def last_dose(conn: sqlite3.Connection, med_id: str) -> Record | None:
    found = _records(conn, "r.med_id = ? AND r.kind = 'dose' ORDER BY r.at DESC LIMIT 1", (med_id,))
    return found[0] if found else None


def records_of_day(conn: sqlite3.Connection, med_id: str, slot_date: date) -> list[Record]:
    """The records filling the medication's slots of one local day, in time order."""
    # ``+r.at`` keeps SQLite from walking the (med_id, at) index for the ORDER BY, which
    # would read a medication's whole history instead of one day's slots.
    return _records(
        conn, "r.med_id = ? AND r.slot_date = ? ORDER BY +r.at", (med_id, slot_date.isoformat())
    )


def records_between(
    conn: sqlite3.Connection,
    since: datetime | None,
    until: datetime | None,
    *,
    med_id: str | None = None,
    kind: str | None = None,
) -> list[Record]:
    """Records at ``[since, until)`` (either end open when None), of one medication or
    kind when given, in time order."""
    where: list[str] = []
    params: list[object] = []
    if kind is not None:
        where.append("r.kind = ?")
        params.append(kind)
    if since is not None:
        where.append("r.at >= ?")
        params.append(to_utc_text(since))
    if until is not None:
        where.append("r.at < ?")
        params.append(to_utc_text(until))
    if med_id is not None:
        where.append("r.med_id = ?")
        params.append(med_id)
    return _records(conn, " AND ".join(where or ["1"]) + " ORDER BY +r.at", params)


def doses_and_skips(conn: sqlite3.Connection) -> Iterator[Record]:
    """Every dose and skip, oldest first (ties by id), read as they are needed."""
    rows = select(conn, f"{_SELECT} WHERE r.kind IN ('dose', 'skip') ORDER BY r.at, r.id")
    return (_record(row) for row in rows)


def filled_slots(conn: sqlite3.Connection, med_id: str, start: datetime, end: datetime) -> set[str]:
    """The stored slot times (UTC text, as :func:`adherelog.clock.to_utc_text` writes them)
    of the medication's records for slots in ``[start, end)``."""
    rows = select(
        conn,
        "SELECT slot_at FROM records WHERE med_id = ? AND slot_at >= ? AND slot_at < ?",
        (med_id, to_utc_text(start), to_utc_text(end)),
    )
    return {str(row["slot_at"]) for row in rows}


def recorded_days_since(conn: sqlite3.Connection, med_id: str, start: datetime) -> int:
    """How many slot days (dates in the schedule's zone) hold the medication's doses or
    skips for slots at ``start`` or later."""
    row = select(
        conn,
        "SELECT count(DISTINCT slot_date) AS n FROM records"
        " WHERE med_id = ? AND kind IN ('dose', 'skip') AND slot_at >= ?",
        (med_id, to_utc_text(start)),
    ).fetchone()
    return int(row["n"])
