"""The journal file: opening, checking, private file modes, the write lock, migrations.

Every write command runs inside :meth:`Store.write`: one ``BEGIN IMMEDIATE … COMMIT`` with a
busy timeout, so concurrent invocations never lose a record and a crash leaves the journal as
it was before or after the command. Migrations run under the same lock. The schema version is
read with the stdlib ``sqlite3``; ``sqlite_utils`` is imported only when a migration must run.

Reading commands open the journal read-only (SPEC §9) and never write to it: not a cache,
not a migration. A journal of an older schema is read from a copy in memory, migrated
there; the next writing command upgrades the file itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

from adherelog.errors import (
    AdherelogError,
    JournalBusyError,
    JournalDamagedError,
    NewerJournalError,
    NotAJournalError,
)
from adherelog.migrations import LOCAL_TIMES_SCHEMA, MIGRATIONS, SCHEMA_VERSION

# "ADHL": marks a SQLite file as an adherelog journal.
APPLICATION_ID = 0x4144484C
SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 5000
# SQLite's files beside the journal: the write-ahead log, its index, the rollback journal.
SIDE_FILES = ("-wal", "-shm", "-journal")
# Room SQLite needs beside a WAL journal that has no ``-shm`` yet: the 32 KiB index plus
# the first frames of the log.
WAL_ROOM = 64 * 1024
# The byte of the ``-shm`` file that every process with the journal open holds a shared lock on.
SHM_DMS_BYTE = 128
# Primary result codes (``exc.sqlite_errorcode & 0xFF``).
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def busy_timeout_ms() -> int:
    """The write-lock wait: at least 5 s (SPEC §9); ``ADHERELOG_BUSY_TIMEOUT`` (seconds) may
    lengthen it."""
    raw = os.environ.get("ADHERELOG_BUSY_TIMEOUT")
    if raw:
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0.0
        return max(DEFAULT_BUSY_TIMEOUT_MS, int(seconds * 1000))
    return DEFAULT_BUSY_TIMEOUT_MS


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def sqlite_uri(path: Path, mode: str, *, immutable: bool = False) -> str:
    """The ``file:`` URI SQLite opens for ``path``: the absolute path percent-encoded, so that
    ``#``, ``?``, ``%``, ``&`` and every other character stay part of the file name."""
    encoded = quote(os.fsencode(os.path.abspath(path)), safe="/")
    return f"file:{encoded}?mode={mode}" + ("&immutable=1" if immutable else "")


def _kind(mode: int) -> str | None:
    """What a file of this ``st_mode`` is, when it is not a regular file."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if not stat.S_ISREG(mode):
        return "a socket or another special file"
    return None


def journal_stat(path: Path) -> os.stat_result | None:
    """The journal's own ``lstat`` (None when it is missing), refusing anything that is not a
    regular file, at the path itself or as SQLite's files beside it: adherelog never follows,
    opens or changes the mode of a link, device, FIFO or folder there (SPEC §9)."""
    for suffix in SIDE_FILES:
        side = f"{path}{suffix}"
        with contextlib.suppress(FileNotFoundError):
            kind = _kind(os.lstat(side).st_mode)
            if kind is not None:
                raise NotAJournalError(
                    f"{side} is {kind} beside the journal; the journal was left untouched."
                )
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    kind = _kind(found.st_mode)
    if kind is not None:
        raise NotAJournalError(
            f"{path} is {kind}, not an adherelog journal; it was left untouched."
        )
    return found


def _open_checked(path: Path, expected: os.stat_result) -> int:
    """A read-only descriptor of ``path``, which must still be the regular file ``expected``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    if not _same_file(os.fstat(fd), expected):
        os.close(fd)
        raise NotAJournalError(f"{path} changed while it was being opened; it was left untouched.")
    return fd


def _same_file(found: os.stat_result, expected: os.stat_result) -> bool:
    return stat.S_ISREG(found.st_mode) and (found.st_dev, found.st_ino) == (
        expected.st_dev,
        expected.st_ino,
    )


