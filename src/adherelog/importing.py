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

import atexit
import contextlib
import fcntl
import gc
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

from adherelog import identity, rules, strictjson
from adherelog.errors import AdherelogError, ConflictError, InvalidFileError, NewerJournalError
from adherelog.export import FORMAT, HEADER_KEYS, KEYS, VERSION, Progress, tell_progress
from adherelog.export import journal_tables as exported_tables
from adherelog.journal import Journal
from adherelog.migrations import SCHEMA_VERSION
from adherelog.model import Table
from adherelog.outfile import NO_SPACE
from adherelog.storage import is_full, undo_transaction
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
    """A checked export, loaded into a staging journal brought to the current schema: in
    the file ``staging.db`` of the private folder ``folder``, or in memory where no such
    folder could be made. The folder goes as soon as it is no longer needed by name
    (:meth:`unlink`, once :func:`merge` has the file open), at the latest on
    :meth:`close`; one left by a process killed before is removed by the next staging
    (:func:`_sweep`)."""

    conn: sqlite3.Connection
    schema: int
    tables: list[Table]
    rows: int
    keys: KeyRow | None = None
    folder: str | None = None

    @property
    def path(self) -> str | None:
        """The staging file; None once it is removed (or for a staging journal in memory)."""
        return None if self.folder is None else os.path.join(self.folder, _STAGING_FILE)

    def unlink(self) -> None:
        """Remove the staging file and its folder while the connections that hold it open
        (:attr:`conn`, and the journal's connection it is attached to) go on reading it:
        once nothing is written to it any more, nothing needs its name, and a process
        killed from then on leaves no copy of the imported rows behind. It reads as before
        (SQLite reads a file removed while open); :attr:`path` is None from then on."""
        folder, self.folder = self.folder, None
        if folder is not None:
            _remove_folder(folder)

    def close(self) -> None:
        _discard(self.conn, self.folder)
        self.folder = None


_STAGING_FILE = "staging.db"
_PREFIX = "adherelog-import-"
"""How the name of a staging folder begins, in the system's temporary folder."""
_JUST_MADE = 60.0
"""The seconds for which an empty staging folder that no process holds locked is left
alone by :func:`_sweep`: the import that made it may be about to lock it."""


def _new_staging(schema: int, *, in_memory: bool) -> tuple[sqlite3.Connection, str | None]:
    """A staging journal at ``schema`` and the private folder (0700) of its file (0600),
    which :func:`_discard` removes; in memory where ``in_memory`` allows it and no folder
    can be made, else :class:`OSError`. Folders left by killed imports go first
    (:func:`_sweep`)."""
    _sweep()
    try:
        folder = _new_folder()
    except OSError:
        if not in_memory:
            raise
        return stored.new_staging(schema), None
    try:
        path = os.path.join(folder, _STAGING_FILE)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return stored.new_staging(schema, path), folder
    except BaseException:
        _remove_folder(folder)
        raise


class StagingFullError(AdherelogError):
    """The device holding the temporary folder filled while the file was staged there."""


@contextlib.contextmanager
def _room_for_staging() -> Iterator[None]:
    """Around the writing of a staging journal: a full disk there is the temporary
    folder's, not the journal's (which is not open yet), and is told as such."""
    try:
        yield
    except (sqlite3.OperationalError, OSError) as exc:
        full = exc.errno in NO_SPACE if isinstance(exc, OSError) else is_full(exc)
        if not full:
            raise
        raise StagingFullError(
            "No space left on the device holding the temporary folder "
            f"{tempfile.gettempdir()}, where the file is checked before it is merged (TMPDIR "
            "sets another); nothing was written."
        ) from None


