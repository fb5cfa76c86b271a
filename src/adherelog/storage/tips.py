"""The ``tips``, ``tip_bundles`` and ``tip_bundle_worked`` tables: tips, the peer bundles
imported, and which bundles said a tip worked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from adherelog.clock import to_utc_text
from adherelog.storage.rows import select

_SELECT = (
    "SELECT t.id, t.text, t.medication, t.side_effect, t.tags, t.source, t.from_label,"
    " t.imported_at, t.worked, t.created_at, t.identity,"
    " (SELECT count(*) FROM tip_bundle_worked w WHERE w.identity = t.identity)"
    " AS peers_worked FROM tips t"
)


def all_tips(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every tip (the columns of the table, and ``peers_worked``), oldest first."""
    return select(conn, f"{_SELECT} ORDER BY t.created_at, t.rowid").fetchall()


def tip_by_id(conn: sqlite3.Connection, tip_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = select(conn, f"{_SELECT} WHERE t.id = ?", (tip_id,)).fetchone()
    return row


def tip_ids(conn: sqlite3.Connection) -> list[str]:
    return [row["id"] for row in select(conn, "SELECT id FROM tips")]


def ids_starting(conn: sqlite3.Connection, prefix: str) -> list[str]:
    """The ids whose hex digits (dashes left out, lower case) start with ``prefix``."""
    rows = select(
        conn,
        "SELECT id FROM tips WHERE substr(lower(replace(id, '-', '')), 1, ?) = ? ORDER BY id",
        (len(prefix), prefix),
    )
    return [row["id"] for row in rows]


def id_of_identity(conn: sqlite3.Connection, identity: str) -> str | None:
    row = select(conn, "SELECT id FROM tips WHERE identity = ?", (identity,)).fetchone()
    return None if row is None else str(row["id"])


def ids_by_identity(conn: sqlite3.Connection) -> dict[str, str]:
    return {row["identity"]: row["id"] for row in select(conn, "SELECT identity, id FROM tips")}


def insert_tip(
    conn: sqlite3.Connection,
    tip_id: str,
    *,
    text: str,
    identity: str,
    medication: str | None,
    side_effect: str | None,
    tags: Sequence[str],
    source: str,
    from_label: str | None,
    imported_at: datetime | None,
    created_at: datetime,
) -> None:
    conn.execute(
        "INSERT INTO tips (id, text, identity, medication, side_effect, tags, source,"
        " from_label, imported_at, worked, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        (
            tip_id,
            text,
            identity,
            medication,
            side_effect,
            json.dumps(list(tags), ensure_ascii=False),
            source,
            from_label,
            None if imported_at is None else to_utc_text(imported_at),
            to_utc_text(created_at),
        ),
    )


def set_worked(conn: sqlite3.Connection, tip_id: str, worked: bool) -> None:
    conn.execute("UPDATE tips SET worked = ? WHERE id = ?", (int(worked), tip_id))


def delete_tip(conn: sqlite3.Connection, tip_id: str, identity: str) -> None:
    """Delete the tip and the peer counts that belong to it."""
    conn.execute("DELETE FROM tip_bundle_worked WHERE identity = ?", (identity,))
    conn.execute("DELETE FROM tips WHERE id = ?", (tip_id,))


def bundle_imported(conn: sqlite3.Connection, fingerprint: str) -> sqlite3.Row | None:
    """The ``label`` and ``imported_at`` of the bundle imported with this fingerprint."""
    row: sqlite3.Row | None = select(
        conn, "SELECT label, imported_at FROM tip_bundles WHERE fingerprint = ?", (fingerprint,)
    ).fetchone()
    return row


def insert_bundle(
    conn: sqlite3.Connection, fingerprint: str, label: str, imported_at: datetime, tip_count: int
) -> None:
    conn.execute(
        "INSERT INTO tip_bundles (fingerprint, label, imported_at, tip_count) VALUES (?, ?, ?, ?)",
        (fingerprint, label, to_utc_text(imported_at), tip_count),
    )


def insert_worked(conn: sqlite3.Connection, fingerprint: str, identity: str) -> None:
    """Record that the bundle said the tip of this identity worked."""
    conn.execute(
        "INSERT INTO tip_bundle_worked (fingerprint, identity) VALUES (?, ?)",
        (fingerprint, identity),
    )
