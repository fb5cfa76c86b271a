"""Whether the streak state kept in ``streak_cache`` is current: the one question every
write asks before it commits, kept apart from the summary queries so that ``take`` and
``skip`` load nothing more (see :mod:`adherelog.storage.summary`)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

# Days before today's UTC date that are over in every zone: the streak state is kept at the
# last of them, the settled day.
SETTLED_LAG = 2


def settled_day(now: datetime) -> int:
    """The date ordinal of the settled day at ``now``: every day up to it is over
    everywhere, so only a backdated change can still change it."""
    return now.astimezone(UTC).date().toordinal() - SETTLED_LAG


def streak_state_current(conn: sqlite3.Connection, now: datetime) -> bool:
    """True when the streak state of all medications together is kept at (or after) the
    settled day at ``now``."""
    row = conn.execute("SELECT through FROM streak_cache WHERE scope = '*'").fetchone()
    return row is not None and int(row[0]) >= settled_day(now)
