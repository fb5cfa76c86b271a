"""``import``: check a journal export and merge it into the journal by key (SPEC §8).

An imported file is treated as possibly damaged or written by an older adherelog. It is
checked strictly (:func:`read_export`: every column against :mod:`adherelog.rules`), loaded
into an in-memory journal at the file's own schema version, brought up to date by the same
migrations a journal file gets, and only then merged (:func:`merge`), by primary key, in
one write transaction: all or nothing. Rows go in by batches (``executemany``) and are
looked up by batches of keys, so the same file imported twice changes nothing and costs
little. Nothing here prints.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from adherelog import identity, rules, strictjson
from adherelog.errors import AdherelogError, ConflictError, InvalidFileError, NewerJournalError
from adherelog.export import FORMAT, HEADER_KEYS, KEYS, VERSION, Progress, tell_progress
from adherelog.export import journal_tables as exported_tables
from adherelog.journal import Journal
from adherelog.migrations import SCHEMA_VERSION
from adherelog.model import Table
from adherelog.storage import meds as stored_meds
from adherelog.storage import portability as stored
from adherelog.storage import zones as stored_zones
from adherelog.storage.keys import KeyRow
from adherelog.strictjson import JsonObject, shown_key
from adherelog.text import printable
from adherelog.tipfile import tip_identity
from adherelog.valueclass import dataclass, field

MAX_BYTES = 256 * 1024 * 1024
"""The largest export file read."""
MAX_INT_DIGITS = 20
BATCH = 5000
"""Rows staged by one ``executemany``."""
CHUNK = 500
"""Staged rows compared with the journal's by one query."""


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
    keys: str | None = None  # what became of the file's keys: adopted, same or kept


@dataclass
class Staged:
    """A checked export, loaded into an in-memory journal brought to the current schema."""

    conn: sqlite3.Connection
    schema: int
    tables: list[Table]
    rows: int
    keys: KeyRow | None = None

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- checking


def row_problems(
    table: Table, row: dict[str, Any], checks: dict[str, rules.Check] | None = None
) -> Iterator[str]:
    """Everything wrong with one row of ``table``, as phrases naming the column: the
    :mod:`adherelog.rules`, and a tip's identity (``checks``: :func:`rules.column_checks`
    of the table, made once for many rows)."""
    yield from rules.row_problems(table, row, checks)
    if table.name == "tips" and isinstance(row.get("text"), str) and "identity" in row:
        medication, effect = row.get("medication"), row.get("side_effect")
        if row["identity"] != tip_identity(
            row["text"],
            medication if isinstance(medication, str) else None,
            effect if isinstance(effect, str) else None,
        ):
            yield "identity does not match the tip's text, medication and side effect"


def _decode(data: bytes) -> Any:
    return strictjson.loads(
        data, what="a journal export", max_bytes=MAX_BYTES, max_int_digits=MAX_INT_DIGITS
    )


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


# Checked row by row: a tip's identity is a digest of three of its columns.
_ONE_BY_ONE = frozenset({"tips"})


@dataclass(frozen=True)
class _Shape:
    """What the rows holding one list of keys, in one order, have in common."""

    names: tuple[str, ...]  # the columns given, less the rowid alias
    placed: bool  # the rowid is the row's place in the file
    sql: str
    complete: bool  # every required column is there


