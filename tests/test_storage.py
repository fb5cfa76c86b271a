"""The journal file: creation, migrations, refusing files that are not journals."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest

from adherelog import storage
from adherelog.errors import NewerJournalError, NotAJournalError
from adherelog.migrations import MIGRATIONS, SCHEMA_VERSION
from adherelog.storage import APPLICATION_ID, open_store
from helpers import connect, count, invoke, ok, one_error_line, scalar, sha256


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_migrations_on_an_empty_journal(isolated_journal: Path) -> None:
    store = open_store(isolated_journal, write=True)
    try:
        conn = store.conn
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert {"meds", "schedules", "records", "refills", "undo_log"} <= tables
        assert columns(conn, "meds") == [
            "id",
            "name",
            "name_key",
            "per_dose",
            "supply",
            "note",
            "created_at",
        ]
        assert columns(conn, "schedules") == [
            "id",
            "med_id",
            "start_at",
            "end_at",
            "zone",
            "times",
            "every",
            "anchor",
            "on_days",
            "dose",
            "grace",
            "as_needed",
            "active",
            "created_at",
            "rrule",
            "cycle",
            "amounts",
        ]
        assert columns(conn, "records")[:15] == [
            "id",
            "kind",
            "med_id",
            "at",
            "zone",
            "local_date",
            "slot_at",
            "slot_zone",
            "slot_date",
            "late_minutes",
            "amount",
            "note",
            "effect",
            "severity",
            "created_at",
        ]
        assert columns(conn, "refills") == [
            "id",
            "med_id",
            "count",
            "at",
            "zone",
            "local_date",
            "created_at",
        ]
        assert columns(conn, "undo_log") == [
            "seq",
            "kind",
            "ref_id",
            "med_id",
            "supply_delta",
            "created_at",
        ]
        assert store.schema_version() == len(MIGRATIONS) == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        store.close()
    assert isolated_journal.stat().st_mode & 0o777 == 0o600
    assert isolated_journal.parent.stat().st_mode & 0o777 == 0o700


def _schema(conn: sqlite3.Connection) -> tuple[object, ...]:
    """Everything of a journal's schema: its objects as SQLite keeps their text, and the
    columns, indexes and keys of each table as SQLite reads them."""
    objects = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    tables = [row[1] for row in objects if row[0] == "table"]
    details = {
        table: (
            conn.execute(f'PRAGMA table_xinfo("{table}")').fetchall(),
            sorted(conn.execute(f'PRAGMA index_list("{table}")').fetchall()),
            conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall(),
        )
        for table in tables
    }
    pragmas = [
        conn.execute(f"PRAGMA {name}").fetchone() for name in ("user_version", "application_id")
    ]
    return objects, details, pragmas


def test_a_new_journal_is_made_as_the_migrations_make_it(isolated_journal: Path) -> None:
    """Made at once from the statements in storage/new_journal.py, a new journal has the
    schema that running every migration in turn gives."""
    import sqlite_utils

    open_store(isolated_journal, write=True).close()
    migrated = sqlite3.connect(":memory:", isolation_level=None)
    db = sqlite_utils.Database(migrated)
    for migration in MIGRATIONS:
        migration(db)
    migrated.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrated.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    made = sqlite3.connect(isolated_journal)
    try:
        assert _schema(made) == _schema(migrated)
        assert made.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 40
    finally:
        made.close()
        migrated.close()


def test_the_new_journal_statements_are_up_to_date() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    path = "src/adherelog/storage/new_journal.py"
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", path],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + f"\nrun: cog -r {path}"


def test_a_new_journal_is_made_without_loading_sqlite_utils(tmp_path: Path) -> None:
    """sqlite-utils takes a tenth of a second to load; only an older journal needs it."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom pathlib import Path\nfrom adherelog.storage import open_store\n"
        "open_store(Path(sys.argv[1]), write=True).close()\n"
        "open_store(Path(sys.argv[2]), write=False).close()\n"
        "print('sqlite_utils' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "new.db"), str(tmp_path / "missing.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_reopening_a_current_journal_runs_no_migration(
    isolated_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(isolated_journal, write=True).close()
    before = sha256(isolated_journal)

    def boom(store: storage.Store) -> None:
        raise AssertionError("migrate must not run on a current journal")

    monkeypatch.setattr(storage, "migrate", boom)
    store = open_store(isolated_journal, write=True)
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    assert sha256(isolated_journal) == before


def test_the_slot_index_refuses_a_second_fill(isolated_journal: Path) -> None:
    ok("med", "add", "A", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "a", "--at", "08:05")
    conn = connect()
    row = conn.execute("SELECT * FROM records").fetchone()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO records SELECT 'other', kind, med_id, at, zone, local_date, slot_at,"
            " slot_zone, slot_date, late_minutes, amount, note, effect, severity, created_at"
            " FROM records WHERE id = ?",
            (row[0],),
        )
    conn.close()


@pytest.mark.parametrize(
    "args",
    [("due",), ("history",), ("med", "list"), ("due", "--json"), ("history", "--json")],
)
def test_read_commands_on_a_missing_journal_create_nothing(
    isolated_journal: Path, args: tuple[str, ...]
) -> None:
    result = ok(*args)
    assert result.stdout.strip() != ""
    assert not isolated_journal.exists()
    assert not isolated_journal.parent.exists()


