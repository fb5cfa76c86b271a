"""The ``meds`` and ``schedules`` tables: medications and their schedule versions."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time

from adherelog.clock import from_utc_text, to_utc_text
from adherelog.model import WEEKDAYS, Med, ScheduleVersion
from adherelog.storage.rows import select
from adherelog.text import name_key, sort_key

_MED_COLUMNS = "id, name, per_dose, supply, note, created_at"
_VERSION_COLUMNS = (
    "id, med_id, start_at, end_at, zone, times, every, anchor, on_days, dose, grace,"
    " as_needed, active, rrule, cycle, amounts"
)


def cycle_text(cycle: tuple[int, int] | None) -> str | None:
    """The stored form of a cycle: ``21/7``."""
    return None if cycle is None else f"{cycle[0]}/{cycle[1]}"


def cycle_value(text: object) -> tuple[int, int] | None:
    if not text:
        return None
    on, _, off = str(text).partition("/")
    return int(on), int(off)


def amounts_text(amounts: tuple[tuple[time, float], ...]) -> str | None:
    """The stored form of a version's own amounts: ``{"08:00": 2.0}``."""
    if not amounts:
        return None
    return json.dumps({t.strftime("%H:%M"): amount for t, amount in amounts})


def amounts_value(text: object) -> tuple[tuple[time, float], ...]:
    if not text:
        return ()
    return tuple(
        sorted((time.fromisoformat(k), float(v)) for k, v in json.loads(str(text)).items())
    )


def _version(row: sqlite3.Row) -> ScheduleVersion:
    on_days = None
    if row["on_days"]:
        on_days = frozenset(WEEKDAYS.index(d) for d in str(row["on_days"]).split(","))
    return ScheduleVersion(
        id=row["id"],
        med_id=row["med_id"],
        start=from_utc_text(row["start_at"]),
        end=None if row["end_at"] is None else from_utc_text(row["end_at"]),
        zone=row["zone"],
        times=tuple(time.fromisoformat(t) for t in json.loads(row["times"])),
        every=row["every"],
        anchor=date.fromisoformat(row["anchor"]),
        on_days=on_days,
        dose=row["dose"],
        grace=int(row["grace"]),
        as_needed=bool(row["as_needed"]),
        active=bool(row["active"]),
        rrule=row["rrule"] or None,
        cycle=cycle_value(row["cycle"]),
        amounts=amounts_value(row["amounts"]),
    )


def versions(conn: sqlite3.Connection, med_id: str) -> tuple[ScheduleVersion, ...]:
    """The schedule versions of a medication, oldest first."""
    rows = select(
        conn,
        f"SELECT {_VERSION_COLUMNS} FROM schedules WHERE med_id = ? ORDER BY start_at",
        (med_id,),
    )
    return tuple(_version(row) for row in rows)


def _med(conn: sqlite3.Connection, row: sqlite3.Row) -> Med:
    return Med(
        id=row["id"],
        name=row["name"],
        per_dose=float(row["per_dose"]),
        supply=None if row["supply"] is None else float(row["supply"]),
        note=row["note"],
        created_at=from_utc_text(row["created_at"]),
        versions=versions(conn, row["id"]),
    )


def all_meds(conn: sqlite3.Connection) -> list[Med]:
    """Every medication with its schedule versions, by name."""
    rows = select(conn, f"SELECT {_MED_COLUMNS} FROM meds").fetchall()
    return [_med(conn, row) for row in sorted(rows, key=lambda row: sort_key(row["name"]))]


def find_med(conn: sqlite3.Connection, name: str) -> Med | None:
    """The medication called ``name``, or None.

    Found by its stored key, else by the keys of the stored names: a journal written
    elsewhere may hold a name (and its key) in another normal form than the one typed."""
    key = name_key(name)
    row = select(conn, f"SELECT {_MED_COLUMNS} FROM meds WHERE name_key = ?", (key,)).fetchone()
    if row is None:
        every = select(conn, f"SELECT {_MED_COLUMNS} FROM meds")
        row = next((r for r in every if name_key(r["name"]) == key), None)
    return None if row is None else _med(conn, row)


def med_names(conn: sqlite3.Connection) -> list[str]:
    """The names of every medication, by name."""
    return sorted((row["name"] for row in select(conn, "SELECT name FROM meds")), key=sort_key)


