"""The whole journal as a file (SPEC §8): the versioned JSON export, its import, and the CSV
of doses and skips.

The export holds the tables of what a person recorded (:data:`EXPORTED_TABLES`), each read
column by column from the schema, so columns added by later migrations travel without
changes here; the undo log and the tables derived from the others are left out (a test
checks that every table is one or the other). The format is documented in
``docs/journal-format.md``.

An imported file is treated as possibly damaged or written by an older adherelog. It is
checked strictly (:func:`read_export`), loaded into an in-memory journal at the file's own
schema version, brought up to date by the same migrations a journal file gets, and only
then merged, by primary key, in one write transaction: all or nothing. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from adherelog import jsonshape, strictjson
from adherelog.clock import RANGE_TEXT, from_utc_text, local_iso, storable
from adherelog.errors import AdherelogError, ConflictError, InvalidFileError, NewerJournalError
from adherelog.journal import Journal
from adherelog.migrations import MIGRATIONS, SCHEMA_VERSION
from adherelog.model import WEEKDAYS
from adherelog.outfile import private_temp
from adherelog.storage import meds as stored_meds
from adherelog.storage import records as stored_records
from adherelog.strictjson import Constant, JsonObject, shown_key
from adherelog.text import describe_char, forbidden_char, is_forbidden_char, name_key, printable

FORMAT = "adherelog-journal"
VERSION = 1
MAX_BYTES = 256 * 1024 * 1024
HEADER_KEYS = ("format", "version", "schema", "exported_at")
# The tables an export holds, parents before children. Everything a person recorded.
EXPORTED_TABLES = (
    "meds",
    "schedules",
    "records",
    "refills",
    "tips",
    "tip_bundles",
    "tip_bundle_worked",
)
# The journal's own bookkeeping: the undo log (meaningful only where it was written) and
# tables derived from the exported ones, which the journal's triggers keep up to date as
# rows are imported.
DERIVED_TABLES = frozenset({"undo_log", "day_counts", "streak_cache", "exact_ranges"})
ROW_ORDER = {
    "meds": "name_key, id",
    "schedules": "med_id, start_at, id",
    "records": "at, id",
    "refills": "at, id",
}
MAX_TEXT = 100_000
_MAX_INT_DIGITS = 20
_INT64 = 2**63
_PROGRESS_EVERY = 500

Progress = Callable[[int, int], None]
"""Called now and then with (rows done, rows in all) during a long export or import."""


# --------------------------------------------------------------------------- the schema


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "text", "integer", "real" or "any" (SQLite affinity of the declared type)
    not_null: bool
    has_default: bool
    pk: int

    @property
    def required(self) -> bool:
        return self.not_null and not self.has_default and self.pk == 0


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the primary key, or every column when there is none
    parents: tuple[tuple[str, str, str], ...]  # (column, parent table, parent column)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _affinity(declared: str) -> str:
    """The SQLite type affinity of a declared column type (sqlite.org/datatype3.html)."""
    upper = declared.upper()
    if "INT" in upper:
        return "integer"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "any"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def journal_tables(conn: sqlite3.Connection) -> list[Table]:
    """The tables an export holds that this journal's schema has, in the order of
    :data:`EXPORTED_TABLES` (parents before children), with their columns as the schema
    declares them."""
    present = {
        str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    tables: list[Table] = []
    for name in EXPORTED_TABLES:
        if name not in present:
            continue
        info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
        columns = tuple(
            Column(
                name=str(c[1]),
                kind=_affinity(str(c[2] or "")),
                not_null=bool(c[3]),
                has_default=c[4] is not None,
                pk=int(c[5]),
            )
            for c in info
        )
        pks = sorted((c for c in columns if c.pk), key=lambda c: c.pk)
        key = tuple(c.name for c in pks) or tuple(c.name for c in columns)
        fks = conn.execute(f"PRAGMA foreign_key_list({_quote(name)})").fetchall()
        parents = tuple((str(f[3]), str(f[2]), str(f[4] or "id")) for f in fks)
        tables.append(Table(name, columns, key, parents))
    return tables


def unclassified_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables of the schema that are neither exported nor known to be derived: a new table
    must be added to one of the two lists (a test checks it)."""
    rows = conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type='table'")
    names = {str(name): str(sql) for name, sql in rows}
    virtual = [n for n, sql in names.items() if sql.upper().startswith("CREATE VIRTUAL")]
    return {
        name
        for name in names
        if name not in EXPORTED_TABLES
        and name not in DERIVED_TABLES
        and not name.startswith("sqlite_")
        and name not in virtual
        and not any(name.startswith(v + "_") for v in virtual)
    }


