"""The SQL of ``export`` and ``import``: the tables as the schema declares them, their rows
in a fixed order, the in-memory journal an import file is checked in, and the statements
that merge it into a journal by key.

Table and column names come from the journal's own schema (``sqlite_master`` and
``PRAGMA table_info``) or from :data:`adherelog.export.EXPORTED_TABLES`, and are quoted as
identifiers. What a row must hold, and what a conflict means, is the callers' business.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain

from adherelog.migrations import DAY_ORDINAL, IS_EARLY, IS_LATE, MIGRATIONS, SCHEMA_VERSION
from adherelog.model import Column, Table

ROW_ORDER = {
    "meds": "name_key, id",
    "schedules": "med_id, start_at, id",
    "records": "at, id",
    "refills": "at, id",
}
"""The order rows are exported in, where the primary key alone is not the natural one."""


def quote(name: str) -> str:
    """``name`` as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


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


def table_sql(conn: sqlite3.Connection) -> dict[str, str]:
    """Every table of the schema → the SQL that created it."""
    rows = conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type='table'")
    return {str(name): str(sql) for name, sql in rows}


def tables(conn: sqlite3.Connection, names: Sequence[str]) -> list[Table]:
    """The tables of ``names`` that this schema has, in that order, with their columns,
    key, references and rowid alias as the schema declares them."""
    present = set(table_sql(conn))
    found: list[Table] = []
    for name in names:
        if name not in present:
            continue
        info = conn.execute(f"PRAGMA table_info({quote(name)})").fetchall()
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
        alias = None
        if len(pks) == 1:
            declared = next(str(c[2]) for c in info if c[1] == pks[0].name)
            alias = pks[0].name if declared.upper() == "INTEGER" else None
        fks = conn.execute(f"PRAGMA foreign_key_list({quote(name)})").fetchall()
        parents = tuple((str(f[3]), str(f[2]), str(f[4] or "id")) for f in fks)
        found.append(Table(name, columns, key, parents, alias))
    return found


# --------------------------------------------------------------------------- exporting


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Hold one read transaction, so every table is read at the same moment even while
    another process writes."""
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield
    finally:
        conn.execute("ROLLBACK")


def count_rows(conn: sqlite3.Connection, table: Table) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {quote(table.name)}").fetchone()[0])


def count_doses_and_skips(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute("SELECT count(*) FROM records WHERE kind IN ('dose', 'skip')").fetchone()[0]
    )


def _export_order(table: Table) -> str:
    return ROW_ORDER.get(table.name) or ", ".join(quote(k) for k in table.key)


def exported_rows(conn: sqlite3.Connection, table: Table) -> sqlite3.Cursor:
    """The rows of ``table`` in export order, each a tuple of :attr:`Table.names`."""
    columns = ", ".join(quote(n) for n in table.names)
    return conn.execute(
        f"SELECT {columns} FROM {quote(table.name)} ORDER BY {_export_order(table)}"
    )


def _json_cells(values: Sequence[str]) -> str:
    """SQL for the JSON values of ``values`` (SQL expressions) as SQLite's ``json_array()``
    writes them, joined by commas without the brackets (no value is an array or object, so
    none begins or ends with one)."""
    return f"trim(json_array({', '.join(values)}), '[]')"


# A REAL value SQLite is left to write: a multiple of 1/64 (0.5, 2.25, ...) that is not
# zero and under 2**20 in size. Its decimal expansion has at most 13 significant digits,
# which any correct 15-digit rendering writes exactly and which no shorter decimal reaches,
# so it comes out as Python's repr() writes it. SQLite cannot tell 0.0 from -0.0 apart.
_PLAIN_REAL = (
    "({0} * 64 = CAST({0} * 64 AS INTEGER) AND {0} > -1048576 AND {0} < 1048576 AND {0} <> 0)"
)


def exported_json(conn: sqlite3.Connection, table: Table) -> sqlite3.Cursor | None:
    """The rows of ``table`` in export order as ``(cells, rowid)``: ``cells`` holds the
    row's values as JSON, written by SQLite, joined by commas (see :func:`_json_cells`), or
    is NULL when the row holds a REAL value other than those of :data:`_PLAIN_REAL`.

    Columns of TEXT affinity hold no REAL value (SQLite stores text, NULL or a blob there),
    so only the others are looked at. A blob makes SQLite raise an error, as does a table
    without a rowid; None when the table's columns hide every name of the rowid."""
    rowid = _rowid_name(table)
    if rowid is None:
        return None
    checks = [
        f"(typeof({quote(c.name)}) <> 'real' OR {_PLAIN_REAL.format(quote(c.name))})"
        for c in table.columns
        if c.kind != "text"
    ]
    cells = _json_cells([quote(n) for n in table.names])
    if checks:
        cells = f"CASE WHEN {' AND '.join(checks)} THEN {cells} END"
    return conn.execute(
        f"SELECT {cells}, {rowid} FROM {quote(table.name)} ORDER BY {_export_order(table)}"
    )


