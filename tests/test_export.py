"""The export writes each row exactly as one ``json.dumps`` of it would, however many rows
are encoded at once and whether SQLite or Python writes the cells (adherelog.export)."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adherelog import clock, export, storage
from adherelog.effects import add_effect
from adherelog.errors import AdherelogError
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions, add_med
from adherelog.migrations import SCHEMA_VERSION
from adherelog.storage import portability as stored
from adherelog.text import is_forbidden_char


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    zone = clock.local_zone()
    store = storage.open_store(tmp_path / "export.db", write=True)
    try:
        yield Journal(store, datetime(2026, 11, 22, 9, 10, tzinfo=zone), zone)
    finally:
        store.close()


def reference_line(item: dict[str, object]) -> str:
    """One row as the export has always written it."""
    line = json.dumps(item, ensure_ascii=False, allow_nan=False)
    if line.isascii():
        return line
    return "".join(json.dumps(c)[1:-1] if is_forbidden_char(c) else c for c in line)


NOTES = ["plain", "a }, { b", "del \x7f", "Café", 'quote " and \\ slash', "tab\tline\nx", None]


@pytest.mark.parametrize("batch", [1, 2, 3, 2000])
def test_every_row_is_written_as_json_dumps_writes_it(
    journal: Journal, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", batch)
    add_med(journal, "Metformin", ScheduleOptions(times=[time(8)]), supply=0.1, per_dose=2.5)
    for index, note in enumerate(NOTES * 2):
        made = add_effect(journal, "Nausea", note=f"note {index}")
        # Text no write path accepts, as a journal written elsewhere may hold it.
        with journal.store.write() as conn:
            conn.execute("UPDATE records SET note = ? WHERE id = ?", (note, made.id))
    out = io.StringIO()
    export.write_json(journal, out)
    document = out.getvalue()
    lines = [line.strip().rstrip(",") for line in document.splitlines()]
    rows = [row for table in export.EXPORTED_TABLES for row in json.loads(document)[table]]
    written = [line for line in lines if line.startswith('{"')]
    assert written == [reference_line(row) for row in rows]
    assert len(written) == 1 + 1 + 2 * len(NOTES)


def test_no_progress_bar_beside_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from adherelog.cli.actions import data

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for shown in (True, False):
        terminal = Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        with data._progress("Importing", shown=shown) as progress:
            assert (progress is not None) is shown
            if progress is not None:
                progress(data.PROGRESS_ROWS, 2 * data.PROGRESS_ROWS)
                progress(2 * data.PROGRESS_ROWS, 2 * data.PROGRESS_ROWS)
        assert bool(terminal.getvalue()) is shown


# --- awkward cells, byte for byte -----------------------------------------------------------

AWKWARD_MED = (
    "m1",
    "Ácido fólico ☕",
    "ácido fólico ☕",
    0.25,
    1e20,
    'tab\there, "quoted"',
    "2026-11-22T09:10:00Z",
)
# note, amount, late_minutes, severity: texts that look like JSON or need escapes, reals
# Python and SQLite might write differently, integers at the edges, and cells of the wrong
# type (a journal written elsewhere may hold any of them).
AWKWARD_CELLS: list[tuple[object, object, object, object]] = [
    ("plain", 1.0, 0, None),
    ("a }, { b", 0.5, -5, 3),
    ("commas, here,", 2.25, 2**63 - 1, None),
    ('quote " and \\ slash', 0.1, -(2**63), None),
    ("tab\tline\nbreak \x01\x1f", 1e16, None, None),
    ("del \x7f", 1e-05, 1.5, None),
    ("café del \x7f", 1 / 3, "abc", 2.5),
    ("zero\u200bwidth bidi\u202e bom\ufeff line\u2028", -7.25, 7, None),
    ("emoji 😀👍🏽 private \U000f0000", 1048575.984375, 0, 1),
    ("nul \x00 char", 1048576.0, 0, None),
    ("%s and %% and %(x)s", 123456789.0, 0, None),
    ("", 0.0, 0, None),
    (":colon", -0.015625, 0, None),
    ("][", 99.99, 0, None),
    (None, None, None, None),
    ("null", 3.0, 0, None),
]


def plant_awkward(journal: Journal, note_of: dict[int, object] | None = None) -> None:
    """A medication and records holding :data:`AWKWARD_CELLS`, with fixed ids; the notes of
    ``note_of`` (by record number) replaced."""
    with journal.store.write() as conn:
        conn.execute(
            "INSERT INTO meds (id, name, name_key, per_dose, supply, note, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            AWKWARD_MED,
        )
        for index, (note, amount, late, severity) in enumerate(AWKWARD_CELLS):
            conn.execute(
                "INSERT INTO records (id, kind, med_id, at, zone, local_date, late_minutes,"
                " amount, note, effect, severity, created_at) VALUES (?, 'effect', 'm1', ?,"
                " 'Europe/London', '2026-11-20', ?, ?, ?, 'Nausea', ?, '2026-11-22T09:10:00Z')",
                (
                    f"r{index:02d}",
                    f"2026-11-20T08:{index:02d}:00Z",
                    late,
                    amount,
                    (note_of or {}).get(index, note),
                    severity,
                ),
            )


# The export of :func:`plant_awkward`, as adherelog has always written it.
AWKWARD_EXPORT = (
    "{\n"
    '  "format": "adherelog-journal",\n'
    '  "version": 1,\n'
    f'  "schema": {SCHEMA_VERSION},\n'
    '  "exported_at": "2026-11-22T09:10:00+00:00",\n'
    '  "meds": [\n'
    '    {"id": "m1", "name": "Ácido fólico ☕", "name_key": "ácido fólico ☕", '
    '"per_dose": 0.25, "supply": 1e+20, "note": "tab\\there, \\"quoted\\"", '
    '"created_at": "2026-11-22T09:10:00Z"}\n'
    "  ],\n"
    '  "schedules": [],\n'
    '  "records": [\n'
    '    {"id": "r00", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:00:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 1.0, '
    '"note": "plain", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r01", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:01:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": -5, "amount": 0.5, '
    '"note": "a }, { b", "effect": "Nausea", "severity": 3, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r02", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:02:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 9223372036854775807, '
    '"amount": 2.25, "note": "commas, here,", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r03", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:03:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": -9223372036854775808, '
    '"amount": 0.1, "note": "quote \\" and \\\\ slash", "effect": "Nausea", '
    '"severity": null, "created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r04", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:04:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": null, "amount": 1e+16, '
    '"note": "tab\\tline\\nbreak \\u0001\\u001f", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r05", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:05:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 1.5, "amount": 1e-05, '
    '"note": "del \x7f", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r06", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:06:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": "abc", '
    '"amount": 0.3333333333333333, "note": "café del \\u007f", "effect": "Nausea", '
    '"severity": 2.5, "created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r07", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:07:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 7, "amount": -7.25, '
    '"note": "zero\\u200bwidth bidi\\u202e bom\\ufeff line\\u2028", "effect": "Nausea", '
    '"severity": null, "created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r08", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:08:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 1048575.984375, '
    '"note": "emoji 😀👍🏽 private \\udb80\\udc00", "effect": "Nausea", "severity": 1, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r09", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:09:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 1048576.0, '
    '"note": "nul \\u0000 char", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r10", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:10:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 123456789.0, '
    '"note": "%s and %% and %(x)s", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r11", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:11:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 0.0, "note": "", '
    '"effect": "Nausea", "severity": null, "created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r12", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:12:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": -0.015625, '
    '"note": ":colon", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r13", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:13:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 99.99, '
    '"note": "][", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r14", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:14:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": null, "amount": null, '
    '"note": null, "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"},\n'
    '    {"id": "r15", "kind": "effect", "med_id": "m1", "at": "2026-11-20T08:15:00Z", '
    '"zone": "Europe/London", "local_date": "2026-11-20", "slot_at": null, '
    '"slot_zone": null, "slot_date": null, "late_minutes": 0, "amount": 3.0, '
    '"note": "null", "effect": "Nausea", "severity": null, '
    '"created_at": "2026-11-22T09:10:00Z"}\n'
    "  ],\n"
    '  "refills": [],\n'
    '  "tips": [],\n'
    '  "tip_bundles": [],\n'
    '  "tip_bundle_worked": [],\n'
    '  "tip_peers": [],\n'
    '  "tip_ratings": [],\n'
    '  "tip_digests": [],\n'
    '  "tip_group_counts": [],\n'
    '  "buddies": [],\n'
    '  "buddy_cards": [],\n'
    '  "buddy_contacts": [],\n'
    '  "goals": []\n'
    "}\n"
)


@pytest.mark.parametrize("batch", [1, 2, 3, 2000])
def test_awkward_cells_are_written_byte_for_byte(
    journal: Journal, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", batch)
    plant_awkward(journal)
    out = io.StringIO(newline="")
    export.write_json(journal, out)
    assert out.getvalue() == AWKWARD_EXPORT


@pytest.mark.parametrize(
    ("note", "error", "message", "ends"),
    [
        # found when the batch is written, after the line break before it
        (b"\x01\x02", AdherelogError, "binary data in records.note", ",\n    "),
        # found when the batch is read
        (None, sqlite3.OperationalError, "Could not decode to UTF-8 column 'note'", "}"),
    ],
)
def test_a_cell_an_export_cannot_carry_stops_it_where_it_always_has(
    journal: Journal,
    monkeypatch: pytest.MonkeyPatch,
    note: bytes | None,
    error: type[Exception],
    message: str,
    ends: str,
) -> None:
    monkeypatch.setattr(export, "BATCH", 2)
    plant_awkward(journal, {4: note})
    if note is None:  # text that is not UTF-8
        with journal.store.write() as conn:
            conn.execute("UPDATE records SET note = CAST(X'61FF62' AS TEXT) WHERE id = 'r04'")
    out = io.StringIO(newline="")
    with pytest.raises(error, match=message):
        export.write_json(journal, out)
    before = AWKWARD_EXPORT[: AWKWARD_EXPORT.index('{"id": "r04"')]  # two batches of records
    assert out.getvalue() == before[: before.rindex(ends) + len(ends)]


# --- SQLite's JSON against Python's ---------------------------------------------------------

SIXTY_FOURTHS = st.integers(-(2**26) + 1, 2**26 - 1).map(lambda m: m / 64)  # 0.5, 2.25, ...
REALS = st.floats(allow_nan=False, allow_infinity=False) | SIXTY_FOURTHS
CELLS = st.none() | st.text() | st.integers(-(2**63), 2**63 - 1) | REALS


def _plain(value: object) -> bool:
    """A cell SQLite is left to write: no text with a comma, no real but a nonzero multiple
    of 1/64 under 2**20 in size."""
    if isinstance(value, str):
        return "," not in value
    if isinstance(value, float):
        return value != 0 and abs(value) < 2**20 and (value * 64).is_integer()
    return True


def test_this_sqlite_writes_json_as_python_does() -> None:
    """Else every export takes the slower way, with Python writing every cell."""
    assert export._sqlite_writes_as_python(sqlite3.connect(":memory:"))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(st.none() | st.text(), CELLS, CELLS, CELLS), max_size=12),
    batch=st.integers(1, 5),
)
def test_sqlite_writes_the_cells_as_json_dumps_does(
    rows: list[tuple[object, ...]], batch: int
) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL, d)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?)", [(i, *row) for i, row in enumerate(rows)]
    )
    (table,) = stored.tables(conn, ["t"])
    held = [tuple(row) for row in stored.exported_rows(conn, table)]
    expected = [reference_line(dict(zip(table.names, row, strict=True))) for row in held]
    with mock.patch.object(export, "BATCH", batch):
        written = [text() for _, text in export._table_lines(conn, table, fast=True)]
    assert ",\n    ".join(written) == ",\n    ".join(expected)
    # SQLite wrote every batch whose cells it may write, and those alone.
    cells = export._cells_writer(table)
    cursor = stored.exported_json(conn, table)
    assert cursor is not None
    for start in range(0, len(held), batch):
        text = cells(cursor.fetchmany(batch))
        part = held[start : start + batch]
        assert (text is not None) == all(_plain(v) for row in part for v in row)
        if text is not None:
            assert export._readable(text) == ",\n    ".join(expected[start : start + batch])


@pytest.mark.parametrize(
    "create",
    [
        "CREATE TABLE t (n TEXT PRIMARY KEY, a REAL) WITHOUT ROWID",
        'CREATE TABLE t (n INTEGER PRIMARY KEY, "rowid" TEXT, "_ROWID_" REAL, oid)',
        'CREATE TABLE t (n TEXT, "Rowid" REAL)',
    ],
)
def test_a_table_without_a_rowid_to_find_rows_by_is_written_by_python(create: str) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(create)
    columns = len(conn.execute("SELECT * FROM t").description)
    cells = [(2, 0.1, "x, y", 2), (1, 2.5, "é\u200b", None), (3, 1.0, None, 0.5)]
    for row in cells:
        conn.execute(f"INSERT INTO t VALUES ({', '.join('?' * columns)})", row[:columns])
    (table,) = stored.tables(conn, ["t"])
    held = [dict(zip(table.names, row, strict=True)) for row in stored.exported_rows(conn, table)]
    with mock.patch.object(export, "BATCH", 2):
        written = [text() for _, text in export._table_lines(conn, table, fast=True)]
    assert ",\n    ".join(written) == ",\n    ".join(reference_line(row) for row in held)