# --------------------------------------------------------------------------- exporting


@contextlib.contextmanager
def _read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Hold one read transaction, so every table is read at the same moment even while
    another process writes."""
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield
    finally:
        conn.execute("ROLLBACK")


def _select(table: Table) -> str:
    order = ROW_ORDER.get(table.name) or ", ".join(_quote(k) for k in table.key)
    columns = ", ".join(_quote(n) for n in table.names)
    return f"SELECT {columns} FROM {_quote(table.name)} ORDER BY {order}"


def _total_rows(conn: sqlite3.Connection, tables: Sequence[Table]) -> int:
    return sum(
        int(conn.execute(f"SELECT count(*) FROM {_quote(t.name)}").fetchone()[0]) for t in tables
    )


def _json_value(value: object, table: str, column: str) -> object:
    if isinstance(value, bytes):
        raise AdherelogError(
            f"The journal holds binary data in {table}.{column}, which an export cannot carry."
        )
    return value


def _json_line(item: dict[str, object]) -> str:
    """One row as compact JSON, readable UTF-8, except that control and invisible
    characters are written as escapes (the same data, harmless on a terminal)."""
    line = json.dumps(item, ensure_ascii=False, allow_nan=False)
    if line.isascii():
        return line
    return "".join(json.dumps(c)[1:-1] if is_forbidden_char(c) else c for c in line)


def write_json(journal: Journal, out: TextIO, progress: Progress | None = None) -> None:
    """The whole journal as a version 1 export document: the header, then each table as a
    list of row objects, one row per line."""
    conn = journal.conn
    with _read_snapshot(conn):
        tables = journal_tables(conn)
        total = _total_rows(conn, tables) if progress else 0
        header = {
            "format": FORMAT,
            "version": VERSION,
            "schema": journal.store.schema_version(),
            "exported_at": local_iso(journal.now, journal.zone),
        }
        out.write("{\n")
        for key, value in header.items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        done = 0
        for index, table in enumerate(tables):
            out.write(f"  {json.dumps(table.name)}: [")
            first = True
            names = table.names
            for row in conn.execute(_select(table)):
                item = {n: _json_value(v, table.name, n) for n, v in zip(names, row, strict=True)}
                out.write("\n    " if first else ",\n    ")
                out.write(_json_line(item))
                first = False
                done += 1
                if progress and done % _PROGRESS_EVERY == 0:
                    progress(done, total)
            out.write("]" if first else "\n  ]")
            out.write(",\n" if index + 1 < len(tables) else "\n")
        out.write("}\n")
        if progress:
            progress(done, total)


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
    with _read_snapshot(conn):
        kinds = "r.kind IN ('dose', 'skip')"
        total = (
            int(conn.execute(f"SELECT count(*) FROM records r WHERE {kinds}").fetchone()[0])
            if progress
            else 0
        )
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        done = 0
        for record in stored_records.doses_and_skips(conn):
            data = jsonshape.record(record)
            writer.writerow([csv_cell(data.get(column)) for column in CSV_COLUMNS])
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
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


# --------------------------------------------------------------------------- strict JSON


Rule = Callable[[Any], str | None]
"""Returns what is wrong with a stored value (a phrase after "must be"), or None."""

_UTC_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_CLOCK = re.compile(r"\d\d:\d\d")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Text made only of these needs no closer look for control or invisible characters.
_PLAIN = re.compile(r"[\x20-\x7e]*")
_PLAIN_LINES = re.compile(r"[\x20-\x7e\n]*")


def _bad_char(value: str, *, allow_newline: bool) -> str | None:
    """:func:`adherelog.text.forbidden_char`, with a quick pass for plain ASCII text."""
    if (_PLAIN_LINES if allow_newline else _PLAIN).fullmatch(value):
        return None
    return forbidden_char(value, allow_newline=allow_newline)


def _is_uuid(value: Any) -> str | None:
    ok = isinstance(value, str) and _UUID.fullmatch(value) is not None
    return None if ok else "a UUID in lower case, like 0b6c1f9e-1d0e-4c39-9f55-4f0cfb0e6a3d"


# Stored dates may lie a day beyond the supported range: see clock.storable.
_IN_RANGE = f"within the supported dates, {RANGE_TEXT}"


def _is_utc(value: Any) -> str | None:
    message = f"a UTC time like 2026-11-01T08:15:00Z {_IN_RANGE}"
    if not isinstance(value, str) or not _UTC_TEXT.fullmatch(value):
        return message
    try:
        ok = storable(from_utc_text(value).date())
    except ValueError:
        ok = False
    return None if ok else message


def _is_date(value: Any) -> str | None:
    try:
        day = date.fromisoformat(value)
        ok = day.isoformat() == value and storable(day)
    except (ValueError, TypeError):
        ok = False
    return None if ok else f"a date like 2026-11-01 {_IN_RANGE}"


def _is_zone(value: Any) -> str | None:
    ok = isinstance(value, str) and _known_zone(value)
    return None if ok else "an IANA time zone like Europe/London"


@lru_cache(maxsize=256)
def _known_zone(value: str) -> bool:
    if not value or value.startswith("/") or ".." in value:
        return False
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        return False
    return True


def _text_rule(max_len: int, *, allow_newline: bool, empty: bool = False) -> Rule:
    def rule(value: Any) -> str | None:
        message = f"a text of {0 if empty else 1} to {max_len} characters" + (
            "" if allow_newline else " on one line"
        )
        if not isinstance(value, str):
            return message
        cleaned = unicodedata.normalize("NFC", value.strip())
        if cleaned != value or len(value) > max_len or (not empty and not value):
            return message + ", without spaces at either end"
        if _bad_char(value, allow_newline=allow_newline) is not None:
            return message
        return None

    return rule


def _number_rule(low: float, *, above: bool) -> Rule:
    def rule(value: Any) -> str | None:
        wrong = isinstance(value, bool) or not isinstance(value, int | float)
        if wrong or (value <= low if above else value < low):
            return f"a number {'above' if above else 'of at least'} {low:g}"
        return None

    return rule


def _int_rule(low: int, high: int) -> Rule:
    def rule(value: Any) -> str | None:
        if type(value) is not int or not low <= value <= high:
            return f"a whole number from {low} to {high}"
        return None

    return rule


def _one_of(*choices: str) -> Rule:
    def rule(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(choices)

    return rule


def _flat_list(value: Any) -> list[Any] | None:
    """The JSON list of plain values held in a text cell (``times``, ``tags``), or None.

    Deeper nesting is refused before decoding: the format never needs it, and decoding
    a hostile cell nested thousands of levels deep would exhaust the stack."""
    if not isinstance(value, str) or strictjson.nesting(value) > 1:
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, list) else None


def _is_times(value: Any) -> str | None:
    message = 'a JSON list of times, like ["08:00", "20:00"]'
    times = _flat_list(value)
    if times is None:
        return message
    for item in times:
        if not isinstance(item, str) or not _CLOCK.fullmatch(item):
            return message
        try:
            time.fromisoformat(item)
        except ValueError:
            return message
    return None


def _is_weekdays(value: Any) -> str | None:
    message = "weekday names like mon,wed,fri"
    if not isinstance(value, str) or not value:
        return message
    return None if all(day in WEEKDAYS for day in value.split(",")) else message


def _is_tags(value: Any) -> str | None:
    message = 'a JSON list of tags, like ["food", "morning"]'
    tags = _flat_list(value)
    if tags is None or len(tags) > 10:
        return message
    label = _text_rule(32, allow_newline=False)
    return message if any(label(tag) for tag in tags) else None


def _is_digest(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None
    return None if ok else "a SHA-256 digest in lower-case hexadecimal"


_NAME = _text_rule(80, allow_newline=False)
_NOTE = _text_rule(2000, allow_newline=True)
RULES: dict[tuple[str, str], Rule] = {
    ("meds", "id"): _is_uuid,
    ("meds", "name"): _NAME,
    ("meds", "per_dose"): _number_rule(0, above=True),
    ("meds", "supply"): _number_rule(-1e12, above=False),
    ("meds", "note"): _NOTE,
    ("meds", "created_at"): _is_utc,
    ("schedules", "id"): _is_uuid,
    ("schedules", "med_id"): _is_uuid,
    ("schedules", "start_at"): _is_utc,
    ("schedules", "end_at"): _is_utc,
    ("schedules", "zone"): _is_zone,
    ("schedules", "times"): _is_times,
    ("schedules", "every"): _int_rule(1, 100_000),
    ("schedules", "anchor"): _is_date,
    ("schedules", "on_days"): _is_weekdays,
    ("schedules", "dose"): _NAME,
    ("schedules", "grace"): _int_rule(0, 720),
    ("schedules", "as_needed"): _int_rule(0, 1),
    ("schedules", "active"): _int_rule(0, 1),
    ("schedules", "created_at"): _is_utc,
    ("records", "id"): _is_uuid,
    ("records", "kind"): _one_of("dose", "skip", "effect"),
    ("records", "med_id"): _is_uuid,
    ("records", "at"): _is_utc,
    ("records", "zone"): _is_zone,
    ("records", "local_date"): _is_date,
    ("records", "slot_at"): _is_utc,
    ("records", "slot_zone"): _is_zone,
    ("records", "slot_date"): _is_date,
    ("records", "late_minutes"): _int_rule(-100_000, 10_000_000),
    ("records", "amount"): _number_rule(0, above=True),
    ("records", "note"): _NOTE,
    ("records", "effect"): _NAME,
    ("records", "severity"): _int_rule(1, 5),
    ("records", "created_at"): _is_utc,
    ("refills", "id"): _is_uuid,
    ("refills", "med_id"): _is_uuid,
    ("refills", "count"): _number_rule(0, above=True),
    ("refills", "at"): _is_utc,
    ("refills", "zone"): _is_zone,
    ("refills", "local_date"): _is_date,
    ("refills", "created_at"): _is_utc,
    ("tips", "id"): _is_uuid,
    ("tips", "text"): _text_rule(1000, allow_newline=True),
    ("tips", "identity"): _is_digest,
    ("tips", "medication"): _NAME,
    ("tips", "side_effect"): _NAME,
    ("tips", "tags"): _is_tags,
    ("tips", "source"): _one_of("mine", "peer"),
    ("tips", "from_label"): _NAME,
    ("tips", "imported_at"): _is_utc,
    ("tips", "worked"): _int_rule(0, 1),
    ("tips", "created_at"): _is_utc,
    ("tip_bundles", "fingerprint"): _is_digest,
    ("tip_bundles", "label"): _NAME,
    ("tip_bundles", "imported_at"): _is_utc,
    ("tip_bundles", "tip_count"): _int_rule(0, 100_000),
    ("tip_bundle_worked", "fingerprint"): _is_digest,
    ("tip_bundle_worked", "identity"): _is_digest,
}
"""What adherelog's own code expects of each known column, beyond its SQLite type."""


