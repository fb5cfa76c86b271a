"""``export``: the whole journal as a versioned JSON document, or its doses and skips as
CSV (SPEC §8).

The JSON export holds the tables of what a person recorded (:data:`EXPORTED_TABLES`), each
read column by column from the schema, so columns added by later migrations travel without
changes here; the undo log and the tables derived from the others are left out (a test
checks that every table is one or the other). The format is documented in
``docs/journal-format.md``. Rows are streamed from one read transaction to the file, so
memory does not grow with the journal. Nothing here prints.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sqlite3
from collections.abc import Callable
from json.encoder import encode_basestring
from pathlib import Path
from typing import TextIO

from adherelog import identity, jsonshape
from adherelog.clock import local_iso
from adherelog.errors import AdherelogError
from adherelog.journal import Journal
from adherelog.model import Table
from adherelog.outfile import private_temp
from adherelog.storage import portability as stored
from adherelog.storage import records as stored_records
from adherelog.text import is_forbidden_char

FORMAT = "adherelog-journal"
VERSION = 1
HEADER_KEYS = ("format", "version", "schema", "exported_at")
KEYS = "keys"
"""The journal's keys (SPEC §11), after the header of a journal that has them."""
# The tables an export holds, parents before children. Everything a person recorded.
EXPORTED_TABLES = (
    "meds",
    "schedules",
    "records",
    "refills",
    "tips",
    "tip_bundles",
    "tip_bundle_worked",
    "tip_peers",
    "tip_ratings",
    "tip_digests",
    "tip_group_counts",
    "buddies",
    "buddy_cards",
    "buddy_contacts",
    "goals",
)
# The journal's own bookkeeping: the undo log (meaningful only where it was written) and
# tables derived from the exported ones, which the journal's triggers keep up to date as
# rows are imported.
DERIVED_TABLES = frozenset(
    {"undo_log", "day_counts", "streak_cache", "exact_ranges", "zone_offsets"}
)
# What stays with this journal file: the keys (a full export carries them under
# :data:`KEYS`, not as a table) and the reminders' channels (their URLs hold secrets) and
# what they sent.
LOCAL_TABLES = frozenset({"journal_keys", "remind_config", "notifications"})
PROGRESS_EVERY = 500
BATCH = 2000
"""Rows read and written at once."""

Progress = Callable[[int, int], None]
"""Called now and then with (rows done, rows in all) during a long export or import."""


