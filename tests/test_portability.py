"""export / import of the whole journal, and the CSV of doses (SPEC §8)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog import clock, portability, storage
from adherelog.effects import add_effect
from adherelog.errors import ConflictError, InvalidFileError, NewerJournalError
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions
from adherelog.migrations import SCHEMA_VERSION
from adherelog.sample import fill_sample
from adherelog.tips import add_tip, rate_tip
from helpers import RUNNER, count, invoke, journal, ok, one_error_line, sha256

TABLES = (
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


@contextlib.contextmanager
def opened(path: Path, now: str | None = None, *, write: bool = True) -> Iterator[Journal]:
    """The journal at ``path`` with the test clock, or with ``now`` (local wall time)."""
    zone = clock.local_zone()
    moment = clock.now(zone) if now is None else datetime.fromisoformat(now).replace(tzinfo=zone)
    store = storage.open_store(path, write=write)
    try:
        yield Journal(store, moment, zone)
    finally:
        store.close()


def export_text(path: Path, fmt: str = "json") -> str:
    with opened(path, write=False) as j:
        out = io.StringIO()
        portability.EXPORTERS[fmt](j, out, None)
        return out.getvalue()


def full_journal(path: Path) -> None:
    """Two weeks of sample doses plus a side effect, a refill and a rated tip."""
    with opened(path) as j:
        fill_sample(j, days=14)
        add_effect(j, "Nausea", severity=3, med="Sertraline", note="after breakfast")
        j.refill("Metformin", 30)
        tip = add_tip(j, "Take it with a snack.", medication="Sertraline", side_effect="nausea")
        rate_tip(j, tip.id, helped=True)


_SAMPLE: dict[str, str] = {}


def sample_document(tmp_path: Path) -> str:
    """The export of :func:`full_journal`, built once for the tests that only read it."""
    if "doc" not in _SAMPLE:
        path = tmp_path / "sample.db"
        full_journal(path)
        _SAMPLE["doc"] = export_text(path)
    return _SAMPLE["doc"]


def import_into(path: Path, document: str, **options: Any) -> portability.ImportResult:
    with opened(path) as j:
        return portability.import_journal(j, document.encode("utf-8"), **options)


# --- the document ---------------------------------------------------------------------------


def test_export_holds_every_table_with_a_versioned_header(tmp_path: Path) -> None:
    full_journal(journal())
    doc = json.loads(export_text(journal()))
    assert list(doc)[:4] == ["format", "version", "schema", "exported_at"]
    assert doc["format"] == "adherelog-journal"
    assert doc["version"] == 1
    assert doc["schema"] == SCHEMA_VERSION
    assert doc["exported_at"] == "2026-11-22T09:10:00+00:00"
    assert tuple(list(doc)[4:]) == TABLES
    assert [m["name"] for m in doc["meds"]] == ["Ibuprofen", "Metformin", "Sertraline"]
    assert len(doc["records"]) == count("records")
    assert len(doc["schedules"]) == count("schedules") == 4
    assert doc["refills"][0]["count"] == 30
    assert doc["tips"][0]["text"] == "Take it with a snack."
    assert doc["tips"][0]["worked"] == 1
    effect = next(r for r in doc["records"] if r["kind"] == "effect")
    assert (effect["effect"], effect["severity"], effect["note"]) == (
        "Nausea",
        3,
        "after breakfast",
    )
    assert "undo_log" not in doc


def test_each_row_is_one_line_of_the_document() -> None:
    full_journal(journal())
    text = export_text(journal())
    rows = [line for line in text.splitlines() if line.startswith("    {")]
    assert len(rows) == sum(count(t) for t in TABLES)
    assert all(json.loads(line.rstrip(",")) for line in rows)


def test_an_empty_or_missing_journal_exports_empty_tables() -> None:
    doc = json.loads(export_text(journal()))
    assert all(doc[t] == [] for t in TABLES)
    assert not journal().exists()


# --- round trip and merging -------------------------------------------------------------------


def test_round_trip_through_a_fresh_journal_gives_the_same_document(tmp_path: Path) -> None:
    full_journal(journal())
    first = export_text(journal())
    fresh = tmp_path / "fresh.db"
    result = import_into(fresh, first)
    assert result.conflicts == []
    assert result.added == {t: count(t) for t in TABLES}
    assert sum(result.already_held.values()) == 0
    assert export_text(fresh) == first
    assert count("undo_log", path=fresh) == 0  # imported rows are not undoable


def summary_numbers(path: Path) -> tuple[object, ...]:
    from adherelog import summary

    with opened(path) as j:
        found = summary.summarize(j, first=date(2026, 10, 1), last=date(2026, 11, 22))
        return found.overall, [(m.med.name, m.counts) for m in found.meds], found.streak


def test_an_imported_journal_has_the_same_summary(tmp_path: Path) -> None:
    full_journal(journal())
    # A schedule changed afterwards for days already recorded: those doses now match no
    # slot, and the imported journal must know it just as the original does.
    with opened(journal(), "2026-11-22T09:10:00") as j:
        j.add_med("Aspirin", ScheduleOptions(times=[time(8)]), start=date(2026, 11, 1))
        for day in range(1, 11):
            j.take(["Aspirin"], at=datetime(2026, 11, day, 8, 5, tzinfo=UTC))
        j.edit_med("Aspirin", ScheduleOptions(times=[time(9)]), from_date=date(2026, 11, 5))
    fresh = tmp_path / "fresh.db"
    import_into(fresh, export_text(journal()))
    assert summary_numbers(fresh) == summary_numbers(journal())


def test_the_same_file_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    full_journal(journal())
    document = export_text(journal())
    fresh = tmp_path / "fresh.db"
    import_into(fresh, document)
    after_first = export_text(fresh)
    again = import_into(fresh, document)
    assert sum(again.added.values()) == 0
    assert again.already_held == {t: count(t) for t in TABLES}
    assert again.conflicts == []
    assert export_text(fresh) == after_first


def test_merging_two_journals_that_share_history(tmp_path: Path) -> None:
    laptop, desktop = tmp_path / "laptop.db", tmp_path / "desktop.db"

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text + "+00:00")

    with opened(laptop, "2026-11-20T08:30:00") as j:
        j.add_med(
            "Metformin",
            ScheduleOptions(dose="500 mg", times=[time(8), time(20)]),
            start=j.now.date(),
            supply=60,
        )
        (shared,) = j.take(["Metformin"], at=at("2026-11-20T08:05:00"))
    import_into(desktop, export_text(laptop))
    # Each goes on alone; both log the morning dose of the 21st, as different records.
    with opened(laptop, "2026-11-21T09:00:00") as j:
        (evening,) = j.take(["Metformin"], at=at("2026-11-20T20:05:00"))
        (laptop_morning,) = j.take(["Metformin"], at=at("2026-11-21T08:03:00"))
    with opened(desktop, "2026-11-21T09:00:00") as j:
        (desktop_morning,) = j.take(["Metformin"], at=at("2026-11-21T08:10:00"))
        headache = add_effect(j, "Headache", severity=2)

    into_laptop = import_into(laptop, export_text(desktop))
    assert into_laptop.added["records"] == 1  # the headache
    assert into_laptop.already_held["records"] == 1  # the shared first dose
    assert into_laptop.already_held["schedules"] == 1
    assert {(c.table, c.id, c.reason.split(";")[0]) for c in into_laptop.conflicts} == {
        # the supplies went different ways
        ("meds", shared.med_id, "differs from the journal's copy"),
        (
            "records",
            desktop_morning.id,
            "fills a scheduled dose the journal already has a record for",
        ),
    }
    into_desktop = import_into(desktop, export_text(laptop))
    assert into_desktop.added["records"] == 1  # the evening dose
    assert {c.id for c in into_desktop.conflicts} == {shared.med_id, laptop_morning.id}

    def ids(path: Path) -> set[str]:
        return {r["id"] for r in json.loads(export_text(path))["records"]}

    common = {shared.id, evening.id, headache.id}
    assert ids(laptop) == common | {laptop_morning.id}
    assert ids(desktop) == common | {desktop_morning.id}
    # A second round changes nothing.
    assert sum(import_into(laptop, export_text(desktop)).added.values()) == 0


def test_a_dry_run_reports_the_counts_and_writes_nothing(tmp_path: Path) -> None:
    full_journal(journal())
    document = export_text(journal())
    target = tmp_path / "other.db"
    with opened(target) as j:
        j.add_med("Aspirin", ScheduleOptions(times=[time(9)]))
    before = sha256(target)
    result = import_into(target, document, dry_run=True)
    assert result.dry_run is True
    assert result.added["records"] == count("records")
    assert result.added["meds"] == 3
    assert sha256(target) == before
    assert count("meds", path=target) == 1


def test_a_medication_of_the_same_name_under_another_id_is_refused(tmp_path: Path) -> None:
    with opened(journal()) as j:
        j.add_med("Metformin", ScheduleOptions(times=[time(8)]))
    other = tmp_path / "other.db"
    with opened(other) as j:
        j.add_med("metformin", ScheduleOptions(times=[time(9)]))
        j.add_med("Aspirin", ScheduleOptions(times=[time(9)]))
    before = export_text(journal())
    with pytest.raises(ConflictError, match="'metformin' is a different medication"):
        import_into(journal(), export_text(other))
    assert export_text(journal()) == before


def test_a_schema_1_export_from_an_older_adherelog_imports(tmp_path: Path) -> None:
    full_journal(journal())
    doc = json.loads(export_text(journal()))
    schema_1 = ("format", "version", "schema", "exported_at", "meds", "schedules", "records")
    older = {k: v for k, v in doc.items() if k in (*schema_1, "refills")}
    older["schema"] = 1
    for row in older["schedules"]:  # columns m006_schedule_kinds added
        for column in ("rrule", "cycle", "amounts"):
            del row[column]
    fresh = tmp_path / "fresh.db"
    result = import_into(fresh, json.dumps(older))
    assert result.added["records"] == count("records")
    assert result.added["tips"] == 0
    with_tips = dict(older, tips=[])
    with pytest.raises(InvalidFileError, match='"tips" is not allowed at the top level'):
        import_into(fresh, json.dumps(with_tips))


def test_a_schema_9_export_imports_and_gets_the_early_counts(tmp_path: Path) -> None:
    """Schema 10 (m010_early_counts) changed only a derived table, so a schema 9 export holds
    the same tables. Its staging journal, made at schema 9 without triggers, goes through
    m010 (which must not expect the triggers it replaces); the early counts are then kept
    by the journal imported into."""
    full_journal(journal())
    doc = json.loads(export_text(journal()))
    doc["schema"] = 9
    dose = next(r for r in doc["records"] if r["kind"] == "dose" and r["slot_at"])
    slot = datetime.fromisoformat(dose["slot_at"].replace("Z", "+00:00"))
    dose["at"] = clock.to_utc_text(slot - timedelta(minutes=90))  # taken 90 minutes early
    dose["late_minutes"] = -90
    fresh = tmp_path / "fresh.db"
    result = import_into(fresh, json.dumps(doc))
    assert result.added["records"] == count("records")
    with contextlib.closing(sqlite3.connect(fresh)) as conn:
        early = conn.execute("SELECT sum(earlies), sum(lates) FROM day_counts").fetchone()
        late = conn.execute(
            "SELECT count(*) FROM records WHERE kind = 'dose' AND abs(late_minutes) > 60"
        ).fetchone()
    assert early == (1, late[0])


# --- damaged files ----------------------------------------------------------------------------


def damaged(doc: dict[str, Any], case: str) -> str:
    """``doc`` (a valid export) broken in the way ``case`` names, as text."""
    record = next(r for r in doc["records"] if r["kind"] == "dose" and r["slot_at"])
    if case == "truncated":
        return json.dumps(doc)[:-40]
    if case == "duplicate key":
        return json.dumps(doc).replace('"format": ', '"format": "x", "format": ', 1)
    if case == "nan":
        record["amount"] = float("nan")
    elif case == "bool for a number":
        record["amount"] = True
    elif case == "text for a number":
        record["amount"] = "two"
    elif case == "unknown row key":
        record["mood"] = "fine"
    elif case == "unknown top key":
        doc["extras"] = []
    elif case == "missing field":
        del record["at"]
    elif case == "missing table":
        del doc["refills"]
    elif case == "bad reference":
        record["med_id"] = "00000000-0000-4000-8000-000000000000"
    elif case == "bad zone":
        record["zone"] = "Mars/Olympus"
    elif case == "bad time":
        record["at"] = "yesterday"
    elif case == "repeated id":
        doc["records"].append(dict(doc["records"][0]))
    elif case == "slot filled twice":
        twin = dict(record, id="11111111-1111-4111-8111-111111111111")
        doc["records"].append(twin)
    elif case == "wrong format":
        doc["format"] = "adherelog-tips"
    elif case == "newer version":
        doc["version"] = 2
    elif case == "control character":
        record["note"] = "fine\x1b[31m"
    elif case == "name key mismatch":
        doc["meds"][0]["name_key"] = "something else"
    elif case == "not an object":
        return "[]"
    return json.dumps(doc)


DAMAGES = {
    "truncated": "not valid JSON",
    "duplicate key": '"format" appears twice',
    "nan": "NaN is not allowed",
    "bool for a number": "amount: must be a number",
    "text for a number": "amount: must be a number",
    "unknown row key": '"mood" is not a column of records',
    "unknown top key": '"extras" is not allowed at the top level',
    "missing field": ".at: is missing",
    "missing table": "refills: is missing",
    "bad reference": "is neither in the file nor in the journal",
    "bad zone": "zone: must be an IANA time zone",
    "bad time": "at: must be a UTC time",
    "repeated id": "repeats the id of another row",
    "slot filled twice": "fills the same scheduled dose as another record",
    "wrong format": 'format: must be "adherelog-journal"',
    "newer version": "version: 2 is not supported",
    "control character": "contains U+001B",
    "name key mismatch": "name_key must be the name in lower case",
    "not an object": "JSON object at the top level",
}


@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_a_damaged_export_is_refused_and_nothing_is_written(tmp_path: Path, case: str) -> None:
    doc = json.loads(sample_document(tmp_path))
    target = tmp_path / "target.db"
    with opened(target) as j:
        j.add_med("Aspirin", ScheduleOptions(times=[time(9)]))
    before = sha256(target)
    with pytest.raises(InvalidFileError) as info:
        import_into(target, damaged(doc, case))
    assert DAMAGES[case] in str(info.value)
    assert sha256(target) == before


def test_a_damage_is_named_by_table_index_and_field(tmp_path: Path) -> None:
    doc = json.loads(sample_document(tmp_path))
    doc["records"][5]["late_minutes"] = 1.5
    with pytest.raises(InvalidFileError, match=r"^records\[5\]\.late_minutes: must be a whole"):
        portability.read_export(json.dumps(doc).encode())


def test_an_export_from_a_newer_adherelog_is_refused() -> None:
    doc = json.loads(export_text(journal()))
    doc["schema"] = SCHEMA_VERSION + 1
    with pytest.raises(NewerJournalError, match="newer adherelog"):
        portability.read_export(json.dumps(doc).encode())


def test_a_file_over_the_size_limit_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portability, "MAX_BYTES", 100)
    big = tmp_path / "big.json"
    big.write_text(" " * 200 + "{}")
    with pytest.raises(InvalidFileError, match="larger than 100 bytes"):
        portability.read_input(str(big))


def test_a_reference_to_a_medication_the_journal_holds_is_fine(tmp_path: Path) -> None:
    with opened(journal()) as j:
        j.add_med("Metformin", ScheduleOptions(times=[time(8)]), start=j.now.date())
        j.take(["Metformin"])
    doc = json.loads(export_text(journal()))
    doc["meds"], doc["schedules"] = [], []
    result = import_into(journal(), json.dumps(doc))
    assert result.already_held["records"] == 1


# --- CSV --------------------------------------------------------------------------------------


def test_csv_has_doses_and_skips_with_formula_cells_guarded() -> None:
    with opened(journal(), "2026-11-22T09:10:00") as j:
        j.add_med("=Evil", ScheduleOptions(times=[time(8), time(9, 15)]), start=j.now.date())
        j.take(["=Evil"], note="@SUM(A1:A9)")
        j.skip("=evil", reason="+44 20 7946 0000", slot_time=time(8))
        add_effect(j, "Nausea")
    text = export_text(journal(), "csv")
    assert text.startswith("id,kind,med,at,scheduled_for,late_minutes,amount,note\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3  # the header, the dose and the skip; no side effect, nothing missed
    dose, skip = sorted(rows[1:], key=lambda row: row[1])  # both are at 09:10
    assert dose[1:] == [
        "dose",
        "'=Evil",
        "2026-11-22T09:10:00+00:00",
        "2026-11-22T09:15:00+00:00",
        "-5",
        "1",
        "'@SUM(A1:A9)",
    ]
    assert skip[1:3] == ["skip", "'=Evil"]
    assert skip[7] == "'+44 20 7946 0000"
    assert skip[5] == skip[6] == ""
    # The number -5 is written as a bare number, not guarded text.
    assert ",-5,1," in text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "\nx"])
def test_csv_cell_guards_every_formula_start(text: str) -> None:
    assert portability.csv_cell(text) == "'" + text


@given(st.text())
def test_a_guarded_text_cell_never_starts_a_formula(text: str) -> None:
    cell = portability.csv_cell(text)
    assert isinstance(cell, str)
    assert not cell[:1] or cell[0] not in "=+-@\t\r\n"
    assert cell in (text, "'" + text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_stay_numbers(value: float) -> None:
    assert portability.csv_cell(value) == value


# --- progress ---------------------------------------------------------------------------------


def test_progress_is_reported_up_to_the_total(tmp_path: Path) -> None:
    full_journal(journal())
    calls: list[tuple[int, int]] = []
    with opened(journal(), write=False) as j:
        portability.write_json(j, io.StringIO(), lambda done, total: calls.append((done, total)))
    total = sum(count(t) for t in TABLES)
    assert calls[-1] == (total, total)
    imported: list[tuple[int, int]] = []
    import_into(
        tmp_path / "fresh.db",
        export_text(journal()),
        progress=lambda done, total: imported.append((done, total)),
    )
    assert imported[-1] == (2 * total, 2 * total)  # checking, then merging
    assert imported == sorted(imported)


# --- the commands -----------------------------------------------------------------------------


def test_export_prints_the_document_and_json_changes_nothing() -> None:
    full_journal(journal())
    plain = ok("export").stdout
    assert plain == ok("export", "--json").stdout == export_text(journal())
    csv_bytes = ok("export", "--format", "csv").stdout_bytes
    assert csv_bytes == b"\xef\xbb\xbf" + export_text(journal(), "csv").encode("utf-8")
    bare = ok("export", "--format", "csv", "--no-bom").stdout_bytes
    assert bare == export_text(journal(), "csv").encode("utf-8")


def test_export_with_o_writes_the_file_and_says_so_on_stderr(tmp_path: Path) -> None:
    full_journal(journal())
    target = tmp_path / "journal.json"
    result = invoke("export", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Wrote the journal (JSON) to {target}.\n"
    assert target.read_text(encoding="utf-8") == export_text(journal())
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_unknown_export_format_is_a_usage_error() -> None:
    result = invoke("export", "--format", "xml")
    assert result.exit_code == 2
    assert "choose json or csv" in one_error_line(result.stderr)


def test_import_command_reports_counts_as_json(tmp_path: Path) -> None:
    full_journal(journal())
    source = tmp_path / "laptop.json"
    source.write_text(export_text(journal()), encoding="utf-8")
    fresh = str(tmp_path / "fresh.db")
    dry = json.loads(ok("--db", fresh, "import", str(source), "--dry-run", "--json").stdout)
    assert dry["dry_run"] is True
    assert dry["added"]["records"] == count("records")
    assert not Path(fresh).exists()
    done = json.loads(ok("--db", fresh, "import", str(source), "--json").stdout)
    assert set(done) == {"added", "already_held", "conflicts", "dry_run", "keys"}
    assert done["dry_run"] is False
    assert done["added"] == dry["added"]
    again = ok("--db", fresh, "import", str(source)).stdout
    assert again.startswith("Added nothing from ")
    assert "Already held: 3 medications, 4 schedule versions" in again


def test_import_reads_standard_input(tmp_path: Path) -> None:
    full_journal(journal())
    fresh = str(tmp_path / "fresh.db")
    from adherelog.cli.app import app

    result = RUNNER.invoke(
        app, ["--db", fresh, "import", "-", "--json"], input=export_text(journal())
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"]["meds"] == 3


def test_import_of_a_damaged_file_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text('{"format": "adherelog-journal", "version": 1, "schema": 1, "meds": [')
    fresh = tmp_path / "fresh.db"
    result = invoke("--db", str(fresh), "import", str(source))
    assert result.exit_code == 1
    assert "not valid JSON" in one_error_line(result.stderr)
    assert not fresh.exists()
    missing = invoke("import", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1
    assert "There is no file" in one_error_line(missing.stderr)


# --- the schema -------------------------------------------------------------------------------


def test_every_table_of_the_schema_is_exported_or_known_to_be_derived() -> None:
    with opened(journal(), write=False) as j:
        assert portability.unclassified_tables(j.conn) == set()
        tables = portability.journal_tables(j.conn)
    assert tuple(t.name for t in tables) == portability.EXPORTED_TABLES
    placed: set[str] = set()
    for table in tables:  # parents come before their children
        assert {parent for _, parent, _ in table.parents} <= placed | {table.name}
        placed.add(table.name)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_shows_on_a_terminal_for_long_runs_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adherelog.cli.actions import data

    for total, shown in ((data.PROGRESS_ROWS - 1, False), (data.PROGRESS_ROWS, True)):
        terminal = _Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        with data._progress("Exporting") as progress:
            assert progress is not None
            progress(total // 2, total)
            progress(total, total)
        assert bool(terminal.getvalue()) is shown
    # Where no bar can show, there is no callback at all: nothing is counted for it.
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    with data._progress("Exporting") as progress:
        assert progress is None
    assert pipe.getvalue() == ""
    monkeypatch.setattr("sys.stderr", _Terminal())
    with data._progress("Importing", shown=False) as progress:
        assert progress is None


def test_invisible_characters_never_reach_the_terminal_raw() -> None:
    with opened(journal()) as j:
        j.add_med("Métformine", ScheduleOptions(times=[time(8)]), start=j.now.date())
        j.take(["Métformine"], note="fine")
    # Planted behind adherelog's back: input checks would refuse it.
    conn = storage.open_store(journal(), write=True).conn
    conn.execute("UPDATE records SET note = 'a\u202eb\u200bc\U000f0000'")
    conn.close()
    text = ok("export").stdout
    assert "\u202e" not in text
    assert "\u200b" not in text
    assert "\U000f0000" not in text
    assert '"note": "a\\u202eb\\u200bc\\udb80\\udc00"' in text
    assert '"name": "Métformine"' in text  # readable UTF-8 otherwise
    assert json.loads(text)["records"][0]["note"] == "a\u202eb\u200bc\U000f0000"


def test_the_format_document_names_every_exported_table_and_column() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "journal-format.md").read_text(
        encoding="utf-8"
    )
    with opened(journal(), write=False) as j:
        tables = portability.journal_tables(j.conn)
    for table in tables:
        assert f"`{table.name}`" in text, table.name
        for column in table.names:
            assert f"`{column}`" in text, f"{table.name}.{column}"
