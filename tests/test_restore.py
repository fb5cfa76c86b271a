"""``restore BACKUP`` (SPEC §8 "Restoring"): checks, the kept copy, all or nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from adherelog.migrations import SCHEMA_VERSION
from helpers import count, invoke, journal, ok, one_error_line, sha256


def _journal_with_doses() -> None:
    ok("med", "add", "Metformin", "--dose", "500 mg", "--time", "08:00", "--start", "2026-11-10")
    ok("take", "Metformin", "--at", "2026-11-20 08:05")


def _backup(tmp_path: Path) -> Path:
    target = tmp_path / "backup.db"
    ok("backup", str(target))
    return target


def test_restore_brings_the_backup_back_and_keeps_the_replaced_journal(tmp_path: Path) -> None:
    _journal_with_doses()
    backup = _backup(tmp_path)
    ok("take", "Metformin", "--at", "2026-11-21 08:05")
    assert count("records") == 2
    result = json.loads(ok("restore", str(backup), "--json").stdout)
    assert count("records") == 1
    kept = Path(result["kept"])
    assert kept == journal().with_name("journal.db.before-restore-20261122-091000.db")
    assert count("records", path=kept) == 2
    assert kept.stat().st_mode & 0o777 == 0o600
    assert journal().stat().st_mode & 0o777 == 0o600
    assert result["schema_version"] == SCHEMA_VERSION
    assert result["restored_from"] == str(backup)
    # A second restore in the same second keeps a second copy, never overwrites the first.
    second = json.loads(ok("restore", str(backup), "--json").stdout)
    assert Path(second["kept"]).name == "journal.db.before-restore-20261122-091000-2.db"
    assert ok("check").exit_code == 0
    # No temporary file is left beside the journal.
    assert not [p for p in journal().parent.iterdir() if p.name.startswith(".")]


def test_restore_into_a_missing_journal_creates_it(tmp_path: Path) -> None:
    _journal_with_doses()
    backup = _backup(tmp_path)
    other = tmp_path / "elsewhere" / "journal.db"
    result = json.loads(ok("--db", str(other), "restore", str(backup), "--json").stdout)
    assert result["kept"] is None
    assert count("records", path=other) == 1


def _refused(args: list[str], code: int = 1) -> str:
    before = sha256(journal())
    result = invoke("restore", *args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert sha256(journal()) == before
    assert not [p for p in journal().parent.iterdir() if "before-restore" in p.name]
    return one_error_line(result.stderr)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    _journal_with_doses()
    assert (
        _refused([str(tmp_path / "nope.db")]) == f"adherelog: There is no file {tmp_path}/nope.db."
    )
    assert "is the journal itself" in _refused([str(journal())])
    export = tmp_path / "export.json"
    assert invoke("export", "-o", str(export)).exit_code == 0
    assert "use 'adherelog import" in _refused([str(export)])
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    assert "not a backup of an adherelog journal" in _refused([str(text)])
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert "not an adherelog journal" in _refused([str(other)])
    age = tmp_path / "backup.db.age"
    age.write_bytes(b"age-encryption.org/v1\n-> X25519 abc\n")
    # An age file is decrypted before it is checked: a damaged one says so.
    assert f"{age} is cut short: its age header never ends." in _refused([str(age)])


def test_restore_refuses_a_newer_or_damaged_backup(tmp_path: Path) -> None:
    _journal_with_doses()
    newer = _backup(tmp_path)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    assert "newer adherelog" in _refused([str(newer)])
    damaged = tmp_path / "damaged.db"
    ok("backup", str(damaged))
    data = bytearray(damaged.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096):
        data[offset + 100 : offset + 400] = b"\xff" * 300
    damaged.write_bytes(bytes(data))
    assert "damaged" in _refused([str(damaged)])


def test_a_restore_killed_at_any_moment_leaves_the_old_or_the_new_journal(tmp_path: Path) -> None:
    _journal_with_doses()
    # A large backup, so that the kill lands while the copy is being written.
    backup = tmp_path / "big.db"
    ok("backup", str(backup))
    conn = sqlite3.connect(backup)
    med = conn.execute("SELECT id FROM meds").fetchone()[0]
    conn.executemany(
        "INSERT INTO records (id, kind, med_id, at, zone, local_date, amount, note, created_at)"
        " VALUES (?, 'dose', ?, '2026-11-01T10:00:00Z', 'Europe/London', '2026-11-01', 1, ?,"
        " '2026-11-01T10:00:00Z')",
        [(f"00000000-0000-4000-8000-{n:012d}", med, "x" * 400) for n in range(40_000)],
    )
    conn.commit()
    conn.close()
    old = count("records")
    outcomes = set()
    for delay in (0.05, 0.15, 0.3, 0.5, 0.8, 1.2):
        process = subprocess.Popen(
            [sys.executable, "-m", "adherelog", "restore", str(backup)],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check = sqlite3.connect(journal())
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        records = check.execute("SELECT count(*) FROM records").fetchone()[0]
        check.close()
        assert records in (old, old + 40_000)
        outcomes.add(records)
        if records != old:
            break
    assert ok("check").exit_code == 0


def test_a_restore_waits_for_a_writer_and_refuses_when_busy(tmp_path: Path) -> None:
    _journal_with_doses()
    backup = _backup(tmp_path)
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time, pathlib\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "pathlib.Path(sys.argv[2]).touch()\n"
            "time.sleep(30)\n",
            str(journal()),
            str(ready),
        ]
    )
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        before = sha256(journal())
        result = invoke("restore", str(backup))
        assert result.exit_code == 1
        assert "busy" in one_error_line(result.stderr)
        assert sha256(journal()) == before
        assert not [p for p in journal().parent.iterdir() if "before-restore" in p.name]
        assert not [p for p in journal().parent.iterdir() if p.name.startswith(".")]
    finally:
        holder.kill()
        holder.wait()