def _type_problem(column: Column, value: Any) -> str | None:
    """What is wrong with ``value`` for the column's type, or None."""
    nullable = "" if column.not_null else " or null"
    if value is None:
        return None if not column.not_null else "must not be null"
    if isinstance(value, Constant):
        return f"{value.name} is not allowed; JSON has no NaN or Infinity"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        kind = {"text": "a text", "integer": "a whole number", "real": "a number"}
        return f"must be {kind.get(column.kind, 'a text or a number')}{nullable}"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if column.kind == "text" and not isinstance(value, str):
        return f"must be a text{nullable}"
    if column.kind == "integer" and type(value) is not int:
        return f"must be a whole number{nullable}"
    if column.kind == "real" and isinstance(value, str):
        return f"must be a number{nullable}"
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        return "is too large"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"is {len(value)} characters long; the limit is {MAX_TEXT}"
        bad = _bad_char(value, allow_newline=True)
        if bad is not None:
            return f"contains {describe_char(bad)}"
    return None


def _row_rule_problem(table: str, row: dict[str, Any]) -> str | None:
    """Rules that tie several columns of a known table together."""
    if (
        table == "meds"
        and "name" in row
        and "name_key" in row
        and row["name_key"] != name_key(str(row["name"]))
    ):
        return "name_key must be the name in lower case with single spaces"
    if table == "records":
        kind = row.get("kind")
        if kind in ("dose", "skip") and row.get("med_id") is None:
            return f"a {kind} needs a med_id"
        if kind == "effect" and row.get("effect") is None:
            return "a side effect needs an effect name"
        slot = [row.get(c) is None for c in ("slot_at", "slot_zone", "slot_date")]
        if len(set(slot)) > 1:
            return "slot_at, slot_zone and slot_date must be given together or all be null"
        if kind == "skip" and row.get("slot_at") is None:
            return "a skip needs the slot it closes (slot_at)"
    if table == "tips" and isinstance(row.get("text"), str) and "identity" in row:
        from adherelog.tipfile import tip_identity

        medication, effect = row.get("medication"), row.get("side_effect")
        if row["identity"] != tip_identity(
            row["text"],
            medication if isinstance(medication, str) else None,
            effect if isinstance(effect, str) else None,
        ):
            return "identity does not match the tip's text, medication and side effect"
    if table == "schedules" and "times" in row and "as_needed" in row:
        times = _flat_list(row["times"]) or []
        if bool(row["as_needed"]) == bool(times):
            return "an as-needed schedule has no times and any other has at least one"
    return None


