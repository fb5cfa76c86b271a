"""The quick routes of ``import`` against the careful ones they stand in for.

Reading: a batch of rows decoded by orjson, checked column by column and staged at
once (its keys, in a loosened staging table, kept by their hashes), must end as the same
batch decoded by the strict decoder and checked row by row ends: the same rows staged, or
the same sentence about the same place (the loosened table may instead step aside, for
the whole-file reader to tell a repeated key). Merging: the rows merged by SQL from the
attached staging journal must leave the journal, and report, what the merge row by row
leaves and reports."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adherelog import identity, importing, strictjson
from adherelog.errors import AdherelogError, InvalidFileError
from adherelog.export import journal_tables
from adherelog.migrations import SCHEMA_VERSION
from adherelog.model import Table
from adherelog.storage import portability as stored
from test_import_day_counts import fill, opened, random_journal

MED = "0b6c1f9e-1d0e-4c39-9f55-4f0cfb0e6a3d"


def _row(day: int) -> dict[str, Any]:
    at = f"2026-10-{day:02d}"
    return {
        "id": str(uuid.UUID(int=day + 1, version=4)),
        "kind": "dose",
        "med_id": MED,
        "at": f"{at}T08:05:00Z",
        "zone": "Europe/London",
        "local_date": at,
        "slot_at": f"{at}T08:00:00Z",
        "slot_zone": "Europe/London",
        "slot_date": at,
        "late_minutes": 5,
        "amount": 1.0,
        "note": None,
        "effect": None,
        "severity": None,
        "created_at": "2026-11-22T09:10:00Z",
    }


def _set(key: str, value: str) -> Callable[[str, list[str]], str]:
    """The value of ``key`` written as ``value`` (JSON text)."""

    def change(line: str, _: list[str]) -> str:
        row = json.loads(line)
        if key not in row:
            return line
        return line.replace(f'"{key}": {json.dumps(row[key])}', f'"{key}": {value}', 1)

    return change


def _same_as_first(*keys: str) -> Callable[[str, list[str]], str]:
    def change(line: str, lines: list[str]) -> str:
        first = json.loads(lines[0])
        for key in keys:
            if key not in first:
                return line
            line = _set(key, json.dumps(first[key]))(line, lines)
        return line

    return change


def _drop(key: str) -> Callable[[str, list[str]], str]:
    def change(line: str, _: list[str]) -> str:
        row = json.loads(line)
        if key not in row:
            return line
        return line.replace(f'"{key}": {json.dumps(row[key])}, ', "", 1)

    return change


def _reorder(line: str, _: list[str]) -> str:
    row = json.loads(line)
    if "kind" not in row:
        return line
    kind = row.pop("kind")
    return json.dumps({**row, "kind": kind}, ensure_ascii=False)


CHANGES: dict[str, Callable[[str, list[str]], str]] = {
    "a key twice": lambda line, _: '{"late_minutes": 7, ' + line[1:],
    "a key twice, alike": lambda line, _: '{"kind": "dose", ' + line[1:],
    "a key twice, at the end": lambda line, _: line[:-1] + ', "note": null}',
    "NaN": _set("late_minutes", "NaN"),
    "Infinity": _set("amount", "Infinity"),
    "-Infinity": _set("amount", "-Infinity"),
    "a float too large": _set("amount", "1e400"),
    "a zero float": _set("amount", "0.0"),
    "minus zero": _set("late_minutes", "-0.0"),
    "21 digits": _set("late_minutes", "123456789012345678901"),
    "20 digits": _set("late_minutes", "-1234567890123456789"),
    "19 digits, too large": _set("late_minutes", "9999999999999999999"),
    "21 digits for an amount": _set("amount", "123456789012345678901"),
    "2**64 for an amount": _set("amount", "18446744073709551616"),
    "2**63 for an amount": _set("amount", "9223372036854775808"),
    "below -2**63 for an amount": _set("amount", "-9223372036854775809"),
    "-2**63 for an amount": _set("amount", "-9223372036854775808"),
    "1e19 for an amount": _set("amount", "1e19"),
    "true": _set("severity", "true"),
    "a text for a number": _set("late_minutes", '"5"'),
    "a number for a text": _set("zone", "5"),
    "not a UUID": _set("id", '"not-a-uuid"'),
    "an escaped line break": _set("note", '"one\\ntwo"'),
    "an escaped backslash": _set("note", '"a\\\\b"'),
    "escaped quotes": _set("note", '"say \\"hi\\""'),
    "a unicode escape": _set("note", '"\\u00e9t\\u00e9"'),
    "a quote-like escape": _set("note", '"\\u0022"'),
    "a list": _set("note", '["a", "b"]'),
    "an object": _set("note", '{"a": "b", "a": "c"}'),
    "a key missing": _drop("note"),
    "a required key missing": _drop("zone"),
    "an unknown key": lambda line, _: '{"x": 1, ' + line[1:],
    "keys in another order": _reorder,
    "the id of the first row": _same_as_first("id"),
    "the slot of the first row": _same_as_first("slot_at", "slot_date"),
    "a skip": _set("kind", '"skip"'),
    "an effect without its name": _set("kind", '"effect"'),
}


class _Routes:
    """Three staging journals at the current schema, emptied between examples: one read
    strictly, one the quick way, one the quick way with its unique rules kept by the
    stager."""

    def __init__(self) -> None:
        self.strict = stored.new_staging(SCHEMA_VERSION)
        self.quick = stored.new_staging(SCHEMA_VERSION)
        self.loose = stored.new_staging(SCHEMA_VERSION)
        self.table = next(t for t in journal_tables(self.strict) if t.name == "records")
        self.unique = stored.loosen_staging(self.loose, self.table)
        assert self.unique == [("med_id", "slot_at"), ("id",)]

    def clear(self) -> None:
        for conn in (self.strict, self.quick, self.loose):
            conn.execute("DELETE FROM records")


_ROUTES: list[_Routes] = []


def _staged(
    conn: sqlite3.Connection,
    table: Table,
    batch: importing.Batch,
    unique: list[tuple[str, ...]] | None = None,
) -> object:
    """The rows staged from ``batch``, or what was wrong."""
    try:
        importing._stage_batches(conn, table, [batch], None, 0, 0, unique)
    except InvalidFileError as exc:
        return str(exc)
    except importing._Unusual:
        return "left to the whole-file reader"
    return conn.execute("SELECT rowid, * FROM records ORDER BY rowid").fetchall()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 6),
    st.lists(st.tuples(st.integers(0, 5), st.sampled_from(sorted(CHANGES))), max_size=3),
)
def test_the_quick_reading_stages_or_refuses_what_the_strict_one_does(
    rows: int, changes: list[tuple[int, str]]
) -> None:
    if not _ROUTES:
        _ROUTES.append(_Routes())
    routes = _ROUTES[0]
    routes.clear()
    lines = [json.dumps(_row(day + 1), ensure_ascii=False) for day in range(rows)]
    for index, name in changes:
        if index < rows:
            lines[index] = CHANGES[name](lines[index], lines)
    decoder = strictjson.decoder(importing.MAX_INT_DIGITS)
    text = "[" + ",".join(lines) + "]"
    try:
        strict_rows = decoder.decode(text)
    except ValueError:
        return  # not JSON at all: no row is read either way
    strict = _staged(routes.strict, routes.table, (0, strict_rows, None, None))
    quick_batch = importing._decoded(0, rows, ("[" + ",\n    ".join(lines) + "]").encode(), decoder)
    quick = _staged(routes.quick, routes.table, quick_batch)
    loose = _staged(routes.loose, routes.table, quick_batch, routes.unique)
    assert quick == strict
    assert repr(quick) == repr(strict)  # floats alike to the sign of a zero
    if loose == "left to the whole-file reader":
        assert isinstance(strict, str)
        assert "repeats the id" in strict or "same scheduled dose" in strict
    else:
        assert repr(loose) == repr(strict)


def test_a_key_given_twice_is_told_as_the_strict_decoder_tells_it() -> None:
    lines = [json.dumps(_row(day)) for day in (1, 2, 3)]
    lines[2] = '{"late_minutes": 7, ' + lines[2][1:]
    decoder = strictjson.decoder(importing.MAX_INT_DIGITS)
    batch = importing._decoded(0, 3, ("[" + ",\n".join(lines) + "]").encode(), decoder)
    assert batch[2] is not None  # read by orjson, which keeps no duplicate
    conn = stored.new_staging(SCHEMA_VERSION)
    table = next(t for t in journal_tables(conn) if t.name == "records")
    assert _staged(conn, table, batch) == 'records[2]: the key "late_minutes" appears twice.'


def test_a_repeated_slot_is_left_to_the_whole_reader(tmp_path: Path) -> None:
    from test_import_streaming import _row_line, streamed, whole
    from test_portability import export_text, full_journal

    path = tmp_path / "full.db"
    full_journal(path)
    text = export_text(path)
    lines = text.split("\n")
    slotted = []
    for index in range(20):
        at = _row_line(text, "records", index)
        row = json.loads(lines[at].strip().rstrip(","))
        if row["slot_at"] is not None:
            slotted.append((at, row))
    (_first, one), (second, two) = slotted[:2]
    for key in ("med_id", "slot_at", "slot_date"):
        lines[second] = lines[second].replace(
            f'"{key}": {json.dumps(two[key])}', f'"{key}": {json.dumps(one[key])}', 1
        )
    data = "\n".join(lines).encode()
    (tmp_path / "file.json").write_bytes(data)
    told = whole(data)
    assert isinstance(told, str)
    assert "fills the same scheduled dose" in told
    assert streamed(tmp_path / "file.json") is None


# --------------------------------------------------------------------------- merging

DUMPED = (
    "meds",
    "schedules",
    "records",
    "refills",
    "day_counts",
    "exact_ranges",
    "streak_cache",
)


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            name: conn.execute(f"SELECT rowid, * FROM {name} ORDER BY 1").fetchall()
            if name != "day_counts"
            else conn.execute("SELECT * FROM day_counts ORDER BY 1, 2").fetchall()
            for name in DUMPED
        }
    finally:
        conn.close()


def _import(path: Path, export: Path) -> importing.ImportResult:
    staged = importing.read_export_file(str(export))
    assert staged is not None
    assert staged.path is not None
    return _merged(path, staged)


def _merged(path: Path, staged: importing.Staged) -> importing.ImportResult:
    """``staged`` merged into the journal at ``path`` (made when missing), then closed."""
    journal = opened(path)
    try:
        return importing.merge(journal, staged, dry_run=False)
    finally:
        journal.store.close()
        staged.close()


@pytest.mark.parametrize("seed", range(8))
def test_merging_in_sql_leaves_what_merging_row_by_row_leaves(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty journal (seed % 4 == 0), the same one (1), an older copy of it whose
    rows partly differ (2), and one that also fills some of the file's slots under other
    ids (3)."""
    from test_portability import export_text

    rng = random.Random(seed)
    case = seed % 4
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    middle = start + timedelta(days=rng.randint(5, 15))
    journal = opened(source)
    fill(journal, rng, names, start, middle)
    journal.store.close()
    target = tmp_path / "target.db"
    if case == 0:
        opened(target).store.close()
    else:
        shutil.copyfile(source, target)
    journal = opened(source)
    fill(journal, rng, names, middle + timedelta(days=1), date(2026, 11, 21))
    journal.store.close()
    if case == 1:
        shutil.copyfile(source, target)
    if case >= 2:
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("UPDATE records SET note = 'changed' WHERE rowid % 3 = 0")
        conn.execute("UPDATE meds SET supply = 12 WHERE rowid = 1")
        conn.close()
    if case == 3:
        journal = opened(target)
        fill(journal, random.Random(seed), names, middle + timedelta(days=1), date(2026, 11, 3))
        journal.store.close()
    export = tmp_path / "export.json"
    export.write_text(export_text(source))
    twin = tmp_path / "twin.db"
    shutil.copyfile(target, twin)

    in_sql = _import(target, export)
    with monkeypatch.context() as patched:
        patched.setattr(importing, "_merged_at_once", lambda *_: None)
        row_by_row = _import(twin, export)

    assert in_sql == row_by_row
    assert _dump(target) == _dump(twin)
    assert bool(in_sql.conflicts) is (case >= 2)
    # And the same file again (in the journal's order, where the journal took its rows).
    again = _import(target, export)
    with monkeypatch.context() as patched:
        patched.setattr(importing, "_merged_at_once", lambda *_: None)
        assert _import(twin, export) == again
    assert _dump(target) == _dump(twin)
    assert not any(again.added.values())
    assert again.already_held == {
        name: in_sql.already_held[name] + in_sql.added[name] for name in in_sql.added
    }


