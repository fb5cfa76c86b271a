"""The ``undo_log`` table: the changes ``undo`` can take back, newest last."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adherelog.clock import to_utc_text
from adherelog.storage.rows import select
from adherelog.valueclass import dataclass


@dataclass(frozen=True)
class Change:
    """One logged change: what kind, the row it wrote, and the supply it moved."""

    seq: int
    kind: str
    ref_id: str
    med_id: str | None
    supply_delta: float | None


def log_change(
    conn: sqlite3.Connection,
    kind: str,
    ref_id: str,
    med_id: str | None,
    supply_delta: float | None,
    created_at: datetime,
) -> None:
    conn.execute(
        "INSERT INTO undo_log (kind, ref_id, med_id, supply_delta, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (kind, ref_id, med_id, supply_delta, to_utc_text(created_at)),
    )


def last_change(conn: sqlite3.Connection) -> Change | None:
    row = select(
        conn,
        "SELECT seq, kind, ref_id, med_id, supply_delta FROM undo_log ORDER BY seq DESC LIMIT 1",
    ).fetchone()
    if row is None:
        return None
    return Change(row["seq"], row["kind"], row["ref_id"], row["med_id"], row["supply_delta"])


def logged_without_delta(conn: sqlite3.Connection, kind: str, ref_id: str) -> bool:
    """True when the change of ``kind`` to ``ref_id`` was logged with no supply delta."""
    row = select(
        conn,
        "SELECT 1 FROM undo_log WHERE kind = ? AND ref_id = ? AND supply_delta IS NULL",
        (kind, ref_id),
    ).fetchone()
    return row is not None


def forget(conn: sqlite3.Connection, seq: int) -> None:
    conn.execute("DELETE FROM undo_log WHERE seq = ?", (seq,))


def forget_ref(conn: sqlite3.Connection, kind: str, ref_id: str) -> None:
    conn.execute("DELETE FROM undo_log WHERE kind = ? AND ref_id = ?", (kind, ref_id))


def forget_med(conn: sqlite3.Connection, med_id: str) -> None:
    conn.execute("DELETE FROM undo_log WHERE med_id = ?", (med_id,))