def _new_folder() -> str:
    """A new private staging folder in the system's temporary folder, held locked
    (``flock``, on a descriptor of the folder itself, kept open in :data:`_FOLDERS`) until
    :func:`_remove_folder` removes it: a folder that no process holds locked was left by
    one that could not remove it, and :func:`_sweep` removes it."""
    folder = tempfile.mkdtemp(prefix=_PREFIX)
    try:
        lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _FOLDERS[folder] = lock
    try:
        # Waits only while a sweep looks into the folder, which it leaves alone (empty).
        fcntl.flock(lock, fcntl.LOCK_EX)
    except BaseException:
        _remove_folder(folder)
        raise
    return folder


def _discard(conn: sqlite3.Connection, folder: str | None) -> None:
    """Close a staging journal and remove its folder, file and all (``folder`` None: it
    is in memory, or its folder is gone already)."""
    conn.close()
    if folder is not None:
        _remove_folder(folder)


# The folders of staging journals not removed yet, each with the descriptor that holds it
# locked: removed at the latest when the process ends, should a caller never close its
# staged file.
_FOLDERS: dict[str, int] = {}


def _remove_folder(folder: str) -> None:
    """Remove a staging folder, file and all, then let go of its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    lock = _FOLDERS.pop(folder, None)
    if lock is not None:
        with contextlib.suppress(OSError):
            os.close(lock)


@atexit.register
def _remove_folders() -> None:
    for folder in list(_FOLDERS):
        _remove_folder(folder)


def _sweep() -> None:
    """Remove the staging folders, with the copy of the imported rows in them, that
    imports killed before they could (``kill -9``, a power cut) left in the system's
    temporary folder: each folder of this user so named whose lock (see
    :func:`_new_folder`) can be taken, its maker being gone; an empty one only after
    :data:`_JUST_MADE`. A folder held locked by a live import, anything that is not a
    plain folder (a symbolic link is never followed) and anything of another user are left
    alone, and so is any folder not named as :func:`tempfile.mkdtemp` names a staging
    folder or holding anything but a staging journal (someone's own folder that happens
    to be named alike); any failure is ignored, for the sweep never fails an import."""
    try:
        with os.scandir(tempfile.gettempdir()) as entries:
            named = [entry.path for entry in entries if _STAGING_NAME.fullmatch(entry.name)]
    except OSError:
        return
    for path in named:
        with contextlib.suppress(OSError):
            _remove_if_left(path)


def _remove_if_left(path: str) -> None:
    """:func:`_sweep` of one folder."""
    if path in _FOLDERS:
        return  # this process's own
    seen = os.lstat(path)
    if not stat.S_ISDIR(seen.st_mode) or seen.st_uid != os.getuid():
        return
    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if not os.path.samestat(seen, os.fstat(handle)):
            return  # replaced since it was looked at
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a live import's
        held = os.listdir(handle)
        if not set(held) <= _STAGING_FILES:
            return  # not only a staging journal: not a folder an import made
        if not held and time.time() - seen.st_mtime < _JUST_MADE:
            return  # perhaps made a moment ago, by an import about to lock it
        for name in held:
            os.unlink(name, dir_fd=handle)
        os.rmdir(path)
    finally:
        os.close(handle)


_STAGING_NAME = re.compile(re.escape(_PREFIX) + r"[a-z0-9_]{8}")
"""The name :func:`tempfile.mkdtemp` gives a staging folder."""
_STAGING_FILES = frozenset({_STAGING_FILE, f"{_STAGING_FILE}-journal"})
"""What a staging folder may hold."""


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


def _cells(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The values of ``keys`` in ``rows``, column by column (KeyError when a row lacks
    one)."""
    return [tuple(map(itemgetter(key), rows)) for key in keys]


_WHOLE_AS_FLOAT = float(2**63)
"""orjson reads a whole number below -2**63 or above 2**64 - 1 as a float this large."""


def _maybe_whole(column: Sequence[Any]) -> bool:
    """True when a float among ``column`` is so large that orjson may have read it from a
    whole number (which the strict decoder keeps whole): read again by that decoder."""
    return any(abs(v) >= _WHOLE_AS_FLOAT for v in set(column) if type(v) is float)


