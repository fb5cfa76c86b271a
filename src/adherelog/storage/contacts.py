"""The last contact with each buddy (SPEC §12): the one query ``due`` needs, kept apart
from :mod:`adherelog.storage.buddies` so that ``due`` loads nothing more."""

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