class _Stager:
    """Checks the rows of one table, one by one, and stages them by batches, so that the
    first problem found in file order is the one told."""

    def __init__(self, conn: sqlite3.Connection, table: Table) -> None:
        self.conn = conn
        self.table = table
        self.allowed = set(table.names)
        self.required = [c.name for c in table.columns if c.required or c.pk]
        self.checks = rules.column_checks(table)
        self.shapes: dict[tuple[str, ...], _Shape] = {}
        self.pending: list[list[Any]] = []
        self.pending_sql = ""
        self.first_index = 0

    def shape(self, row: dict[str, Any], where: str) -> _Shape:
        keys = tuple(row)
        known = self.shapes.get(keys)
        if known is not None:
            return known
        for key in keys:
            if key not in self.allowed:
                raise InvalidFileError(
                    f"{where}: the key {shown_key(key)} is not a column of {self.table.name}."
                )
        alias = self.table.rowid_alias
        names = tuple(n for n in keys if n != alias)
        placed = alias is None or alias not in row
        sql = stored.insert_statement(self.table, names, with_rowid=placed)
        complete = all(name in row for name in self.required)
        made = _Shape(names, placed, sql, complete)
        self.shapes[keys] = made
        return made

    def problem(self, index: int, row: Any) -> tuple[str, _Shape | None]:
        """What is wrong with the row at ``index`` (empty when nothing), and its shape."""
        where = f"{self.table.name}[{index}]"
        if not isinstance(row, dict):
            return f"{where}: must be an object.", None
        if isinstance(row, JsonObject) and row.duplicate is not None:
            return f"{where}: the key {shown_key(row.duplicate)} appears twice.", None
        try:
            shape = self.shape(row, where)
        except InvalidFileError as exc:
            return str(exc), None
        for name in self.required:
            if name not in row:
                return f"{where}.{name}: is missing.", None
            if row[name] is None:
                return f"{where}.{name}: must not be null.", None
        for problem in row_problems(self.table, row, self.checks):
            return f"{where}.{problem}.", None
        return "", shape

    def stage_batch(self, start: int, batch: list[Any]) -> bool:
        """Check and stage ``batch`` (rows ``start`` on) column by column, when every row
        is an object with the same keys, in the same order, and every value passes; False
        (and nothing staged) when a row needs a closer look, one by one."""
        if self.table.name in _ONE_BY_ONE or not all(type(row) is JsonObject for row in batch):
            return False
        if any(row.duplicate is not None for row in batch):
            return False
        keys = set(map(tuple, batch))
        if len(keys) != 1:
            return False
        try:
            shape = self.shape(batch[0], f"{self.table.name}[{start}]")
        except InvalidFileError:
            return False
        if not shape.complete:
            return False
        columns = {c.name: c for c in self.table.columns}
        values: dict[str, list[Any]] = {}
        for name in next(iter(keys)):
            values[name] = [row[name] for row in batch]
            if name in self.required and None in values[name]:
                return False
            rule = rules.RULES.get((self.table.name, name))
            if not rules.all_pass(columns[name], self.checks[name], rule, values[name]):
                return False
        row_rule = rules.ROW_RULES.get(self.table.name)
        whole = self.table.name == "records" and rules.records_all_pass(values)
        if row_rule is not None and not whole and any(map(row_rule, batch)):
            return False
        cells = [values[name] for name in shape.names]
        if shape.placed:
            cells.insert(0, list(range(start + 1, start + len(batch) + 1)))
        try:
            stored.stage_rows(self.conn, shape.sql, list(zip(*cells, strict=True)))
        except sqlite3.IntegrityError:
            return False
        return True

    def add(self, index: int, row: dict[str, Any], shape: _Shape) -> None:
        if shape.sql != self.pending_sql or len(self.pending) >= BATCH:
            self.flush()
            self.pending_sql = shape.sql
            self.first_index = index
        values = [row[n] for n in shape.names]
        if shape.placed:
            # The rowid remembers the row's place in the file, for later messages.
            values.insert(0, index + 1)
        self.pending.append(values)

    def flush(self) -> None:
        """Stage the pending rows; a broken constraint is told for the first row that
        breaks it."""
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        try:
            stored.stage_rows(self.conn, self.pending_sql, rows)
        except sqlite3.IntegrityError:
            for offset, values in enumerate(rows):
                try:
                    stored.stage_rows(self.conn, self.pending_sql, [values])
                except sqlite3.IntegrityError as exc:
                    where = f"{self.table.name}[{self.first_index + offset}]"
                    reason = _constraint_reason(self.table.name, str(exc))
                    raise InvalidFileError(f"{where}: {reason}.") from None
            raise  # the batch failed as a whole but no row alone: not expected


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
    batches = ((start, rows[start : start + BATCH]) for start in range(0, len(rows), BATCH))
    return _stage_batches(conn, table, batches, progress, before, total)


def _stage_batches(
    conn: sqlite3.Connection,
    table: Table,
    batches: Iterable[tuple[int, list[Any]]],
    progress: Progress | None,
    before: int,
    total: int,
) -> int:
    """Check and stage the rows of ``table``, given as (index of the first, rows) batches
    in file order; the number of rows staged."""
    stager = _Stager(conn, table)
    staged = 0
    conn.execute("BEGIN")
    try:
        for start, batch in batches:
            staged = start + len(batch)
            if not stager.stage_batch(start, batch):
                for index, row in enumerate(batch, start):
                    problem, shape = stager.problem(index, row)
                    if shape is None:
                        stager.flush()  # a row before this one may break a constraint
                        raise InvalidFileError(problem)
                    stager.add(index, row, shape)
                stager.flush()
            tell_progress(progress, start, start + len(batch), total, before)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return staged


