"""backup and check (SPEC §8, §9)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adherelog import maintenance
from adherelog.migrations import SCHEMA_VERSION
from helpers import count, invoke, journal, ok, one_error_line, run, sha256


def make_journal() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--time", "20:00", "--start", "2026-11-20")
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "metformin", "--at", "08:05")
    ok("skip", "sertraline", "--reason", "stomach bug")
    ok("med", "refill", "metformin", "30")


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# --- backup -----------------------------------------------------------------------------------


def test_backup_defaults_to_a_private_backups_folder_beside_the_journal() -> None:
    make_journal()
    made = json.loads(ok("backup", "--json").stdout)
    folder = journal().parent / "backups"
    path = Path(made["path"])
    assert path == folder / "adherelog-20261122-091000.db"
    assert mode(folder) == 0o700
    assert mode(path) == 0o600
    assert made["bytes"] == path.stat().st_size
    assert made["schema_version"] == SCHEMA_VERSION
    assert integrity(path) == "ok"
    assert count("records", path=path) == 2
    assert count("refills", path=path) == 1
    # The copy is one self-contained file, not a WAL database needing its side files.
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    # The same second again: a second name, never an overwrite.
    again = json.loads(ok("backup", "--json").stdout)
    assert Path(again["path"]) == folder / "adherelog-20261122-091000-2.db"
    assert sorted(os.listdir(folder)) == [
        "adherelog-20261122-091000-2.db",
        "adherelog-20261122-091000.db",
    ]


def test_backup_into_a_given_folder_or_file(tmp_path: Path) -> None:
    make_journal()
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    result = ok("backup", str(folder))
    made = folder / "adherelog-20261122-091000.db"
    assert result.stdout.startswith(f"Backed up the journal to {made} (")
    target = tmp_path / "copy.db"
    ok("backup", str(target))
    assert count("meds", path=target) == 2
    assert mode(target) == 0o600


def test_backup_onto_an_existing_file_needs_force(tmp_path: Path) -> None:
    make_journal()
    target = tmp_path / "copy.db"
    target.write_text("old")
    result = invoke("backup", str(target))
    assert result.exit_code == 1
    assert "already exists; use --force" in one_error_line(result.stderr)
    assert target.read_text() == "old"
    ok("backup", str(target), "--force")
    assert integrity(target) == "ok"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_backup_never_writes_through_a_symlink(tmp_path: Path) -> None:
    make_journal()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    result = invoke("backup", str(link), "--force")
    assert result.exit_code == 1
    assert "symbolic link" in one_error_line(result.stderr)
    assert victim.read_text() == "keep me"


def test_backup_refuses_a_missing_folder_or_journal(tmp_path: Path) -> None:
    result = invoke("backup", str(tmp_path / "backups") + "/")
    assert result.exit_code == 1
    assert "There is no journal at" in one_error_line(result.stderr)
    make_journal()
    result = invoke("backup", str(tmp_path / "nowhere") + "/")
    assert result.exit_code == 1
    assert "does not exist" in one_error_line(result.stderr)
    result = invoke("backup", str(tmp_path / "nowhere" / "copy.db"))
    assert result.exit_code == 1
    assert "does not exist" in one_error_line(result.stderr)


WRITER = """
import sys
from pathlib import Path
from adherelog import clock, storage
from adherelog.journal import Journal

zone = clock.local_zone()
store = storage.open_store(Path(sys.argv[1]), write=True)
journal = Journal(store, clock.now(zone), zone)
stop = Path(sys.argv[2])
written = 0
while not stop.exists() or written < 50:
    journal.refill("Metformin", 1)
    written += 1
