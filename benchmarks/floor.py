"""What SQLite alone takes to build the journal an import of ``SOURCE``'s export builds.

    python benchmarks/floor.py SOURCE TARGET

Makes a new journal at ``TARGET`` and copies ``SOURCE``'s medications, schedule versions
and records into it by SQL alone, in one transaction, as ``import`` into an empty journal
writes them: in ``SOURCE``'s rowid order, the records without their plain indexes, which
are built afterwards, and their day counts added at once. No file is read and no value is
checked. Its time, next to the import's in the same run, is the part of the import that is
SQLite's own work.

``SOURCE`` is best the journal that import made: its rows are in the order of the export
file (records by time), the order the import writes them in. A journal that holds each
medication's records together instead (as the benchmark builds them) is copied quicker,
its indexes sorted from runs already in order.
"""

from __future__ import annotations

import os
import sqlite3
import sys

from adherelog.storage import portability
from adherelog.storage.new_journal import STATEMENTS

TABLES = ("meds", "schedules", "records")


def build(source: str, target: str) -> None:
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        for statement in STATEMENTS:
            conn.execute(statement)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("ATTACH DATABASE ? AS source", (f"file:{source}?mode=ro",))
        conn.execute("BEGIN IMMEDIATE")
        with (
            portability.roomy_cache(conn),
            portability.day_counts_at_the_end(conn),
            portability.indexes_built_after(conn, "records"),
        ):
            for table in TABLES:
                columns = ", ".join(
                    f'"{row[1]}"' for row in conn.execute(f'PRAGMA main.table_info("{table}")')
                )
                conn.execute(
                    f'INSERT INTO main."{table}" ({columns})'
                    f' SELECT {columns} FROM source."{table}" ORDER BY rowid'
                )
        conn.execute("COMMIT")
    finally:
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 3 or os.path.lexists(sys.argv[2]):
        raise SystemExit("usage: floor.py SOURCE TARGET (TARGET must not exist)")
    build(sys.argv[1], sys.argv[2])