def _alike(column: tuple[Any, ...], types: set[type]) -> bool:
    """True when every value of ``column`` (of types ``types``) is the same: the same type,
    equal, and not a zero float (0.0 and -0.0 are equal)."""
    if len(types) != 1 or not column:
        return False
    first = column[0]
    if type(first) is float and first == 0:
        return False
    return column[-1] == first and column.count(first) == len(column)


def _texts(column: tuple[Any, ...], kinds: set[type]) -> int:
    """How many of the values of ``column`` (of types ``kinds``) are texts."""
    if str not in kinds:
        return 0
    if kinds == {str}:
        return len(column)
    if kinds == {str, type(None)}:
        return len(column) - column.count(None)
    return sum(type(value) is str for value in column)


class _Unusual(Exception):
    """The file is not laid out line by line as ``export`` writes it, or something in it is
    wrong: it is read whole by the strict parser instead, which tells what."""


class _Stager:
    """Checks the rows of one table, one by one, and stages them by batches, so that the
    first problem found in file order is the one told."""

    def __init__(
        self, conn: sqlite3.Connection, table: Table, unique: list[tuple[str, ...]] | None = None
    ) -> None:
        self.conn = conn
        self.table = table
        # The unique rules of a loosened staging table (stored.loosen_staging), kept here:
        # the hashes of the keys staged so far, for each.
        self.unique = unique or []
        self.seen: list[set[int]] = [set() for _ in self.unique]
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

    def stage_batch(self, start: int, batch: list[Any], quotes: int | None = None) -> bool:
        """Check and stage ``batch`` (rows ``start`` on) column by column, when every row
        is an object with the same keys and every value passes; False (and nothing staged)
        when a row needs a closer look, one by one.

        Rows decoded by the strict decoder (:class:`JsonObject`) tell a key seen twice
        themselves. Plain dicts, from orjson, are taken only with ``quotes``: the
        quote marks of their text that open or close a key or a text (escaped ones not
        counted). Every key and every text value of a flat row takes two, so the count
        proves that no row held a key twice (that would take two more, which a dict
        does not show)."""
        if self.table.name in _ONE_BY_ONE or not batch:
            return False
        kinds = set(map(type, batch))
        if kinds == {JsonObject}:
            if any(row.duplicate is not None for row in batch):
                return False
        elif kinds != {dict} or quotes is None:
            return False
        keys = tuple(batch[0])
        if not keys or set(map(len, batch)) != {len(keys)}:
            return False
        try:
            shape = self.shape(batch[0], f"{self.table.name}[{start}]")
        except InvalidFileError:
            return False
        if not shape.complete:
            return False
        try:
            # Every row has as many keys as the first and all of its keys: the same keys.
            cells = _cells(batch, keys)
        except KeyError:
            return False
        values = dict(zip(keys, cells, strict=True))
        columns = {c.name: c for c in self.table.columns}
        texts = 0
        shared: list[tuple[str, Any]] = []
        for name, column in values.items():
            if name in self.required and None in column:
                return False
            rule = rules.RULES.get((self.table.name, name))
            types = set(map(type, column))
            if float in types and quotes is not None and _maybe_whole(column):
                return False
            if not rules.all_pass(columns[name], self.checks[name], rule, column, types):
                return False
            texts += _texts(column, types)
            if _alike(column, types):
                shared.append((name, column[0]))
        if quotes is not None and quotes != 2 * (len(keys) * len(batch) + texts):
            return False
        row_rule = rules.ROW_RULES.get(self.table.name)
        whole = self.table.name == "records" and rules.records_all_pass(values)
        if row_rule is not None and not whole and any(map(row_rule, batch)):
            return False
        try:
            if shape.placed and self.table.rowid_alias is None and self.rows_staged() == start:
                # Each row takes the next rowid, its place in the file, as it is: the rows
                # go in as they were read, the values they all share given once.
                alike = {name for name, _ in shared}
                varying = [name for name in keys if name not in alike]
                rows = list(zip(*(values[name] for name in varying), strict=True))
                rows = rows or [()] * len(batch)
                stored.stage_in_order(self.conn, self.table, varying, rows, shared)
            else:
                staged = [values[name] for name in shape.names]
                if shape.placed:
                    staged.insert(0, range(start + 1, start + len(batch) + 1))
                rows = list(zip(*staged, strict=True))
                stored.stage_rows(self.conn, shape.sql, rows)
        except sqlite3.IntegrityError:
            return False
        if self.unique:
            self.remember(values)
        return True

    def rows_staged(self) -> int:
        """The highest rowid of the staged table (0 when empty)."""
        return stored.last_rowid(self.conn, self.table)

    def remember(self, columns: dict[str, Sequence[Any]]) -> None:
        """Note the keys of rows given column by column, for the unique rules kept here;
        :class:`_Unusual` when one is given twice (or two hash alike, or one is left to
        a default): the strict reader, which keeps the rules in the staging table, then
        tells which row breaks one."""
        for names, seen in zip(self.unique, self.seen, strict=True):
            try:
                parts = [columns[name] for name in names]
            except KeyError:
                raise _Unusual from None
            keys: Sequence[Any]
            if len(parts) == 1:
                keys = parts[0]
                if None in keys:  # a unique rule does not count a null as a value
                    keys = [key for key in keys if key is not None]
            else:
                keys = list(zip(*parts, strict=True))
                if any(None in part for part in parts):
                    keys = [key for key in keys if None not in key]
            hashes = set(map(hash, keys))
            if len(hashes) != len(keys) or not seen.isdisjoint(hashes):
                raise _Unusual
            seen |= hashes

    def add(self, index: int, row: dict[str, Any], shape: _Shape) -> None:
        if shape.sql != self.pending_sql or len(self.pending) >= BATCH:
            self.flush()
            self.pending_sql = shape.sql
            self.first_index = index
        values = [row[n] for n in shape.names]
        if self.unique:
            self.remember({n: (row[n],) for n in shape.names})
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