Check = Callable[[Any], "str | None"]


def _column_check(column: Column, rule: Rule | None) -> Check:
    """One column's check: the type (with a quick path for the common plain values), then
    the column's rule."""
    kind = column.kind
    plain = _PLAIN_LINES.fullmatch

    def check(value: Any) -> str | None:
        if value is None:
            return "must not be null" if column.not_null else None
        cls = type(value)
        quick = (
            (cls is str and kind == "text" and len(value) <= MAX_TEXT and plain(value))
            or (cls is int and kind == "integer" and -_INT64 <= value < _INT64)
            or (cls is float and kind == "real" and math.isfinite(value))
        )
        if not quick:
            problem = _type_problem(column, value)
            if problem is not None:
                return problem
        if rule is None:
            return None
        wrong = rule(value)
        return None if wrong is None else f"must be {wrong}"

    return check


def column_checks(table: Table) -> dict[str, Check]:
    """The checks of every column of ``table``, for :func:`row_problems`."""
    return {c.name: _column_check(c, RULES.get((table.name, c.name))) for c in table.columns}


def row_problems(
    table: Table, row: dict[str, Any], checks: dict[str, Check] | None = None
) -> Iterator[str]:
    """Everything wrong with one row of ``table``, as phrases naming the column
    (``checks``: :func:`column_checks` of the table, made once for many rows)."""
    if checks is None:
        checks = column_checks(table)
    for name, value in row.items():
        check = checks.get(name)
        problem = None if check is None else check(value)
        if problem is not None:
            yield f"{name}: {problem}"
    combined = _row_rule_problem(table.name, row)
    if combined is not None:
        yield combined


