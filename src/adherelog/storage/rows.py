"""Rows addressed by column name: every query module selects through :func:`select`."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def select(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
    """``sql`` run on ``conn``, its rows :class:`sqlite3.Row` (``row["name"]``)."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, tuple(params))