def test_a_dry_run_in_sql_writes_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, date(2026, 11, 21))
    journal.store.close()
    from test_portability import export_text

    export = tmp_path / "export.json"
    export.write_text(export_text(source))
    target = tmp_path / "target.db"
    opened(target).store.close()
    before = _dump(target)
    staged = importing.read_export_file(str(export))
    assert staged is not None
    journal = opened(target)
    try:
        result = importing.merge(journal, staged, dry_run=True)
    finally:
        journal.store.close()
        staged.close()
    assert result.added["records"] > 0
    assert _dump(target) == before


_UUID_TEXTS = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: str(u).replace("-", "")),
    st.uuids().map(lambda u: str(u)[:2] + "  " + str(u)[4:]),
    st.uuids().map(lambda u: str(u)[:2] + "\t\n" + str(u)[4:]),
    st.tuples(st.uuids().map(str), st.integers(0, 35), st.characters()).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]
    ),
    st.tuples(st.uuids().map(str), st.integers(0, 36), st.characters()).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    ),
    st.text(max_size=40),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_UUID_TEXTS, min_size=1, max_size=8))
def test_a_column_of_uuids_passes_at_once_only_when_each_value_does(values: list[str]) -> None:
    from adherelog import rules
    from adherelog.model import Column

    column = Column("id", "text", not_null=True, has_default=False, pk=1)
    check = rules.column_check(column, rules.is_uuid)
    at_once = rules.all_pass(column, check, rules.is_uuid, values)
    assert at_once == all(check(value) is None for value in values)


