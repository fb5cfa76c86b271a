"""An import stages the file's rows in a private folder of the temporary folder
(``adherelog-import-*``, see ``importing.Staged``). A copy of health data must not outlive
the import: the staging file goes as soon as the merge holds it open, and a folder left by
an import killed before that (``kill -9``) is removed by the next import, unless a live
process holds it locked. Checked with real processes, killed for real, each with its own
``TMPDIR``."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adherelog import importing
from adherelog.storage import portability as stored
from conftest import FIXED_NOW, FIXED_TZ
from helpers import count, data, run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and locks")

BIG_ROWS = 200_000
"""Records added by the big export: its import stages for a few seconds, then merges for
a few more."""
SMALL_ROWS = 3
LONDON = ZoneInfo("Europe/London")


def _env(**more: str) -> dict[str, str]:
    return {**os.environ, "ADHERELOG_NOW": FIXED_NOW, "TZ": FIXED_TZ, "NO_COLOR": "1", **more}


def _with_records(export: str, path: Path, rows: int, first: datetime) -> None:
    """``export`` (as ``export`` wrote it) with ``rows`` more doses of its medication, each
    with a fresh id, seven minutes apart from ``first``, written as ``export`` writes a
    row: one a line."""
    model = json.loads(export)["records"][0]
    lines = export.split("\n")
    at = lines.index('  "records": [')
    with path.open("w", encoding="utf-8") as out:
        out.write("\n".join(lines[: at + 1]) + "\n")
        for n in range(rows):
            when = first + timedelta(minutes=7 * n)
            row = dict(
                model,
                id=str(uuid.uuid4()),
                at=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                local_date=when.astimezone(LONDON).date().isoformat(),
                slot_at=None,
                slot_zone=None,
                slot_date=None,
                late_minutes=None,
            )
            out.write("    " + json.dumps(row, ensure_ascii=False) + ",\n")
        out.write("\n".join(lines[at + 1 :]))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A journal with a medication and a dose (``journal``), and exports of it with
    :data:`BIG_ROWS` (``big``) and :data:`SMALL_ROWS` (``small``) more doses."""
    folder = tmp_path_factory.mktemp("leftovers")
    source = folder / "source.db"
    env = _env(HOME=str(folder / "home"), XDG_DATA_HOME=str(folder / "xdg"))
    for args in (
        ("med", "add", "Aspirin", "--time", "08:00", "--start", "2026-11-01"),
        ("take", "Aspirin"),
        ("export", "-o", str(folder / "base.json")),
    ):
        done = run("--db", str(source), *args, env=env)
        assert done.returncode == 0, done.stderr
    assert not Path(f"{source}-wal").exists()
    export = (folder / "base.json").read_text(encoding="utf-8")
    _with_records(export, folder / "big.json", BIG_ROWS, datetime(2020, 1, 1, tzinfo=UTC))
    _with_records(export, folder / "small.json", SMALL_ROWS, datetime(2019, 6, 1, tzinfo=UTC))
    return {"journal": source, "big": folder / "big.json", "small": folder / "small.json"}


