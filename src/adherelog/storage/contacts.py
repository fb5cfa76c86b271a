"""The last contact with each buddy (SPEC §12): the queries ``due`` and a reminder pass
need, kept apart from :mod:`adherelog.storage.buddies` so that they load nothing more."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adherelog.clock import from_utc_text


def last_contacts(conn: sqlite3.Connection) -> list[tuple[str, int, datetime | None]]:
    """(name, every, last contact) of every buddy, by name."""
    rows = conn.execute(
        "SELECT b.name, b.every,"
        " (SELECT max(c.at) FROM buddy_contacts c WHERE c.buddy_id = b.id)"
        " FROM buddies b ORDER BY b.name_key"
    ).fetchall()
    return [(str(r[0]), int(r[1]), None if r[2] is None else from_utc_text(r[2])) for r in rows]


class ReminderBuddy:
    """A buddy as a reminder pass needs them: the nudge and the weekly card (SPEC §13).
    (A plain class: a dataclass costs a reminder pass start-up time.)"""

    __slots__ = ("every", "id", "last_card_sent", "last_contact", "name", "send_via")

    def __init__(
        self,
        id: str,
        name: str,
        every: int,
        send_via: str | None,
        last_contact: datetime | None,
        last_card_sent: datetime | None,
    ) -> None:
        self.id, self.name, self.every, self.send_via = id, name, every, send_via
        self.last_contact, self.last_card_sent = last_contact, last_card_sent


def for_reminders(conn: sqlite3.Connection) -> list[ReminderBuddy]:
    """Every buddy with their last contact and the last card sent to them, by name."""
    rows = conn.execute(
        "SELECT b.id, b.name, b.every, b.send_via,"
        " (SELECT max(c.at) FROM buddy_contacts c WHERE c.buddy_id = b.id),"
        " (SELECT max(c.at) FROM buddy_contacts c"
        "  WHERE c.buddy_id = b.id AND c.kind = 'card_sent')"
        " FROM buddies b ORDER BY b.name_key"
    ).fetchall()
    return [
        ReminderBuddy(
            str(r[0]),
            str(r[1]),
            int(r[2]),
            None if r[3] is None else str(r[3]),
            None if r[4] is None else from_utc_text(r[4]),
            None if r[5] is None else from_utc_text(r[5]),
        )
        for r in rows
    ]


def record_card_sent(
    conn: sqlite3.Connection, contact_id: str, buddy_id: str, at: str, zone: str
) -> None:
    """A card sent to a buddy counts as contact; nothing when the buddy is gone by now."""
    conn.execute(
        "INSERT INTO buddy_contacts (id, buddy_id, kind, at, zone)"
        " SELECT ?, id, 'card_sent', ?, ? FROM buddies WHERE id = ?",
        (contact_id, at, zone, buddy_id),
    )