# --------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class Conflict:
    """A row of the file that was not imported; the journal's data was kept."""

    table: str
    id: str
    reason: str


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    already_held: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    dry_run: bool = False
    schema: int = SCHEMA_VERSION


@dataclass
class Staged:
    """A checked export, loaded into an in-memory journal brought to the current schema."""

    conn: sqlite3.Connection
    schema: int
    tables: list[Table]
    rows: int

    def close(self) -> None:
        self.conn.close()


def _check_header(doc: Any) -> int:
    if not isinstance(doc, dict):
        raise InvalidFileError("The file must hold a JSON object at the top level.")
    if isinstance(doc, JsonObject) and doc.duplicate is not None:
        raise InvalidFileError(
            f"The key {shown_key(doc.duplicate)} appears twice at the top level."
        )
    if doc.get("format") != FORMAT or not isinstance(doc.get("format"), str):
        raise InvalidFileError(f'format: must be "{FORMAT}"; this is not an adherelog export.')
    version = doc.get("version")
    if type(version) is not int:
        raise InvalidFileError(f"version: must be the integer {VERSION}.")
    if version != VERSION:
        raise InvalidFileError(
            f"version: {version} is not supported; this adherelog reads version {VERSION} only."
        )
    schema = doc.get("schema")
    if type(schema) is not int or schema < 1:
        raise InvalidFileError("schema: must be a whole number of at least 1.")
    if schema > SCHEMA_VERSION:
        raise NewerJournalError(
            f"The file was exported by a newer adherelog (schema {schema}; this one knows up to "
            f"{SCHEMA_VERSION}); upgrade adherelog to import it."
        )
    exported = doc.get("exported_at")
    if not isinstance(exported, str) or len(exported) > 64:
        raise InvalidFileError("exported_at: must be the date and time of the export.")
    return schema


def _new_staging(schema: int) -> sqlite3.Connection:
    import sqlite_utils  # only when a file is imported

    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = sqlite_utils.Database(conn)
    for number in range(schema):
        MIGRATIONS[number](db)
    # Only the exported tables are read back from here: the triggers that keep derived
    # tables would only slow the loading down.
    triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in triggers:
        conn.execute(f"DROP TRIGGER {_quote(str(name))}")
    return conn


