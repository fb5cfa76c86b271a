"""Files adherelog writes beside the journal and at ``-o`` (SPEC §8, §9): full disks and
read-only folders named as such, temporaries that never outlive a signal, stale ones
cleared, backups that never collide and follow folder links, an all-or-nothing sample."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adherelog import journal as journal_module
from helpers import connect, count, invoke, journal, ok, one_error_line, run, scalar

# Each command that takes -o FILE, with its arguments.
WRITERS = {
    "export": ["export"],
    "report": ["report"],
    "fhir": ["fhir"],
}
# The name of a temporary file of ours: .NAME.PID.RANDOM.tmp (SQLite adds -journal to it).
TEMP = re.compile(r"\.(.+)\.([0-9]+)\.[0-9a-f]{8}\.tmp(-journal|-wal|-shm)?")


def mount(*args: str) -> subprocess.CompletedProcess[str]:
    """Run mount(8) or umount(8) (``args[0]``) by its full path."""
    tool = shutil.which(args[0]) or f"/bin/{args[0]}"
    return subprocess.run([tool, *args[1:]], capture_output=True, text=True, check=False)


def mount_tmpfs(folder: Path, size: str) -> None:
    """Mount a small tmpfs on ``folder``, or skip the test where the machine refuses."""
    folder.mkdir(exist_ok=True)
    done = mount("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder))
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs was refused (needs root): {done.stderr.strip()}")


def remount_read_only(folder: Path) -> None:
    """Make the tmpfs at ``folder`` read-only (permission bits do not stop root; a
    read-only mount does), or skip the test where the machine refuses."""
    done = mount("mount", "-o", "remount,ro", str(folder))
    if done.returncode != 0:
        pytest.skip(f"remounting a tmpfs read-only was refused: {done.stderr.strip()}")


def unmount(folder: Path) -> None:
    if mount("umount", str(folder)).returncode:
        mount("umount", "-l", str(folder))


def fill(folder: Path) -> None:
    """Fill the disk holding ``folder`` to its last byte, with a file named ``filler``."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 512):
            pass
    except OSError:
        pass  # the disk is full
    finally:
        os.close(fd)


def no_room_for(journal: Path) -> str:
    """The error line of a write that found the journal's disk full."""
    return (
        f"adherelog: Cannot change the journal {journal}: no space left on the device "
        f"holding {journal}; nothing was written."
    )


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs with no free byte left; its only file is ``filler``."""
    folder = tmp_path / "disk"
    mount_tmpfs(folder, "64k")
    try:
        fill(folder)
        yield folder
    finally:
        unmount(folder)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    """An empty read-only tmpfs."""
    folder = tmp_path / "ro"
    mount_tmpfs(folder, "1m")
    try:
        remount_read_only(folder)
        yield folder
    finally:
        unmount(folder)


def sample_journal() -> None:
    """A year of doses: large enough that no export fits in a few free pages."""
    ok("sample", "--days", "366")


# --- 9: full disks and read-only folders ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_full_disk_at_o_is_named_and_leaves_nothing(full_disk: Path, name: str) -> None:
    sample_journal()
    target = full_disk / "out.txt"
    result = run(*WRITERS[name], "-o", str(target))
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"adherelog: No space left on the device to write {target}; nothing was written."
    )
    assert os.listdir(full_disk) == ["filler"]


@pytest.mark.parametrize("where", ["folder", "file"])
def test_a_backup_onto_a_full_disk_is_named_and_leaves_nothing(full_disk: Path, where: str) -> None:
    sample_journal()
    before = journal().read_bytes()
    given = f"{full_disk}/" if where == "folder" else str(full_disk / "copy.db")
    named = full_disk / ("adherelog-20261122-091000.db" if where == "folder" else "copy.db")
    result = run("backup", given)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"adherelog: No space left on the device to write {named}; nothing was written."
    )
    assert os.listdir(full_disk) == ["filler"]
    assert journal().read_bytes() == before


def test_a_sample_on_a_full_disk_leaves_no_partial_sample(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    mount_tmpfs(folder, "256k")  # room for a new journal, not for a year of doses
    try:
        target = folder / "sample.db"
        result = run("--db", str(target), "sample", "--days", "366")
        assert result.returncode == 1
        line = one_error_line(result.stderr)
        assert "no space left on the device holding" in line.lower()
        assert line.endswith("nothing was written.")
        assert sorted(os.listdir(folder)) in ([], ["sample.db"])
        if target.exists():
            assert count("meds", path=target) == 0
            assert count("records", path=target) == 0
    finally:
        unmount(folder)


def test_a_sample_that_fails_half_way_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "list")  # an empty journal exists already
    real_take = journal_module.Journal.take
    taken: list[int] = []

    def take_then_fail(self: journal_module.Journal, *args: object, **kwargs: object) -> object:
        taken.append(1)
        if len(taken) == 50:
            raise sqlite3.OperationalError("database or disk is full")
        return real_take(self, *args, **kwargs)  # type: ignore[arg-type]  # passes on what it was given

    monkeypatch.setattr(journal_module.Journal, "take", take_then_fail)
    result = invoke("sample")
    assert result.exit_code == 1
    assert "disk is full" in one_error_line(result.stderr)
    assert len(taken) == 50
    assert count("meds") == 0
    assert count("schedules") == 0
    assert count("records") == 0
    assert count("undo_log") == 0


def test_a_backup_into_a_read_only_folder_says_so(read_only_disk: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    for given in (f"{read_only_disk}/", str(read_only_disk / "copy.db")):
        result = run("backup", given)
        assert result.returncode == 1
        assert one_error_line(result.stderr) == (
            f"adherelog: The folder {read_only_disk} is not writable."
        )
    result = run("export", "-o", str(read_only_disk / "out.json"))
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"adherelog: The folder {read_only_disk} is not writable."
    )
    assert os.listdir(read_only_disk) == []


def test_the_default_backup_folder_in_a_read_only_folder_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    mount_tmpfs(folder, "1m")
    try:
        db = folder / "journal.db"
        ok("--db", str(db), "med", "add", "Metformin", "--time", "08:00")
        before = db.read_bytes()
        remount_read_only(folder)
        result = run("--db", str(db), "backup")
        assert result.returncode == 1
        assert one_error_line(result.stderr) == f"adherelog: The folder {folder} is not writable."
        assert sorted(os.listdir(folder)) == ["journal.db"]
        assert db.read_bytes() == before
    finally:
        unmount(folder)


# --- 10: signals and stale temporaries --------------------------------------------------------

# Runs ``adherelog ARGS`` whose JSON export writes half a document, says so by creating
# READY, then waits: a slow export whose timing the test controls.
SLOW_EXPORT = """
import sys
import time
from pathlib import Path