@pytest.fixture
def journal(files: dict[str, Path], tmp_path: Path) -> Path:
    """A journal that exists and holds the file's medication and one dose."""
    path = tmp_path / "journal.db"
    shutil.copyfile(files["journal"], path)
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def tmpdir_(tmp_path: Path) -> Path:
    """The temporary folder of the processes started by a test."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


def _leftovers(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("adherelog-import-*"))


def _start_import(journal: Path, export: Path, tmp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "adherelog", "--db", str(journal), "import", str(export)],
        env=_env(TMPDIR=str(tmp)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _import(journal: Path, export: Path, tmp: Path) -> Any:
    """``import --json`` in a real process: the JSON document it printed."""
    done = run("--db", str(journal), "--json", "import", str(export), env=_env(TMPDIR=str(tmp)))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _until(seen: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    """Wait until ``seen()``, while ``proc`` runs."""
    deadline = time.monotonic() + 120
    while not seen():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"the import ended (exit {proc.returncode}) before {what}: {err}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL  # it was still running


def test_a_copy_left_by_an_import_killed_while_staging_is_removed_by_the_next_import(
    files: dict[str, Path], journal: Path, tmpdir_: Path
) -> None:
    proc = _start_import(journal, files["big"], tmpdir_)
    _until(lambda: bool(list(tmpdir_.glob("adherelog-import-*/staging.db"))), proc, "staging")
    _kill(proc)
    left = _leftovers(tmpdir_)
    # What the kill left: the folder, and the copy of the rows in it.
    assert len(left) == 1
    assert (left[0] / "staging.db").is_file()

    done = _import(journal, files["small"], tmpdir_)

    assert done["added"]["records"] == SMALL_ROWS
    assert done["already_held"]["meds"] == 1
    assert count("records", journal) == 1 + SMALL_ROWS
    assert _leftovers(tmpdir_) == []


def test_an_import_killed_while_merging_leaves_no_copy(
    files: dict[str, Path], journal: Path, tmpdir_: Path
) -> None:
    proc = _start_import(journal, files["big"], tmpdir_)
    _until(lambda: bool(_leftovers(tmpdir_)), proc, "its staging folder appeared")
    _until(lambda: not _leftovers(tmpdir_), proc, "its staging folder went")
    _kill(proc)

    assert _leftovers(tmpdir_) == []
    # Killed inside the merge: the journal is as it was.
    assert count("records", journal) == 1


@contextlib.contextmanager
def _helper(script: str, tmp: Path, ready: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A real process running ``script`` (with ``args`` and ``ready``) until it is told to
    end, from when it has made ``ready``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args, str(ready)],
        env=_env(TMPDIR=str(tmp)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _until(ready.exists, proc, "the helper was ready")
        yield proc
    finally:
        proc.communicate(input="", timeout=30)
    assert proc.returncode == 0, proc.stderr


_LOCKER = """
    import fcntl, os, sys
    folder, ready = sys.argv[1:]
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    open(ready, "w").close()
    sys.stdin.read()
"""

_STAGER = """
    import os, sys
    from adherelog import importing
    export, ready = sys.argv[1:]
    staged = importing.read_export_file(export)
    with open(ready + ".part", "w") as out:
        out.write(staged.folder)
    os.rename(ready + ".part", ready)
    sys.stdin.read()
    staged.close()
"""


def _plant(folder: Path) -> Path:
    folder.mkdir(mode=0o700)
    planted = folder / "staging.db"
    planted.write_text("imported rows")
    return planted


def test_a_folder_held_locked_by_a_live_process_and_a_link_are_left_alone(
    files: dict[str, Path], journal: Path, tmpdir_: Path, tmp_path: Path
) -> None:
    held = _plant(tmpdir_ / "adherelog-import-held_000")
    elsewhere = _plant(tmp_path / "elsewhere")
    link = tmpdir_ / "adherelog-import-link_000"
    link.symlink_to(elsewhere.parent, target_is_directory=True)
    plain = tmpdir_ / "adherelog-import-file_000"
    plain.write_text("not a folder")
    stale = _plant(tmpdir_ / "adherelog-import-stale000")  # nobody holds it: swept

    with _helper(_LOCKER, tmpdir_, tmp_path / "ready", str(held.parent)):
        done = _import(journal, files["small"], tmpdir_)
        assert held.read_text() == "imported rows"

    assert done["added"]["records"] == SMALL_ROWS
    assert not stale.parent.exists()
    assert link.is_symlink()
    assert elsewhere.read_text() == "imported rows"
    assert plain.read_text() == "not a folder"
    # Its holder gone, the next import sweeps it.
    again = _import(journal, files["small"], tmpdir_)
    assert again["already_held"]["records"] == 1 + SMALL_ROWS
    assert _leftovers(tmpdir_) == [plain, link]


def test_the_staging_of_a_live_import_is_left_alone(
    files: dict[str, Path], journal: Path, tmpdir_: Path, tmp_path: Path
) -> None:
    ready = tmp_path / "ready"
    with _helper(_STAGER, tmpdir_, ready, str(files["small"])):
        folder = Path(ready.read_text())
        assert folder.parent == tmpdir_
        done = _import(journal, files["small"], tmpdir_)
        assert (folder / "staging.db").is_file()
    assert done["added"]["records"] == SMALL_ROWS
    assert _leftovers(tmpdir_) == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_merge_removes_the_staging_file_before_it_writes(
    files: dict[str, Path],
    journal: Path,
    tmpdir_: Path,
    monkeypatch: pytest.MonkeyPatch,
    dry_run: bool,
) -> None:
    """Into a journal that exists, for real and as a dry run (into a copy in memory): the
    staged rows are merged in SQL from the removed file."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir_))
    at_the_write: list[list[Path]] = []
    in_sql: dict[str, int | None] = {}
    roomy_cache, merged_at_once = stored.roomy_cache, importing._merged_at_once

    def writing(*args: Any, **kwargs: Any) -> Any:
        at_the_write.append(_leftovers(tmpdir_))
        return roomy_cache(*args, **kwargs)

    def at_once(table: Any, *args: Any) -> int | None:
        in_sql[table.name] = merged_at_once(table, *args)
        return in_sql[table.name]

    monkeypatch.setattr(stored, "roomy_cache", writing)
    monkeypatch.setattr(importing, "_merged_at_once", at_once)
    more = ("--dry-run",) if dry_run else ()

    done = data("--db", str(journal), "import", str(files["small"]), *more)

    assert at_the_write == [[]]
    assert in_sql["records"] == 1 + SMALL_ROWS  # merged in SQL from the removed file
    assert done["added"]["records"] == SMALL_ROWS
    assert done["dry_run"] is dry_run
    assert count("records", journal) == 1 + (0 if dry_run else SMALL_ROWS)
    assert _leftovers(tmpdir_) == []


