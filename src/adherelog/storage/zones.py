"""``zone_offsets``: the UTC offsets of the time zones the journal's records name, in the
UTC years they fall in (from :func:`adherelog.clock.offset_changes`), so that the
``dose_log`` and ``side_effect_log`` views can show local clock times (SQLite knows no time
zones). Derived, never exported. A year of a zone is held once its first row (from the
year's start) is: added when a record of that zone and year is written or imported, or
when a journal file is brought up to schema 11."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from adherelog.clock import offset_changes


def add_missing(
    conn: sqlite3.Connection, years: Iterable[tuple[str | None, str | int | None]]
) -> None:
    """Add the offsets of the (zone, stored UTC text or year) of ``years`` the table does
    not hold yet (inside a write); pairs with a missing part are left out."""
    wanted = {(zone, int(str(moment)[:4])) for zone, moment in years if zone and moment}
    for zone, year in wanted:
        found = conn.execute(
            "SELECT 1 FROM zone_offsets WHERE zone = ? AND from_utc = ?",
            (zone, f"{year:04d}-01-01T00:00:00Z"),
        )
        if found.fetchone() is None:
            conn.executemany(
                "INSERT OR IGNORE INTO zone_offsets (zone, from_utc, offset_seconds)"
                " VALUES (?, ?, ?)",
                [(zone, start, offset) for start, offset in offset_changes(zone, year)],
            )


def record_years(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Each (zone, UTC year) the records of ``conn`` name, for their moment or their slot.

    Read in one pass over the records, as distinct quadruples (a journal has few): a
    union of two such passes costs four times as long."""
    rows = conn.execute(
        "SELECT DISTINCT zone, substr(at, 1, 4), slot_zone, substr(slot_at, 1, 4) FROM records"
    )
    found: set[tuple[str, str]] = set()
    for zone, year, slot_zone, slot_year in rows:
        found.add((str(zone), str(year)))
        if slot_zone is not None and slot_year is not None:
            found.add((str(slot_zone), str(slot_year)))
    return sorted(found)