from adherelog import portability
from adherelog.cli import main

ready = Path(sys.argv[1])


def slow(journal, out, progress=None):
    out.write('{"half": "a document"')
    out.flush()
    ready.touch()
    while True:
        time.sleep(0.01)


portability.EXPORTERS["json"] = slow
sys.exit(main(sys.argv[2:]))
"""


def start_slow_export(target: Path, ready: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, str(ready), "export", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the export never started writing"
        time.sleep(0.01)
    return process


def temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if TEMP.fullmatch(name))


@pytest.mark.parametrize(
    ("signum", "name"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP")]
)
def test_a_terminated_export_removes_its_temporary(
    tmp_path: Path, signum: signal.Signals, name: str
) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    out = tmp_path / "out"
    out.mkdir()
    process = start_slow_export(out / "journal.json", tmp_path / "ready")
    assert len(temporaries(out)) == 1  # the half-written document
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert one_error_line(stderr) == f"adherelog: Stopped by {name}; nothing was written."
    assert os.listdir(out) == []


# Runs ``adherelog ARGS`` and sends itself SIGNAL (by name) as the Nth call of a function
# (``module:Class.function@N``) begins; calls on a journal in memory (a dry run's copy)
# are not counted.
SIGNAL_AT = """
import importlib
import os
import signal
import sys

from adherelog.cli import main

target, name = sys.argv[1], sys.argv[2]
where, _, nth = target.partition("@")
module, _, attribute = where.partition(":")
owner = importlib.import_module(module)
*path, last = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
step = getattr(owner, last)
calls = []


def signalled(*args, **kwargs):
    if not getattr(args[0] if args else None, "in_memory", False):
        calls.append(1)
        if len(calls) == int(nth or 1):
            os.kill(os.getpid(), getattr(signal, name))
    return step(*args, **kwargs)