def _upgrade_staging(conn: sqlite3.Connection, schema: int) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for number in range(schema, SCHEMA_VERSION):
        MIGRATIONS[number](db)


def _rowid_alias(conn: sqlite3.Connection, table: Table) -> str | None:
    """The column that is the table's rowid (an ``INTEGER PRIMARY KEY``), if any."""
    if len(table.key) != 1:
        return None
    info = conn.execute(f"PRAGMA table_info({_quote(table.name)})").fetchall()
    for column in info:
        if column[1] == table.key[0] and int(column[5]) == 1:
            return str(column[1]) if str(column[2]).upper() == "INTEGER" else None
    return None


def _constraint_reason(table: str, message: str) -> str:
    """A plain phrase for SQLite's message about a broken constraint."""
    if message.startswith("CHECK constraint failed"):
        return f"a value breaks a rule of the {table} table ({message.split(':')[-1].strip()})"
    if message.startswith("NOT NULL constraint failed"):
        return f"{message.split('.')[-1].strip()} must not be null"
    if "records.med_id" in message and "records.slot_at" in message:
        return "fills the same scheduled dose as another record"
    if f"{table}.id" in message or "PRIMARY KEY" in message:
        return "repeats the id of another row"
    if "meds.name_key" in message:
        return "repeats the name of another medication"
    if "schedules.med_id" in message:
        return "starts at the same moment as another schedule version of that medication"
    return "repeats a row that must be unique"


def _stage_rows(
    conn: sqlite3.Connection,
    table: Table,
    rows: Any,
    progress: Progress | None = None,
    before: int = 0,
    total: int = 0,
) -> int:
    if not isinstance(rows, list):
        raise InvalidFileError(f"{table.name}: must be a list of rows.")
    allowed = set(table.names)
    required = [c.name for c in table.columns if c.required or c.pk]
    alias = _rowid_alias(conn, table)
    statements: dict[tuple[tuple[str, ...], bool], str] = {}
    checks = column_checks(table)
    conn.execute("BEGIN")
    try:
        for index, row in enumerate(rows):
            where = f"{table.name}[{index}]"
            if not isinstance(row, dict):
                raise InvalidFileError(f"{where}: must be an object.")
            if isinstance(row, JsonObject) and row.duplicate is not None:
                raise InvalidFileError(
                    f"{where}: the key {shown_key(row.duplicate)} appears twice."
                )
            for key in row:
                if key not in allowed:
                    raise InvalidFileError(
                        f"{where}: the key {shown_key(key)} is not a column of {table.name}."
                    )
            for name in required:
                if name not in row:
                    raise InvalidFileError(f"{where}.{name}: is missing.")
                if row[name] is None:
                    raise InvalidFileError(f"{where}.{name}: must not be null.")
            for problem in row_problems(table, row, checks):
                raise InvalidFileError(f"{where}.{problem}.")
            # The rowid remembers the row's place in the file, for later messages.
            names = tuple(n for n in row if n != alias)
            values = [row[n] for n in names]
            placed = alias is None or alias not in row
            if placed:
                values.insert(0, index + 1)
            sql = statements.get((names, placed))
            if sql is None:
                columns = ["rowid"] * placed + [_quote(n) for n in names]
                sql = (
                    f"INSERT INTO {_quote(table.name)} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' * len(columns))})"
                )
                statements[(names, placed)] = sql
            if progress and (index + 1) % _PROGRESS_EVERY == 0:
                progress(before + index + 1, total)
            try:
                conn.execute(sql, values)
            except sqlite3.IntegrityError as exc:
                raise InvalidFileError(
                    f"{where}: {_constraint_reason(table.name, str(exc))}."
                ) from None
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(rows)


def read_export(data: bytes, progress: Progress | None = None) -> Staged:
    """Check an export file and load it into an in-memory journal at the current schema.

    Any problem raises :class:`InvalidFileError` (or :class:`NewerJournalError`) naming
    the first offending place, e.g. ``records[12].at``; no other exception escapes.
    ``progress`` counts rows to twice their number: the second half is :func:`merge`'s."""
    doc = _decode(data)
    schema = _check_header(doc)
    conn = _new_staging(schema)
    try:
        tables = journal_tables(conn)
        known = set(HEADER_KEYS) | {t.name for t in tables}
        for key in doc:
            if key not in known:
                raise InvalidFileError(
                    f"The key {shown_key(key)} is not allowed at the top level of a "
                    f"schema {schema} export."
                )
        for table in tables:
            if table.name not in doc:
                raise InvalidFileError(f"{table.name}: is missing; an export lists every table.")
        total = sum(len(v) for k, v in doc.items() if k not in HEADER_KEYS and isinstance(v, list))
        rows = 0
        for table in tables:
            rows += _stage_rows(conn, table, doc[table.name], progress, rows, 2 * total)
        _upgrade_staging(conn, schema)
        return Staged(conn, schema, journal_tables(conn), rows)
    except BaseException:
        conn.close()
        raise


