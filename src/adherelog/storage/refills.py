"""The ``refills`` table: supply added to a medication."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from adherelog.clock import to_utc_text
from adherelog.storage.rows import select
from adherelog.valueclass import dataclass


@dataclass(frozen=True)
class Refill:
    id: str
    med_id: str
    med_name: str
    added: float


def insert_refill(
    conn: sqlite3.Connection,
    refill_id: str,
    med_id: str,
    count: float,
    *,
    at: datetime,
    zone: str,
    local_date: date,
    created_at: datetime,
) -> None:
    conn.execute(
        "INSERT INTO refills (id, med_id, count, at, zone, local_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            refill_id,
            med_id,
            count,
            to_utc_text(at),
            zone,
            local_date.isoformat(),
            to_utc_text(created_at),
        ),
    )


def refill_by_id(conn: sqlite3.Connection, refill_id: str) -> Refill | None:
    row = select(
        conn,
        "SELECT f.id, f.med_id, m.name, f.count FROM refills f JOIN meds m ON m.id = f.med_id"
        " WHERE f.id = ?",
        (refill_id,),
    ).fetchone()
    if row is None:
        return None
    return Refill(row["id"], row["med_id"], row["name"], float(row["count"]))


def delete_refill(conn: sqlite3.Connection, refill_id: str) -> None:
    conn.execute("DELETE FROM refills WHERE id = ?", (refill_id,))