setattr(owner, last, signalled)
sys.exit(main(sys.argv[3:]))
"""

CLOSE = "adherelog.storage:Store.close"
WRITE = "adherelog.storage:Store.write"


def run_signalled(target: str, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SIGNAL_AT, target, name, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "said"), [("SIGTERM", "Stopped by SIGTERM"), ("SIGINT", "Interrupted")]
)
def test_a_stop_once_the_change_is_saved_says_so_and_is_done(name: str, said: str) -> None:
    """A stop that comes after the commit (the journal being closed, the report printed)
    must not say "nothing was written": a script would take the dose again."""
    ok("med", "add", "Ibuprofen", "--as-needed")
    result = run_signalled(CLOSE, name, "take", "ibuprofen")
    assert one_error_line(result.stderr) == (
        f"adherelog: {said} once the change was saved; only the report was not shown."
    )
    assert result.returncode == 0
    assert count("records") == 1


@pytest.mark.parametrize(
    ("name", "said", "code"),
    [("SIGTERM", "Stopped by SIGTERM", 143), ("SIGINT", "Interrupted", 130)],
)
def test_a_stop_before_the_change_is_saved_writes_nothing(name: str, said: str, code: int) -> None:
    ok("med", "add", "Ibuprofen", "--as-needed")
    result = run_signalled(WRITE, name, "take", "ibuprofen")
    assert one_error_line(result.stderr) == f"adherelog: {said}; nothing was written."
    assert result.returncode == code
    assert count("records") == 0


def test_a_stop_before_the_first_change_to_a_new_journal_leaves_nothing(tmp_path: Path) -> None:
    """Making a new journal commits its tables first: that is no change saved, and the
    journal made for the command goes again."""
    new = tmp_path / "sub" / "new.db"
    args = ["--db", str(new), "med", "add", "Foo", "--time", "08:00"]
    result = run_signalled(f"{WRITE}@2", "SIGINT", *args)
    assert one_error_line(result.stderr) == "adherelog: Interrupted; nothing was written."
    assert result.returncode == 130
    assert not (tmp_path / "sub").exists()


def test_a_stop_once_an_import_is_saved_says_so(tmp_path: Path) -> None:
    """An import closes its journal inside its own work: a stop there comes once the change
    is saved."""
    ok("--db", str(tmp_path / "source.db"), "sample", "--days", "7")
    export = tmp_path / "export.json"
    export.write_text(ok("--db", str(tmp_path / "source.db"), "export").stdout)
    ok("med", "add", "Zed", "--time", "08:00")
    result = run_signalled(CLOSE, "SIGTERM", "import", str(export))
    assert one_error_line(result.stderr) == (
        "adherelog: Stopped by SIGTERM once the change was saved; only the report was not shown."
    )
    assert result.returncode == 0
    assert count("records") > 0


def test_a_stop_once_the_work_is_done_keeps_the_commands_own_exit_code(tmp_path: Path) -> None:
    """A reminder pass that could not send exits 1, stopped or not."""
    ok("med", "add", "Aspirin", "--time", "07:00", "--start", "2026-11-21")
    result = run_signalled(
        "adherelog.cli.common:show", "SIGTERM", "remind", "--via", "json://127.0.0.1:9/"
    )
    assert "once the change was saved" in result.stderr
    assert result.returncode == 1


def test_a_stopped_remind_install_leaves_no_temporary_file(tmp_path: Path) -> None:
    units = tmp_path / "config" / "systemd" / "user"
    stop = "adherelog.remind_units:_staged_unit@2"
    result = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT, stop, "SIGTERM", "remind", "install"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    assert result.returncode == 143
    assert one_error_line(result.stderr) == "adherelog: Stopped by SIGTERM; nothing was written."
    assert os.listdir(units) == []


def test_a_stop_after_a_restore_replaced_the_journal_does_not_deny_it(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    ok("--db", str(source), "med", "add", "Metformin", "--time", "08:00")
    ok("med", "add", "Sertraline", "--time", "09:00")
    result = run_signalled(CLOSE, "SIGTERM", "restore", str(source))
    assert one_error_line(result.stderr) == (
        "adherelog: Stopped by SIGTERM after the journal was changed; what was saved stays."
    )
    assert result.returncode == 143
    assert count("meds") == 1
    assert scalar("SELECT name FROM meds") == "Metformin"


def test_a_signal_that_was_ignored_stays_ignored(tmp_path: Path) -> None:
    """``nohup`` ignores SIGHUP: adherelog must not undo that."""
    ok("med", "add", "Metformin", "--time", "08:00")
    out = tmp_path / "out"
    out.mkdir()
    script = "import signal\nsignal.signal(signal.SIGHUP, signal.SIG_IGN)\n" + SLOW_EXPORT
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "ready"), "export", "-o", str(out / "j")],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not (tmp_path / "ready").exists():
            assert process.poll() is None
            time.sleep(0.01)
        process.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        assert process.poll() is None
    finally:
        process.terminate()
        process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert os.listdir(out) == []


def test_the_next_write_clears_stale_temporaries_and_only_those(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    out = tmp_path / "out"
    out.mkdir()
    killed = start_slow_export(out / "killed.json", tmp_path / "ready1")
    killed.kill()
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    (left,) = temporaries(out)
    assert left.startswith(f".killed.json.{killed.pid}.")
    live = start_slow_export(out / "live.json", tmp_path / "ready2")
    try:
        (live_temp,) = (name for name in temporaries(out) if name != left)
        # A temporary whose PID is running again, but in a process started after it was
        # written, and SQLite's journal of a killed backup's temporary.
        reused = out / f".old.db.{os.getpid()}.0123abcd.tmp"
        reused.write_bytes(b"health data")
        os.utime(reused, (946684800, 946684800))  # 2000-01-01
        side = out / f".b.db.{killed.pid}.89abcdef.tmp-journal"
        side.write_bytes(b"journal")
        # Not ours: other names, a folder, another user's file.
        keep = [
            ".notes.txt",
            ".x.json.123.abcd.tmp",
            f".x.json.{killed.pid}.0123abcd.tmp.bak",
            "x.json.1.0123abcd.tmp",
        ]
        for name in keep:
            (out / name).write_text("keep")
        folder = out / f".dir.{killed.pid}.0123abcd.tmp"
        folder.mkdir()
        foreign = out / f".theirs.{killed.pid}.0123abcd.tmp"
        foreign.write_text("keep")
        os.chown(foreign, 65534, 65534)

        result = run("export", "-o", str(out / "new.json"))
        assert result.returncode == 0, result.stderr

        names = set(os.listdir(out))
        assert left not in names
        assert reused.name not in names
        assert side.name not in names
        assert live_temp in names
        assert {*keep, folder.name, foreign.name, "new.json"} <= names
    finally:
        live.kill()
        live.communicate(timeout=60)


def test_a_backup_clears_stale_temporaries_too(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / f".copy.db.{dead.pid}.0123abcd.tmp"
    stale.write_bytes(b"health data")
    result = run("backup", str(out / "copy.db"))
    assert result.returncode == 0, result.stderr
    assert os.listdir(out) == ["copy.db"]


# --- 15: backups --------------------------------------------------------------------------------


def test_concurrent_backups_in_one_second_all_get_their_own_file(tmp_path: Path) -> None:
    sample_journal()  # a copy that takes a while widens the window for a collision
    folder = tmp_path / "many"
    folder.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "adherelog", "backup", f"{folder}/", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    paths = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        paths.append(json.loads(stdout)["path"])
    expected = ["adherelog-20261122-091000.db"] + [
        f"adherelog-20261122-091000-{n}.db" for n in range(2, 9)
    ]
    assert sorted(Path(p).name for p in paths) == sorted(expected)
    assert sorted(os.listdir(folder)) == sorted(expected)
    for name in expected:
        assert (folder / name).stat().st_mode & 0o777 == 0o600
        assert count("records", path=folder / name) == count("records")


def test_a_file_named_backups_beside_the_journal_is_refused_in_one_sentence() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    blocker = journal().parent / "backups"
    blocker.write_text("my notes")
    result = invoke("backup")
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == (
        f"adherelog: {blocker} is not a folder; move it away or name a folder to back up to."
    )
    assert blocker.read_text() == "my notes"
    # The same file given with a trailing slash, as a folder to back up into.
    result = invoke("backup", f"{blocker}/")
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == f"adherelog: {blocker} is not a folder."
    assert blocker.read_text() == "my notes"


def test_a_link_to_a_folder_is_followed_and_a_link_as_the_file_is_refused(
    tmp_path: Path,
) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    drive = tmp_path / "drive"
    drive.mkdir()
    (journal().parent / "backups").symlink_to(drive)
    made = json.loads(ok("backup", "--json").stdout)
    assert made["path"] == str(journal().parent / "backups" / "adherelog-20261122-091000.db")
    dirlink = tmp_path / "dirlink"
    dirlink.symlink_to(drive)
    for given, number in ((str(dirlink), 2), (f"{dirlink}/", 3)):
        made = json.loads(ok("backup", given, "--json").stdout)
        assert made["path"] == str(dirlink / f"adherelog-20261122-091000-{number}.db")
    assert sorted(os.listdir(drive)) == [
        "adherelog-20261122-091000-2.db",
        "adherelog-20261122-091000-3.db",
        "adherelog-20261122-091000.db",
    ]
    for name in os.listdir(drive):
        assert (drive / name).stat().st_mode & 0o777 == 0o600
    # A link as the backup file itself: refused, whatever it points at.
    victim = tmp_path / "victim.db"
    victim.write_text("keep me")
    for link, points_at in (("filelink", victim), ("dangling", tmp_path / "nowhere.db")):
        (tmp_path / link).symlink_to(points_at)
        result = invoke("backup", str(tmp_path / link), "--force")
        assert result.exit_code == 1
        assert "symbolic link" in one_error_line(result.stderr)
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "nowhere.db").exists()


def test_a_new_backups_folder_is_0700_and_its_files_0600() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    result = run("backup", "--json", umask=0o022)
    assert result.returncode == 0, result.stderr
    path = Path(json.loads(result.stdout)["path"])
    assert path.parent == journal().parent / "backups"
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


def run_to(stdout: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m adherelog ARGS`` as a real process, its standard output into ``stdout``."""
    with open(stdout, "w") as out:
        return subprocess.run(
            [sys.executable, "-m", "adherelog", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )


def test_stdout_on_a_full_disk_is_named_in_one_sentence(full_disk: Path) -> None:
    sample_journal()
    result = run_to(full_disk / "redirected.json", "export")
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "adherelog: No space left on the device; the command stopped."
    )