def _rowid_name(table: Table) -> str | None:
    """A name of the rowid that no column of ``table`` takes for itself."""
    taken = {n.lower() for n in table.names}
    return next((n for n in ("rowid", "_rowid_", "oid") if n not in taken), None)


def json_cells(conn: sqlite3.Connection, values: Sequence[object]) -> str:
    """``values`` as :func:`exported_json` has SQLite write the cells of a row."""
    query = f"SELECT {_json_cells(['?'] * len(values))}"
    return str(conn.execute(query, tuple(values)).fetchone()[0])


def rows_by_rowid(
    conn: sqlite3.Connection, table: Table, rowids: Sequence[int]
) -> list[tuple[object, ...]]:
    """The rows of ``table`` with these rowids (as :func:`exported_json` gives them), in
    that order, each a tuple of :attr:`Table.names` (as :func:`exported_rows` gives them)."""
    rowid = _rowid_name(table)
    assert rowid is not None  # exported_json found one
    columns = ", ".join(quote(n) for n in table.names)
    found: dict[int, tuple[object, ...]] = {}
    for start in range(0, len(rowids), 500):
        part = tuple(rowids[start : start + 500])
        query = (
            f"SELECT {rowid}, {columns} FROM {quote(table.name)} "
            f"WHERE {rowid} IN ({', '.join('?' * len(part))})"
        )
        for row in conn.execute(query, part):
            found[row[0]] = tuple(row[1:])
    return [found[rowid] for rowid in rowids]


# --------------------------------------------------------------------------- staging


STAGING_CACHE_KIB = 8192
"""The page cache of a staging journal kept on disk."""
STAGED = "staged"
"""The name a staging journal file is attached under (:func:`staging_attached`)."""


def new_staging(schema: int, path: str | None = None) -> sqlite3.Connection:
    """An empty journal at ``schema``, without the triggers that keep derived tables (only
    the exported tables are read back from it): in memory, or in the file ``path`` (a
    private file the caller made, and removes), so that its memory stays within
    :data:`STAGING_CACHE_KIB` whatever the import holds and the journal can read it
    (:func:`staging_attached`)."""
    import sqlite_utils  # costs ~100 ms; only when a file is imported

    conn = sqlite3.connect(path or ":memory:", isolation_level=None)
    try:
        if path is not None:
            conn.execute(f"PRAGMA cache_size = {-STAGING_CACHE_KIB}")
            conn.execute("PRAGMA synchronous = OFF")
            # Its own undo log in memory: a crash loses nothing the caller keeps.
            conn.execute("PRAGMA journal_mode = MEMORY")
        db = sqlite_utils.Database(conn)
        for number in range(schema):
            MIGRATIONS[number](db)
        triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (name,) in triggers:
            conn.execute(f"DROP TRIGGER {quote(str(name))}")
        if schema == SCHEMA_VERSION:
            # Nor do the indexes that only speed up the journal's own reads: only the unique
            # ones say something of the rows. (An older schema keeps them all, for the
            # migrations that bring it up to date.)
            for name in _plain_indexes(conn):
                conn.execute(f"DROP INDEX {quote(name)}")
    except BaseException:
        conn.close()
        raise
    return conn


# A partial unique index of a staging table that only leaves out rows without one of its
# columns (which a unique index never counts as the same anyway).
_ONLY_GIVEN = re.compile(r'\s+WHERE\s+"?(\w+)"?\s+IS\s+NOT\s+NULL\s*\Z', re.IGNORECASE)
# What a CREATE TABLE may say beyond the columns' types, NOT NULL, defaults, primary key,
# unique and references, for :func:`loosen_staging` to make the table again from its
# columns alone.
_MORE_THAN_COLUMNS = re.compile(r"\b(CHECK|COLLATE|GENERATED|AS|CONSTRAINT)\b|'", re.IGNORECASE)


