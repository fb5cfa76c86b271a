"""The ``journal_keys`` table: the journal's signing key, age identity and last serial."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adherelog.clock import to_utc_text
from adherelog.valueclass import dataclass


@dataclass(frozen=True)
class KeyRow:
    signing_key: bytes
    age_identity: str
    serial: int


def load(conn: sqlite3.Connection) -> KeyRow | None:
    """The journal's keys, or None before the first time they were needed."""
    row = conn.execute(
        "SELECT signing_key, age_identity, serial FROM journal_keys WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    return KeyRow(bytes(row[0]), str(row[1]), int(row[2]))


def store(
    conn: sqlite3.Connection, signing_key: bytes, age_identity: str, *, created_at: datetime
) -> None:
    """Keep new keys, replacing any held before; the serial carries on (SPEC §11)."""
    conn.execute(
        "INSERT INTO journal_keys (id, signing_key, age_identity, serial, created_at)"
        " VALUES (1, ?, ?, 0, ?) ON CONFLICT (id) DO UPDATE SET"
        " signing_key = excluded.signing_key, age_identity = excluded.age_identity,"
        " created_at = excluded.created_at",
        (signing_key, age_identity, to_utc_text(created_at)),
    )


def next_serial(conn: sqlite3.Connection) -> int:
    """Use up and return the next serial number (inside the write transaction)."""
    conn.execute("UPDATE journal_keys SET serial = serial + 1 WHERE id = 1")
    return int(conn.execute("SELECT serial FROM journal_keys WHERE id = 1").fetchone()[0])


def raise_serial(conn: sqlite3.Connection, at_least: int) -> None:
    """Make the last serial at least ``at_least`` (a moved journal's keys carry their serial)."""
    conn.execute("UPDATE journal_keys SET serial = max(serial, ?) WHERE id = 1", (at_least,))