def read_export(data: bytes, progress: Progress | None = None) -> Staged:
    """Check an export file and load it into an in-memory journal at the current schema.

    Any problem raises :class:`InvalidFileError` (or :class:`NewerJournalError`) naming
    the first offending place, e.g. ``records[12].at``; no other exception escapes.
    ``progress`` counts rows to twice their number: the second half is :func:`merge`'s."""
    doc = _decode(data)
    schema = _check_header(doc)
    conn = stored.new_staging(schema)
    try:
        tables = exported_tables(conn)
        known = {*HEADER_KEYS, KEYS} | {t.name for t in tables}
        for key in doc:
            if key not in known:
                raise InvalidFileError(
                    f"The key {shown_key(key)} is not allowed at the top level of a "
                    f"schema {schema} export."
                )
        for table in tables:
            if table.name not in doc:
                raise InvalidFileError(f"{table.name}: is missing; an export lists every table.")
        keys = identity.read_exported(doc[KEYS]) if KEYS in doc else None
        total = sum(len(v) for k, v in doc.items() if k not in HEADER_KEYS and isinstance(v, list))
        rows = 0
        for table in tables:
            rows += _stage_rows(conn, table, doc[table.name], progress, rows, 2 * total)
            doc[table.name] = None  # its rows are staged: let them go
        stored.upgrade_staging(conn, schema)
        return Staged(conn, schema, exported_tables(conn), rows, keys)
    except BaseException:
        conn.close()
        raise


# --------------------------------------------------------------------------- streaming

MAX_STREAMED_BYTES = 4 * 1024 * 1024 * 1024
"""The largest export file read line by line (its rows never all in memory at once)."""
_TOP_LINE = re.compile(r'  ("[^"\\\x00-\x1f]*"): (.*)\n\Z', re.DOTALL)
_HEADER = frozenset({*HEADER_KEYS, KEYS})
_CLOSE = {b"  ]\n": False, b"  ],\n": True}  # the end of a table, and whether more follows


class _Unusual(Exception):
    """The file is not laid out line by line as ``export`` writes it, or something in it is
    wrong: it is read whole by the strict parser instead, which tells what."""


def read_export_file(path: str, progress: Progress | None = None) -> Staged | None:
    """:func:`read_export` of the file at ``path`` without holding it, or its rows, in
    memory: the file is read line by line, as ``export`` writes it (one object; the header
    keys one per line; each table a list of rows, one row per line), every value decoded
    by the same strict decoder, the rows checked and staged by batches into a journal on
    disk. None when that is not possible, for any reason at all (another layout, a
    problem anywhere in the file, a file that cannot be opened here): the caller then
    reads the file whole with :func:`read_export`, which tells the first problem in
    exactly its words, so this reader never tells one of its own."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  (closed below)
    except OSError:
        return None
    with handle:
        found = os.fstat(handle.fileno())
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_STREAMED_BYTES:
            return None  # a device or a pipe is read (and bounded) by the whole reader
        try:
            return _streamed(handle, _count_lines(handle), progress)
        except (_Unusual, AdherelogError):
            return None


def _count_lines(handle: Any) -> int:
    """The lines of the file (rows, and a few more): a progress total known up front."""
    lines = 0
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
    handle.seek(0)
    return lines


def _text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unusual from None


def _value(decoder: json.JSONDecoder, text: str) -> Any:
    try:
        return decoder.decode(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise _Unusual from None


def _row_batches(
    lines: Iterator[bytes], decoder: json.JSONDecoder, more: list[bool]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of one table, as (index of the first, rows) batches, from the lines after
    its opening ``[`` to its closing ``]`` (whether a comma follows it goes to ``more``).
    Each line holds one row and a comma, the last row none: the lines joined are the text
    of the list itself, decoded by batches."""
    start = 0
    pending: list[str] = []
    comma = True

    def decoded() -> list[Any]:
        rows = _value(decoder, "[" + ",".join(pending) + "]")
        if not isinstance(rows, list) or len(rows) != len(pending):
            raise _Unusual  # a row over several lines
        return rows

    for line in lines:
        if line.startswith(b"    {") and line.endswith(b"\n"):
            if not comma:
                raise _Unusual
            text = _text(line)[4:-1]
            comma = text.endswith(",")
            pending.append(text[:-1] if comma else text)
            if len(pending) == BATCH:
                yield start, decoded()
                start += len(pending)
                pending = []
        elif line in _CLOSE:
            if comma and (pending or start):
                raise _Unusual  # a comma after the last row
            if pending:
                yield start, decoded()
            more.append(_CLOSE[line])
            return
        else:
            raise _Unusual
    raise _Unusual  # the file ends inside the list