def test_a_dry_run_into_a_journal_that_exists_tells_and_changes_nothing(tmp_path: Path) -> None:
    """``import --dry-run`` into an existing journal reports what it would add, as into a
    new one, and leaves the file as it was (it once refused: the journal was opened
    read-only and the merge, rolled back in the end, could not even begin)."""
    from helpers import journal, ok, sha256
    from test_portability import export_text, full_journal

    full_journal(journal())
    source = tmp_path / "laptop.json"
    source.write_text(export_text(journal()), encoding="utf-8")
    other = tmp_path / "other.db"
    ok("--db", str(other), "med", "add", "Aspirin", "--time", "08:00")
    before = sha256(other)
    dry = json.loads(ok("--db", str(other), "import", str(source), "--dry-run", "--json").stdout)
    assert dry["dry_run"] is True
    assert dry["added"]["meds"] == 3
    assert sha256(other) == before
    done = json.loads(ok("--db", str(other), "import", str(source), "--json").stdout)
    assert done["added"] == dry["added"]


def test_batches_of_any_size_are_read_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However the rows fall into batches, a table's last row at the end of a batch too,
    the line reader stages what the whole reader stages (it once sent a table of a multiple
    of the batch size to the whole reader)."""
    from test_import_streaming import streamed, whole
    from test_portability import export_text, full_journal

    path = tmp_path / "full.db"
    full_journal(path)
    text = export_text(path)
    records = len(json.loads(text)["records"])
    (tmp_path / "file.json").write_text(text)
    expected = whole(text.encode())
    assert not isinstance(expected, str)
    for size in sorted({1, 2, 3, records - 1, records, records + 1, 2 * records}):
        monkeypatch.setattr(importing, "BATCH", size)
        assert streamed(tmp_path / "file.json") == expected, size


_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    # Values that one set would take for one another: 1, 1.0 and True; 0, 0.0, -0.0, False.
    st.sampled_from([1, 1.0, True, 0, 0.0, -0.0, False, 5, 5.0, 0.5, 720, 721, -1, "1", "dose"]),
    st.text(max_size=5),
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(
        [
            ("records", "late_minutes"),
            ("records", "amount"),
            ("records", "severity"),
            ("records", "kind"),
            ("records", "note"),
            ("meds", "supply"),
            ("schedules", "grace"),
        ]
    ),
    st.lists(_CELLS, min_size=1, max_size=8),
)
def test_a_column_passes_at_once_only_when_each_value_does(
    where: tuple[str, str], values: list[Any]
) -> None:
    from adherelog import rules

    if not _ROUTES:
        _ROUTES.append(_Routes())
    table_name, name = where
    table = next(t for t in journal_tables(_ROUTES[0].strict) if t.name == table_name)
    column = next(c for c in table.columns if c.name == name)
    rule = rules.RULES.get(where)
    check = rules.column_check(column, rule)
    at_once = rules.all_pass(column, check, rule, values)
    assert at_once == all(check(value) is None for value in values)


# --------------------------------------------------------------------------- a new journal


def _dump_all(path: Path) -> dict[str, list[tuple[object, ...]]]:
    dumped = _dump(path)
    conn = sqlite3.connect(path)
    try:
        dumped["zone_offsets"] = conn.execute("SELECT * FROM zone_offsets ORDER BY 1, 2").fetchall()
        dumped["keys"] = conn.execute("SELECT * FROM journal_keys").fetchall()
        dumped["sqlite_master"] = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        dumped["journal_mode"] = conn.execute("PRAGMA journal_mode").fetchall()
        dumped["foreign_keys"] = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return dumped


@pytest.mark.parametrize("seed", range(4))
def test_an_import_into_a_new_journal_leaves_what_the_merge_leaves(
    tmp_path: Path, seed: int
) -> None:
    """Written straight into the new journal, the file leaves the journal, and the report,
    that staging it and merging it into an empty journal leave."""
    from test_portability import export_text

    rng = random.Random(seed)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, date(2026, 11, 21))
    if seed % 2:
        with journal.store.write() as conn:
            identity.ensure(conn, journal.now)
    journal.store.close()
    export = tmp_path / "export.json"
    export.write_text(export_text(source))

    straight = tmp_path / "straight.db"
    journal = opened(straight)
    told: list[tuple[int, int]] = []
    try:
        written = importing.import_into_new(journal, str(export), lambda *at: told.append(at))
    finally:
        journal.store.close()
    lines = export.read_text().count("\n")
    assert told[-1] == (lines, lines)
    assert [done for done, _ in told] == sorted(done for done, _ in told)
    assert {total for _, total in told} == {lines}
    merged_path = tmp_path / "merged.db"
    merged = _import(merged_path, export)

    assert written == merged
    assert written.added["records"] > 100
    assert (written.keys is not None) is bool(seed % 2)
    assert _dump_all(straight) == _dump_all(merged_path)
    assert _dump_all(straight)["journal_mode"] == [("wal",)]


def _first_record(key: str, value: object) -> Callable[[str], str]:
    """The export text with ``key`` of its first record set to ``value``."""

    def change(text: str) -> str:
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith('  "records": [')) + 1
        row = json.loads(lines[at].rstrip(","))
        row[key] = value
        lines[at] = "    " + json.dumps(row, ensure_ascii=False) + ","
        return "\n".join(lines)

    return change


def _repeat_first_record(text: str) -> str:
    """The first record's id given to the second too."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith('  "records": [')) + 1
    row = json.loads(lines[at + 1].rstrip(","))
    row["id"] = json.loads(lines[at].rstrip(","))["id"]
    lines[at + 1] = "    " + json.dumps(row, ensure_ascii=False) + ","
    return "\n".join(lines)


_BROKEN: dict[str, Callable[[str], str]] = {
    "an unknown medication": _first_record("med_id", str(uuid.UUID(int=5, version=4))),
    "a repeated id": _repeat_first_record,
    "a bad time": _first_record("at", "2026-13-01T08:00:00Z"),
}


@pytest.mark.parametrize("broken", sorted(_BROKEN))
def test_a_file_the_new_journal_cannot_take_leaves_nothing_written(
    tmp_path: Path, broken: str
) -> None:
    """The straight route steps aside (rolled back); the usual import then tells what is
    wrong in its own words."""
    from test_portability import export_text

    source = tmp_path / "source.db"
    names, start = random_journal(source, random.Random(7))
    journal = opened(source)
    fill(journal, random.Random(7), names, start, date(2026, 11, 21))
    journal.store.close()
    export = tmp_path / "export.json"
    export.write_text(_BROKEN[broken](export_text(source)))

    target = tmp_path / "new.db"
    journal = opened(target)
    try:
        with pytest.raises(importing.NotThisWay):
            importing.import_into_new(journal, str(export))
        tables = [t.name for t in journal_tables(journal.store.conn)]
        for name in tables:
            count = journal.store.conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert count == 0, name
        assert journal.store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert journal.store.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    finally:
        journal.store.close()
    with pytest.raises(AdherelogError):  # the usual import refuses it too, and says why
        _usual_import(tmp_path / "usual.db", export)


def _usual_import(path: Path, export: Path) -> importing.ImportResult:
    return _merged(path, importing.read_export(export.read_bytes()))


def test_a_new_journal_that_holds_a_row_is_merged_into(tmp_path: Path) -> None:
    from test_portability import export_text

    source = tmp_path / "source.db"
    random_journal(source, random.Random(3))
    export = tmp_path / "export.json"
    export.write_text(export_text(source))
    target = tmp_path / "target.db"
    random_journal(target, random.Random(4))
    journal = opened(target)
    try:
        with pytest.raises(importing.NotThisWay):
            importing.import_into_new(journal, str(export))
    finally:
        journal.store.close()


def test_a_new_journal_refused_mid_file_is_not_left_behind(tmp_path: Path) -> None:
    """Through the command: the file is refused at its place, as by the usual import,
    and the journal (and the folders) the import made for it are gone again."""
    from helpers import invoke, ok, one_error_line
    from test_portability import export_text

    source = tmp_path / "source.db"
    names, start = random_journal(source, random.Random(11))
    journal = opened(source)
    fill(journal, random.Random(11), names, start, date(2026, 11, 21))
    journal.store.close()
    text = export_text(source)
    good = tmp_path / "good.json"
    good.write_text(text)
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith('  "records": [')) + 40
    lines[at] = lines[at].replace('"late_minutes": ', '"late_minutes": "x", "_": ', 1)
    bad = tmp_path / "bad.json"
    bad.write_text("\n".join(lines))

    target = tmp_path / "new" / "folder" / "journal.db"
    result = invoke("--db", str(target), "import", str(bad))
    assert result.exit_code == 1
    assert one_error_line(result.stderr).startswith("adherelog: records[39]: the key")
    assert not (tmp_path / "new").exists()

    done = json.loads(ok("--db", str(target), "import", str(good), "--json").stdout)
    assert done["added"]["records"] > 100
    assert done["already_held"]["records"] == 0
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert oct(target.parent.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("limit", [4, 7, 20, 250])
def test_rows_staged_in_order_stay_within_the_values_one_statement_may_bind(limit: int) -> None:
    """Many rows go in by one statement, but never more values than SQLite allows."""
    conn = stored.new_staging(SCHEMA_VERSION)
    table = next(t for t in journal_tables(conn) if t.name == "meds")
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    names = ["id", "name", "name_key"]
    rows = [(str(uuid.UUID(int=n + 1, version=4)), f"Med {n}", f"med {n}") for n in range(30)]
    shared = [("created_at", "2026-11-22T09:10:00Z")]
    conn.execute("BEGIN")
    stored.stage_in_order(conn, table, names, rows, shared)
    conn.execute("COMMIT")
    found = conn.execute("SELECT rowid, id, name, name_key, created_at FROM meds").fetchall()
    assert [row[1:4] for row in found] == rows
    assert [row[0] for row in found] == list(range(1, 31))
    assert {row[4] for row in found} == {"2026-11-22T09:10:00Z"}