def _missing_parents(
    staged: Staged, journal: sqlite3.Connection
) -> Iterator[tuple[str, str, object]]:
    """(place in the file, column, value) of each reference found neither in the file nor
    in the journal."""
    conn = staged.conn
    for table in staged.tables:
        for column, parent, parent_column in table.parents:
            query = (
                f"SELECT rowid, {_quote(column)} FROM {_quote(table.name)} "
                f"WHERE {_quote(column)} IS NOT NULL AND {_quote(column)} NOT IN "
                f"(SELECT {_quote(parent_column)} FROM {_quote(parent)}) ORDER BY rowid"
            )
            for rowid, value in conn.execute(query):
                try:
                    found = journal.execute(
                        f"SELECT 1 FROM {_quote(parent)} WHERE {_quote(parent_column)} = ?",
                        (value,),
                    ).fetchone()
                except sqlite3.OperationalError:
                    found = None
                if found is None:
                    yield f"{table.name}[{int(rowid) - 1}]", column, value


class _DryRun(Exception):
    """Rolls a dry run's transaction back."""


def _key_text(values: Sequence[object]) -> str:
    return str(values[0]) if len(values) == 1 else json.dumps(list(values), ensure_ascii=False)


def _merge_table(
    table: Table,
    staged: sqlite3.Connection,
    conn: sqlite3.Connection,
    result: ImportResult,
    tick: Callable[[], None],
) -> None:
    names = table.names
    columns = ", ".join(_quote(n) for n in names)
    key_index = [names.index(k) for k in table.key]
    # Every column is the key of a table without a primary key, and may then be null.
    equal = "=" if table.key != names else "IS"
    match = " AND ".join(f"{_quote(k)} {equal} ?" for k in table.key)
    lookup = f"SELECT {columns} FROM {_quote(table.name)} WHERE {match}"
    insert = (
        f"INSERT OR IGNORE INTO {_quote(table.name)} ({columns}) VALUES "
        f"({', '.join('?' * len(names))})"
    )
    added = held = 0
    for row in staged.execute(f"SELECT {columns} FROM {_quote(table.name)} ORDER BY rowid"):
        key = [row[i] for i in key_index]
        existing = conn.execute(lookup, key).fetchone()
        if existing is not None:
            if tuple(existing) == tuple(row):
                held += 1
            else:
                result.conflicts.append(
                    Conflict(
                        table.name,
                        _key_text(key),
                        "differs from the journal's copy; the journal's was kept",
                    )
                )
        else:
            try:
                inserted = conn.execute(insert, row).rowcount
            except sqlite3.IntegrityError:
                result.conflicts.append(
                    Conflict(table.name, _key_text(key), "refers to a row that was not imported")
                )
            else:
                if inserted:
                    added += 1
                else:
                    reason = _collision_reason(table.name)
                    result.conflicts.append(Conflict(table.name, _key_text(key), reason))
        tick()
    result.added[table.name] = added
    result.already_held[table.name] = held


def _collision_reason(table: str) -> str:
    if table == "records":
        return "fills a scheduled dose the journal already has a record for; the journal's was kept"
    if table == "tips":
        return "the journal already holds the same tip under another id; the journal's was kept"
    if table == "schedules":
        return (
            "the journal has another schedule version of that medication starting at the same "
            "moment; the journal's was kept"
        )
    return "collides with a row the journal already has; the journal's was kept"


def _check_names(staged: Staged, conn: sqlite3.Connection) -> None:
    """A medication of the file that the journal holds under another id would become a
    second medication with the same name: refused, naming it."""
    if not any(t.name == "meds" for t in staged.tables):
        return
    for med_id, name in staged.conn.execute("SELECT id, name FROM meds ORDER BY rowid"):
        held = stored_meds.find_med(conn, str(name))
        if held is not None and held.id != med_id:
            raise ConflictError(
                f"The file's medication '{printable(str(name))}' is a different medication from "
                f"the journal's '{printable(held.name)}' (another id); nothing was imported. "
                "Rename or remove one of them and import again."
            )


