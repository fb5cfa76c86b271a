"""``zone_offsets``: the UTC offsets of each time zone the journal's records name, from
:func:`adherelog.clock.offset_changes`, so that the ``dose_log`` and ``side_effect_log``
views can show local clock times (SQLite knows no time zones). Derived, never exported:
filled when a zone first appears in the journal (a record written or imported, or the
migration that made the table)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from adherelog.clock import offset_changes


def add_missing(conn: sqlite3.Connection, zones: Iterable[str | None]) -> None:
    """Add the offsets of those of ``zones`` the table does not hold yet (inside a write)."""
    for zone in {z for z in zones if z}:
        found = conn.execute("SELECT 1 FROM zone_offsets WHERE zone = ? LIMIT 1", (zone,))
        if found.fetchone() is None:
            conn.executemany(
                "INSERT INTO zone_offsets (zone, from_utc, offset_seconds) VALUES (?, ?, ?)",
                [(zone, start, offset) for start, offset in offset_changes(zone)],
            )


def add_missing_of_records(conn: sqlite3.Connection) -> None:
    """Add the offsets of every zone the records name that the table does not hold yet."""
    rows = conn.execute(
        "SELECT zone FROM records WHERE zone NOT IN (SELECT zone FROM zone_offsets)"
        " UNION SELECT slot_zone FROM records WHERE slot_zone IS NOT NULL"
        " AND slot_zone NOT IN (SELECT zone FROM zone_offsets)"
    )
    add_missing(conn, [str(zone) for (zone,) in rows])