@pytest.mark.parametrize(("args", "saved"), [(["take", "ibuprofen"], True), (["due"], False)])
def test_a_report_that_cannot_be_written_says_whether_the_change_was_saved(
    args: list[str], saved: bool
) -> None:
    ok("med", "add", "Ibuprofen", "--as-needed")
    result = run_to("/dev/full", *args)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "adherelog: The report could not be written (no space left on the device)"
        + ("; the change was saved." if saved else ".")
    )
    assert count("records") == int(saved)


# --- the journal is never an output -----------------------------------------------------------

# Every command that writes a document to -o FILE, and backup (which takes PATH).
JOURNAL_WRITERS = {
    "report": ["report", "-o"],
    "export json": ["export", "-o"],
    "export csv": ["export", "--format", "csv", "-o"],
    "fhir": ["fhir", "-o"],
    "calendar": ["calendar", "-o"],
    "share card": ["share", "card", "-o"],
    "tip export": ["tip", "export", "-o"],
    "backup": ["backup"],
}
# How a target reaches the journal (the test runs in the journal's folder).
SPELLINGS = ["absolute", "relative --db", "./", "..", "linked folder", "hard link", "-wal"]


def _spelled(spelling: str, tmp_path: Path) -> tuple[list[str], str, str]:
    """The global options, the target and what the refusal calls it, for ``spelling``."""
    db = journal()
    if spelling == "relative --db":
        return ["--db", db.name], db.name, "the journal itself"
    if spelling == "./":
        return [], f"./{db.name}", "the journal itself"
    if spelling == "..":
        return [], f"../{db.parent.name}/{db.name}", "the journal itself"
    if spelling == "linked folder":
        (tmp_path / "linked").symlink_to(db.parent)
        return [], str(tmp_path / "linked" / db.name), "the journal itself"
    if spelling == "hard link":
        os.link(db, tmp_path / "hard.db")
        return [], str(tmp_path / "hard.db"), "the journal itself"
    if spelling == "-wal":
        return [], f"{db}-wal", "the journal's -wal file"
    return [], str(db), "the journal itself"


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("name", sorted(JOURNAL_WRITERS))
def test_the_journal_and_its_files_are_never_an_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, spelling: str
) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    ok("tip", "add", "Take it with food")
    monkeypatch.chdir(journal().parent)
    options, target, what = _spelled(spelling, tmp_path)
    holder = connect()  # another reader keeps the -wal alive
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT count(*) FROM meds")
        files = _journal_files()
        assert f"{journal().name}-wal" in files
        result = invoke(*options, *JOURNAL_WRITERS[name], target, "--force")
        assert result.exit_code == 1
        assert one_error_line(result.stderr) == (
            f"adherelog: {Path(target)} is {what}; choose another file."
        )
        assert _journal_files() == files
    finally:
        holder.close()
    assert count("meds") == 1