Batch = tuple[int, list[Any], int | None, Callable[[], list[Any]] | None]
"""Rows of one table: the index of the first, the rows, and for rows decoded by the C
decoder, the quote marks of their text (see :meth:`_Stager.stage_batch`) and how to decode
them again strictly; None and None for rows the strict decoder made."""


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
    batches: Iterator[Batch] = (
        (start, rows[start : start + BATCH], None, None) for start in range(0, len(rows), BATCH)
    )
    return _stage_batches(conn, table, batches, progress, before, total)


def _stage_batches(
    conn: sqlite3.Connection,
    table: Table,
    batches: Iterable[Batch],
    progress: Progress | None,
    before: int,
    total: int,
    unique: list[tuple[str, ...]] | None = None,
    *,
    nested: bool = False,
) -> int:
    """Check and stage the rows of ``table``, given as batches in file order; the number of
    rows staged. Rows orjson made that do not all pass at once are decoded again by
    the strict decoder before they are looked at closer, so that every problem is told
    as the strict decoder has it. In a transaction of their own, or ``nested`` in the
    caller's (as a savepoint)."""
    stager = _Stager(conn, table, unique)
    staged = 0
    conn.execute("SAVEPOINT staging" if nested else "BEGIN")
    try:
        for start, batch, quotes, strictly in batches:
            staged = start + len(batch)
            if stager.stage_batch(start, batch, quotes):
                pass
            elif strictly is None or not stager.stage_batch(start, batch := strictly()):
                for index, row in enumerate(batch, start):
                    problem, shape = stager.problem(index, row)
                    if shape is None:
                        stager.flush()  # a row before this one may break a constraint
                        raise InvalidFileError(problem)
                    stager.add(index, row, shape)
                stager.flush()
            tell_progress(progress, start, start + len(batch), total, before)
        conn.execute("RELEASE staging" if nested else "COMMIT")
    except BaseException:
        if nested:
            stored.undo_savepoint(conn, "staging")
        else:
            undo_transaction(conn)
        raise
    return staged


