"""Looking after the journal file (SPEC §8, §9): consistent backups and the integrity check.

A backup is made with SQLite's online backup API in one step, so it is one consistent
snapshot even while another process writes; it goes through :func:`outfile.staged`
(0600, temporary file and rename) and is itself checked before it is put in place. The
check opens the journal read-only and changes nothing, and like a reading command leaves
no file beside it. The queries are :mod:`adherelog.storage.check` and
:mod:`adherelog.storage.backup`; the decisions and the messages are here. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from adherelog.errors import (
    AdherelogError,
    JournalDamagedError,
    NotAJournalError,
    NotFoundError,
)
from adherelog.migrations import SCHEMA_VERSION
from adherelog.outfile import no_space, staged, write_failure
from adherelog.storage import APPLICATION_ID, SQLITE_HEADER, damaged, journal_stat, reading_file
from adherelog.storage import check as check_queries
from adherelog.storage.backup import Copy, Damage, copy_journal, copy_journal_bytes
from adherelog.valueclass import dataclass, field

BACKUP_FOLDER = "backups"
# SQLite's codes for a failed read: the journal's own trouble, never a full disk.
READ_ERRORS = frozenset({sqlite3.SQLITE_IOERR_READ, sqlite3.SQLITE_IOERR_SHORT_READ})
MAX_VALUE_PROBLEMS = 50
MAX_PAGES_SHOWN = 10
# Which table each kind of undo-log entry points into.
UNDO_TARGETS = {
    "dose": "records",
    "skip": "records",
    "effect": "records",
    "refill": "refills",
    "tip": "tips",
}


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    schema_version: int
    encrypted: bool = False


@dataclass(frozen=True)
class Problem:
    check: str  # integrity, foreign_key, schema, orphan, duplicate_slot, value
    message: str
    table: str | None = None
    id: str | None = None


@dataclass
class CheckResult:
    path: Path
    schema_version: int | None
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def known_schema_version(self) -> int:
        """The newest schema this adherelog reads."""
        return SCHEMA_VERSION


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing journal file (a regular file, never a link,
    device, FIFO or folder) that leaves nothing beside it. SQLite finding the file damaged
    stops the command."""
    if journal_stat(path) is None:
        raise NotFoundError(f"There is no journal at {path}.")
    with reading_file(path) as conn:
        yield conn


# --------------------------------------------------------------------------- backup


def backup_journal(
    journal: Path,
    given: str | None,
    now: datetime,
    *,
    force: bool,
    seal: Callable[[bytes], bytes] | None = None,
) -> Backup:
    """``backup [PATH]``: the journal must exist; see :func:`backup_target` for where the
    copy goes and :func:`backup` for how it is made. A ``backups`` folder made by this run
    is removed again when the backup fails and it is still empty."""
    if journal_stat(journal) is None:
        raise NotFoundError(f"There is no journal at {journal}.")
    default = journal.parent / BACKUP_FOLDER
    made_folder = given is None and not os.path.lexists(default)
    target, numbered = backup_target(journal, given, now)
    if seal is not None and numbered:
        target = target.with_suffix(".db.age")
    try:
        return backup(journal, target, force=force, numbered=numbered, seal=seal)
    except BaseException:
        if made_folder:
            with contextlib.suppress(OSError):
                default.rmdir()  # only ever removes an empty folder
        raise


def backup_target(journal: Path, given: str | None, now: datetime) -> tuple[Path, bool]:
    """Where a backup goes, and whether that is a dated name to number when taken.

    No ``PATH``: a ``backups`` folder beside the journal (created 0700). An existing
    folder, or a link to one (followed, as ``cp`` would), or a path ending in a slash:
    ``adherelog-YYYYMMDD-HHMMSS.db`` inside it, with ``-2``, ``-3``… when that name is
    taken. Anything else is the backup file itself, which is never a link."""
    if given is None:
        folder = journal.parent / BACKUP_FOLDER
        if not folder.is_dir():
            if os.path.lexists(folder):
                raise AdherelogError(
                    f"{folder} is not a folder; move it away or name a folder to back up to."
                )
            try:
                folder.mkdir(mode=0o700, exist_ok=True)
                os.chmod(folder, 0o700)
            except OSError as exc:
                raise write_failure(exc, folder) from None
    else:
        path = Path(given).expanduser()
        if path.is_dir():
            folder = path
        elif given.endswith(("/", os.sep)):
            if os.path.lexists(path):
                raise AdherelogError(f"{path} is not a folder.")
            raise AdherelogError(f"The folder {path} does not exist.")
        else:
            return path, False
    return folder / f"adherelog-{now.strftime('%Y%m%d-%H%M%S')}.db", True