def _journal_files() -> dict[str, bytes]:
    """The bytes of every file in the journal's folder but the -shm (readers mark it)."""
    return {
        p.name: p.read_bytes() for p in journal().parent.iterdir() if not p.name.endswith("-shm")
    }


def test_a_backup_into_the_journals_folder_is_still_made(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    monkeypatch.chdir(journal().parent)
    made = json.loads(ok("backup", "./", "--json").stdout)
    assert made["path"] == "adherelog-20261122-091000.db"
    assert count("meds", path=journal().parent / made["path"]) == 1


# --- backup on a nearly full disk --------------------------------------------------------------


def _ours(folder: Path) -> dict[str, bytes | list[str]]:
    """What is in ``folder`` (a file's bytes, a folder's names) but the journal's -wal and
    -shm, which a reader of the journal may leave behind."""
    return {
        p.name: p.read_bytes() if p.is_file() else sorted(os.listdir(p))
        for p in folder.iterdir()
        if not p.name.endswith(("-wal", "-shm"))
    }


@contextlib.contextmanager
def small_disk(folder: Path, free: int) -> Iterator[Path]:
    """A fresh 800 KiB tmpfs at ``folder`` holding a new journal, ``j.db`` (of
    :func:`journal_kib`), and a ``filler`` that leaves ``free`` bytes."""
    mount_tmpfs(folder, "800k")
    try:
        ok("--db", str(folder / "j.db"), "med", "add", "X", "--time", "08:00")
        assert (folder / "j.db").stat().st_size == journal_kib() * 1024
        disk = os.statvfs(folder)
        (folder / "filler").write_bytes(b"\0" * max(0, disk.f_bavail * disk.f_frsize - free))
        yield folder
    finally:
        unmount(folder)


@functools.cache
def journal_kib() -> int:
    """The size of a new journal with one medication (it grows a page with each table)."""
    with tempfile.TemporaryDirectory() as folder:
        ok("--db", f"{folder}/j.db", "med", "add", "X", "--time", "08:00")
        return (Path(folder) / "j.db").stat().st_size // 1024


def test_a_backup_on_a_nearly_full_disk_blames_the_disk_at_every_fill_level(
    tmp_path: Path,
) -> None:
    failed = []
    size = journal_kib()
    levels = list(range(size - 20, size + 121, 20))
    for free_kib in levels:
        with small_disk(tmp_path / f"fs{free_kib}", free_kib * 1024) as disk:
            before = _ours(disk)
            result = run("--db", str(disk / "j.db"), "backup")
            if result.returncode:
                failed.append(free_kib)
                named = disk / "backups" / "adherelog-20261122-091000.db"
                assert result.returncode == 1
                assert one_error_line(result.stderr) == (
                    f"adherelog: No space left on the device to write {named}; nothing was written."
                ), free_kib
                assert _ours(disk) == before
    # Every level too small for a copy of the journal fails, and only a first run of levels.
    assert failed == levels[: len(failed)]
    assert len(failed) >= 2
    assert levels[-1] not in failed


def test_a_failed_backup_removes_the_backups_folder_it_made_and_only_that(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path / "fs", 40 * 1024) as disk:
        assert sorted(_ours(disk)) == ["filler", "j.db"]
        result = run("--db", str(disk / "j.db"), "backup")
        assert result.returncode == 1
        assert "No space left on the device" in one_error_line(result.stderr)
        assert sorted(_ours(disk)) == ["filler", "j.db"]
        # A folder the user made is theirs: it stays, even empty.
        (disk / "backups").mkdir()
        result = run("--db", str(disk / "j.db"), "backup")
        assert result.returncode == 1
        assert "No space left on the device" in one_error_line(result.stderr)
        assert sorted(_ours(disk)) == ["backups", "filler", "j.db"]
        assert os.listdir(disk / "backups") == []


# --- import onto a full disk -----------------------------------------------------------------


def _large_export(tmp_path: Path) -> Path:
    """An export, laid out as ``export`` writes it, of one medication and 20,000 doses
    with long notes: more pages than an import's page cache holds (32 MiB), so that SQLite
    writes some to the journal's disk before the commit, in the middle of the import."""
    ok("--db", str(tmp_path / "one.db"), "med", "add", "X", "--time", "08:00")
    export = tmp_path / "one.json"
    export.write_text(ok("--db", str(tmp_path / "one.db"), "export").stdout)
    med = json.loads(export.read_text())["meds"][0]["id"]
    rows = []
    for n in range(20_000):
        at = f"2020-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
        at = f"{2000 + n // 86400}{at[4:]}"
        row = {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "kind": "dose",
            "med_id": med,
            "at": at,
            "zone": "UTC",
            "local_date": at[:10],
            "slot_at": None,
            "slot_zone": None,
            "slot_date": None,
            "late_minutes": None,
            "amount": 1.0,
            "note": "n" * 1900,
            "effect": None,
            "severity": None,
            "created_at": "2026-11-22T09:10:00Z",
        }
        rows.append("    " + json.dumps(row, separators=(", ", ": ")))
    text = export.read_text().replace(
        '"records": [],', '"records": [\n' + ",\n".join(rows) + "\n  ],"
    )
    export.write_text(text)
    return export


@pytest.mark.parametrize("name", ["j.db", "new.db"])  # a journal holding rows, a new one
def test_an_import_onto_a_full_disk_is_named_and_changes_nothing(tmp_path: Path, name: str) -> None:
    """SQLite rolls the whole import back by itself when the disk fills in the middle of
    it: what the import had dropped to put back at the end (a trigger, the indexes, its
    savepoints) is back already, and the message is about the disk, not about those."""
    export = _large_export(tmp_path)
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "12m")
    try:
        ok("--db", str(disk / "j.db"), "med", "add", "Y", "--time", "09:00")
        before = _ours(disk)
        result = run("--db", str(disk / name), "import", str(export))
        assert result.returncode == 1, result.stderr
        assert one_error_line(result.stderr) == (
            f"adherelog: Cannot change the journal {disk / name}: no space left on the "
            f"device holding {disk / name}; nothing was written."
        )
        assert _ours(disk) == before
        assert ok("--db", str(disk / "j.db"), "check").stdout.startswith("OK ")
        with contextlib.closing(connect(disk / "j.db")) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"day_counts_insert", "idx_records_at", "idx_records_med_id_at"} <= names
    finally:
        unmount(disk)


