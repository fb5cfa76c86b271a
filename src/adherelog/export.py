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

import contextlib
import functools
import json
import math
import operator
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from adherelog.clock import local_iso
from adherelog.errors import AdherelogError
from adherelog.model import Table
from adherelog.outfile import private_temp
from adherelog.storage import keys as stored_keys
from adherelog.storage import portability as stored
from adherelog.storage import records as stored_records
from adherelog.text import is_forbidden_char

if TYPE_CHECKING:
    from adherelog.session import Session

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


def _escaped(line: str) -> str:
    """A line beyond ASCII with its control and invisible characters written as escapes."""
    return "".join(json.dumps(c)[1:-1] if is_forbidden_char(c) else c for c in line)


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
        return _escaped(text)

    return line


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_ROW_BREAK = "}, {"
_LINE_BREAK = ",\n    "


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
            return _LINE_BREAK.join(line(row) for row in rows)
        return text[1:-1].replace(_ROW_BREAK, "},\n    {")

    return lines


# Values whose JSON SQLite must write exactly as Python does before it is left to write
# rows: every ASCII character, characters some encoders escape, numbers at the edges.
_PROBE: tuple[object, ...] = (
    "".join(map(chr, range(128)))
    + "\x80\x85\xa0\xad\xe9\u0300\u2028\u2029\u200b\u202e\u2060\ufeff\uffff"
    + "\U0001f48a\U000f0000\U0010ffff",
    "",
    None,
    0,
    -1,
    2**63 - 1,
    -(2**63),
    1.0,
    -3.0,
    0.5,
    -0.015625,
    2.25,
    1048575.984375,
    -1048575.0,
)


def _sqlite_writes_as_python(conn: sqlite3.Connection) -> bool:
    """True when this SQLite writes the JSON of text, integers, NULL and plain reals (see
    :func:`adherelog.storage.portability.exported_json`) as :func:`_value` does."""
    try:
        written = stored.json_cells(conn, _PROBE)
    except sqlite3.Error:
        return False
    return written == ",".join(map(_value, _PROBE))


def _cells_writer(table: Table) -> Callable[[list[tuple[str | None, int]]], str | None]:
    """The rows of a batch of :func:`~adherelog.storage.portability.exported_json` as the
    lines :func:`_row_writer` writes (before any escapes), joined as by
    :func:`_batch_writer`; None when a row's cells are missing or a text holds a comma
    (which would look like the break between two cells).

    The cells of all rows are joined by commas and split at every comma; the pieces are
    then the cells themselves only when there are as many as the batch has cells, and go
    between the keys and line breaks."""
    names = table.names
    first = "{" + json.dumps(names[0]) + ": "
    breaks = [", " + json.dumps(n) + ": " for n in names[1:]] + ["}" + _LINE_BREAK + first]
    made: dict[int, list[str]] = {}

    def lines(batch: list[tuple[str | None, int]]) -> str | None:
        try:
            cells = ",".join(map(_FIRST, batch)).split(",")
        except TypeError:  # a row SQLite left to Python
            return None
        if len(cells) != len(batch) * len(names):
            return None
        parts = made.get(len(batch))
        if parts is None:
            # first, cell, break, cell, break, ..., cell, "}": the cells at the odd places,
            # all of them replaced by each batch of this size
            parts = [first]
            for piece in [*(breaks * len(batch))[:-1], "}"]:
                parts += ["", piece]
            made[len(batch)] = parts
        parts[1::2] = cells
        return "".join(parts)

    return lines


_FIRST = operator.itemgetter(0)


_NOT_PRINTABLE_ASCII = re.compile("[^\n -~]")


def _readable(text: str) -> str:
    """Lines as :func:`_row_writer` gives them: those beyond ASCII with their control and
    invisible characters as escapes (a line of ASCII keeps a DEL as it is)."""
    if text.isascii():
        return text
    found = set(_NOT_PRINTABLE_ASCII.findall(text))
    escapes = {c: json.dumps(c)[1:-1] for c in found if is_forbidden_char(c)}
    if not escapes:
        return text
    table = str.maketrans(escapes)
    return "\n".join(line if line.isascii() else line.translate(table) for line in text.split("\n"))


def _table_lines(
    conn: sqlite3.Connection, table: Table, *, fast: bool
) -> Iterator[tuple[int, Callable[[], str]]]:
    """The rows of ``table`` in batches of :data:`BATCH`, each read, as its number of rows
    and what writes its lines (called once the line break before them is written, so that
    an export that fails midway has written what it always has).

    With ``fast``, SQLite writes the JSON of the cells (:func:`_cells_writer`); a batch it
    cannot write as Python would is read again by rowid and written by
    :func:`_batch_writer`. On an error (a blob, a text that is not UTF-8, or a table
    without rowid) the rest of the table is read again from the start of that batch and
    written by :func:`_batch_writer`, which tells what is wrong as it always has; so is
    all of a table whose columns hide its rowid."""
    lines = _batch_writer(table)
    done = 0
    written = None
    if fast:
        with contextlib.suppress(sqlite3.Error):
            written = stored.exported_json(conn, table)
    if written is not None:
        cells = _cells_writer(table)
        try:
            while batch := written.fetchmany(BATCH):
                text = cells(batch)
                if text is None:
                    rows = stored.rows_by_rowid(conn, table, [row[1] for row in batch])
                    yield len(batch), functools.partial(lines, rows)
                else:
                    yield len(batch), functools.partial(_readable, text)
                done += len(batch)
            return
        except sqlite3.Error:
            pass  # read again below, from the start of the batch
    cursor = stored.exported_rows(conn, table)
    for _ in range(done // BATCH):
        cursor.fetchmany(BATCH)
    if done % BATCH:
        cursor.fetchmany(done % BATCH)
    while batch := cursor.fetchmany(BATCH):
        yield len(batch), functools.partial(lines, batch)


def write_json(journal: Session, out: TextIO, progress: Progress | None = None) -> None:
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
        if stored_keys.load(conn) is not None:
            from adherelog import identity  # signing code, only for a journal with keys

            keys = identity.exported(conn)
            if keys is not None:
                header[KEYS] = keys
        out.write("{\n")
        for key, value in header.items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        fast = _sqlite_writes_as_python(conn)
        done = 0
        for index, table in enumerate(tables):
            out.write(f"  {json.dumps(table.name)}: [")
            separator = "\n    "
            for count, text in _table_lines(conn, table, fast=fast):
                out.write(separator)
                out.write(text())
                separator = _LINE_BREAK
                tell_progress(progress, done, done + count, total)
                done += count
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


def write_csv(journal: Session, out: TextIO, progress: Progress | None = None) -> None:
    """Doses and skips, oldest first, one per row with the columns of :data:`CSV_COLUMNS`
    (the JSON record fields of SPEC §5)."""
    import csv

    from adherelog import jsonshape

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


Exporter = Callable[["Session", TextIO, "Progress | None"], None]
EXPORTERS: dict[str, Exporter] = {"json": write_json, "csv": write_csv}
"""``export --format`` choices: format name → writer of the whole document."""


def export_file(
    journal: Session,
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
