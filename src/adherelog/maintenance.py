"""Looking after the journal file (SPEC §8, §9): consistent backups and the integrity check.

A backup is made with SQLite's online backup API in one step, so it is one consistent
snapshot even while another process writes; it goes through :func:`outfile.staged`
(0600, temporary file and rename) and is itself checked before it is put in place. The
check opens the journal read-only and changes nothing. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from adherelog.errors import (
    AdherelogError,
    JournalDamagedError,
    NotAJournalError,
    NotFoundError,
)
from adherelog.migrations import SCHEMA_VERSION
from adherelog.outfile import no_space, staged, write_failure
from adherelog.storage import (
    APPLICATION_ID,
    SQLITE_HEADER,
    busy_timeout_ms,
    damaged,
    diagnose,
    is_corruption,
    journal_stat,
    read_uri,
)

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
    device, FIFO or folder). SQLite finding the file damaged stops the command."""
    if journal_stat(path) is None:
        raise NotFoundError(f"There is no journal at {path}.")
    try:
        conn = sqlite3.connect(
            read_uri(path, "ro"), uri=True, timeout=busy_timeout_ms() / 1000, isolation_level=None
        )
    except sqlite3.Error as exc:
        raise diagnose(exc, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        yield conn
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise diagnose(exc, path) from None
        raise
    finally:
        conn.close()


# --------------------------------------------------------------------------- backup


def backup_journal(journal: Path, given: str | None, now: datetime, *, force: bool) -> Backup:
    """``backup [PATH]``: the journal must exist; see :func:`backup_target` for where the
    copy goes and :func:`backup` for how it is made. A ``backups`` folder made by this run
    is removed again when the backup fails and it is still empty."""
    if journal_stat(journal) is None:
        raise NotFoundError(f"There is no journal at {journal}.")
    default = journal.parent / BACKUP_FOLDER
    made_folder = given is None and not os.path.lexists(default)
    target, numbered = backup_target(journal, given, now)
    try:
        return backup(journal, target, force=force, numbered=numbered)
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


def backup(journal: Path, target: Path, *, force: bool, numbered: bool = False) -> Backup:
    """Copy the journal to ``target`` as one consistent snapshot, 0600, verified with
    ``PRAGMA integrity_check`` before it is moved into place. With ``numbered`` the copy
    takes the first free name of ``target``, ``target-2``… (see :func:`outfile.staged`).
    ``target`` is never the journal or one of its files."""
    with _read_only(journal) as source:
        if not _is_sqlite(journal):
            raise NotAJournalError(f"{journal} is not an adherelog journal; nothing was copied.")
        try:
            app_id = int(source.execute("PRAGMA application_id").fetchone()[0])
        except sqlite3.DatabaseError:
            raise NotAJournalError(f"{journal} is damaged; nothing was copied.") from None
        if app_id != APPLICATION_ID:
            raise NotAJournalError(f"{journal} is not an adherelog journal; nothing was copied.")
        with staged(target, force=force, journal=journal, numbered=numbered) as work:
            tmp = work.tmp
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            os.close(fd)
            copy = sqlite3.connect(tmp, isolation_level=None)
            try:
                # One step: the whole copy is made inside a single read transaction.
                source.backup(copy, pages=-1)
                copy.execute("PRAGMA journal_mode = DELETE")
                affected = _affected(copy)
                version = int(copy.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if _copy_out_of_room(exc, journal, target):
                    raise no_space(target) from None
                raise
            finally:
                copy.close()
            if affected is not None:
                raise JournalDamagedError(
                    damaged(journal, affected=affected, done="no backup was written")
                )
            size = tmp.stat().st_size
    return Backup(work.target, size, version)


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


def _affected(copy: sqlite3.Connection) -> str | None:
    """None when the copy passes SQLite's integrity check, else what is damaged: the tables
    whose own check fails (each with its indexes) and the page numbers SQLite names."""
    try:
        verdict = [str(row[0]) for row in copy.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        verdict = []
    if verdict == ["ok"]:
        return None
    try:
        names = [
            str(row[0])
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        return "its list of tables cannot be read"
    tables = []
    for name in names:
        quoted = name.replace('"', '""')
        try:
            lines = [str(row[0]) for row in copy.execute(f'PRAGMA integrity_check("{quoted}")')]
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            lines = []
        if lines != ["ok"]:
            tables.append(name)
    pages = sorted({int(n) for line in verdict for n in re.findall(r"\b[Pp]age (\d+)", line)})
    parts = []
    if tables:
        parts.append("tables affected: " + ", ".join(tables))
    if pages:
        shown = ", ".join(str(page) for page in pages[:MAX_PAGES_SHOWN])
        parts.append(f"pages {shown}" + (", …" if len(pages) > MAX_PAGES_SHOWN else ""))
    return "; ".join(parts) or "SQLite's integrity check fails"


# --------------------------------------------------------------------------- check


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _orphans(conn: sqlite3.Connection, tables: set[str]) -> Iterator[Problem]:
    queries = [
        (
            "records",
            "SELECT id FROM records WHERE kind IN ('dose', 'skip') AND med_id IS NULL",
            "a {} without a medication",
        ),
        (
            "records",
            "SELECT id FROM records WHERE med_id IS NOT NULL"
            " AND med_id NOT IN (SELECT id FROM meds)",
            "refers to a medication that does not exist",
        ),
        (
            "schedules",
            "SELECT id FROM schedules WHERE med_id NOT IN (SELECT id FROM meds)",
            "a schedule of a medication that does not exist",
        ),
        (
            "refills",
            "SELECT id FROM refills WHERE med_id NOT IN (SELECT id FROM meds)",
            "a refill of a medication that does not exist",
        ),
        (
            "meds",
            "SELECT id FROM meds WHERE id NOT IN (SELECT med_id FROM schedules)",
            "a medication without any schedule",
        ),
    ]
    for table, query, message in queries:
        if not {"meds", "schedules", table} <= tables:
            continue
        for (row_id,) in conn.execute(query):
            text = message.format("dose or skip") if "{}" in message else message
            yield Problem("orphan", f"{table} {row_id}: {text}.", table, str(row_id))
    if "undo_log" not in tables:
        return
    for kind, target in UNDO_TARGETS.items():
        if target not in tables:
            continue
        query = (
            "SELECT seq, ref_id FROM undo_log WHERE kind = ? AND ref_id NOT IN "
            f'(SELECT id FROM "{target}") ORDER BY seq'
        )
        for seq, ref in conn.execute(query, (kind,)):
            yield Problem(
                "orphan",
                f"undo log entry {seq}: points to a {kind} ({ref}) that is no longer there.",
                "undo_log",
                str(seq),
            )
    if "meds" in tables:
        query = (
            "SELECT seq FROM undo_log WHERE med_id IS NOT NULL"
            " AND med_id NOT IN (SELECT id FROM meds) ORDER BY seq"
        )
        for (seq,) in conn.execute(query):
            yield Problem(
                "orphan",
                f"undo log entry {seq}: refers to a medication that does not exist.",
                "undo_log",
                str(seq),
            )


def _value_problems(conn: sqlite3.Connection) -> Iterator[Problem]:
    from adherelog.portability import column_checks, journal_tables, row_problems

    for table in journal_tables(conn):
        names = table.names
        key = table.key
        checks = column_checks(table)
        columns = ", ".join(f'"{n}"' for n in names)
        for row in conn.execute(f'SELECT {columns} FROM "{table.name}"'):
            data = dict(zip(names, row, strict=True))
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
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
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
        conn.execute("BEGIN")  # one snapshot for every query below, while others write
        try:
            for (line,) in conn.execute("PRAGMA integrity_check(100)"):
                if line != "ok":
                    problems.append(Problem("integrity", str(line)))
        except sqlite3.DatabaseError as exc:
            problems.append(Problem("integrity", f"SQLite cannot read the file ({exc})."))
            return result
        tables = _tables(conn)
        for name in sorted(tables):
            if not name.startswith("sqlite_"):
                count = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                result.tables[name] = int(count)
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(
                Problem(
                    "foreign_key",
                    f"{table} row {rowid}: refers to a {parent} row that does not exist.",
                    str(table),
                )
            )
        problems.extend(_orphans(conn, tables))
        if "records" in tables:
            query = (
                "SELECT med_id, slot_at, count(*) FROM records WHERE slot_at IS NOT NULL"
                " GROUP BY med_id, slot_at HAVING count(*) > 1"
            )
            for med_id, slot_at, count in conn.execute(query):
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