@pytest.mark.parametrize("given", ["by name", "on stdin"])
def test_a_full_temporary_folder_during_an_import_is_named(tmp_path: Path, given: str) -> None:
    """The file is checked in a staging journal in the temporary folder before the journal
    is opened: a full disk there is told as the temporary folder's, with the way round."""
    export = _large_export(tmp_path)
    temporary = tmp_path / "tmp"
    mount_tmpfs(temporary, "2m")
    try:
        ok("med", "add", "Y", "--time", "09:00")
        before = journal().read_bytes()
        env = {"TMPDIR": str(temporary)}
        if given == "by name":
            result = run("import", str(export), env=env)
        else:
            with export.open("rb") as stdin:
                result = subprocess.run(
                    [sys.executable, "-m", "adherelog", "import", "-"],
                    stdin=stdin,
                    capture_output=True,
                    text=True,
                    env={**os.environ, **env},
                    check=False,
                )
        assert result.returncode == 1, result.stderr
        assert one_error_line(result.stderr) == (
            f"adherelog: No space left on the device holding the temporary folder {temporary},"
            " where the file is checked before it is merged (TMPDIR sets another); nothing was"
            " written."
        )
        assert journal().read_bytes() == before
        assert os.listdir(temporary) == []
    finally:
        unmount(temporary)