print(written)
"""


def test_backup_is_consistent_while_another_process_writes(tmp_path: Path) -> None:
    make_journal()
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(journal()), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while count("refills") < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen: list[int] = []
        for number in range(6):
            target = tmp_path / f"copy{number}.db"
            maintenance.backup(journal(), target, force=False)
            assert integrity(target) == "ok"
            conn = sqlite3.connect(target)
            refills, total = conn.execute("SELECT count(*), sum(count) FROM refills").fetchone()
            supply = conn.execute("SELECT supply FROM meds WHERE name = 'Metformin'").fetchone()[0]
            conn.close()
            # One snapshot: the supply matches exactly the refills in the same copy.
            assert supply == total
            seen.append(refills)
        assert writer.poll() is None, "the writer finished before the backups were made"
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0
    assert seen == sorted(seen)
    assert len(set(seen)) > 1  # the copies were made while refills kept arriving
    assert count("refills") == 1 + int(out)


# --- check ------------------------------------------------------------------------------------


def test_check_of_a_sound_journal_exits_0_and_changes_nothing() -> None:
    make_journal()
    before = sha256(journal())
    doc = json.loads(ok("check", "--json").stdout)
    assert doc["ok"] is True
    assert doc["problems"] == []
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["tables"]["records"] == 2
    assert sha256(journal()) == before
    text = ok("check").stdout
    assert text.startswith(f"OK {journal()} (schema {SCHEMA_VERSION})")


def test_check_leaves_no_files_beside_the_journal() -> None:
    make_journal()
    folder = journal().parent
    listing = sorted(os.listdir(folder))
    assert listing == [journal().name]  # no -wal or -shm beside it before the check
    before = sha256(journal())
    for args in (("check",), ("check", "--json")):
        result = run(*args)
        assert result.returncode == 0, (result.stdout, result.stderr)
        assert sorted(os.listdir(folder)) == listing
        assert sha256(journal()) == before


def plant(sql: str, *params: object) -> None:
    conn = sqlite3.connect(journal(), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(sql, params)
    conn.close()


def test_check_finds_orphans_twice_filled_slots_and_bad_values() -> None:
    make_journal()
    ghost = "00000000-0000-4000-8000-000000000000"
    plant(
        "INSERT INTO records (id, kind, med_id, at, zone, local_date, created_at)"
        " VALUES ('11111111-1111-4111-8111-111111111111', 'dose', ?, '2026-11-21T08:00:00Z',"
        " 'Europe/London', '2026-11-21', '2026-11-21T08:00:00Z')",
        ghost,
    )
    plant(
        "INSERT INTO undo_log (kind, ref_id, created_at)"
        " VALUES ('dose', 'gone', '2026-11-21T08:00:00Z')"
    )
    plant("UPDATE records SET at = 'yesterday' WHERE kind = 'skip'")
    plant("DROP INDEX idx_records_slot")
    plant(
        "INSERT INTO records SELECT '22222222-2222-4222-8222-222222222222', kind, med_id, at,"
        " zone, local_date, slot_at, slot_zone, slot_date, late_minutes, amount, note, effect,"
        " severity, created_at FROM records WHERE kind = 'dose' AND slot_at IS NOT NULL"
    )
    result = invoke("check", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    kinds = {p["check"] for p in doc["problems"]}
    assert kinds == {"foreign_key", "orphan", "duplicate_slot", "value"}
    messages = [p["message"] for p in doc["problems"]]
    assert any("refers to a medication that does not exist" in m for m in messages)
    assert any(m.startswith("undo log entry") and "(gone)" in m for m in messages)
    assert any("filled 2 times" in m for m in messages)
    assert any("at: must be a UTC time" in m for m in messages)
    human = invoke("check")
    assert human.exit_code == 1
    assert human.stdout.splitlines()[0].startswith(f"{len(doc['problems'])} problems in ")


def test_check_reports_a_damaged_file(tmp_path: Path) -> None:
    make_journal()
    data = bytearray(journal().read_bytes())
    # Overwrite the second page (a table's b-tree) with garbage; the header stays intact.
    page = int.from_bytes(data[16:18], "big")
    data[page : 2 * page] = b"\xff" * page
    broken = tmp_path / "broken.db"
    broken.write_bytes(bytes(data))
    result = invoke("--db", str(broken), "check", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    assert doc["problems"][0]["check"] == "integrity"


def test_check_refuses_files_that_are_not_journals(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = invoke("--db", str(text), "check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"][0]["message"] == (
        "The file is not an SQLite database."
    )
    newer = tmp_path / "newer.db"
    make_journal()
    newer.write_bytes(journal().read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    result = invoke("--db", str(newer), "check", "--json")
    assert result.exit_code == 1
    assert "newer than this adherelog knows" in result.stdout
    missing = invoke("--db", str(tmp_path / "none.db"), "check")
    assert missing.exit_code == 1
    assert "There is no journal at" in one_error_line(missing.stderr)


@pytest.mark.parametrize("kind", ["dose", "refill"])
def test_check_knows_where_undo_entries_point(kind: str) -> None:
    make_journal()
    ok("check")
    plant("DELETE FROM records" if kind == "dose" else "DELETE FROM refills")
    plant("UPDATE meds SET supply = NULL")
    problems = json.loads(invoke("check", "--json").stdout)["problems"]
    assert any(p["table"] == "undo_log" and f"points to a {kind}" in p["message"] for p in problems)
