"""The ``buddies``, ``buddy_cards``, ``buddy_contacts`` and ``goals`` tables (SPEC §12)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adherelog.clock import from_utc_text, to_utc_text
from adherelog.storage.rows import select
from adherelog.valueclass import dataclass


@dataclass(frozen=True)
class BuddyRow:
    id: str
    name: str
    contributor: str
    reply_to: str | None
    every: int
    send_via: str | None
    last_contact: datetime | None
    last_card: datetime | None


@dataclass(frozen=True)
class CardRow:
    serial: int
    period_from: str
    period_to: str
    adherence: float | None
    current_streak: int | None
    document: str
    received_at: datetime


@dataclass(frozen=True)
class GoalRow:
    id: int
    text: str
    med_id: str | None
    target: int | None
    created_at: datetime
    done_at: datetime | None


_BUDDY = (
    "SELECT b.id, b.name, b.contributor, b.reply_to, b.every, b.send_via,"
    " (SELECT max(c.at) FROM buddy_contacts c WHERE c.buddy_id = b.id) AS last_contact,"
    " (SELECT max(k.received_at) FROM buddy_cards k WHERE k.buddy_id = b.id) AS last_card"
    " FROM buddies b"
)


def _when(value: str | None) -> datetime | None:
    return None if value is None else from_utc_text(value)


def _buddy(row: sqlite3.Row) -> BuddyRow:
    return BuddyRow(
        id=row["id"],
        name=row["name"],
        contributor=row["contributor"],
        reply_to=row["reply_to"],
        every=int(row["every"]),
        send_via=row["send_via"],
        last_contact=_when(row["last_contact"]),
        last_card=_when(row["last_card"]),
    )


def all_buddies(conn: sqlite3.Connection) -> list[BuddyRow]:
    """Every buddy, by name."""
    return [_buddy(r) for r in select(conn, f"{_BUDDY} ORDER BY b.name_key")]


def by_name(conn: sqlite3.Connection, name_key: str) -> BuddyRow | None:
    row = select(conn, f"{_BUDDY} WHERE b.name_key = ?", (name_key,)).fetchone()
    return None if row is None else _buddy(row)


def by_contributor(conn: sqlite3.Connection, contributor: str) -> BuddyRow | None:
    row = select(conn, f"{_BUDDY} WHERE b.contributor = ?", (contributor,)).fetchone()
    return None if row is None else _buddy(row)


def insert_buddy(
    conn: sqlite3.Connection,
    buddy_id: str,
    *,
    name: str,
    name_key: str,
    contributor: str,
    reply_to: str | None,
    created_at: datetime,
) -> None:
    conn.execute(
        "INSERT INTO buddies (id, name, name_key, contributor, reply_to, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (buddy_id, name, name_key, contributor, reply_to, to_utc_text(created_at)),
    )


def update_key(
    conn: sqlite3.Connection, buddy_id: str, *, contributor: str, reply_to: str | None
) -> None:
    conn.execute(
        "UPDATE buddies SET contributor = ?, reply_to = ? WHERE id = ?",
        (contributor, reply_to, buddy_id),
    )


def update_settings(
    conn: sqlite3.Connection, buddy_id: str, *, every: int, send_via: str | None
) -> None:
    conn.execute(
        "UPDATE buddies SET every = ?, send_via = ? WHERE id = ?", (every, send_via, buddy_id)
    )


def delete_buddy(conn: sqlite3.Connection, buddy_id: str) -> None:
    conn.execute("DELETE FROM buddy_contacts WHERE buddy_id = ?", (buddy_id,))
    conn.execute("DELETE FROM buddy_cards WHERE buddy_id = ?", (buddy_id,))
    conn.execute("DELETE FROM buddies WHERE id = ?", (buddy_id,))


def highest_serial(conn: sqlite3.Connection, buddy_id: str, contributor: str) -> int | None:
    row = conn.execute(
        "SELECT max(serial) FROM buddy_cards WHERE buddy_id = ? AND contributor = ?",
        (buddy_id, contributor),
    ).fetchone()
    return None if row[0] is None else int(row[0])


def insert_card(
    conn: sqlite3.Connection,
    card_id: str,
    *,
    buddy_id: str,
    contributor: str,
    serial: int,
    period_from: str,
    period_to: str,
    adherence: float | None,
    current_streak: int | None,
    document: str,
    received_at: datetime,
) -> None:
    conn.execute(
        "INSERT INTO buddy_cards (id, buddy_id, contributor, serial, period_from, period_to,"
        " adherence, current_streak, document, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            card_id,
            buddy_id,
            contributor,
            serial,
            period_from,
            period_to,
            adherence,
            current_streak,
            document,
            to_utc_text(received_at),
        ),
    )


def cards(conn: sqlite3.Connection, buddy_id: str) -> list[CardRow]:
    """The cards kept from a buddy, oldest period first."""
    rows = select(
        conn,
        "SELECT serial, period_from, period_to, adherence, current_streak, document,"
        " received_at FROM buddy_cards WHERE buddy_id = ?"
        " ORDER BY period_to, received_at, serial",
        (buddy_id,),
    )
    return [
        CardRow(
            serial=int(r["serial"]),
            period_from=r["period_from"],
            period_to=r["period_to"],
            adherence=r["adherence"],
            current_streak=r["current_streak"],
            document=r["document"],
            received_at=from_utc_text(r["received_at"]),
        )
        for r in rows
    ]


def latest_card(conn: sqlite3.Connection, buddy_id: str) -> CardRow | None:
    found = cards(conn, buddy_id)
    return found[-1] if found else None


def insert_contact(
    conn: sqlite3.Connection,
    contact_id: str,
    *,
    buddy_id: str,
    kind: str,
    at: datetime,
    zone: str,
    note: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO buddy_contacts (id, buddy_id, kind, at, zone, note) VALUES (?, ?, ?, ?, ?, ?)",
        (contact_id, buddy_id, kind, to_utc_text(at), zone, note),
    )


# ------------------------------------------------------------------------------ goals


def _goal(row: sqlite3.Row) -> GoalRow:
    return GoalRow(
        id=int(row["id"]),
        text=row["text"],
        med_id=row["med_id"],
        target=row["target"],
        created_at=from_utc_text(row["created_at"]),
        done_at=_when(row["done_at"]),
    )


def all_goals(conn: sqlite3.Connection) -> list[GoalRow]:
    rows = select(
        conn, "SELECT id, text, med_id, target, created_at, done_at FROM goals ORDER BY id"
    )
    return [_goal(r) for r in rows]


def goal(conn: sqlite3.Connection, goal_id: int) -> GoalRow | None:
    row = select(
        conn,
        "SELECT id, text, med_id, target, created_at, done_at FROM goals WHERE id = ?",
        (goal_id,),
    ).fetchone()
    return None if row is None else _goal(row)


def insert_goal(
    conn: sqlite3.Connection,
    *,
    text: str,
    med_id: str | None,
    target: int | None,
    created_at: datetime,
) -> int:
    cursor = conn.execute(
        "INSERT INTO goals (text, med_id, target, created_at) VALUES (?, ?, ?, ?)",
        (text, med_id, target, to_utc_text(created_at)),
    )
    return int(cursor.lastrowid or 0)


def mark_done(conn: sqlite3.Connection, goal_id: int, at: datetime) -> None:
    conn.execute("UPDATE goals SET done_at = ? WHERE id = ?", (to_utc_text(at), goal_id))


def delete_goal(conn: sqlite3.Connection, goal_id: int) -> None:
    conn.execute("DELETE FROM goals WHERE id = ?", (goal_id,))