def _refresh_derived(conn: sqlite3.Connection, staged: Staged) -> None:
    """Bring the summary tables up to date for the medications the file touched.

    The journal's triggers keep the day counts as rows arrive, but a record imported after
    the schedule version that covers it cannot mark the range that version may have left
    without matching slots (the triggers only see records already there when a version is
    written). This marks it by the rule the ``m003_day_counts`` migration uses for existing
    journals: records made before a later schedule version, in its span."""
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"exact_ranges", "streak_cache"} <= tables:
        return
    med_ids = sorted(
        {
            str(row[0])
            for row in staged.conn.execute(
                "SELECT med_id FROM records WHERE med_id IS NOT NULL"
                " UNION SELECT med_id FROM schedules"
            )
        }
    )
    for med_id in med_ids:
        conn.execute(
            "INSERT INTO exact_ranges (med_id, from_at, to_at)"
            " SELECT s.med_id, s.start_at, (SELECT max(r.slot_at) FROM records r"
            " WHERE r.med_id = s.med_id AND r.slot_at >= s.start_at"
            " AND r.created_at <= s.created_at) AS last_at"
            " FROM schedules s WHERE s.med_id = ? AND last_at IS NOT NULL AND s.start_at >"
            " (SELECT min(f.start_at) FROM schedules f WHERE f.med_id = s.med_id)"
            " AND NOT EXISTS (SELECT 1 FROM exact_ranges e WHERE e.med_id = s.med_id"
            " AND e.from_at <= s.start_at AND e.to_at >= last_at)",
            (med_id,),
        )
        conn.execute("DELETE FROM streak_cache WHERE scope IN (?, '*')", (med_id,))


def merge(
    journal: Journal, staged: Staged, *, dry_run: bool, progress: Progress | None = None
) -> ImportResult:
    """Merge a staged export into the journal in one transaction: rows whose key the
    journal lacks are added, identical rows are already held, and rows that differ or
    collide with a unique rule are reported as conflicts (the journal's data is kept).
    A dry run does the same work and rolls it back. Imported rows are not in the undo log."""
    result = ImportResult(dry_run=dry_run, schema=staged.schema)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and done % _PROGRESS_EVERY == 0:
            progress(staged.rows + done, 2 * staged.rows)

    try:
        with journal.store.write() as conn:
            for where, column, value in _missing_parents(staged, conn):
                raise InvalidFileError(
                    f"{where}.{column}: refers to '{printable(str(value))}', which is neither "
                    "in the file nor in the journal."
                )
            _check_names(staged, conn)
            journal_names = {t.name for t in journal_tables(conn)}
            for table in staged.tables:
                if table.name in journal_names:
                    _merge_table(table, staged.conn, conn, result, tick)
            if result.added.get("records") or result.added.get("schedules"):
                _refresh_derived(conn, staged)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if progress:
        progress(2 * staged.rows, 2 * staged.rows)
    return result


def import_journal(
    journal: Journal, data: bytes, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """``import``: check ``data`` (an export) and merge it into the journal, all or nothing."""
    staged = read_export(data, progress)
    try:
        return merge(journal, staged, dry_run=dry_run, progress=progress)
    finally:
        staged.close()


def read_input(path: str, stdin: Any = None) -> bytes:
    """The bytes of an import file (``-`` for standard input), refusing more than
    :data:`MAX_BYTES` before reading it all."""
    import sys

    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data: bytes = stream.read(MAX_BYTES + 1)
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise AdherelogError(f"No file named {printable(path)}.") from None
        except IsADirectoryError:
            raise AdherelogError(f"{printable(path)} is a folder, not an export file.") from None
        except OSError as exc:
            raise AdherelogError(
                f"Cannot read {printable(path)} ({exc.strerror or 'error'})."
            ) from None
    if len(data) > MAX_BYTES:
        raise InvalidFileError(
            f"The file is larger than {MAX_BYTES} bytes (256 MiB), the limit for an export."
        )
    return data


def _decode(data: bytes) -> Any:
    return strictjson.loads(
        data, what="a journal export", max_bytes=MAX_BYTES, max_int_digits=_MAX_INT_DIGITS
    )