def test_read_of_a_missing_journal_is_empty(isolated_journal: Path) -> None:
    store = open_store(isolated_journal, write=False)
    try:
        assert store.path is None
        assert store.conn.execute("SELECT count(*) FROM meds").fetchone()[0] == 0
    finally:
        store.close()
    assert not isolated_journal.exists()


def test_an_empty_file_is_a_new_journal(isolated_journal: Path) -> None:
    isolated_journal.parent.mkdir(mode=0o700)
    isolated_journal.write_bytes(b"")
    ok("med", "add", "Sertraline", "--time", "08:00")
    assert count("meds") == 1
    assert scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert scalar("PRAGMA application_id") == APPLICATION_ID
    assert isolated_journal.stat().st_mode & 0o777 == 0o600


def _make_journal(isolated_journal: Path) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "sertraline", "--at", "08:10")


def _refused_untouched(path: Path, *args: str, expect: str) -> None:
    before = sha256(path)
    result = invoke(*args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert expect in line
    assert str(path) in line
    assert sha256(path) == before
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


@pytest.mark.parametrize(
    "args",
    [
        ("take", "sertraline", "--extra"),
        ("due",),
        ("history", "--json"),
        ("med", "add", "Other", "--time", "09:00"),
        ("undo",),
    ],
)
def test_a_journal_from_a_newer_version_is_refused_untouched(
    isolated_journal: Path, args: tuple[str, ...]
) -> None:
    _make_journal(isolated_journal)
    conn = connect()
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    _refused_untouched(isolated_journal, *args, expect="newer adherelog")
    assert scalar("PRAGMA user_version") == 99
    assert count("records") == 1


def test_open_store_raises_for_a_newer_journal(isolated_journal: Path) -> None:
    open_store(isolated_journal, write=True).close()
    conn = connect()
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(NewerJournalError, match="schema 99"):
        open_store(isolated_journal, write=True)


def _header_then_garbage() -> bytes:
    rng = random.Random(7)
    return b"SQLite format 3\x00" + bytes(rng.randrange(256) for _ in range(4080))


def _random_bytes() -> bytes:
    rng = random.Random(11)
    return bytes(rng.randrange(256) for _ in range(3000))


@pytest.mark.parametrize(
    "content",
    [
        _header_then_garbage(),
        _random_bytes(),
        b"Dear diary,\ntoday I took my pills.\n",
        b"\x00",
    ],
    ids=["sqlite-header-then-garbage", "random-bytes", "text-file", "one-nul-byte"],
)
@pytest.mark.parametrize(
    "args",
    [("take", "x"), ("due",), ("med", "add", "X", "--time", "08:00"), ("history",)],
)
def test_a_file_that_is_not_a_journal_is_refused_untouched(
    isolated_journal: Path, content: bytes, args: tuple[str, ...]
) -> None:
    isolated_journal.parent.mkdir(mode=0o700)
    isolated_journal.write_bytes(content)
    _refused_untouched(isolated_journal, *args, expect="journal")
    assert isolated_journal.read_bytes() == content


def test_another_programs_sqlite_database_is_refused_untouched(isolated_journal: Path) -> None:
    isolated_journal.parent.mkdir(mode=0o700)
    other = sqlite3.connect(isolated_journal)
    other.execute("CREATE TABLE notes (body TEXT)")
    other.execute("INSERT INTO notes VALUES ('hello')")
    other.commit()
    other.close()
    _refused_untouched(
        isolated_journal, "med", "add", "X", "--time", "08:00", expect="not an adherelog journal"
    )
    with pytest.raises(NotAJournalError):
        open_store(isolated_journal, write=True)


def test_a_folder_in_place_of_the_journal_is_refused(isolated_journal: Path) -> None:
    isolated_journal.mkdir(parents=True)
    result = invoke("take", "x")
    assert result.exit_code == 1
    assert "is a folder" in one_error_line(result.stderr)


def test_folder_and_file_modes_of_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "journal.db"
    old = os.umask(0o022)
    try:
        open_store(path, write=True).close()
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("args", [("due",), ("take", "x"), ("med", "add", "X", "--time", "08:00")])
@pytest.mark.parametrize("inside", ["journal.db", "sub/journal.db"])
def test_a_file_where_a_folder_should_be_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], inside: str
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    target = blocker / inside
    monkeypatch.setenv("ADHERELOG_DB", str(target))
    result = invoke(*args)
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line == f"adherelog: Cannot open the journal {target}: not a directory."
    assert blocker.read_text() == "not a folder"


def test_a_truncated_journal_is_refused_untouched(isolated_journal: Path) -> None:
    ok("med", "add", "A", "--time", "08:00", "--start", "2026-11-01")
    for _ in range(5):
        ok("take", "a", "--extra", "--note", "x" * 1000)
    whole = isolated_journal.read_bytes()
    isolated_journal.write_bytes(whole[: len(whole) // 2])
    for args in (("due",), ("take", "a", "--extra"), ("history",)):
        _refused_untouched(isolated_journal, *args, expect="damaged")