def _streamed(handle: Any, lines_in_file: int, progress: Progress | None) -> Staged:
    decoder = strictjson.decoder(MAX_INT_DIGITS)
    lines = iter(handle)
    first = next(lines, b"")
    if first.startswith(strictjson.BOM):
        first = first[len(strictjson.BOM) :]
    if first != b"{\n":
        raise _Unusual
    header: dict[str, Any] = {}
    conn: sqlite3.Connection | None = None
    tables: list[Table] = []
    keys: KeyRow | None = None
    schema = position = rows = 0
    total = 2 * lines_in_file
    more, ended = True, False
    try:
        for line in lines:
            if line in (b"}\n", b"}"):
                ended = True
                break
            if not more:
                raise _Unusual  # no comma after the value before
            match = _TOP_LINE.match(_text(line))
            if match is None:
                raise _Unusual
            key, text = _value(decoder, match[1]), match[2]
            more = text.endswith(",")
            text = text[:-1] if more else text
            if key in header or any(t.name == key for t in tables[:position]):
                raise _Unusual
            if key in _HEADER:
                if conn is not None:
                    raise _Unusual  # a header key after the tables began
                header[key] = _value(decoder, text)
                continue
            if conn is None:
                schema = _check_header(header)
                conn = stored.new_staging(schema, on_disk=True)
                tables = exported_tables(conn)
                keys = identity.read_exported(header[KEYS]) if KEYS in header else None
            if position >= len(tables) or tables[position].name != key:
                raise _Unusual
            table = tables[position]
            position += 1
            if text == "[":
                closed: list[bool] = []
                batches = _row_batches(lines, decoder, closed)
                rows += _stage_batches(conn, table, batches, progress, rows, total)
                more = closed[0]
            elif _value(decoder, text) != []:
                raise _Unusual
        if not ended or more or conn is None or position != len(tables):
            raise _Unusual
        if any(line.strip() for line in lines):
            raise _Unusual
        stored.upgrade_staging(conn, schema)
        return Staged(conn, schema, exported_tables(conn), rows, keys)
    except BaseException:
        if conn is not None:
            conn.close()
        raise


# --------------------------------------------------------------------------- merging


def _missing_parents(
    staged: Staged, journal: sqlite3.Connection
) -> Iterator[tuple[str, str, object]]:
    """(place in the file, column, value) of each reference found neither in the file nor
    in the journal."""
    for table in staged.tables:
        for column, parent, parent_column in table.parents:
            for rowid, value in stored.unknown_references(
                staged.conn, table, column, parent, parent_column
            ):
                if not stored.has_row(journal, parent, parent_column, value):
                    yield f"{table.name}[{rowid - 1}]", column, value


class _DryRun(Exception):
    """Rolls a dry run's transaction back."""


def _key_text(values: Sequence[object]) -> str:
    return str(values[0]) if len(values) == 1 else json.dumps(list(values), ensure_ascii=False)


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


_DIFFERS = "differs from the journal's copy; the journal's was kept"