def tell_progress(
    progress: Progress | None, before: int, after: int, total: int, offset: int = 0
) -> None:
    """Call ``progress`` at each multiple of :data:`PROGRESS_EVERY` rows passed between
    ``before`` and ``after`` (counted from ``offset``), as if told row by row."""
    if progress:
        for mark in range(before // PROGRESS_EVERY + 1, after // PROGRESS_EVERY + 1):
            progress(offset + mark * PROGRESS_EVERY, total)


def journal_tables(conn: sqlite3.Connection) -> list[Table]:
    """The tables an export holds that this journal's schema has, in the order of
    :data:`EXPORTED_TABLES` (parents before children), with their columns as the schema
    declares them."""
    return stored.tables(conn, EXPORTED_TABLES)


def unclassified_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables of the schema that are neither exported nor known to be derived: a new table
    must be added to one of the two lists (a test checks it)."""
    names = stored.table_sql(conn)
    virtual = [n for n, sql in names.items() if sql.upper().startswith("CREATE VIRTUAL")]
    return {
        name
        for name in names
        if name not in EXPORTED_TABLES
        and name not in DERIVED_TABLES
        and name not in LOCAL_TABLES
        and not name.startswith("sqlite_")
        and name not in virtual
        and not any(name.startswith(v + "_") for v in virtual)
    }


# --------------------------------------------------------------------------- JSON


def _value(value: object) -> str:
    """One cell as JSON, as ``json.dumps(value, ensure_ascii=False)`` writes it."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return str(encode_basestring(value))
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _row_writer(table: Table) -> Callable[[tuple[object, ...]], str]:
    """One row of ``table`` as compact JSON on one line, readable UTF-8, except that control
    and invisible characters are written as escapes (the same data, harmless on a
    terminal); binary cells are refused."""
    prefixes = [("{" if i == 0 else ", ") + json.dumps(n) + ": " for i, n in enumerate(table.names)]
    pairs = list(zip(prefixes, table.names, strict=True))

    def line(row: tuple[object, ...]) -> str:
        parts = []
        for (prefix, name), value in zip(pairs, row, strict=True):
            if isinstance(value, bytes):
                raise AdherelogError(
                    f"The journal holds binary data in {table.name}.{name}, "
                    "which an export cannot carry."
                )
            parts.append(prefix)
            parts.append(_value(value))
        parts.append("}")
        text = "".join(parts)
        if text.isascii():
            return text
        return "".join(json.dumps(c)[1:-1] if is_forbidden_char(c) else c for c in text)

    return line


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_ROW_BREAK = "}, {"


def _batch_writer(table: Table) -> Callable[[list[tuple[object, ...]]], str]:
    """Many rows of ``table`` as the lines :func:`_row_writer` writes, joined by ``,`` and
    a line break: encoded all at once by the C encoder, row by row when a text holds what
    would look like the break between two rows or a character beyond ASCII (which a line
    may need escaped), or a cell cannot be written."""
    names = table.names
    line = _row_writer(table)

    def lines(rows: list[tuple[object, ...]]) -> str:
        try:
            text = _ENCODER.encode([dict(zip(names, row, strict=True)) for row in rows])
        except (TypeError, ValueError):
            text = ""
        if not text or not text.isascii() or text.count(_ROW_BREAK) != len(rows) - 1:
            return ",\n    ".join(line(row) for row in rows)
        return text[1:-1].replace(_ROW_BREAK, "},\n    {")

    return lines


def write_json(journal: Journal, out: TextIO, progress: Progress | None = None) -> None:
    """The whole journal as a version 1 export document: the header, then each table as a
    list of row objects, one row per line."""
    conn = journal.conn
    with stored.read_snapshot(conn):
        tables = journal_tables(conn)
        total = sum(stored.count_rows(conn, t) for t in tables) if progress else 0
        header = {
            "format": FORMAT,
            "version": VERSION,
            "schema": journal.store.schema_version(),
            "exported_at": local_iso(journal.now, journal.zone),
        }
        keys = identity.exported(conn)
        if keys is not None:
            header[KEYS] = keys
        out.write("{\n")
        for key, value in header.items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        done = 0
        for index, table in enumerate(tables):
            out.write(f"  {json.dumps(table.name)}: [")
            lines = _batch_writer(table)
            cursor = stored.exported_rows(conn, table)
            separator = "\n    "
            while batch := cursor.fetchmany(BATCH):
                out.write(separator)
                out.write(lines(batch))
                separator = ",\n    "
                tell_progress(progress, done, done + len(batch), total)
                done += len(batch)
            out.write("]" if separator == "\n    " else "\n  ]")
            out.write(",\n" if index + 1 < len(tables) else "\n")
        out.write("}\n")
        if progress:
            progress(done, total)


# --------------------------------------------------------------------------- CSV

BOM = "\ufeff"  # so spreadsheet programs read the CSV as UTF-8 (SPEC §8 "Spreadsheets")
CSV_COLUMNS = ("id", "kind", "med", "at", "scheduled_for", "late_minutes", "amount", "note")
# A spreadsheet reads a cell that starts with one of these as a formula (or splits it).
_FORMULA_START = frozenset("=+-@\t\r\n")


def csv_cell(value: object) -> object:
    """A value ready for a CSV cell: numbers stay numbers; text that a spreadsheet would
    read as a formula gets a leading apostrophe; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text and text[0] in _FORMULA_START:
        return "'" + text
    return text


def write_csv(journal: Journal, out: TextIO, progress: Progress | None = None) -> None:
    """Doses and skips, oldest first, one per row with the columns of :data:`CSV_COLUMNS`
    (the JSON record fields of SPEC §5)."""
    conn = journal.conn
    with stored.read_snapshot(conn):
        total = stored.count_doses_and_skips(conn) if progress else 0
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        done = 0
        for record in stored_records.doses_and_skips(conn):
            data = jsonshape.record(record)
            writer.writerow([csv_cell(data.get(column)) for column in CSV_COLUMNS])
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if progress:
            progress(done, total)


Exporter = Callable[[Journal, TextIO, "Progress | None"], None]
EXPORTERS: dict[str, Exporter] = {"json": write_json, "csv": write_csv}
"""``export --format`` choices: format name → writer of the whole document."""


def export_file(
    journal: Journal,
    fmt: str,
    path: Path,
    *,
    force: bool,
    journal_file: Path | None,
    progress: Progress | None = None,
    bom: bool = False,
) -> None:
    """Write an export in ``fmt`` to ``path`` (after a UTF-8 byte-order mark with ``bom``)
    under the ``-o`` rules (SPEC §8; never onto ``journal_file`` or its files), streaming it
    through a private temporary file that is renamed into place once complete."""
    with private_temp(path, force=force, journal=journal_file) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if bom:
                handle.write(BOM)
            EXPORTERS[fmt](journal, handle, progress)
            handle.flush()
            os.fsync(handle.fileno())
