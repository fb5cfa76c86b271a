"""The journal file under hostile or unlucky conditions (SPEC §9).

Names that look like URIs, paths that are devices, FIFOs, folders or links, many processes
creating one journal at once, damaged pages, a full disk and a read-only folder. Whatever
crosses processes (devices, FIFOs, full disks, concurrency) runs as real subprocesses.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog import storage
from helpers import connect, count, invoke, ok, one_error_line, run, sha256

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and modes")

ADD = ("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
DAMAGED_WORDS = ("is damaged", "adherelog check", "backups", "-wal", "-shm")


def _listing(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def _mode(path: Path) -> int:
    return os.lstat(path).st_mode


# --------------------------------------------------------------------------- 1. plain paths


NAMES = [
    "my#journal.db",
    "j?x.db",
    "pct%41.db",
    "m.db?mode=memory&x",
    "a&b=c.db",
    "with space.db",
    "café ünï 日記.db",
    "%2e%2e#?.db",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_journal_path_is_a_plain_file_name(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "odd ?#% folder"
    path = folder / name
    ok("--db", str(path), *ADD)
    ok("--db", str(path), "take", "sertraline", "--at", "08:10")
    assert _listing(folder) == {name}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert count("meds", path) == 1
    assert count("records", path) == 1
    listed = invoke("--db", str(path), "history", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert "08:10" in listed.stdout
    checked = invoke("--db", str(path), "check")
    assert checked.exit_code == 0, checked.stderr
    made = invoke("--db", str(path), "backup", str(tmp_path / "copy.db"))
    assert made.exit_code == 0, made.stderr
    assert count("records", tmp_path / "copy.db") == 1
    # check and backup read through a read-only connection, which leaves SQLite's own files.
    assert _listing(folder) <= {name, f"{name}-wal", f"{name}-shm"}


@pytest.mark.parametrize(
    "args",
    [
        ["import", ""],
        ["import", "", "--from", "loop"],
        ["tip", "import", ""],
        ["restore", ""],
        ["buddy", "import", "", "--as", "ana"],
    ],
)
def test_an_empty_file_name_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    ok("med", "add", "Zed", "--time", "08:00")
    before = sha256(Path(os.environ["ADHERELOG_DB"]))
    result = invoke(*args)
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == "adherelog: '' names no file; give the file's path."
    assert sha256(Path(os.environ["ADHERELOG_DB"])) == before


def test_an_empty_backup_path_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ok("med", "add", "Zed", "--time", "08:00")
    result = invoke("backup", "")
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        "adherelog: PATH '' names no file or folder; give one (or none)."
    )
    assert os.listdir(tmp_path) == ["data"]


@pytest.mark.parametrize(
    "args",
    [
        ["med", "add", "Zed", "--time", "08:00"],
        ["due"],
        ["restore", "backup.db"],
        ["export", "-o", "out.json"],
    ],
)
def test_an_empty_db_option_is_a_usage_error_and_touches_no_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """``--db "$UNSET"`` names no file: it must not fall back to $ADHERELOG_DB or the
    default journal (a restore would replace the real one)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backup.db").write_bytes(b"")
    fallback = Path(os.environ["ADHERELOG_DB"])
    result = invoke("--db", "", *args)
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        "adherelog: --db '' names no file; give the journal's path."
    )
    assert not fallback.exists()
    assert not (tmp_path / "out.json").exists()


@given(
    # "." and ".." name folders, never a journal file.
    st.text(st.characters(codec="utf-8", blacklist_characters="\x00/")).filter(
        lambda name: name not in (".", "..")
    )
)
def test_sqlite_uri_keeps_every_character_of_the_name(name: str) -> None:
    path = Path("/some folder") / (name or "x")
    uri = storage.sqlite_uri(path, "rw")
    head, query = uri.split("?", 1)
    assert query == "mode=rw"
    assert head.startswith("file:")
    assert "#" not in uri
    assert unquote_to_bytes(head[len("file:") :]) == os.fsencode(path)


def test_sqlite_uri_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert storage.sqlite_uri(Path("j#.db"), "ro") == f"file:{tmp_path}/j%23.db?mode=ro"


# --------------------------------------------------------------------------- 2. not a file