def insert_med(conn: sqlite3.Connection, med: Med) -> None:
    """Store a new medication (its versions are stored with :func:`save_version`)."""
    conn.execute(
        "INSERT INTO meds (id, name, name_key, per_dose, supply, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            med.id,
            med.name,
            name_key(med.name),
            med.per_dose,
            med.supply,
            med.note,
            to_utc_text(med.created_at),
        ),
    )


def save_version(conn: sqlite3.Connection, version: ScheduleVersion, created_at: datetime) -> None:
    """Store a schedule version; one that starts at the same moment as a stored version of
    the medication replaces that version's values (and keeps its id)."""
    values = (
        to_utc_text(version.end) if version.end else None,
        version.zone,
        json.dumps([t.strftime("%H:%M") for t in version.times]),
        version.every,
        version.anchor.isoformat(),
        None if version.on_days is None else ",".join(WEEKDAYS[d] for d in sorted(version.on_days)),
        version.dose,
        version.grace,
        int(version.as_needed),
        int(version.active),
        version.rrule,
        cycle_text(version.cycle),
        amounts_text(version.amounts),
    )
    start_text = to_utc_text(version.start)
    existing = select(
        conn,
        "SELECT id FROM schedules WHERE med_id = ? AND start_at = ?",
        (version.med_id, start_text),
    ).fetchone()
    if existing:
        conn.execute(
            "UPDATE schedules SET end_at = ?, zone = ?, times = ?, every = ?, anchor = ?,"
            " on_days = ?, dose = ?, grace = ?, as_needed = ?, active = ?, rrule = ?, cycle = ?,"
            " amounts = ? WHERE id = ?",
            (*values, existing["id"]),
        )
        return
    conn.execute(
        "INSERT INTO schedules (id, med_id, start_at, end_at, zone, times, every, anchor,"
        " on_days, dose, grace, as_needed, active, rrule, cycle, amounts, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (version.id, version.med_id, start_text, *values, to_utc_text(created_at)),
    )


def set_supply(conn: sqlite3.Connection, med_id: str, supply: float | None) -> None:
    conn.execute("UPDATE meds SET supply = ? WHERE id = ?", (supply, med_id))


def set_per_dose(conn: sqlite3.Connection, med_id: str, per_dose: float) -> None:
    conn.execute("UPDATE meds SET per_dose = ? WHERE id = ?", (per_dose, med_id))


def set_note(conn: sqlite3.Connection, med_id: str, note: str | None) -> None:
    conn.execute("UPDATE meds SET note = ? WHERE id = ?", (note, med_id))


def supply_tracked(conn: sqlite3.Connection, med_id: str) -> bool:
    row = select(
        conn, "SELECT supply IS NOT NULL AS tracked FROM meds WHERE id = ?", (med_id,)
    ).fetchone()
    return bool(row["tracked"])


def change_supply(conn: sqlite3.Connection, med_id: str, delta: float) -> None:
    """Add ``delta`` to a tracked supply (an untracked one stays untracked)."""
    conn.execute("UPDATE meds SET supply = supply + ? WHERE id = ?", (delta, med_id))


def take_back_supply(conn: sqlite3.Connection, med_id: str, delta: float) -> None:
    """Subtract a supply delta that ``undo`` takes back from a tracked supply."""
    conn.execute(
        "UPDATE meds SET supply = supply - ? WHERE id = ? AND supply IS NOT NULL", (delta, med_id)
    )


def refill_supply(conn: sqlite3.Connection, med_id: str, count: float) -> None:
    """Add ``count`` to the supply, starting to track it if untracked."""
    conn.execute("UPDATE meds SET supply = coalesce(supply, 0) + ? WHERE id = ?", (count, med_id))


def times_used(conn: sqlite3.Connection, med_id: str) -> int:
    """How many records and refills are stored against the medication."""
    row = select(
        conn,
        "SELECT (SELECT count(*) FROM records WHERE med_id = ?)"
        " + (SELECT count(*) FROM refills WHERE med_id = ?) AS used",
        (med_id, med_id),
    ).fetchone()
    return int(row["used"])


def delete_med(conn: sqlite3.Connection, med_id: str) -> None:
    """Delete the medication and its schedule versions."""
    conn.execute("DELETE FROM schedules WHERE med_id = ?", (med_id,))
    conn.execute("DELETE FROM meds WHERE id = ?", (med_id,))