def backup(
    journal: Path,
    target: Path,
    *,
    force: bool,
    numbered: bool = False,
    seal: Callable[[bytes], bytes] | None = None,
) -> Backup:
    """Copy the journal to ``target`` as one consistent snapshot, 0600, verified with
    SQLite's integrity check before it is moved into place. With ``numbered`` the copy
    takes the first free name of ``target``, ``target-2``… (see :func:`outfile.staged`).
    ``target`` is never the journal or one of its files. With ``seal`` (age encryption
    with a passphrase or to a buddy's key) the copy is
    made in memory and only its age encryption is written (SPEC §8)."""
    with _read_only(journal) as source:
        if not _is_sqlite(journal):
            raise NotAJournalError(f"{journal} is not an adherelog journal; nothing was copied.")
        try:
            app_id = check_queries.application_id(source)
        except sqlite3.DatabaseError:
            raise NotAJournalError(f"{journal} is damaged; nothing was copied.") from None
        if app_id != APPLICATION_ID:
            raise NotAJournalError(f"{journal} is not an adherelog journal; nothing was copied.")
        with staged(target, force=force, journal=journal, numbered=numbered) as work:
            tmp = work.tmp
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            if seal is not None:
                with os.fdopen(fd, "wb") as handle:
                    copy = _sealed_copy(source, handle, seal, journal)
                size = tmp.stat().st_size
            else:
                os.close(fd)
                copy = _plain_copy(source, tmp, journal, target)
                size = tmp.stat().st_size
    return Backup(work.target, size, copy.schema_version, encrypted=seal is not None)


def _plain_copy(source: sqlite3.Connection, tmp: Path, journal: Path, target: Path) -> Copy:
    try:
        copy = copy_journal(source, tmp)
    except sqlite3.OperationalError as exc:
        if _copy_out_of_room(exc, journal, target):
            raise no_space(target) from None
        raise
    if copy.damage is not None:
        raise JournalDamagedError(
            damaged(journal, affected=_affected(copy.damage), done="no backup was written")
        )
    return copy


def _sealed_copy(
    source: sqlite3.Connection, handle: BinaryIO, seal: Callable[[bytes], bytes], journal: Path
) -> Copy:
    """Write the age encryption of an in-memory copy of the journal to ``handle``."""
    data, copy = copy_journal_bytes(source)
    if copy.damage is not None:
        raise JournalDamagedError(
            damaged(journal, affected=_affected(copy.damage), done="no backup was written")
        )
    handle.write(seal(data))
    handle.flush()
    os.fsync(handle.fileno())
    return copy


def _copy_out_of_room(exc: sqlite3.OperationalError, journal: Path, target: Path) -> bool:
    """Whether ``exc``, met while making the copy, is the copy's disk filling up: SQLite
    says the disk is full, or reports an I/O error other than a failed read (a write, a
    truncate, the copy's ``-journal`` or ``-shm`` that cannot grow) while the target's
    device has less room left than the journal takes."""
    code = exc.sqlite_errorcode
    if code & 0xFF == sqlite3.SQLITE_FULL:
        return True
    if code & 0xFF != sqlite3.SQLITE_IOERR or code in READ_ERRORS:
        return False
    need = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            need += os.stat(f"{journal}{suffix}").st_size
    try:
        disk = os.statvfs(target.parent)
    except OSError:
        return False
    return disk.f_bavail * disk.f_frsize < need


def _affected(damage: Damage) -> str:
    """What is damaged in a copy that fails SQLite's integrity check: the tables whose own
    check fails (each with its indexes) and the page numbers SQLite names."""
    if damage.tables is None:
        return "its list of tables cannot be read"
    pages = damage.pages
    parts = []
    if damage.tables:
        parts.append("tables affected: " + ", ".join(damage.tables))
    if pages:
        shown = ", ".join(str(page) for page in pages[:MAX_PAGES_SHOWN])
        parts.append(f"pages {shown}" + (", …" if len(pages) > MAX_PAGES_SHOWN else ""))
    return "; ".join(parts) or "SQLite's integrity check fails"


# --------------------------------------------------------------------------- check


