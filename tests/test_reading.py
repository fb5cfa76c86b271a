"""Reading commands open the journal read-only and never write to it (SPEC §9): they work
on a read-only journal, while another process holds the write lock, on an empty file and on
a journal of an older schema, and they leave the file's bytes as they were."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adherelog.migrations import SCHEMA_VERSION
from helpers import data, downgrade, ok, run, scalar, sha256

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="tmpfs mounts and POSIX locks")

# Every reading command, with what it needs; "TIP" stands for the sample tip's id.
READS: list[tuple[str, ...]] = [
    ("due",),
    ("due", "--json"),
    ("summary",),
    ("summary", "--json"),
    ("summary", "--since", "2026-01-01"),
    ("summary", "--med", "Metformin"),
    ("streak",),
    ("streak", "--json"),
    ("streak", "--med", "Metformin"),
    ("history",),
    ("history", "--json"),
    ("report",),
    ("report", "--format", "html"),
    ("export",),
    ("med", "list"),
    ("med", "show", "Metformin"),
    ("effect", "list"),
    ("tip", "list"),
    ("tip", "show", "TIP"),
    # A JSON export signs (it uses up a serial, SPEC §11): its preview and Markdown only read.
    ("tip", "export", "--dry-run"),
    ("tip", "export", "--format", "md"),
    ("tip", "schema"),
    ("share", "card"),
    ("calendar",),
    ("fhir",),
    ("check",),
]

HOLDER = """
    import sqlite3, sys, time
    from pathlib import Path

    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    Path(sys.argv[2]).write_text("ready")
    time.sleep(60)
"""


def _sample(db: Path) -> str:
    """A journal with medications, doses, skips, side effects and a tip; the tip's id."""
    env = {"ADHERELOG_DB": str(db)}
    assert run("sample", env=env).returncode == 0
    return str(data("tip", "add", "Take it with food", env=env)["id"])


def _args(args: tuple[str, ...], tip: str) -> list[str]:
    return [tip if arg == "TIP" else arg for arg in args]


def _outputs(
    db: Path, tip: str, reads: list[tuple[str, ...]] = READS
) -> dict[tuple[str, ...], tuple[int, str, str]]:
    """Exit code, stdout and stderr of every reading command on ``db``."""
    env = {"ADHERELOG_DB": str(db)}
    found = {}
    for args in reads:
        result = run(*_args(args, tip), env=env)
        found[args] = (result.returncode, result.stdout, result.stderr)
    return found


def _old_schema(db: Path) -> None:
    """Turn the journal at ``db`` into one of schema 2 (before the summary tables and all
    that came later), holding the same data."""
    downgrade(db, 2)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"no {name} command here")
    return found


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of its own, which the test may remount read-only."""
    where = tmp_path / "tmpfs"
    where.mkdir()
    mounted = subprocess.run(
        [_tool("mount"), "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs was refused: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run([_tool("umount"), "-l", str(where)], capture_output=True, check=False)


def _remount_read_only(where: Path) -> None:
    done = subprocess.run(
        [_tool("mount"), "-o", "remount,ro", str(where)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"remounting the tmpfs read-only was refused: {done.stderr.decode().strip()}")


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.communicate(timeout=10)


def _hold_lock(db: Path, ready: Path, procs: list[subprocess.Popen[str]]) -> None:
    """Start a process that holds ``BEGIN IMMEDIATE`` on ``db`` until the test ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(db), str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    procs.append(proc)
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the lock holder never became ready"
        time.sleep(0.01)