def loosen_staging(conn: sqlite3.Connection, table: Table) -> list[tuple[str, ...]] | None:
    """Make the empty staging table ``table`` again without its primary key and unique
    indexes (a b-tree each, updated for every row staged) when the caller can tell their
    rules itself: every one of them compares its columns' values as they are given (texts
    byte for byte, columns of declared type TEXT, INTEGER or REAL), and the table says
    nothing else that the columns alone would lose. Returns the columns of each rule; None
    (and nothing changed) when the table is not one of those."""
    if table.rowid_alias is not None:
        return None
    name = quote(table.name)
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
    ).fetchone()
    if found is None or _MORE_THAN_COLUMNS.search(str(found[0])):
        return None
    kinds = {c.name: c.kind for c in table.columns}
    rules: list[tuple[str, ...]] = []
    for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({name})"):
        if not unique:
            return None
        info = conn.execute(f"PRAGMA index_xinfo({quote(str(index))})").fetchall()
        columns = tuple(str(c[2]) for c in info if c[5])
        if any(c[2] is None or str(c[4]).upper() != "BINARY" for c in info if c[5]):
            return None
        if any(kinds.get(c) not in ("text", "integer", "real") for c in columns):
            return None
        if partial:
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
            ).fetchone()
            where = _ONLY_GIVEN.search(str(sql[0] if sql else "")) if origin == "c" else None
            if where is None or where[1] not in columns:
                return None
        rules.append(columns)
    info = conn.execute(f"PRAGMA table_info({name})").fetchall()
    columns_sql = ", ".join(
        f"{quote(str(c[1]))} {c[2]}"
        + (" NOT NULL" if c[3] else "")
        + ("" if c[4] is None else f" DEFAULT {c[4]}")
        for c in info
    )
    conn.execute(f"DROP TABLE {name}")
    conn.execute(f"CREATE TABLE {name} ({columns_sql})")
    return rules


@contextlib.contextmanager
def staging_attached(conn: sqlite3.Connection, path: str) -> Iterator[bool]:
    """The staging journal in the file ``path`` attached to the journal's connection as
    :data:`STAGED` while inside, so that rows go from one to the other without leaving
    SQLite; False (nothing attached) where it cannot be, inside a transaction."""
    try:
        conn.execute(f"ATTACH DATABASE ? AS {STAGED}", (path,))
    except sqlite3.OperationalError:
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"DETACH DATABASE {STAGED}")


def _plain_indexes(conn: sqlite3.Connection) -> list[str]:
    """The indexes made by CREATE INDEX that are not UNIQUE."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    return [str(name) for name, sql in rows if "UNIQUE" not in str(sql).upper().split("(")[0]]


@contextlib.contextmanager
def roomy_cache(conn: sqlite3.Connection, kib: int = 32768) -> Iterator[None]:
    """A page cache of ``kib`` KiB while many rows are written in a random key order (an
    import), the usual one again afterwards."""
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size = {-abs(int(kib))}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {before}")


def upgrade_staging(conn: sqlite3.Connection, schema: int) -> None:
    """Bring a staging journal from ``schema`` to the current one, by the migrations a
    journal file gets."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for number in range(schema, SCHEMA_VERSION):
        MIGRATIONS[number](db)


def insert_statement(table: Table, names: Sequence[str], *, with_rowid: bool) -> str:
    """The INSERT of a row holding ``names`` (after its rowid when ``with_rowid``)."""
    columns = ["rowid"] * with_rowid + [quote(n) for n in names]
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )


def last_rowid(conn: sqlite3.Connection, table: Table) -> int:
    """The highest rowid of ``table`` (0 when it holds no row)."""
    found = conn.execute(f"SELECT max(rowid) FROM {quote(table.name)}").fetchone()[0]
    return int(found or 0)