def _make_kind(kind: str, tmp_path: Path) -> tuple[Path, Path]:
    """Make ``kind`` at tmp_path/spot/journal.db; return it and the thing to watch."""
    folder = tmp_path / "spot"
    folder.mkdir(mode=0o755)
    path = folder / "journal.db"
    watched = path
    if kind == "device":
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    elif kind == "fifo":
        os.mkfifo(path, 0o644)
    elif kind == "folder":
        path.mkdir(mode=0o755)
    elif kind in ("link-to-empty", "link-to-journal", "dangling-link"):
        watched = tmp_path / "elsewhere.db"
        if kind == "link-to-empty":
            watched.write_bytes(b"")
            watched.chmod(0o644)
        elif kind == "link-to-journal":
            ok("--db", str(watched), *ADD)
            watched.chmod(0o640)
        path.symlink_to(watched)
    return path, watched


KINDS = {
    "device": "is a device",
    "fifo": "is a FIFO",
    "folder": "is a folder",
    "link-to-empty": "is a symbolic link",
    "link-to-journal": "is a symbolic link",
    "dangling-link": "is a symbolic link",
}
COMMANDS = [ADD, ("due",), ("history", "--json"), ("check",), ("backup",), ("export",)]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_path_that_is_not_a_regular_file_is_refused_untouched(tmp_path: Path, kind: str) -> None:
    path, watched = _make_kind(kind, tmp_path)
    before_mode = _mode(path)
    before_watched = _mode(watched) if os.path.lexists(watched) else None
    before_bytes = sha256(watched) if watched.is_file() else None
    before_listing = _listing(path.parent)
    for args in COMMANDS:
        result = run("--db", str(path), *args, timeout=30)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        line = one_error_line(result.stderr)
        assert KINDS[kind] in line, (args, line)
        assert str(path) in line
        assert result.stdout == ""
        assert _mode(path) == before_mode
        if before_watched is not None:
            assert _mode(watched) == before_watched
        if before_bytes is not None:
            assert sha256(watched) == before_bytes
        assert _listing(path.parent) == before_listing
    assert not (tmp_path / "elsewhere.db-wal").exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_link_beside_the_journal_is_not_followed(isolated_journal: Path, suffix: str) -> None:
    ok(*ADD)
    victim = isolated_journal.parent.parent / "victim"
    victim.write_bytes(b"someone else's file")
    victim.chmod(0o644)
    side = Path(f"{isolated_journal}{suffix}")
    side.symlink_to(victim)
    before = sha256(isolated_journal)
    for args in (("take", "sertraline"), ("due",)):
        result = run(*args)
        assert result.returncode == 1, result.stderr
        line = one_error_line(result.stderr)
        assert f"{side} is a symbolic link" in line
    assert victim.read_bytes() == b"someone else's file"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert sha256(isolated_journal) == before


def test_a_symlinked_parent_folder_is_allowed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "share").symlink_to(real)
    path = tmp_path / "share" / "adherelog" / "journal.db"
    ok("--db", str(path), *ADD)
    result = run("--db", str(path), "take", "sertraline", "--at", "08:10")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((real / "adherelog").stat().st_mode) == 0o700
    assert stat.S_IMODE((real / "adherelog" / "journal.db").stat().st_mode) == 0o600
    assert count("records", real / "adherelog" / "journal.db") == 1


# --------------------------------------------------------------------------- 8. many creators

# Each process waits for the start signal, then runs adherelog with SQLite's first reads
# slowed down and their starts spread over 0.2 s, so that another process's first-time
# setup lands between those reads.
BARRIER = """
import os, sqlite3, sys, time
from adherelog.cli import app, main  # the slow imports happen before the start signal

class Slow(sqlite3.Connection):
    def execute(self, sql, *args):
        if sql.startswith(("PRAGMA application_id", "PRAGMA user_version")):
            time.sleep(0.03)
        return super().execute(sql, *args)

connect = sqlite3.connect
sqlite3.connect = lambda *args, **kwargs: connect(*args, factory=Slow, **kwargs)
go, delay = sys.argv[1], float(sys.argv[2])
while not os.path.exists(go):
    time.sleep(0.001)
time.sleep(delay)
sys.exit(main(sys.argv[3:]))
"""


# These tests are about first-time setup, not about waiting for the lock: twenty processes
# queue for it, so on a loaded machine the last may wait longer than the 5-second default.
def lock_patient_env() -> dict[str, str]:
    return {**os.environ, "ADHERELOG_BUSY_TIMEOUT": "60"}