def read_export(data: bytes, progress: Progress | None = None) -> Staged:
    """Check an export file and load it into a staging journal at the current schema.

    Any problem raises :class:`InvalidFileError` (or :class:`NewerJournalError`) naming
    the first offending place, e.g. ``records[12].at``; no other exception escapes.
    ``progress`` counts rows to twice their number: the second half is :func:`merge`'s."""
    with _without_cycle_collection():
        return _read_export(data, progress)


def _read_export(data: bytes, progress: Progress | None) -> Staged:
    doc = _decode(data)
    schema = _check_header(doc)
    with _room_for_staging():
        return _staged_whole(doc, schema, progress)


def _staged_whole(doc: Any, schema: int, progress: Progress | None) -> Staged:
    conn, folder = _new_staging(schema, in_memory=True)
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
        return Staged(conn, schema, exported_tables(conn), rows, keys, folder)
    except BaseException:
        _discard(conn, folder)
        raise


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while rows are read: the hundreds of thousands of rows
    decoded hold no reference cycles (they go as soon as they are staged), and passes of
    the collector over them would only cost time (a fifth of the reading)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- streaming

MAX_STREAMED_BYTES = 4 * 1024 * 1024 * 1024
"""The largest export file read line by line (its rows never all in memory at once)."""
LOOSE_LINES = 400_000
"""The longest file whose unique keys are kept in memory while it is read line by line (by
their hashes, ~60 bytes a key), not by the staging journal's b-trees."""
_TOP_LINE = re.compile(r'  ("[^"\\\x00-\x1f]*"): (.*)\n\Z', re.DOTALL)
_HEADER = frozenset({*HEADER_KEYS, KEYS})
_CLOSE = {b"  ]\n": False, b"  ],\n": True}  # the end of a table, and whether more follows


def read_export_file(path: str, progress: Progress | None = None) -> Staged | None:
    """:func:`read_export` of the file at ``path`` without holding it, or its rows, in
    memory: the file is read line by line, as ``export`` writes it (one object; the header
    keys one per line; each table a list of rows, one row per line), every value decoded
    by the same strict decoder, the rows checked and staged by batches into a journal on
    disk. None when that is not possible, for any reason at all (another layout, a
    problem anywhere in the file, a file that cannot be opened here): the caller then
    reads the file whole with :func:`read_export`, which tells the first problem in
    exactly its words, so this reader never tells one of its own."""
    handle = _streamable(path)
    if handle is None:
        return None
    with handle:
        try:
            with _without_cycle_collection(), _room_for_staging():
                return _streamed(handle, _count_lines(handle), progress)
        except StagingFullError:
            raise  # the whole reader would need the same room
        except (_Unusual, AdherelogError):
            return None