def test_an_unlinked_staging_file_reads_as_before(
    files: dict[str, Path], tmpdir_: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir_))
    staged = importing.read_export_file(str(files["small"]))
    assert staged is not None
    assert staged.path is not None
    assert os.path.isfile(staged.path)
    staged.unlink()
    assert staged.path is None
    assert _leftovers(tmpdir_) == []
    assert staged.conn.execute("SELECT count(*) FROM records").fetchone()[0] == 1 + SMALL_ROWS
    staged.unlink()
    staged.close()


def test_without_a_temporary_folder_an_import_stages_in_memory(
    files: dict[str, Path], journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    assert importing.read_export_file(str(files["small"])) is None
    staged = importing.read_export(files["small"].read_bytes())
    assert staged.folder is None
    staged.close()
    done = data("--db", str(journal), "import", str(files["small"]))
    assert done["added"]["records"] == SMALL_ROWS
    assert not (tmp_path / "missing").exists()


def test_a_sweep_takes_the_lock_of_a_folder_it_removes(
    tmpdir_: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder a sweep holds locked (while it looks into it) is not a left one to a
    sweep of another process, and an empty one may be one just made: left alone."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir_))
    empty = tmpdir_ / "adherelog-import-empty000"
    empty.mkdir()
    held = _plant(tmpdir_ / "adherelog-import-mine_000")
    handle = os.open(held.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        importing._sweep()
        assert held.is_file()
    finally:
        os.close(handle)
    importing._sweep()
    assert _leftovers(tmpdir_) == [empty]
    old = time.time() - 2 * importing._JUST_MADE
    os.utime(empty, (old, old))
    importing._sweep()
    assert _leftovers(tmpdir_) == []


def test_a_folder_of_the_user_named_alike_is_left_alone(
    tmpdir_: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only what an import made goes: a folder named as mkdtemp names a staging folder and
    holding nothing but a staging journal. Someone's own folder named alike, or one that
    holds anything else (the very file being imported, say), stays, file and all."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir_))
    own = tmpdir_ / "adherelog-import-from-laptop"
    own.mkdir()
    (own / "export.json").write_text("{}")
    alike = tmpdir_ / "adherelog-import-abcd1234"
    alike.mkdir()
    (alike / "staging.db").write_text("rows")
    (alike / "notes.txt").write_text("mine")
    left = _plant(tmpdir_ / "adherelog-import-x_y2z9q0")
    importing._sweep()
    assert (own / "export.json").read_text() == "{}"
    assert (alike / "notes.txt").read_text() == "mine"
    assert (alike / "staging.db").read_text() == "rows"
    assert not left.parent.exists()