def make_folders(folder: Path) -> list[Path]:
    """Make the missing folders up to ``folder``, private (0700); those made (innermost
    first), for :func:`remove_folders`."""
    missing = _missing_folders(folder)
    _make_private_dir(folder)
    return missing


def remove_folders(folders: Sequence[Path]) -> None:
    """Remove ``folders`` (innermost first), each only while empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _make_private_dir(folder: Path) -> None:
    """Make the missing folders up to ``folder``, private (0700). A folder another process
    made meanwhile (another adherelog creating the same journal) is used as it is."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # not ours: its mode is left alone
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fchmod(fd, 0o700)  # mkdir's mode is filtered by the umask
        finally:
            os.close(fd)


def _check_file(
    path: Path, found: os.stat_result | None, *, write: bool
) -> tuple[os.stat_result | None, bool]:
    """Check the journal file through a descriptor of it; return the file SQLite must open,
    and whether this call created it (another process may create it at the same moment).

    A missing journal is created (0600, its folder 0700) for a write; an empty one becomes a
    new journal, made private through the descriptor; anything else must start with the
    SQLite header. Returns None for a read of a missing journal. The descriptor is closed
    before SQLite opens the file: closing a second descriptor later would drop SQLite's locks.
    """
    if found is None:
        if not write:
            return None, False
        _make_private_dir(path.parent)
        try:
            fd = os.open(
                path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        except FileExistsError:
            found = journal_stat(path)
            if found is None:
                raise AdherelogError(f"{path} vanished while it was being created.") from None
        else:
            try:
                os.fchmod(fd, 0o600)  # O_CREAT's mode is filtered by the umask
                return os.fstat(fd), True
            finally:
                os.close(fd)
    fd = _open_checked(path, found)
    try:
        if found.st_size == 0:
            if write:
                os.fchmod(fd, 0o600)
        elif os.read(fd, len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotAJournalError(f"{path} is not an adherelog journal; it was left untouched.")
    finally:
        os.close(fd)
    return found, False


def _free_bytes(folder: Path) -> int:
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize


def cannot_change(path: Path, reason: str) -> AdherelogError:
    """The refusal of a write to the journal at ``path`` for ``reason`` (:func:`blocked`)."""
    return AdherelogError(f"Cannot change the journal {path}: {reason}; nothing was written.")


def os_reason(exc: OSError) -> str:
    """The system's own reason for ``exc``, in lower case, to go inside a sentence."""
    return (exc.strerror or type(exc).__name__).lower()


def cannot_open(path: Path, exc: OSError) -> AdherelogError:
    """The refusal of a journal path the file system will not let be used."""
    return AdherelogError(f"Cannot open the journal {path}: {os_reason(exc)}.")


def no_room(path: Path) -> str:
    """The :func:`blocked` reason for a full disk."""
    return f"no space left on the device holding {path}"


def check_place(path: Path) -> None:
    """Refuse, as opening the journal for a write does, a journal path no write can use:
    a link, a folder or a FIFO there, a folder that is not writable, a full disk."""
    try:
        journal_stat(path)
        reason = blocked(path)
    except OSError as exc:
        raise cannot_open(path, exc) from None
    if reason is not None:
        raise cannot_change(path, reason)


def blocked(path: Path) -> str | None:
    """Why SQLite cannot set up its files beside the journal, when it cannot: the folder is
    not writable, or the device holding it (or the nearest folder that exists) is full."""
    folder = path.parent
    with contextlib.suppress(OSError):
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return f"the folder {folder} is not writable"
        while not folder.is_dir() and folder.parent != folder:
            folder = folder.parent
        if _free_bytes(folder) < WAL_ROOM:
            return no_room(path)
    return None


def _wal_ready(path: Path) -> bool:
    return os.path.lexists(f"{path}-shm")


def _wal_empty(path: Path) -> bool:
    try:
        return os.lstat(f"{path}-wal").st_size == 0
    except FileNotFoundError:
        return True


def read_uri(path: Path, mode: str = "rw") -> str:
    """The URI for reading the existing journal at ``path`` in ``mode`` (SPEC §9: reads work
    where SQLite can read). Where SQLite could not create its ``-shm`` index beside it (a
    read-only folder, a full disk), no other process can be writing, so the file is read as
    it stands, which creates nothing; a log of changes not yet in the file cannot be read
    that way."""
    if _wal_ready(path):
        return sqlite_uri(path, mode)
    reason = blocked(path)
    if reason is None:
        return sqlite_uri(path, mode)
    if not _wal_empty(path):
        raise AdherelogError(f"Cannot read the journal {path}: {reason}.")
    return sqlite_uri(path, "ro", immutable=True)


def _shm_holders(path: Path) -> str:
    """Whether any process has the journal open, told by the lock every connection holds in
    its ``-shm``: ``none``, ``some``, ``no-shm`` (there is none) or ``unknown`` (it cannot
    be opened). Our own descriptor is closed at once; this process holds no journal open."""
    try:
        fd = os.open(f"{path}-shm", os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return "no-shm"
    except OSError:
        return "unknown"
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError:
        return "some"
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return "none"
    finally:
        os.close(fd)


def _left_over_wal(path: Path) -> bool:
    """True when a ``-wal`` with changes lies beside the journal and no process has the
    journal open (none holds its lock in the ``-shm``): the log was left by a crash, or was
    already there when a backup was copied over the journal, and SQLite will replay it.
    (A ``-shm`` that cannot be opened: SQLite cannot replay the log here either.)"""
    return not _wal_empty(path) and _shm_holders(path) in ("none", "no-shm")


# Journals whose -wal and -shm a read made and could not remove yet: a failed query's
# cursor, kept alive by its traceback, still holds the file.
_UNTIDY: set[Path] = set()


def tidy_side_files() -> None:
    """Remove the side files reads made, where nothing holds the journal any more."""
    for path in list(_UNTIDY):
        _remove_side_files(path)
        if not os.path.lexists(f"{path}-shm"):
            _UNTIDY.discard(path)


def _remove_side_files(path: Path) -> None:
    """Remove the -wal and -shm files a read-only connection made beside the journal (it
    cannot remove them itself), the way SQLite does when the last connection closes: a
    connection that may write reads the header and closes, and SQLite removes them under
    its exclusive lock, unless another process has the journal open. Only while the log
    is empty, so that nothing is written into the journal."""
    if not _wal_ready(path) or not _wal_empty(path):
        return  # made none (read as it stands), or another process wrote meanwhile
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(sqlite_uri(path, "rw"), uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()


@contextlib.contextmanager
def reading_file(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the existing journal file at ``path`` as it stands (not
    verified, not migrated), for ``check`` and ``backup``; SQLite finding the file damaged
    stops the command. Like a reading command's, it removes the -wal and -shm files it made
    beside the journal when it is done."""
    tidy = not (os.path.lexists(f"{path}-wal") or _wal_ready(path))
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
        if tidy:
            _UNTIDY.add(path)
            tidy_side_files()


def _check_left_over_wal(path: Path) -> None:
    """Before a left-over log is replayed into the journal, check the result through a
    read-only connection (which never writes the log into the file): a log from another
    state of the journal mixes two journals into a damaged one. The full integrity check
    compares every index with its table (a quick check does not, and such a mix often shows
    only there), and the foreign key check finds rows whose parents the log took away. This
    costs a read of the whole file, but only after a crash or a copy over a journal."""
    if not _left_over_wal(path):
        return
    conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True, timeout=busy_timeout_ms() / 1000)
    try:
        verdict = conn.execute("PRAGMA integrity_check(1)").fetchall()
        orphan = conn.execute("PRAGMA foreign_key_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise diagnose(exc, path) from None
    finally:
        conn.close()
    if verdict != [("ok",)] or orphan is not None:
        raise JournalDamagedError(damaged(path))


def damaged(path: Path | None, *, affected: str = "", done: str = "nothing was written") -> str:
    """The one sentence for a damaged journal: what is affected, how to check and restore."""
    where = f"The journal {path}" if path is not None else "The journal"
    name = path.name if path is not None else "journal.db"
    detail = f" ({affected})" if affected else ""
    return (
        f"{where} is damaged{detail}; {done}: run 'adherelog check' to see what is affected, "
        f"and to restore it, copy a backup from the 'backups' folder beside it over it after "
        f"removing the {name}-wal and {name}-shm files next to it."
    )


def is_corruption(exc: sqlite3.Error) -> bool:
    """True when SQLite found the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "malformed" in str(exc) or "not a database" in str(exc)
    return code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def is_full(exc: sqlite3.Error) -> bool:
    """True when SQLite found no room to write (SQLITE_FULL: a full disk or quota)."""
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF == SQLITE_FULL


def undo_transaction(conn: sqlite3.Connection) -> None:
    """After an error: roll the open transaction back, if SQLite has not already done so
    (it rolls back by itself on a full disk, an I/O error or damage); never hides the
    error being handled."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def diagnose(exc: sqlite3.Error, path: Path | None) -> AdherelogError:
    """The refusal for an error SQLite raised on the journal at ``path``, naming its real
    cause: damage, a busy journal, a full disk, a read-only file or folder, or SQLite's own
    reason."""
    if is_corruption(exc):
        return JournalDamagedError(damaged(path))
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    where = f"the journal {path}" if path is not None else "the journal"
    if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
        return JournalBusyError(
            f"The journal is busy: another adherelog kept it locked for longer than "
            f"{busy_timeout_ms() // 1000} seconds; nothing was written."
        )
    if path is not None and code in (SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY):
        reason = blocked(path)
        if reason is None and code == SQLITE_READONLY:
            reason = f"{path} is read-only"
        if reason is not None:
            return AdherelogError(f"Cannot change {where}: {reason}; nothing was written.")
    if code == SQLITE_FULL:
        # The journal's device has room: the full one may be that of the temporary folder,
        # where SQLite keeps what a large statement sorts or may have to undo.
        also = f" or the temporary folder {sqlite_temp_folder()}" if path is not None else ""
        return AdherelogError(
            f"No space left on the device holding {where}{also}; nothing was written."
        )
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return AdherelogError(
        f"{where.capitalize()} could not be read or written ({reason}); nothing was changed."
    )


SAVED: list[Path] = []
"""The journals this process has changed (a write committed), in order: a stop signal
that comes after a change was saved must not say that nothing was written."""


def mark_saved(path: Path) -> None:
    """Note that a change to the journal at ``path`` is saved (see :data:`SAVED`)."""
    SAVED.append(path)


def sqlite_temp_folder() -> str:
    """The folder SQLite keeps its temporary files in, found as its unix VFS finds it: the
    first of ``$SQLITE_TMPDIR``, ``$TMPDIR``, /var/tmp, /usr/tmp, /tmp and the current
    folder that is a folder this process may write in (not Python's order: without
    ``TMPDIR`` it is /var/tmp, not /tmp)."""
    for folder in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), *_TEMP_FOLDERS):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return "."


# Only named (in a message), never written to by adherelog.
_TEMP_FOLDERS = ("/var/tmp", "/usr/tmp", "/tmp", ".")  # noqa: S108


class Store:
    """An open journal. Use :func:`open_store`; close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path
        self.in_memory = False  # a copy in memory (a read of an older journal, a dry run)
        # Run at the end of every write transaction, just before it commits.
        self.before_commit: Callable[[sqlite3.Connection], None] | None = None
        # The journal whose -wal and -shm files this read made, to remove when it closes.
        self.made_side_files: Path | None = None
        # The journal file and the folders this write created (see :meth:`discard`).
        self.made: tuple[Path, list[Path]] | None = None

    def close(self) -> None:
        self.conn.close()
        if self.made_side_files is not None:
            _UNTIDY.add(self.made_side_files)
            tidy_side_files()

    def close_failed(self) -> None:
        """Close after the command failed: a journal this command created is removed again,
        with the folders made for it, so that a failing command creates nothing (nor has
        saved anything there)."""
        self.close()
        if self.made is not None and _remove_made(*self.made):
            SAVED[:] = [path for path in SAVED if path != self.made[0]]

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE … COMMIT``; rolled back on any exception. Inside another
        write it joins that one, which commits or rolls back the whole (``sample``)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise JournalBusyError(
                    "The journal is busy: another adherelog kept it locked for longer than "
                    f"{busy_timeout_ms() // 1000} seconds; nothing was written."
                ) from None
            raise
        changes = self.conn.total_changes
        try:
            yield self.conn
            if self.before_commit is not None:
                self.before_commit(self.conn)
        except BaseException:
            undo_transaction(self.conn)
            raise
        changed = self.conn.total_changes != changes  # rows, not a new journal's tables
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            undo_transaction(self.conn)
            if _is_busy(exc):
                raise JournalBusyError("The journal is busy; nothing was written.") from None
            raise
        if changed and self.path is not None and not self.in_memory:
            mark_saved(self.path)

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])


@contextlib.contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """A read transaction: every query inside reads one consistent state of the journal
    (another process may write meanwhile). Inside another transaction it joins that one."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError:
                conn.execute("ROLLBACK")


def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        target,
        timeout=busy_timeout_ms() / 1000,
        isolation_level=None,
        uri=uri,
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _verify(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version, or raise if this is not (yet) an adherelog journal.

    The three facts are read in one transaction: another process's first-time setup commits
    all of them at once, so they are seen all before or all after it."""
    conn.execute("BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    finally:
        with contextlib.suppress(sqlite3.Error):  # SQLite may have ended it after an error
            conn.execute("COMMIT")
    if app_id == 0 and tables == 0 and version == 0:
        return 0  # a new, empty SQLite file
    if app_id != APPLICATION_ID:
        raise NotAJournalError(f"{path} is not an adherelog journal; it was left untouched.")
    if version > SCHEMA_VERSION:
        raise NewerJournalError(
            f"{path} was written by a newer adherelog (schema {version}; this one knows up to "
            f"{SCHEMA_VERSION}); it was left untouched. Upgrade adherelog to use it."
        )
    return version


def migrate(store: Store, *, in_memory: bool = False) -> None:
    """Apply pending migrations under the write lock, each recorded in ``user_version``;
    then, for a journal file (not a copy read ``in_memory``) from before schema 11, the
    zone offsets its views read (:mod:`adherelog.storage.zones`). A new journal (nothing
    in it yet) is made at once from the statements the migrations leave
    (:mod:`adherelog.storage.new_journal`)."""
    with store.write() as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise NewerJournalError(
                f"The journal was written by a newer adherelog (schema {version}); "
                "it was left untouched."
            )
        if version == SCHEMA_VERSION:
            return
        if version == 0 and not conn.execute("SELECT 1 FROM sqlite_master").fetchone():
            from adherelog.storage.new_journal import STATEMENTS

            for statement in STATEMENTS:
                conn.execute(statement)
        else:
            import sqlite_utils  # only when a migration must run

            db = sqlite_utils.Database(conn)
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](db)
        if not in_memory and version < LOCAL_TIMES_SCHEMA:
            from adherelog.storage import zones

            zones.add_missing(conn, zones.record_years(conn))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def open_store(path: Path, *, write: bool, scratch: bool = False) -> Store:
    """Open the journal at ``path``.

    A write creates the file (0600) and its folder (0700) when missing. A read opens the
    file read-only; a missing or empty (0-byte) journal reads as an empty one in memory,
    and one of an older schema as a migrated copy in memory: a read creates and changes
    nothing. A ``scratch`` read is always such a copy in memory, which may be written
    (a dry run's changes, rolled back or not, never reach the file). Files that are not adherelog
    journals, journals from a newer adherelog, and paths that are not regular files are
    refused without being modified. A path that cannot be used (a file where a folder should
    be, no permission, a full disk, damage) is refused with a sentence naming the cause.
    """
    try:
        return _open_store(path, write=write, scratch=scratch and not write)
    except sqlite3.Error as exc:
        raise diagnose(exc, path) from None
    except OSError as exc:
        raise cannot_open(path, exc) from None


def _open_store(path: Path, *, write: bool, scratch: bool) -> Store:
    found = journal_stat(path)
    if write and not (found is not None and _wal_ready(path)):
        reason = blocked(path)
        if reason is not None:
            raise cannot_change(path, reason)
    # What this write creates (the journal and its missing folders): removed again when
    # the command fails, so that a failing command leaves nothing behind (SPEC §1).
    folders = _missing_folders(path.parent) if write and found is None else []
    checked, created = _check_file(path, found, write=write)
    made = (path, folders) if created else None
    if checked is None or (not write and checked.st_size == 0):
        return _in_memory(None, None)  # nothing to read yet: an empty journal
    try:
        store = _open_checked_store(path, checked, write=write, scratch=scratch)
    except BaseException:
        if made is not None:
            _remove_made(*made)
        raise
    store.made = made
    return store


def _missing_folders(folder: Path) -> list[Path]:
    """The folders up to ``folder`` that do not exist yet, innermost first."""
    missing: list[Path] = []
    current = folder
    while not os.path.lexists(current) and current.parent != current:
        missing.append(current)
        current = current.parent
    return missing


def _held_by_others(path: Path) -> bool:
    """True when another process has the journal open (holds its lock in the ``-shm``)."""
    return _shm_holders(path) in ("some", "unknown")


def _holds_rows(path: Path) -> bool:
    """True when any table of the journal at ``path`` holds a row (or it cannot be told)."""
    try:
        conn = sqlite3.connect(read_uri(path, "ro"), uri=True, isolation_level=None)
        try:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return any(conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in names)
        finally:
            conn.close()
    except sqlite3.Error:
        return True


def _remove_made(path: Path, folders: Sequence[Path]) -> bool:
    """Remove a journal this command created, its side files, and the folders it made
    for it (each only while empty); True when it did. A journal another process has open,
    or has written into meanwhile, is its journal too: it stays."""
    if _held_by_others(path) or _holds_rows(path):
        return False
    for suffix in ("", *SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    remove_folders(folders)
    return True


def _open_checked_store(
    path: Path, checked: os.stat_result, *, write: bool, scratch: bool = False
) -> Store:
    _check_left_over_wal(path)
    # A read that finds no -wal or -shm file makes them: it removes them when it is done.
    tidy = not write and not (os.path.lexists(f"{path}-wal") or _wal_ready(path))
    uri = sqlite_uri(path, "rw") if write else read_uri(path, "ro")
    conn = _connect(uri, uri=True)
    try:
        version = _verify(conn, path)
        if not _same_file(os.lstat(path), checked):
            raise NotAJournalError(
                f"{path} changed while it was being opened; it was left untouched."
            )
        if not write and (version < SCHEMA_VERSION or scratch):
            store = _in_memory(conn, path)
        else:
            store = Store(conn, path)
        if not write:
            store.made_side_files = path if tidy else None
            return store
        if version < SCHEMA_VERSION:
            _patiently(lambda: _upgrade(store, new=version == 0))
    except BaseException:
        conn.close()
        if tidy:
            _remove_side_files(path)
        raise
    return store


def _upgrade(store: Store, *, new: bool) -> None:
    """Migrate a new journal, or an older one in place; a new one then switches to WAL."""
    migrate(store)
    if new:
        store.conn.execute("PRAGMA journal_mode = WAL")


def _patiently(step: Callable[[], None]) -> None:
    """Run ``step`` (all or nothing), again while SQLite answers "busy" before the busy
    timeout has passed: that early answer is SQLite breaking a deadlock between processes
    that all opened a journal still in rollback mode (a new one, before its switch to WAL),
    and the step succeeds once the others are through."""
    started = time.monotonic()
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() - started >= busy_timeout_ms() / 1000:
                raise
        time.sleep(0.02)


def _in_memory(source: sqlite3.Connection | None, path: Path | None) -> Store:
    """A journal in memory at the current schema: empty, or a copy of ``source`` (an older
    journal, which is read this way without being changed), migrated."""
    memory = _connect(":memory:")
    try:
        if source is not None:
            source.backup(memory)
            source.close()
        store = Store(memory, path)
        store.in_memory = True
        migrate(store, in_memory=True)
    except BaseException:
        memory.close()
        raise
    return store