def undo_savepoint(conn: sqlite3.Connection, name: str) -> None:
    """After an error inside the savepoint ``name``: undo and end it, unless SQLite has
    rolled the whole transaction back by itself (as on a full disk); never hides the
    error being handled."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")


def stage_rows(conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Insert ``rows`` by ``sql`` (:func:`insert_statement`) all at once, or none of them:
    on an :class:`sqlite3.IntegrityError` nothing of the batch stays."""
    conn.execute("SAVEPOINT batch")
    try:
        conn.executemany(sql, rows)
    except BaseException:
        undo_savepoint(conn, "batch")
        raise
    conn.execute("RELEASE batch")


VALUES_ROWS = 4000
"""The most rows inserted by one statement of :func:`stage_in_order` (fewer where their
values would pass SQLite's limit of values bound to one statement): a fifth quicker than
500 a statement."""


def stage_in_order(
    conn: sqlite3.Connection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[object]],
    shared: Sequence[tuple[str, object]] = (),
) -> None:
    """Insert ``rows``, values of the columns ``names``, into ``table``, each with the next
    rowid, and with the values ``shared`` ((column, value) that every row holds alike)
    given once: all at once, or none of them (see :func:`stage_rows`).

    Many rows go in by one statement (``INSERT … SELECT … FROM (VALUES …)``), their values
    bound once each, the shared ones once for them all."""
    columns = ", ".join(quote(n) for n in [*names, *(n for n, _ in shared)])
    picked = ", ".join([f"column{i + 1}" for i in range(len(names))] + ["?"] * len(shared))
    row = "(" + (", ".join("?" * len(names)) or "NULL") + ")"
    values = [value for _, value in shared]
    bound = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(values)
    step = max(1, min(VALUES_ROWS, bound // max(1, len(names))))
    conn.execute("SAVEPOINT batch")
    try:
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            sql = (
                f"INSERT INTO {quote(table.name)} ({columns}) SELECT {picked}"
                f" FROM (VALUES {', '.join([row] * len(part))})"
            )
            conn.execute(sql, [*values, *chain.from_iterable(part)])
    except BaseException:
        undo_savepoint(conn, "batch")
        raise
    conn.execute("RELEASE batch")


def staged_rows(conn: sqlite3.Connection, table: Table) -> sqlite3.Cursor:
    """The staged rows of ``table`` in the order of the file, tuples of its names."""
    columns = ", ".join(quote(n) for n in table.names)
    return conn.execute(f"SELECT {columns} FROM {quote(table.name)} ORDER BY rowid")


def unknown_references(
    conn: sqlite3.Connection, table: Table, column: str, parent: str, parent_column: str
) -> Iterator[tuple[int, object]]:
    """(rowid, value) of the staged rows of ``table`` whose ``column`` names no staged row
    of ``parent``."""
    query = (
        f"SELECT rowid, {quote(column)} FROM {quote(table.name)} "
        f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} NOT IN "
        f"(SELECT {quote(parent_column)} FROM {quote(parent)}) ORDER BY rowid"
    )
    for rowid, value in conn.execute(query):
        yield int(rowid), value


def has_row(conn: sqlite3.Connection, table: str, column: str, value: object) -> bool:
    """True when ``table`` holds a row whose ``column`` is ``value`` (False when the
    journal has no such table)."""
    try:
        found = conn.execute(
            f"SELECT 1 FROM {quote(table)} WHERE {quote(column)} = ?", (value,)
        ).fetchone()
    except sqlite3.OperationalError:
        return False
    return found is not None


def staged_med_names(conn: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """(id, name) of every staged medication, in the order of the file."""
    for med_id, name in conn.execute("SELECT id, name FROM meds ORDER BY rowid"):
        yield str(med_id), str(name)


def staged_med_ids(conn: sqlite3.Connection) -> list[str]:
    """The medications the staged records and schedules refer to, sorted."""
    rows = conn.execute(
        "SELECT med_id FROM records WHERE med_id IS NOT NULL UNION SELECT med_id FROM schedules"
    )
    return sorted({str(row[0]) for row in rows})


# --------------------------------------------------------------------------- merging


class Merger:
    """The statements that merge the staged rows of one table into a journal."""

    def __init__(self, conn: sqlite3.Connection, table: Table) -> None:
        self.conn = conn
        self.table = table
        names = table.names
        self.columns = ", ".join(quote(n) for n in names)
        # Every column is the key of a table without a primary key, and may then be null.
        self.equal = "=" if table.key != names else "IS"
        match = " AND ".join(f"{quote(k)} {self.equal} ?" for k in table.key)
        self.lookup_one = f"SELECT {self.columns} FROM {quote(table.name)} WHERE {match}"
        self.insert = (
            f"INSERT OR IGNORE INTO {quote(table.name)} ({self.columns}) VALUES "
            f"({', '.join('?' * len(names))})"
        )

    def is_empty(self) -> bool:
        """True when the journal's table holds no row."""
        query = f"SELECT 1 FROM {quote(self.table.name)} LIMIT 1"
        return self.conn.execute(query).fetchone() is None

    @property
    def by_one_key(self) -> bool:
        """True when rows are found by one key column (many at once)."""
        return len(self.table.key) == 1 and self.equal == "="

    def held(self, keys: Sequence[object]) -> dict[object, tuple[object, ...]]:
        """The journal's rows whose one-column key is among ``keys``, by key."""
        key = self.table.key[0]
        index = self.table.names.index(key)
        found: dict[object, tuple[object, ...]] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            query = (
                f"SELECT {self.columns} FROM {quote(self.table.name)} "
                f"WHERE {quote(key)} IN ({', '.join('?' * len(part))})"
            )
            for row in self.conn.execute(query, tuple(part)):
                found[row[index]] = tuple(row)
        return found

    def held_one(self, key: Sequence[object]) -> tuple[object, ...] | None:
        row = self.conn.execute(self.lookup_one, tuple(key)).fetchone()
        return None if row is None else tuple(row)

    def insert_one(self, row: Sequence[object]) -> bool:
        """Add ``row``; False when a unique rule kept it out. Raises
        :class:`sqlite3.IntegrityError` when it refers to a row the journal lacks."""
        return bool(self.conn.execute(self.insert, tuple(row)).rowcount)

    def insert_all(self, rows: Iterable[Sequence[object]], count: int) -> bool:
        """Add ``rows`` (``count`` of them) all at once, True when every one went in; else
        nothing of them stays and False is returned."""
        return self._all_or_none(lambda: self.conn.executemany(self.insert, rows).rowcount, count)

    def _all_or_none(self, run: Callable[[], int], expected: int) -> bool:
        """Run ``run`` (which returns the rows it added) in a savepoint, kept only when it
        added ``expected`` rows without breaking a rule of the journal."""
        self.conn.execute("SAVEPOINT rows")
        try:
            added = run()
        except sqlite3.IntegrityError:
            added = -1
        if added != expected:
            self.conn.execute("ROLLBACK TO rows")
        self.conn.execute("RELEASE rows")
        return added == expected

    # The staged rows, from the staging journal attached as STAGED (staging_attached).

    def _staged_key_match(self) -> str:
        return " AND ".join(f"m.{quote(k)} {self.equal} s.{quote(k)}" for k in self.table.key)

    def _same(self) -> str:
        """True for a staged row ``s`` equal to the journal's row ``m`` of its key, as Python
        compares the two rows read back (values exactly, texts byte for byte)."""
        return " AND ".join(
            f"m.{quote(n)} IS s.{quote(n)} COLLATE BINARY" for n in self.table.names
        )

    def staged_count(self) -> int:
        query = f"SELECT count(*) FROM {STAGED}.{quote(self.table.name)}"
        return int(self.conn.execute(query).fetchone()[0])

    def compare_staged(self) -> tuple[int, int]:
        """(rows the journal lacks, rows it holds alike) of the staged rows."""
        name = quote(self.table.name)
        first = quote(self.table.key[0])
        query = (
            f"SELECT count(*) - count(m.{first}), count(CASE WHEN {self._same()} THEN 1 END)"
            f" FROM {STAGED}.{name} AS s LEFT JOIN main.{name} AS m ON {self._staged_key_match()}"
        )
        fresh, same = self.conn.execute(query).fetchone()
        return int(fresh), int(same or 0)

    def staged_held_in_order(self, rows: int) -> bool:
        """True when the journal holds each of the ``rows`` staged rows alike, in the same
        order, their rowids a constant apart: the same file imported again. Told by rowid,
        row after row, quicker than key by key (:meth:`compare_staged`)."""
        name = quote(self.table.name)
        found = self.conn.execute(
            f"SELECT m.rowid - s.rowid FROM {STAGED}.{name} AS s JOIN main.{name} AS m"
            f" ON {self._staged_key_match()}"
            f" WHERE s.rowid = (SELECT min(rowid) FROM {STAGED}.{name})"
        ).fetchone()
        if found is None:
            return False
        query = (
            f"SELECT count(*) FROM {STAGED}.{name} AS s JOIN main.{name} AS m"
            f" ON m.rowid = s.rowid + ? WHERE {self._staged_key_match()} AND {self._same()}"
        )
        return int(self.conn.execute(query, (found[0],)).fetchone()[0]) == rows

    def staged_differing(self) -> list[tuple[object, ...]]:
        """The keys of the staged rows the journal holds otherwise, in the order of the file."""
        name = quote(self.table.name)
        keys = ", ".join(f"s.{quote(k)}" for k in self.table.key)
        query = (
            f"SELECT {keys} FROM {STAGED}.{name} AS s JOIN main.{name} AS m"
            f" ON {self._staged_key_match()} WHERE NOT ({self._same()}) ORDER BY s.rowid"
        )
        return [tuple(row) for row in self.conn.execute(query)]

    def add_staged(self, expected: int, *, all_fresh: bool) -> bool:
        """Add the staged rows whose key the journal lacks (``expected`` of them; every
        staged row when ``all_fresh``) in the order of the file, in one statement: True
        when every one went in; else nothing of them stays and False is returned."""
        name = quote(self.table.name)
        columns = ", ".join(f"s.{quote(n)}" for n in self.table.names)
        absent = (
            ""
            if all_fresh
            else f" WHERE NOT EXISTS (SELECT 1 FROM main.{name} AS m"
            f" WHERE {self._staged_key_match()})"
        )
        query = (
            f"INSERT INTO main.{name} ({self.columns}) SELECT {columns}"
            f" FROM {STAGED}.{name} AS s{absent} ORDER BY s.rowid"
        )
        return self._all_or_none(lambda: self.conn.execute(query).rowcount, expected)


_LAST_ROWID = 2**63 - 1
_NEW_COUNTED = (
    "r.rowid > :after AND r.slot_date IS NOT NULL AND r.med_id IS NOT NULL"
    " AND r.kind IN ('dose', 'skip')"
)


@contextlib.contextmanager
def day_counts_at_the_end(conn: sqlite3.Connection, *, suspend: bool = True) -> Iterator[None]:
    """Let many records be added without the ``day_counts_insert`` trigger's work per row,
    then do that work once, set-based, for every record added meanwhile.

    Inside the caller's write transaction the trigger is dropped and, on the way out,
    created again from its own text in ``sqlite_master``: other connections never see the
    journal without it (they see the transaction whole or not at all, and an error rolls
    it back). The records added are those past the highest rowid held before (a rowid
    table gives new rows higher rowids, short of the largest rowid there is, in which case
    the trigger simply stays). Their day counts are added, and the streak states from their
    first day on dropped, as the trigger would have done row by row (m003_day_counts): the
    schedule versions a late dose is judged by are those of the journal at the end, which
    are the ones in force at each insert as long as no schedule changes meanwhile."""
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'day_counts_insert'"
        " AND tbl_name = 'records'"
    ).fetchone()
    after = conn.execute("SELECT max(rowid) FROM records").fetchone()[0] if found else None
    if not suspend or found is None or (after is not None and after >= _LAST_ROWID):
        yield
        return
    conn.execute("DROP TRIGGER day_counts_insert")
    with _made_again(conn, [("trigger", "day_counts_insert", str(found[0]))]):
        yield
    add_day_counts(conn, int(after or 0))


@contextlib.contextmanager
def references_checked_after(conn: sqlite3.Connection) -> Iterator[None]:
    """No foreign key checked row by row while inside (around a write transaction: SQLite
    changes the setting only outside one); the caller checks every reference once its rows
    are in (:func:`unknown_references`)."""
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


@contextlib.contextmanager
def indexes_built_after(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """While rows are added to ``table`` when it holds none, without its plain (not
    UNIQUE) indexes, each made again afterwards from its own text in ``sqlite_master``, in
    one pass over the rows instead of one insert per row and index. Inside the caller's
    write transaction, like :func:`day_counts_at_the_end`; a table that holds rows keeps
    its indexes."""
    if conn.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1").fetchone() is not None:
        yield
        return
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY rowid",
        (table,),
    ).fetchall()
    plain = [(str(n), str(sql)) for n, sql in rows if str(n) in set(_plain_indexes(conn))]
    for name, _ in plain:
        conn.execute(f"DROP INDEX {quote(name)}")
    with _made_again(conn, [("index", name, sql) for name, sql in plain]):
        yield


@contextlib.contextmanager
def _made_again(
    conn: sqlite3.Connection, objects: Sequence[tuple[str, str, str]]
) -> Iterator[None]:
    """Create ``objects`` ((type, name, SQL) dropped inside the write transaction) again on
    the way out. After an error, only those the transaction still lacks, and never hiding
    that error: SQLite rolls the whole transaction back by itself on a full disk, which
    puts them back already."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                for kind, name, sql in objects:
                    if not conn.execute(
                        "SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", (kind, name)
                    ).fetchone():
                        conn.execute(sql)
        raise
    for _, _, sql in objects:
        conn.execute(sql)


def add_day_counts(conn: sqlite3.Connection, after: int) -> None:
    """Count into ``day_counts`` the records whose rowid is above ``after`` and drop the
    streak states they make stale: what ``day_counts_insert`` does for each of them.

    The records are counted by medication and slot date, in the order of an index, which
    is the order of the day counts' key; then only the doses that may be late or early are
    judged by their schedule version and added to their days' counts: one less late (or
    early) than every grace period is neither, whichever version judges it. The day of
    each date is worked out once."""
    late, early = IS_LATE.format("r"), IS_EARLY.format("r")
    floor = _least_grace(conn)
    judged = "" if floor is None else f" AND abs(coalesce(r.late_minutes, 0)) > {floor}"
    day = DAY_ORDINAL.format("r.slot_date")
    added = (
        " ON CONFLICT (med_id, day) DO UPDATE SET doses = doses + excluded.doses,"
        " skips = skips + excluded.skips, lates = lates + excluded.lates,"
        " earlies = earlies + excluded.earlies"
    )
    conn.execute(
        "INSERT INTO day_counts (med_id, day, doses, skips, lates, earlies)"
        f" SELECT r.med_id, {day}, sum(r.kind = 'dose'), sum(r.kind = 'skip'), 0, 0"
        f" FROM records r WHERE {_NEW_COUNTED} GROUP BY r.med_id, r.slot_date{added}",
        {"after": after},
    )
    conn.execute(
        "INSERT INTO day_counts (med_id, day, doses, skips, lates, earlies)"
        f" SELECT r.med_id, {day}, 0, 0, sum({late}) AS lates, sum({early}) AS earlies"
        # Read in rowid order: the few doses that need judging need the whole row.
        f" FROM records r NOT INDEXED WHERE {_NEW_COUNTED}{judged}"
        f" GROUP BY r.med_id, r.slot_date HAVING lates OR earlies{added}",
        {"after": after},
    )
    conn.execute(
        f"WITH first (med_id, day) AS (SELECT r.med_id, min({day}) FROM records r"
        f" WHERE {_NEW_COUNTED} GROUP BY r.med_id)"
        " DELETE FROM streak_cache WHERE through >= (SELECT min(first.day) FROM first"
        " WHERE first.med_id = streak_cache.scope OR streak_cache.scope = '*')",
        {"after": after},
    )


def _least_grace(conn: sqlite3.Connection) -> int | None:
    """The least grace period a dose is judged by (60 minutes where no schedule version
    applies), when every version's is a whole number; else None."""
    least, others = conn.execute(
        "SELECT min(grace), count(*) FILTER (WHERE typeof(grace) != 'integer') FROM schedules"
    ).fetchone()
    if others:
        return None
    return 60 if least is None else min(60, int(least))


def refresh_derived(conn: sqlite3.Connection, med_ids: Sequence[str]) -> None:
    """Bring the summary tables up to date for the medications ``med_ids``.

    The journal's triggers keep the day counts as rows arrive, but a record imported after
    the schedule version that covers it cannot mark the range that version may have left
    without matching slots (the triggers only see records already there when a version is
    written). This marks it by the rule the ``m003_day_counts`` migration uses for existing
    journals: records made before a later schedule version, in its span."""
    if not {"exact_ranges", "streak_cache"} <= set(table_sql(conn)):
        return
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