class _TableMerge:
    """The merge of one table's staged rows, counted as it goes."""

    def __init__(self, table: Table, conn: sqlite3.Connection, result: ImportResult) -> None:
        self.table = table
        self.merger = stored.Merger(conn, table)
        self.key_index = [table.names.index(k) for k in table.key]
        self.result = result
        self.added = self.held = 0
        # Keys are unique in the file, so a table empty before the merge holds none of them.
        self.was_empty = self.merger.is_empty()

    def key(self, row: Sequence[object]) -> list[object]:
        return [row[i] for i in self.key_index]

    def conflict(self, row: Sequence[object], reason: str) -> Conflict:
        return Conflict(self.table.name, _key_text(self.key(row)), reason)

    def chunk(self, rows: Sequence[tuple[object, ...]]) -> None:
        """Merge ``rows``: all at once when none of them collides with a unique rule or
        refers to a row the journal lacks, else one by one."""
        if self.merger.by_one_key and self._at_once(rows):
            return
        for row in rows:
            self.one(row)

    def _at_once(self, rows: Sequence[tuple[object, ...]]) -> bool:
        index = self.key_index[0]
        held = {} if self.was_empty else self.merger.held([row[index] for row in rows])
        fresh: list[tuple[object, ...]] = []
        conflicts: list[Conflict] = []
        same = 0
        for row in rows:
            found = held.get(row[index])
            if found is None:
                fresh.append(row)
            elif found == tuple(row):
                same += 1
            else:
                conflicts.append(self.conflict(row, _DIFFERS))
        if fresh and not self.merger.insert_all(fresh, len(fresh)):
            return False
        self.added += len(fresh)
        self.held += same
        self.result.conflicts.extend(conflicts)
        return True

    def one(self, row: tuple[object, ...]) -> None:
        existing = self.merger.held_one(self.key(row))
        if existing is not None:
            if existing == tuple(row):
                self.held += 1
            else:
                self.result.conflicts.append(self.conflict(row, _DIFFERS))
            return
        try:
            inserted = self.merger.insert_one(row)
        except sqlite3.IntegrityError:
            self.result.conflicts.append(
                self.conflict(row, "refers to a row that was not imported")
            )
            return
        if inserted:
            self.added += 1
        else:
            self.result.conflicts.append(self.conflict(row, _collision_reason(self.table.name)))


def _merge_table(
    table: Table,
    staged: sqlite3.Connection,
    conn: sqlite3.Connection,
    result: ImportResult,
    tick: Callable[[int], None],
) -> None:
    merging = _TableMerge(table, conn, result)
    cursor = stored.staged_rows(staged, table)
    while rows := cursor.fetchmany(CHUNK):
        merging.chunk(rows)
        tick(len(rows))
    result.added[table.name] = merging.added
    result.already_held[table.name] = merging.held


def _check_names(staged: Staged, conn: sqlite3.Connection) -> None:
    """A medication of the file that the journal holds under another id would become a
    second medication with the same name: refused, naming it."""
    if not any(t.name == "meds" for t in staged.tables):
        return
    for med_id, name in stored.staged_med_names(staged.conn):
        held = stored_meds.find_med(conn, name)
        if held is not None and held.id != med_id:
            raise ConflictError(
                f"The file's medication '{printable(name)}' is a different medication from "
                f"the journal's '{printable(held.name)}' (another id); nothing was imported. "
                "Rename or remove one of them and import again."
            )


def merge(
    journal: Journal, staged: Staged, *, dry_run: bool, progress: Progress | None = None
) -> ImportResult:
    """Merge a staged export into the journal in one transaction: rows whose key the
    journal lacks are added, identical rows are already held, and rows that differ or
    collide with a unique rule are reported as conflicts (the journal's data is kept).
    A dry run does the same work and rolls it back. Imported rows are not in the undo log."""
    result = ImportResult(dry_run=dry_run, schema=staged.schema)
    done = 0

    def tick(rows: int) -> None:
        nonlocal done
        before, done = done, done + rows
        tell_progress(progress, before, done, 2 * staged.rows, staged.rows)

    try:
        with journal.store.write() as conn, stored.roomy_cache(conn):
            for where, column, value in _missing_parents(staged, conn):
                raise InvalidFileError(
                    f"{where}.{column}: refers to '{printable(str(value))}', which is neither "
                    "in the file nor in the journal."
                )
            _check_names(staged, conn)
            journal_names = {t.name for t in exported_tables(conn)}
            for table in staged.tables:
                if table.name not in journal_names:
                    continue
                if table.name == "records":
                    # Schedules are merged before, so lateness is judged as row by row.
                    # Only a file with more records than the journal surely adds some: a
                    # re-import leaves the journal's schema, and so its file, as it was.
                    held = stored.count_rows(conn, table)
                    adding = held == 0 or stored.count_rows(staged.conn, table) > held
                    with (
                        stored.day_counts_at_the_end(conn, suspend=adding),
                        stored.indexes_built_after(conn, table.name),
                    ):
                        _merge_table(table, staged.conn, conn, result, tick)
                else:
                    _merge_table(table, staged.conn, conn, result, tick)
            if staged.keys is not None:
                result.keys = identity.adopt(conn, staged.keys, journal.now)
            if result.added.get("records") or result.added.get("schedules"):
                stored.refresh_derived(conn, stored.staged_med_ids(staged.conn))
            if result.added.get("records"):
                stored_zones.add_missing(conn, stored_zones.record_years(staged.conn))
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