def test_reading_commands_leave_the_journal_bytes_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    tip = _sample(db)
    before = sha256(db)
    outputs = _outputs(db, tip, READS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.db"]  # no -wal, -shm left
    failed = {args: found for args, found in outputs.items() if found[0] != 0}
    assert failed == {}
    assert sha256(db) == before


def test_reading_commands_work_on_a_read_only_journal(tmpfs: Path) -> None:
    db = tmpfs / "journal.db"
    tip = _sample(db)
    writable = _outputs(db, tip)
    assert all(code == 0 for code, _, _ in writable.values())
    before = sha256(db)
    db.chmod(0o400)
    tmpfs.chmod(0o500)
    _remount_read_only(tmpfs)
    read_only = _outputs(db, tip)
    assert {a: f for a, f in read_only.items() if f != writable[a]} == {}
    assert sha256(db) == before


def test_reading_commands_work_while_another_process_holds_the_lock(
    tmp_path: Path, holder: list[subprocess.Popen[str]]
) -> None:
    db = tmp_path / "journal.db"
    tip = _sample(db)
    unlocked = _outputs(db, tip)
    _hold_lock(db, tmp_path / "ready", holder)
    env = {"ADHERELOG_DB": str(db)}
    slow = []
    for args in READS:
        started = time.monotonic()
        result = run(*_args(args, tip), env=env)
        elapsed = time.monotonic() - started
        if (result.returncode, result.stdout, result.stderr) != unlocked[args] or elapsed >= 3:
            slow.append((args, result.returncode, result.stderr, round(elapsed, 1)))
    assert slow == []


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_reading_command_leaves_an_empty_file_empty(
    isolated_journal: Path, args: tuple[str, ...]
) -> None:
    isolated_journal.parent.mkdir(mode=0o700)
    isolated_journal.write_bytes(b"")
    run(*_args(args, "0123abcd"))  # tip show of a missing tip fails; nothing else may
    assert isolated_journal.stat().st_size == 0
    assert sorted(p.name for p in isolated_journal.parent.iterdir()) == ["journal.db"]


def test_an_empty_file_reads_as_an_empty_journal(isolated_journal: Path) -> None:
    isolated_journal.parent.mkdir(mode=0o700)
    isolated_journal.write_bytes(b"")
    empty = ok("due", "--json").stdout
    isolated_journal.unlink()
    assert ok("due", "--json").stdout == empty


def test_an_older_journal_is_read_as_upgraded_and_left_as_it_was(
    tmp_path: Path, holder: list[subprocess.Popen[str]]
) -> None:
    current = tmp_path / "current.db"
    tip = _sample(current)
    old = tmp_path / "old.db"
    shutil.copyfile(current, old)
    _old_schema(old)
    before = sha256(old)
    read, upgraded = _outputs(old, tip), _outputs(current, tip)
    assert "(schema 2)" in read.pop(("check",))[1]  # check tells of the file itself
    upgraded.pop(("check",))
    assert read == upgraded
    assert sha256(old) == before
    # While another process holds the lock, a read neither migrates nor waits.
    _hold_lock(old, tmp_path / "ready", holder)
    started = time.monotonic()
    ok("summary", env={"ADHERELOG_DB": str(old)})
    assert time.monotonic() - started < 3
    holder.pop().kill()
    assert sha256(old) == before
    assert scalar("PRAGMA user_version", path=old) == 2
    # The next writing command upgrades the file.
    env = {"ADHERELOG_DB": str(old)}
    ok("take", "Metformin", "--extra", env=env)
    assert scalar("PRAGMA user_version", path=old) == SCHEMA_VERSION


def _kept(db: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT scope, through FROM streak_cache ORDER BY scope").fetchall()
    finally:
        conn.close()


def test_writes_keep_the_streak_state_and_reads_never_do(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    env = {"ADHERELOG_DB": str(db)}
    _sample(db)
    settled = 739940  # 20 November 2026, two days before the fixed clock
    states = _kept(db)
    assert len(states) == 3  # the two scheduled medications and all of them together
    assert {through for _, through in states} == {settled}
    # A backdated dose drops the state; the write that did so keeps it again.
    ok("take", "Metformin", "--at", "2026-11-16 21:10", env=env)
    assert _kept(db) == states
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DELETE FROM streak_cache")
    conn.close()
    before = sha256(db)
    streak = ok("streak", "--json", env=env).stdout
    assert _kept(db) == []
    assert sha256(db) == before
    # The next day, the first write folds the state one day on.
    later = {**env, "ADHERELOG_NOW": "2026-11-23T09:10:00"}
    ok("effect", "add", "nausea", env=later)
    assert {through for _, through in _kept(db)} == {settled + 1}
    assert ok("streak", "--json", env=env).stdout == streak
