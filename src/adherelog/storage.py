"""The journal file: opening, checking, private file modes, the write lock, migrations.

Every write command runs inside :meth:`Store.write`: one ``BEGIN IMMEDIATE … COMMIT`` with a
busy timeout, so concurrent invocations never lose a record and a crash leaves the journal as
it was before or after the command. Migrations run under the same lock. The schema version is
read with the stdlib ``sqlite3``; ``sqlite_utils`` is imported only when a migration must run.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from adherelog.errors import (
    AdherelogError,
    JournalBusyError,
    NewerJournalError,
    NotAJournalError,
)
from adherelog.migrations import MIGRATIONS, SCHEMA_VERSION

# "ADHL": marks a SQLite file as an adherelog journal.
APPLICATION_ID = 0x4144484C
SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 5000


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


def _make_private_dir(folder: Path) -> None:
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask


def _create_private_file(path: Path) -> None:
    _make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)
    os.close(fd)


def _check_file(path: Path) -> bool:
    """Raise when ``path`` exists and is not a SQLite file; return True when it is empty."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return True
    if path.is_dir():
        raise NotAJournalError(f"{path} is a folder, not an adherelog journal.")
    if size == 0:
        return True
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAJournalError(f"{path} is not an adherelog journal; it was left untouched.")
    return False


class Store:
    """An open journal. Use :func:`open_store`; close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path

    def close(self) -> None:
        self.conn.close()

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
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.conn.execute("ROLLBACK")
            if _is_busy(exc):
                raise JournalBusyError("The journal is busy; nothing was written.") from None
            raise

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])


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
    """Return the schema version, or raise if this is not (yet) an adherelog journal."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError:
        raise NotAJournalError(
            f"{path} is damaged or not an adherelog journal; it was left untouched."
        ) from None
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


def migrate(store: Store) -> None:
    """Apply pending migrations under the write lock, each recorded in ``user_version``."""
    import sqlite_utils  # only when a migration must run

    with store.write() as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise NewerJournalError(
                f"The journal was written by a newer adherelog (schema {version}); "
                "it was left untouched."
            )
        if version == SCHEMA_VERSION:
            return
        db = sqlite_utils.Database(conn)
        for number in range(version, SCHEMA_VERSION):
            MIGRATIONS[number](db)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def open_store(path: Path, *, write: bool) -> Store:
    """Open the journal at ``path``.

    A write creates the file (0600) and its folder (0700) when missing. A read of a missing
    journal gives an empty in-memory one and creates nothing. Files that are not adherelog
    journals, and journals from a newer adherelog, are refused without being modified.
    A path that cannot be used (a file where a folder should be, no permission) is refused
    with a sentence naming it.
    """
    try:
        return _open_store(path, write=write)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise AdherelogError(f"Cannot open the journal {path}: {reason}.") from None


def _open_store(path: Path, *, write: bool) -> Store:
    empty = _check_file(path)
    if not path.exists() and not write:
        store = Store(_connect(":memory:"), None)
        migrate(store)
        return store
    if write:
        _create_private_file(path)
        if empty:
            os.chmod(path, 0o600)
    try:
        conn = _connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.OperationalError:
        raise AdherelogError(f"Cannot open the journal {path}.") from None
    try:
        version = _verify(conn, path)
        store = Store(conn, path)
        if version < SCHEMA_VERSION:
            migrate(store)  # a new journal, or an older one upgraded in place
            if version == 0:
                conn.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        conn.close()
        raise
    return store