def _streamable(path: str) -> Any:
    """The file at ``path`` open for reading line by line, or None: one that cannot be
    opened here, a device or a pipe (read, and bounded, by the whole reader), or one
    larger than :data:`MAX_STREAMED_BYTES`."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  (the caller closes it)
    except OSError:
        return None
    found = os.fstat(handle.fileno())
    if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_STREAMED_BYTES:
        handle.close()
        return None
    return handle


class NotThisWay(Exception):
    """:func:`import_into_new` cannot take the file (or the journal is not new): nothing
    was written, and the file is to be imported the usual way, which tells any problem."""


def import_into_new(journal: Journal, path: str, progress: Progress | None = None) -> ImportResult:
    """``import`` of the export at ``path`` into a journal that holds nothing yet (just
    made for it): the rows are checked and written straight into the journal, in one
    transaction, without a staging copy: :func:`merge` of :func:`read_export_file`, whose
    result it gives, at half the work. :class:`NotThisWay` (the transaction rolled back)
    when the file is not laid out as ``export`` writes it at this schema, something in it
    is wrong, or the journal holds a row."""
    _sweep()  # what imports killed while staging left, as every import does
    handle = _streamable(path)
    if handle is None:
        raise NotThisWay
    try:
        with handle, _without_cycle_collection():
            return _written_into_new(journal, handle, progress)
    except (_Unusual, AdherelogError, sqlite3.IntegrityError):
        raise NotThisWay from None


def _written_into_new(journal: Journal, handle: Any, progress: Progress | None) -> ImportResult:
    lines = _count_lines(handle) if progress else 0  # only a progress bar needs it
    with (
        stored.references_checked_after(journal.store.conn),
        journal.store.write() as conn,
        stored.roomy_cache(conn),
    ):
        tables = exported_tables(conn)
        if any(stored.count_rows(conn, table) for table in tables):
            raise _Unusual  # another process wrote into it meanwhile
        with (
            stored.day_counts_at_the_end(conn),
            stored.indexes_built_after(conn, "records"),
        ):
            staged = _streamed(handle, lines, progress, into=conn)
        for table in staged.tables:
            for column, parent, parent_column in table.parents:
                unknown = stored.unknown_references(conn, table, column, parent, parent_column)
                if next(unknown, None) is not None:
                    raise _Unusual  # the usual import says which
        result = ImportResult()
        for table in staged.tables:
            result.added[table.name] = stored.count_rows(conn, table)
            result.already_held[table.name] = 0
        _merged_last(journal, conn, staged, result)
    if progress:
        progress(lines, lines)
    return result


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


class _Lines:
    """The lines of a file, read many at a time, and lines put back to read again."""

    def __init__(self, handle: Any) -> None:
        self.lines = iter(handle)
        self.back: list[bytes] = []

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return self.back.pop() if self.back else next(self.lines)

    def take(self, count: int) -> list[bytes]:
        """The next ``count`` lines (fewer at the end of the file)."""
        taken, self.back = self.back[::-1], []
        if len(taken) > count:
            self.put_back(taken[count:])
            return taken[:count]
        taken.extend(islice(self.lines, count - len(taken)))
        return taken

    def put_back(self, lines: list[bytes]) -> None:
        self.back.extend(reversed(lines))


def _close_at(lines: list[bytes]) -> int:
    """Where the line that closes a table is among ``lines`` (-1 when it is not)."""
    found = -1
    for close in _CLOSE:
        try:
            at = lines.index(close)
        except ValueError:
            continue
        found = at if found < 0 else min(found, at)
    return found


def _row_batches(lines: _Lines, decoder: json.JSONDecoder, more: list[bool]) -> Iterator[Batch]:
    """The rows of one table, as batches, from the lines after its opening ``[`` to its
    closing ``]`` (whether a comma follows it goes to ``more``). Each line holds one row
    and a comma, the last row none: the lines of a batch, less the last comma, are the
    text of a list, decoded at once, by orjson where it reads them as the strict
    one does (see :data:`Batch`). The decoder sees to the rest: a row over several lines,
    or several on one, does not come out as one row a line."""
    start = 0
    while True:
        taken = lines.take(BATCH)
        end = _close_at(taken)
        if end < 0 and taken and not taken[-1].endswith(b",\n"):
            # The table's last row ends the batch: its closing line comes next.
            taken += lines.take(1)
            end = _close_at(taken)
        rows = taken if end < 0 else taken[:end]
        if end >= 0:
            lines.put_back(taken[end + 1 :])
        elif len(taken) < BATCH:
            raise _Unusual  # the file ends inside the list
        if rows:
            last = rows[-1]
            if last.endswith(b",\n") is (end >= 0):
                # A comma after the last row, or none where more rows follow.
                raise _Unusual
            text = b"".join([b"[", *rows[:-1], last[: -1 if end >= 0 else -2], b"]"])
            yield _decoded(start, len(rows), text, decoder)
            start += len(rows)
        if end >= 0:
            more.append(_CLOSE[taken[end]])
            return


def _decoded(start: int, count: int, data: bytes, decoder: json.JSONDecoder) -> Batch:
    """The batch of ``count`` rows, from the text ``data`` of their list."""
    # orjson reads it as the strict decoder does, quote marks countable, when it holds no
    # escaped backslash (after which a quote mark closes a text): it refuses what is not
    # UTF-8, NaN, Infinity, a lone surrogate and a number too large for a float; a key
    # twice shows in the count of quote marks, and a whole number beyond 64 bits (which
    # it reads as a float) in the size of the float (see :meth:`_Stager.stage_batch`).
    backslash = b"\\" in data
    if not (backslash and b"\\\\" in data):
        import orjson  # only when a file is read line by line (import --from never is)

        try:
            found = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            if not isinstance(found, list) or len(found) != count:
                raise _Unusual  # a row over several lines
            quotes = data.count(b'"') - (data.count(b'\\"') if backslash else 0)
            return start, found, quotes, lambda: _value(decoder, _text(data))
    text = _text(data)
    found = _value(decoder, text)
    if not isinstance(found, list) or len(found) != count:
        raise _Unusual  # a row over several lines
    return start, found, None, None


def _streamed(
    handle: Any,
    lines_in_file: int,
    progress: Progress | None,
    into: sqlite3.Connection | None = None,
) -> Staged:
    """The rows of the export open as ``handle``, checked and staged: into a staging journal
    of their own, or ``into`` the journal open there (inside its write transaction, which
    the caller rolls back on any exception), for a file at the current schema only."""
    decoder = strictjson.decoder(MAX_INT_DIGITS)
    lines = _Lines(handle)
    first = next(lines, b"")
    if first.startswith(strictjson.BOM):
        first = first[len(strictjson.BOM) :]
    if first != b"{\n":
        raise _Unusual
    header: dict[str, Any] = {}
    conn: sqlite3.Connection | None = None
    folder: str | None = None
    tables: list[Table] = []
    keys: KeyRow | None = None
    loose: dict[str, list[tuple[str, ...]]] = {}
    schema = position = rows = 0
    total = (1 if into else 2) * lines_in_file
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
                if into is not None:
                    if schema != SCHEMA_VERSION:
                        raise _Unusual
                    conn = into
                else:
                    try:
                        conn, folder = _new_staging(schema, in_memory=False)
                    except OSError:
                        raise _Unusual from None
                tables = exported_tables(conn)
                keys = identity.read_exported(header[KEYS]) if KEYS in header else None
                if into is None and schema == SCHEMA_VERSION and lines_in_file <= LOOSE_LINES:
                    loose = _loosened(conn, tables)
            if position >= len(tables) or tables[position].name != key:
                raise _Unusual
            table = tables[position]
            position += 1
            if text == "[":
                closed: list[bool] = []
                batches = _row_batches(lines, decoder, closed)
                unique = loose.get(table.name)
                rows += _stage_batches(
                    conn, table, batches, progress, rows, total, unique, nested=into is not None
                )
                more = closed[0]
            elif _value(decoder, text) != []:
                raise _Unusual
        if not ended or more or conn is None or position != len(tables):
            raise _Unusual
        if any(line.strip() for line in lines):
            raise _Unusual
        if schema != SCHEMA_VERSION:
            stored.upgrade_staging(conn, schema)
            tables = exported_tables(conn)
        return Staged(conn, schema, tables, rows, keys, folder)
    except BaseException:
        if conn is not None and into is None:
            _discard(conn, folder)
        raise


def _loosened(conn: sqlite3.Connection, tables: list[Table]) -> dict[str, list[tuple[str, ...]]]:
    """The tables of a staging journal (at the current schema) made again without their
    unique rules, each with those rules, which the stager keeps instead (faster than a
    b-tree each, for as many keys as :data:`LOOSE_LINES` allows)."""
    loose: dict[str, list[tuple[str, ...]]] = {}
    for table in tables:
        if table.name in _ONE_BY_ONE:
            continue
        kept = stored.loosen_staging(conn, table)
        if kept is not None:
            loose[table.name] = kept
    return loose


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


def _merged_at_once(table: Table, conn: sqlite3.Connection, result: ImportResult) -> int | None:
    """Merge the staged rows of ``table`` from the staging journal attached to ``conn``
    without leaving SQLite, as :class:`_TableMerge` would one by one: the rows the
    journal lacks added in one statement, the others compared in one query. The number
    of staged rows; None, and nothing done, when a row needs a closer look (an added row
    that would break a unique rule or refer to a row the journal lacks), or the table is
    not found by one key."""
    merger = stored.Merger(conn, table)
    if not merger.by_one_key:
        return None
    rows = merger.staged_count()
    empty = merger.is_empty()
    if empty:
        fresh, same = rows, 0
    elif merger.staged_held_in_order(rows):
        fresh, same = 0, rows
    else:
        fresh, same = merger.compare_staged()
    if fresh and not merger.add_staged(fresh, all_fresh=empty):
        return None
    differing = merger.staged_differing() if fresh + same < rows else []
    result.added[table.name] = fresh
    result.already_held[table.name] = same
    result.conflicts.extend(Conflict(table.name, _key_text(key), _DIFFERS) for key in differing)
    return rows


def _merge_table(
    table: Table,
    staged: sqlite3.Connection,
    conn: sqlite3.Connection,
    result: ImportResult,
    tick: Callable[[int], None],
    attached: bool,
) -> None:
    if attached and (count := _merged_at_once(table, conn, result)) is not None:
        tick(count)
        return
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
    A dry run does the same work and rolls it back. Imported rows are not in the undo log.
    The staging file is removed (:meth:`Staged.unlink`) once the merge holds it open."""
    result = ImportResult(dry_run=dry_run, schema=staged.schema)
    done = 0

    def tick(rows: int) -> None:
        nonlocal done
        before, done = done, done + rows
        tell_progress(progress, before, done, 2 * staged.rows, staged.rows)

    path = staged.path
    attaching = (
        contextlib.nullcontext(False)
        if path is None
        else stored.staging_attached(journal.store.conn, path)
    )
    try:
        with attaching as attached:
            # The staging connection (and the journal's, when attached) holds the file
            # open now and nothing writes to it any more: its name goes, so that a process
            # killed from here on leaves no copy of the rows behind.
            staged.unlink()
            with journal.store.write() as conn, stored.roomy_cache(conn):
                for where, column, value in _missing_parents(staged, conn):
                    raise InvalidFileError(
                        f"{where}.{column}: refers to '{printable(str(value))}', which is "
                        "neither in the file nor in the journal."
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
                            _merge_table(table, staged.conn, conn, result, tick, attached)
                    else:
                        _merge_table(table, staged.conn, conn, result, tick, attached)
                _merged_last(journal, conn, staged, result)
                if dry_run:
                    raise _DryRun
    except _DryRun:
        pass
    if progress:
        progress(2 * staged.rows, 2 * staged.rows)
    return result


def _merged_last(
    journal: Journal, conn: sqlite3.Connection, staged: Staged, result: ImportResult
) -> None:
    """What a merge does once the rows are in (inside its write transaction, ``conn``):
    the file's keys taken as :func:`identity.adopt` says, and the derived tables brought
    up to date for what was added (``staged.conn`` holds the file's rows: the staging
    journal, or the journal itself when they went straight in)."""
    if staged.keys is not None:
        result.keys = identity.adopt(conn, staged.keys, journal.now)
    if result.added.get("records") or result.added.get("schedules"):
        stored.refresh_derived(conn, stored.staged_med_ids(staged.conn))
    if result.added.get("records"):
        stored_zones.add_missing(conn, stored_zones.record_years(staged.conn))


def import_journal(
    journal: Journal, data: bytes, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """``import``: check ``data`` (an export) and merge it into the journal, all or nothing."""
    staged = read_export(data, progress)
    try:
        return merge(journal, staged, dry_run=dry_run, progress=progress)
    finally:
        staged.close()