def _orphans(conn: sqlite3.Connection, tables: set[str]) -> Iterator[Problem]:
    queries: list[tuple[str, Callable[[sqlite3.Connection], list[str]], str]] = [
        ("records", check_queries.doses_without_med, "a dose or skip without a medication"),
        (
            "records",
            check_queries.records_of_missing_meds,
            "refers to a medication that does not exist",
        ),
        (
            "schedules",
            check_queries.schedules_of_missing_meds,
            "a schedule of a medication that does not exist",
        ),
        (
            "refills",
            check_queries.refills_of_missing_meds,
            "a refill of a medication that does not exist",
        ),
        ("meds", check_queries.meds_without_schedule, "a medication without any schedule"),
    ]
    for table, query, message in queries:
        if not {"meds", "schedules", table} <= tables:
            continue
        for row_id in query(conn):
            yield Problem("orphan", f"{table} {row_id}: {message}.", table, row_id)
    if "undo_log" not in tables:
        return
    for kind, target in UNDO_TARGETS.items():
        if target not in tables:
            continue
        for seq, ref in check_queries.undo_entries_missing_target(conn, kind, target):
            yield Problem(
                "orphan",
                f"undo log entry {seq}: points to a {kind} ({ref}) that is no longer there.",
                "undo_log",
                seq,
            )
    if "meds" in tables:
        for seq in check_queries.undo_entries_of_missing_meds(conn):
            yield Problem(
                "orphan",
                f"undo log entry {seq}: refers to a medication that does not exist.",
                "undo_log",
                seq,
            )


def _value_problems(conn: sqlite3.Connection) -> Iterator[Problem]:
    # Imported here: the import checks load the bundle format, which backup does not need.
    from adherelog.export import journal_tables
    from adherelog.importing import row_problems
    from adherelog.rules import column_checks

    for table in journal_tables(conn):
        names = table.names
        key = table.key
        checks = column_checks(table)
        for data in check_queries.table_rows(conn, table.name, names):
            for problem in row_problems(table, data, checks):
                ident = "/".join(str(data[k]) for k in key)
                yield Problem("value", f"{table.name} {ident}: {problem}.", table.name, ident)


def check(path: Path) -> CheckResult:
    """``check``: SQLite's integrity and foreign-key checks, the schema version, orphans,
    slots filled twice and values adherelog cannot read. Read-only."""
    with _read_only(path) as conn:
        result = CheckResult(path, None)
        problems = result.problems
        if not _is_sqlite(path):
            problems.append(Problem("schema", "The file is not an SQLite database."))
            return result
        try:
            app_id = check_queries.application_id(conn)
            version = check_queries.schema_version(conn)
        except sqlite3.DatabaseError:
            problems.append(Problem("integrity", "The file is damaged: SQLite cannot read it."))
            return result
        result.schema_version = version
        if app_id != APPLICATION_ID:
            problems.append(Problem("schema", "The file is an SQLite database but not a journal."))
            return result
        if version > SCHEMA_VERSION:
            problems.append(
                Problem(
                    "schema",
                    f"Schema {version} is newer than this adherelog knows ({SCHEMA_VERSION}); "
                    "upgrade adherelog to check it.",
                )
            )
            return result
        check_queries.begin_read(conn)  # one snapshot for every query below, while others write
        try:
            for line in check_queries.integrity_check(conn, limit=100):
                if line != "ok":
                    problems.append(Problem("integrity", line))
        except sqlite3.DatabaseError as exc:
            problems.append(Problem("integrity", f"SQLite cannot read the file ({exc})."))
            return result
        tables = set(check_queries.table_names(conn))
        for name in sorted(tables):
            if not name.startswith("sqlite_"):
                result.tables[name] = check_queries.row_count(conn, name)
        for table, rowid, parent in check_queries.foreign_key_faults(conn):
            problems.append(
                Problem(
                    "foreign_key",
                    f"{table} row {rowid}: refers to a {parent} row that does not exist.",
                    table,
                )
            )
        problems.extend(_orphans(conn, tables))
        if "records" in tables:
            for med_id, slot_at, count in check_queries.slots_filled_twice(conn):
                problems.append(
                    Problem(
                        "duplicate_slot",
                        f"The dose of {slot_at} of medication {med_id} is filled {count} times.",
                        "records",
                    )
                )
        if version == SCHEMA_VERSION:
            values = 0
            for problem in _value_problems(conn):
                values += 1
                if values <= MAX_VALUE_PROBLEMS:
                    problems.append(problem)
            if values > MAX_VALUE_PROBLEMS:
                problems.append(
                    Problem("value", f"… and {values - MAX_VALUE_PROBLEMS} more values like these.")
                )
        return result
