"""What ``check`` reads of a journal file as it stands: SQLite's own checks, the tables and
their sizes, rows that point nowhere and slots filled twice.

Each function runs one query on a connection the caller opened (see
:func:`adherelog.storage.reading_file`); what counts as a problem, and how it is told, is
:mod:`adherelog.maintenance`'s. The names of tables read here are the journal's own, taken
from ``sqlite_master``, and are quoted as identifiers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from adherelog.storage.rows import select


class ForeignKeyFault(NamedTuple):
    """A row of ``PRAGMA foreign_key_check``: ``table`` row ``rowid`` has no ``parent`` row."""

    table: str
    rowid: str
    parent: str


class UndoRef(NamedTuple):
    seq: str
    ref_id: str


class FilledSlot(NamedTuple):
    med_id: str
    slot_at: str
    times: int


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def application_id(conn: sqlite3.Connection) -> int:
    return int(select(conn, "PRAGMA application_id").fetchone()["application_id"])


def schema_version(conn: sqlite3.Connection) -> int:
    return int(select(conn, "PRAGMA user_version").fetchone()["user_version"])


def begin_read(conn: sqlite3.Connection) -> None:
    """Start one read transaction on ``conn`` (opened with ``isolation_level=None``): every
    query after it sees one snapshot while others write. Closing the connection ends it."""
    conn.execute("BEGIN")


def integrity_check(
    conn: sqlite3.Connection, *, table: str | None = None, limit: int | None = None
) -> Iterator[str]:
    """The lines of ``PRAGMA integrity_check``, of the whole file or of one ``table`` (with
    its indexes), at most ``limit`` of them; ``["ok"]`` when it passes. Read as they come, so
    the lines before a read error are seen."""
    if table is not None:
        sql = f"PRAGMA integrity_check({_quoted(table)})"
    elif limit is not None:
        sql = f"PRAGMA integrity_check({int(limit)})"
    else:
        sql = "PRAGMA integrity_check"
    for row in select(conn, sql):
        yield str(row["integrity_check"])


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Every table of the file, SQLite's own included, by name."""
    rows = select(conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [str(row["name"]) for row in rows]


def row_count(conn: sqlite3.Connection, table: str) -> int:
    return int(select(conn, f"SELECT count(*) AS n FROM {_quoted(table)}").fetchone()["n"])


def foreign_key_faults(conn: sqlite3.Connection) -> list[ForeignKeyFault]:
    rows = select(conn, "PRAGMA foreign_key_check")
    return [
        ForeignKeyFault(str(row["table"]), str(row["rowid"]), str(row["parent"])) for row in rows
    ]


def _ids(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [str(row["id"]) for row in select(conn, sql)]


def doses_without_med(conn: sqlite3.Connection) -> list[str]:
    """The ids of doses and skips that name no medication."""
    return _ids(conn, "SELECT id FROM records WHERE kind IN ('dose', 'skip') AND med_id IS NULL")


def records_of_missing_meds(conn: sqlite3.Connection) -> list[str]:
    return _ids(
        conn,
        "SELECT id FROM records WHERE med_id IS NOT NULL AND med_id NOT IN (SELECT id FROM meds)",
    )


def schedules_of_missing_meds(conn: sqlite3.Connection) -> list[str]:
    return _ids(conn, "SELECT id FROM schedules WHERE med_id NOT IN (SELECT id FROM meds)")


def refills_of_missing_meds(conn: sqlite3.Connection) -> list[str]:
    return _ids(conn, "SELECT id FROM refills WHERE med_id NOT IN (SELECT id FROM meds)")


def meds_without_schedule(conn: sqlite3.Connection) -> list[str]:
    return _ids(conn, "SELECT id FROM meds WHERE id NOT IN (SELECT med_id FROM schedules)")


def undo_entries_missing_target(conn: sqlite3.Connection, kind: str, table: str) -> list[UndoRef]:
    """The undo-log entries of ``kind`` whose row is not in ``table`` any more, oldest first."""
    rows = select(
        conn,
        f"SELECT seq, ref_id FROM undo_log WHERE kind = ? AND ref_id NOT IN"
        f" (SELECT id FROM {_quoted(table)}) ORDER BY seq",
        (kind,),
    )
    return [UndoRef(str(row["seq"]), str(row["ref_id"])) for row in rows]


def undo_entries_of_missing_meds(conn: sqlite3.Connection) -> list[str]:
    """The ``seq`` of the undo-log entries naming a medication that does not exist."""
    rows = select(
        conn,
        "SELECT seq FROM undo_log WHERE med_id IS NOT NULL"
        " AND med_id NOT IN (SELECT id FROM meds) ORDER BY seq",
    )
    return [str(row["seq"]) for row in rows]


def slots_filled_twice(conn: sqlite3.Connection) -> list[FilledSlot]:
    """Each (medication, slot) that more than one record fills, with how many do."""
    rows = select(
        conn,
        "SELECT med_id, slot_at, count(*) AS n FROM records WHERE slot_at IS NOT NULL"
        " GROUP BY med_id, slot_at HAVING count(*) > 1",
    )
    return [FilledSlot(str(row["med_id"]), str(row["slot_at"]), int(row["n"])) for row in rows]


def table_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str]
) -> Iterator[dict[str, object]]:
    """Every row of ``table``, as its ``columns`` by name, read as they come."""
    names = ", ".join(_quoted(name) for name in columns)
    for row in select(conn, f"SELECT {names} FROM {_quoted(table)}"):
        yield dict(zip(columns, tuple(row), strict=True))