def test_a_full_temporary_folder_during_an_import_into_a_new_journal_is_named(
    tmp_path: Path,
) -> None:
    """An import into a new journal stages nothing, but SQLite keeps in the temporary
    folder what a large statement sorts or may have to undo: when the journal's device has
    room, the temporary folder is named with it."""
    export = _large_export(tmp_path)
    temporary = tmp_path / "tmp"
    mount_tmpfs(temporary, "256k")
    try:
        new = tmp_path / "new.db"
        result = run("--db", str(new), "import", str(export), env={"TMPDIR": str(temporary)})
        assert result.returncode == 1, result.stderr
        assert one_error_line(result.stderr) == (
            f"adherelog: No space left on the device holding the journal {new} or the "
            f"temporary folder {temporary}; nothing was written."
        )
        assert not new.exists()
        assert os.listdir(temporary) == []
    finally:
        unmount(temporary)


def test_a_restore_onto_a_full_disk_names_the_journal_and_changes_nothing(tmp_path: Path) -> None:
    """The backup is copied beside the journal and checked before it replaces it: a disk
    too small for that copy is the journal's disk, named."""
    source = tmp_path / "source.db"
    ok("--db", str(source), "sample", "--days", "366")
    backup = tmp_path / "backup.db"
    ok("--db", str(source), "backup", str(backup), "--json")
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "1200k")
    try:
        target = disk / "j.db"
        ok("--db", str(target), "med", "add", "X", "--time", "08:00")
        before = _ours(disk)
        result = run("--db", str(target), "restore", str(backup))
        assert result.returncode == 1, result.stderr
        assert one_error_line(result.stderr) == no_room_for(target)
        assert _ours(disk) == before
    finally:
        unmount(disk)


@pytest.mark.parametrize("journal_there", [True, False])
def test_a_restore_clears_a_killed_restores_decrypted_copy(
    tmp_path: Path, journal_there: bool
) -> None:
    """A restore of an age backup decrypts it into ``.NAME.PID.RANDOM.plain.tmp`` beside the
    journal; one killed meanwhile leaves that plain copy, which the next restore removes."""
    source = tmp_path / "source.db"
    ok("--db", str(source), "med", "add", "Metformin", "--time", "08:00")
    folder = journal().parent
    folder.mkdir(parents=True, exist_ok=True)
    if journal_there:
        ok("med", "add", "Sertraline", "--time", "09:00")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f".{journal().name}.{dead.pid}.0123abcd.plain.tmp"
    stale.write_bytes(b"health data")
    result = run("restore", str(source))
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert count("meds") == 1


# --- restore into a bad place -------------------------------------------------------------------


def _a_backup(tmp_path: Path, *, sealed: bool = False) -> Path:
    source = tmp_path / "source.db"
    ok("--db", str(source), "sample", "--days", "30")
    backup = tmp_path / ("backup.age" if sealed else "backup.db")
    args = ["--encrypt"] if sealed else []
    made = invoke("--db", str(source), "backup", str(backup), *args, env=PASSPHRASE)
    assert made.exit_code == 0, made.stderr
    return backup


PASSPHRASE = {"ADHERELOG_PASSPHRASE": "correct horse battery staple"}