def add(index: int) -> list[str]:
    return ["med", "add", f"Med{index}", "--time", "08:00"]


def test_many_processes_creating_one_journal_all_succeed(tmp_path: Path) -> None:
    for round_number in range(2):
        path = tmp_path / f"round{round_number}" / "journal.db"
        go = tmp_path / f"go{round_number}"
        launch = [sys.executable, "-c", BARRIER]
        procs = [
            subprocess.Popen(
                [*launch, str(go), str(index * 0.01), "--db", str(path), *add(index)],
                env=lock_patient_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index in range(20)
        ]
        time.sleep(1.5)
        go.write_text("")
        errors = []
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            if proc.returncode != 0:
                errors.append(stderr)
        assert errors == []
        assert count("meds", path) == 20
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_many_processes_creating_one_journal_and_its_folders_all_succeed(tmp_path: Path) -> None:
    for round_number in range(4):
        top = tmp_path / f"round{round_number}"
        path = top / "a" / "b" / "n.db"
        go = tmp_path / f"go{round_number}"
        launch = [sys.executable, "-c", BARRIER, str(go), "0"]  # all start at once
        procs = [
            subprocess.Popen(
                [*launch, "--db", str(path), "med", "add", f"M{index}", "--as-needed"],
                env=lock_patient_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index in range(20)
        ]
        time.sleep(1.5)
        go.write_text("")
        errors = []
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            if proc.returncode != 0:
                errors.append(stderr)
        assert errors == []
        assert count("meds", path) == 20
        for folder in (top, top / "a", top / "a" / "b"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def _made_meanwhile(
    monkeypatch: pytest.MonkeyPatch, spot: Path, make: Callable[[Path], object]
) -> None:
    """Let ``make`` put something at ``spot`` just before adherelog's own mkdir of it."""
    mkdir = Path.mkdir

    def racing_mkdir(self: Path, mode: int = 0o777, *args: Any, **kwargs: Any) -> None:
        if self == spot and not os.path.lexists(spot):
            make(spot)
        mkdir(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", racing_mkdir)


def test_a_folder_made_meanwhile_by_another_process_is_used_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a" / "b" / "c"
    _made_meanwhile(monkeypatch, tmp_path / "a" / "b", lambda spot: os.mkdir(spot, 0o750))
    storage._make_private_dir(folder)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o750  # not ours: kept
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_file_made_meanwhile_where_a_folder_belongs_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spot = tmp_path / "a" / "b"
    _made_meanwhile(monkeypatch, spot, lambda spot: spot.write_bytes(b"someone's file"))
    with pytest.raises(FileExistsError):
        storage._make_private_dir(spot / "c")
    assert spot.read_bytes() == b"someone's file"
    assert os.listdir(tmp_path / "a") == ["b"]


# --------------------------------------------------------------------------- 16. damaged


def _journal_with_records(path: Path) -> None:
    ok("--db", str(path), *ADD)
    _add_records(path)


def _add_records(path: Path) -> None:
    conn = connect(path)
    conn.execute("BEGIN")
    for number in range(400):
        conn.execute(
            "INSERT INTO records (id, kind, at, zone, local_date, note, created_at)"
            " VALUES (?, 'effect', '2026-11-19T10:00:00Z', 'UTC', '2026-11-19', ?,"
            " '2026-11-19T10:00:00Z')",
            (f"e{number:04}", "n" * 200),
        )
    conn.execute("COMMIT")
    conn.close()
    assert not Path(f"{path}-wal").exists()


def _records_pages(path: Path) -> list[int]:
    """The pages of the records table and of its indexes."""
    conn = connect(path)
    try:
        return [
            int(page)
            for (page,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name IN (SELECT name FROM sqlite_master"
                " WHERE tbl_name = 'records') ORDER BY pageno"
            )
        ]
    finally:
        conn.close()


def _corrupt(path: Path, pages: list[int]) -> None:
    page_size = 4096
    with open(path, "r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size)
            handle.write(bytes([0xA5]) * page_size)


def _refused_as_damaged(path: Path, *args: str) -> str:
    before = sha256(path)
    result = run("--db", str(path), *args)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    line = one_error_line(result.stderr)
    for word in DAMAGED_WORDS:
        assert word in line, (args, line)
    assert str(path) in line
    assert sha256(path) == before
    return line


def test_a_command_meeting_damaged_pages_stops_and_says_so(isolated_journal: Path) -> None:
    _journal_with_records(isolated_journal)
    pages = _records_pages(isolated_journal)
    assert len(pages) > 5
    _corrupt(isolated_journal, pages)
    before = _listing(isolated_journal.parent)
    _refused_as_damaged(isolated_journal, "take", "sertraline", "--at", "08:10")
    _refused_as_damaged(isolated_journal, "due")
    _refused_as_damaged(isolated_journal, "history")
    _refused_as_damaged(isolated_journal, "export")
    assert _listing(isolated_journal.parent) == before


def test_backup_of_a_damaged_journal_names_the_table(isolated_journal: Path) -> None:
    _journal_with_records(isolated_journal)
    conn = connect(isolated_journal)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'records'").fetchone()
    conn.close()
    leaves = [page for page in _records_pages(isolated_journal) if page > root + 20]
    _corrupt(isolated_journal, leaves[2:4])
    line = _refused_as_damaged(isolated_journal, "backup")
    assert "records" in line
    backups = isolated_journal.parent / "backups"
    assert not backups.exists() or os.listdir(backups) == []


@pytest.mark.parametrize(
    "args", [("history",), ("take", "sertraline", "--at", "08:10"), ("export",), ("due",)]
)
def test_a_stale_wal_beside_a_copied_backup_is_reported_as_damage(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    path = tmp_path / "journal.db"
    ok("--db", str(path), *ADD)
    saved = tmp_path / "saved.db"
    saved.write_bytes(path.read_bytes())
    _add_records(path)
    # A later session whose WAL is still beside the journal when the old copy is put back.
    conn = connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM records WHERE id > 'e0100'")
    conn.execute("CREATE TABLE filler (body TEXT)")
    for number in range(200):
        conn.execute("INSERT INTO filler VALUES (?)", ("f" * 300 + str(number),))
    conn.execute("COMMIT")
    wal = Path(f"{path}-wal").read_bytes()
    shm = Path(f"{path}-shm").read_bytes()
    conn.close()
    path.write_bytes(saved.read_bytes())
    Path(f"{path}-wal").write_bytes(wal)
    Path(f"{path}-shm").write_bytes(shm)
    result = run("--db", str(path), *args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    line = one_error_line(result.stderr)
    for word in DAMAGED_WORDS:
        assert word in line, line


# --------------------------------------------------------------------------- 9. diagnoses


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        pytest.skip("no mount command to make a small tmpfs")
    mounted = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a small tmpfs was refused: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run([umount, "-l", str(folder)], check=False)


def _fill(folder: Path) -> None:
    """Fill the file system holding ``folder`` up to the last byte."""
    with open(folder / "filler", "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)


def test_a_full_disk_is_named_and_reads_still_work(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "small", "2m") as folder:
        path = folder / "journal.db"
        assert run("--db", str(path), *ADD).returncode == 0
        assert run("--db", str(path), "take", "sertraline", "--at", "08:10").returncode == 0
        _fill(folder)
        before = sha256(path)
        listing = _listing(folder)
        result = run("--db", str(path), "take", "sertraline", "--extra")
        assert result.returncode == 1, result.stderr
        line = one_error_line(result.stderr)
        assert f"no space left on the device holding {path}" in line.lower()
        for args in (("due",), ("history", "--json"), ("summary",)):
            read = run("--db", str(path), *args)
            assert read.returncode == 0, (args, read.stderr)
            assert read.stderr == ""
        assert "08:10" in run("--db", str(path), "history").stdout
        assert sha256(path) == before
        assert _listing(folder) == listing


def test_a_full_disk_creates_no_new_journal(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "small", "1m") as folder:
        _fill(folder)
        path = folder / "journal.db"
        listing = _listing(folder)
        result = run("--db", str(path), *ADD)
        assert result.returncode == 1
        assert "no space left on the device holding" in one_error_line(result.stderr).lower()
        assert _listing(folder) == listing


def test_a_read_only_folder_is_named_and_reads_still_work(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "4m") as folder:
        path = folder / "journal.db"
        assert run("--db", str(path), *ADD).returncode == 0
        assert run("--db", str(path), "take", "sertraline", "--at", "08:10").returncode == 0
        before = sha256(path)
        remounted = subprocess.run(
            [str(shutil.which("mount")), "-o", "remount,ro", str(folder)],
            capture_output=True,
            check=False,
        )
        assert remounted.returncode == 0, remounted.stderr
        result = run("--db", str(path), "take", "sertraline", "--extra")
        assert result.returncode == 1, result.stderr
        assert f"the folder {folder} is not writable" in one_error_line(result.stderr).lower()
        for args in (("due",), ("history",), ("check",)):
            read = run("--db", str(path), *args)
            assert read.returncode == 0, (args, read.stderr)
        assert "08:10" in run("--db", str(path), "history").stdout
        assert sha256(path) == before
        assert _listing(folder) == {"journal.db"}


def test_a_failed_write_with_wal_files_names_the_real_error(isolated_journal: Path) -> None:
    ok(*ADD)
    holder = connect(isolated_journal)  # keeps the -wal and -shm files beside the journal
    try:
        holder.execute("SELECT count(*) FROM meds").fetchone()
        with sqlite3.connect(isolated_journal) as other:
            other.execute(
                "CREATE TRIGGER stop BEFORE INSERT ON records"
                " BEGIN SELECT RAISE(ROLLBACK, 'refused by a trigger'); END"
            )
        result = run("take", "sertraline", "--at", "08:10")
    finally:
        holder.close()
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "refused by a trigger" in line
    assert "cannot rollback" not in line


# A reader that signals once it has the journal open, then waits to be killed.
READER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT 1 FROM meds").fetchall()
print("reading", flush=True)
time.sleep(120)
"""


def test_a_backup_copied_over_a_journal_with_a_stale_wal_is_refused_untouched(
    isolated_journal: Path,
) -> None:
    path = isolated_journal
    ok("--db", str(path), "med", "add", "Vit", "--time", "11:30", "--start", "2026-11-01")
    ok("--db", str(path), "backup")
    (copy,) = (path.parent / "backups").iterdir()
    for number in range(1, 7):
        ok("--db", str(path), "med", "add", f"Med{number}", "--time", f"0{number}:00")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline() == "reading\n"
        edited = run("--db", str(path), "med", "edit", "Med3", "--dose", "9 mg")
        assert edited.returncode == 0, edited.stderr
    finally:
        reader.kill()  # SIGKILL: the -wal and -shm files stay behind
        reader.wait()
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0
    shutil.copyfile(copy, path)
    before, before_wal = sha256(path), sha256(wal)
    for args in (
        ("med", "list"),
        ("take", "Vit", "--at", "2026-11-17T11:30"),
        ("history",),
        ("due",),
    ):
        line = _refused_as_damaged(path, *args)
        assert line == f"adherelog: {storage.damaged(path)}", args
        assert sha256(wal) == before_wal, args
    # backup verifies its copy itself, and names what it found.
    assert "is damaged (tables affected: " in _refused_as_damaged(path, "backup")
    assert sha256(path) == before
    # check, which the sentence points to, shows what is affected and changes nothing either.
    checked = run("--db", str(path), "check", "--json")
    assert checked.returncode == 1, checked.stderr
    kinds = {problem["check"] for problem in json.loads(checked.stdout)["problems"]}
    assert "integrity" in kinds, checked.stdout
    assert (sha256(path), sha256(wal)) == (before, before_wal)
    assert len(os.listdir(path.parent / "backups")) == 1


def test_a_failing_first_write_keeps_a_journal_another_process_holds(tmp_path: Path) -> None:
    from adherelog import storage

    path = tmp_path / "new" / "j.db"
    store = storage.open_store(path, write=True)  # this command creates the journal
    assert store.made is not None
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]);"
            " c.execute('SELECT count(*) FROM meds').fetchone(); print('ready', flush=True);"
            " time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        store.close_failed()  # the command fails: the journal is another process's too
        assert path.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_failing_first_write_keeps_what_another_process_wrote(tmp_path: Path) -> None:
    from adherelog import storage

    path = tmp_path / "new" / "j.db"
    store = storage.open_store(path, write=True)
    ok("--db", str(path), "med", "add", "Metformin", "--time", "08:00")
    store.close_failed()
    assert count("meds", path) == 1
    store = storage.open_store(tmp_path / "other" / "k.db", write=True)
    store.close_failed()  # nobody else used it: it goes, with the folder made for it
    assert not (tmp_path / "other").exists()
