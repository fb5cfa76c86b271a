"""Writing a checked copy of a backup over the open journal with SQLite's backup API.

The copy goes through SQLite's own write transaction on the journal (its write lock, its
log): a process killed half-way leaves the journal as it was, and a process that has the
journal open meanwhile sees the old journal or the restored one, never half of each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def hold(conn: sqlite3.Connection) -> None:
    """Keep the journal locked from its next transaction until ``conn`` closes (SQLite's
    exclusive locking mode): no other process writes or reads it meanwhile, so what is kept
    and what is replaced are the same journal."""
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")


def copy_into(source: Path, journal: sqlite3.Connection) -> None:
    """Replace the whole content of ``journal`` (outside any transaction) with the
    database file ``source``. SQLite's errors are raised as they are."""
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None)
    try:
        copy.backup(journal, pages=-1)
    finally:
        copy.close()