@pytest.mark.parametrize("sealed", [False, True])
def test_a_failed_restore_into_a_new_place_leaves_no_folder(tmp_path: Path, sealed: bool) -> None:
    backup = _a_backup(tmp_path, sealed=sealed)
    if not sealed:  # damaged past its first pages: refused after the copy beside the journal
        with backup.open("r+b") as handle:
            handle.seek(20_000)
            handle.write(b"garbage" * 500)
    else:  # an export, not a backup: refused once decrypted beside the journal
        source = tmp_path / "source.db"
        made = invoke(
            "--db", str(source), "export", "--encrypt", "-o", str(backup), "--force", env=PASSPHRASE
        )
        assert made.exit_code == 0, made.stderr
    target = tmp_path / "new" / "sub" / "j.db"
    result = invoke("--db", str(target), "restore", str(backup), env=PASSPHRASE)
    assert result.exit_code == 1, result.stderr
    one_error_line(result.stderr)
    assert not (tmp_path / "new").exists()


def test_a_restore_into_a_new_place_makes_its_folders_private(tmp_path: Path) -> None:
    backup = _a_backup(tmp_path)
    target = tmp_path / "new" / "sub" / "j.db"
    assert invoke("--db", str(target), "restore", str(backup)).exit_code == 0
    assert [stat.S_IMODE((tmp_path / p).stat().st_mode) for p in ("new", "new/sub")] == [
        0o700,
        0o700,
    ]


def test_a_restore_into_a_bad_place_says_what_is_wrong_with_it(
    tmp_path: Path, read_only_disk: Path
) -> None:
    backup = _a_backup(tmp_path)
    (tmp_path / "dangling").symlink_to("/nonexistent/x.db")
    (tmp_path / "file").write_text("")
    cases = {
        read_only_disk / "j.db": (
            f"Cannot change the journal {read_only_disk / 'j.db'}: the folder {read_only_disk}"
            " is not writable; nothing was written."
        ),
        tmp_path / "dangling": (
            f"{tmp_path / 'dangling'} is a symbolic link, not an adherelog journal; it was left"
            " untouched."
        ),
        tmp_path / "file" / "j.db": (
            f"Cannot open the journal {tmp_path / 'file' / 'j.db'}: not a directory."
        ),
    }
    before = sorted(os.listdir(tmp_path))
    for target, said in cases.items():
        result = invoke("--db", str(target), "restore", str(backup))
        assert result.exit_code == 1
        assert one_error_line(result.stderr) == f"adherelog: {said}"
    assert sorted(os.listdir(tmp_path)) == before
    assert os.listdir(read_only_disk) == []


def test_an_encrypted_restore_onto_a_full_disk_names_the_journal(tmp_path: Path) -> None:
    backup = _a_backup(tmp_path, sealed=True)
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "400k")
    try:
        target = disk / "j.db"
        ok("--db", str(target), "med", "add", "X", "--time", "08:00")
        free = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * max(0, free.f_bavail * free.f_frsize - 200 * 1024))
        before = _ours(disk)
        result = invoke("--db", str(target), "restore", str(backup), env=PASSPHRASE)
        assert result.exit_code == 1
        assert one_error_line(result.stderr) == no_room_for(target)
        assert _ours(disk) == before
    finally:
        unmount(disk)


# --- remind install on a full or read-only disk -------------------------------------------------


def test_remind_install_on_a_full_disk_writes_both_units_or_neither(tmp_path: Path) -> None:
    config = tmp_path / "config"
    mount_tmpfs(config, "64k")
    try:
        units = config / "systemd" / "user"
        units.mkdir(parents=True)
        # One page free: room for the service's file, none for the timer's.
        (config / "room").write_bytes(b"\0" * 4096)
        fill(config)
        (config / "room").unlink()
        result = invoke("remind", "install", env={"XDG_CONFIG_HOME": str(config)})
        assert result.exit_code == 1
        assert one_error_line(result.stderr) == (
            f"adherelog: Cannot write {units / 'adherelog-remind.timer'}: no space left on the"
            " device; the units were left as they were."
        )
        assert os.listdir(units) == []
        remount_read_only(config)
        result = invoke("remind", "install", env={"XDG_CONFIG_HOME": str(config)})
        assert one_error_line(result.stderr) == (
            f"adherelog: Cannot write {units / 'adherelog-remind.service'}: read-only file"
            " system; the units were left as they were."
        )
    finally:
        unmount(config)


def test_remind_install_where_the_unit_folder_is_a_file_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "systemd").mkdir(parents=True)
    (config / "systemd" / "user").write_text("")
    result = invoke("remind", "install", env={"XDG_CONFIG_HOME": str(config)})
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == (
        f"adherelog: {config / 'systemd' / 'user'} is not a folder; no unit was written."
    )
