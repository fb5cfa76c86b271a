"""What happens across processes: concurrent writers, a killed writer, a held lock, file modes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import connect, count, data, ok, one_error_line, run, scalar

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and modes")


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"helper process ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("helper process never became ready")
        time.sleep(0.01)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()


def test_twenty_concurrent_takes_are_all_recorded(isolated_journal: Path) -> None:
    names = [f"Med{n:02d}" for n in range(20)]
    for name in names:
        ok("med", "add", name, "--time", "08:00", "--start", "2026-11-20", "--supply", "5")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "adherelog", "take", name, "--json"],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    results = [(*proc.communicate(timeout=60), proc.returncode) for proc in procs]
    assert [code for _, _, code in results] == [0] * 20, [err for _, err, _ in results]
    assert all(err == "" for _, err, _ in results)
    assert count("records") == 20
    conn = connect()
    rows = conn.execute(
        "SELECT m.name, r.slot_at, m.supply FROM records r JOIN meds m ON m.id = r.med_id"
        " ORDER BY m.name"
    ).fetchall()
    conn.close()
    assert rows == [(name, "2026-11-22T08:00:00Z", 4.0) for name in names]
    assert count("undo_log") == 20


def test_concurrent_backfills_of_one_medication(isolated_journal: Path) -> None:
    ok("med", "add", "A", "--time", "08:00", "--start", "2026-11-01", "--supply", "100")
    days = [f"2026-11-{d:02d} 08:{d:02d}" for d in range(2, 22)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "adherelog", "take", "a", "--at", day],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for day in days
    ]
    errors = [proc.communicate(timeout=60)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 20, errors
    assert count("records") == 20
    assert scalar("SELECT count(DISTINCT slot_at) FROM records") == 20
    assert scalar("SELECT supply FROM meds") == 80


def test_concurrent_takes_of_one_slot_record_one_dose(isolated_journal: Path) -> None:
    ok("med", "add", "A", "--time", "08:00", "--start", "2026-11-20", "--supply", "10")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "adherelog", "take", "a"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [proc.communicate(timeout=60)[1] for proc in procs]
    assert sorted(proc.returncode for proc in procs) == [0, 1, 1, 1]
    refusals = [err for err in errors if err]
    assert len(refusals) == 3
    assert all("A's dose of today 08:00 is already taken (today 09:10)" in e for e in refusals)
    assert count("records") == 1
    assert scalar("SELECT supply FROM meds") == 9


def test_concurrent_first_writes_create_one_journal(isolated_journal: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "adherelog", "med", "add", f"M{n}", "--time", "08:00"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    errors = [proc.communicate(timeout=60)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 6, errors
    assert count("meds") == 6
    assert scalar("PRAGMA integrity_check") == "ok"


KILLED_WRITER = """
    import sys, time, uuid
    from pathlib import Path
    from adherelog.storage import open_store

    store = open_store(Path(sys.argv[1]), write=True)
    with store.write() as conn:
        for n in range(500):
            conn.execute(
                "INSERT INTO meds (id, name, name_key, per_dose, created_at)"
                " VALUES (?, ?, ?, 1, '2026-11-22T09:00:00Z')",
                (str(uuid.uuid4()), f"Ghost {n}", f"ghost {n}"),
            )
        Path(sys.argv[2]).write_text("ready")
        time.sleep(60)
"""


def test_a_writer_killed_mid_transaction_leaves_nothing(
    isolated_journal: Path, tmp_path: Path
) -> None:
    ok("med", "add", "Real", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "real")
    ready = tmp_path / "ready"
    proc = _start(KILLED_WRITER, str(isolated_journal), str(ready))
    _wait_for(ready, proc)
    _kill(proc)
    assert scalar("PRAGMA integrity_check") == "ok"
    assert scalar("SELECT count(*) FROM meds WHERE name LIKE 'Ghost%'") == 0
    assert count("meds") == 1
    assert count("records") == 1
    assert data("take", "real", "--extra")["med"] == "Real"
    assert count("records") == 2


TAKE_LOOP = """
    import sys
    from pathlib import Path
    from adherelog import clock
    from adherelog.journal import Journal
    from adherelog.storage import open_store

    zone = clock.local_zone()
    journal = Journal(open_store(Path(sys.argv[1]), write=True), clock.now(zone), zone)
    n = 0
    while True:
        journal.take(["A"], extra=True, note=f"dose {n}")
        n += 1
        if n == 20:
            Path(sys.argv[2]).write_text("ready")
"""


def test_a_writer_killed_between_takes_leaves_only_whole_records(
    isolated_journal: Path, tmp_path: Path
) -> None:
    ok("med", "add", "A", "--time", "08:00", "--supply", "1000000")
    ready = tmp_path / "ready"
    proc = _start(TAKE_LOOP, str(isolated_journal), str(ready))
    _wait_for(ready, proc)
    time.sleep(0.2)
    _kill(proc)
    assert scalar("PRAGMA integrity_check") == "ok"
    taken = count("records")
    assert taken >= 20
    assert count("undo_log") == taken
    assert scalar("SELECT supply FROM meds") == 1000000 - taken
    notes = {row[0] for row in connect().execute("SELECT note FROM records")}
    assert notes == {f"dose {n}" for n in range(taken)}
    assert data("undo")["undone"]["note"] == f"dose {taken - 1}"


HOLDER = """
    import sqlite3, sys, time
    from pathlib import Path

    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    Path(sys.argv[2]).write_text("ready")
    time.sleep(9)
    conn.execute("ROLLBACK")
"""


def test_a_journal_locked_past_the_timeout_is_busy(isolated_journal: Path, tmp_path: Path) -> None:
    ok("med", "add", "A", "--time", "08:00", "--start", "2026-11-20")
    ready = tmp_path / "ready"
    holder = _start(HOLDER, str(isolated_journal), str(ready))
    try:
        _wait_for(ready, holder)
        started = time.monotonic()
        result = run("take", "a")
        elapsed = time.monotonic() - started
    finally:
        _kill(holder)
    assert result.returncode == 1
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert "busy" in line
    assert "nothing was written" in line
    assert 4.9 <= elapsed < 8.5
    assert count("records") == 0


def test_a_new_journal_under_umask_022_is_private(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "deeper" / "journal.db"
    result = run("--db", str(db), "med", "add", "A", "--time", "08:00", umask=0o022)
    assert result.returncode == 0, result.stderr
    assert db.stat().st_mode & 0o777 == 0o600
    assert db.parent.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700
    # Keep a reader open so the -wal and -shm files outlive the writer, then check them.
    reader = connect(db)
    try:
        reader.execute("SELECT count(*) FROM meds").fetchone()
        result = run("--db", str(db), "take", "a", "--at", "08:00", "--extra", umask=0o022)
        assert result.returncode == 0, result.stderr
        sidecars = [Path(f"{db}-wal"), Path(f"{db}-shm")]
        present = [p for p in sidecars if p.exists()]
        assert present, "a WAL journal with an open reader keeps its -wal/-shm files"
        for path in present:
            assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        reader.close()
    assert db.stat().st_mode & 0o777 == 0o600
