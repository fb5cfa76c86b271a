"""``restore BACKUP`` (SPEC §8 "Restoring"): put a backup back in place of the journal.

The backup is checked first, through a private copy beside the journal that no other
process writes: it must be an SQLite file, an adherelog journal (its application id), of a
schema this adherelog knows, and pass SQLite's integrity check; the journal itself (or one
of its files) is refused. Then, with the journal locked against every other process from
start to end, the journal as it stands is copied to
``NAME.before-restore-YYYYMMDD-HHMMSS.db`` beside it (0600), and the checked copy is written
over the journal in one SQLite transaction (see :mod:`adherelog.storage.restore`), so a
crash leaves the old journal or the restored one. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from adherelog import filekind, infile
from adherelog.errors import (
    AdherelogError,
    JournalDamagedError,
    NewerJournalError,
    NotAJournalError,
)
from adherelog.migrations import SCHEMA_VERSION
from adherelog.outfile import NO_SPACE, clear_stale_temps, refuse_journal, staged
from adherelog.storage import (
    APPLICATION_ID,
    SIDE_FILES,
    cannot_change,
    cannot_open,
    check_place,
    is_corruption,
    is_full,
    make_folders,
    mark_saved,
    no_room,
    open_store,
    reading_file,
    remove_folders,
)
from adherelog.storage import check as check_queries
from adherelog.storage.backup import copy_journal
from adherelog.storage.restore import copy_into, hold
from adherelog.text import printable
from adherelog.valueclass import dataclass

KEPT_SUFFIX = ".before-restore-"


@dataclass(frozen=True)
class Restored:
    journal: Path
    source: Path
    kept: Path | None  # the replaced journal, None when there was none
    schema_version: int


def kept_name(journal: Path, now: datetime) -> Path:
    """Where the replaced journal is kept: ``journal.db.before-restore-20261122-091000.db``
    (``…-2.db`` when that is taken)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return journal.with_name(f"{journal.name}{KEPT_SUFFIX}{stamp}.db")


def _refuse_itself(source: Path, journal: Path, shown: str) -> None:
    try:
        refuse_journal(source, journal)
    except AdherelogError:
        raise AdherelogError(
            f"{shown} is the journal itself (or one of its files); name a backup to restore."
        ) from None


def _check_backup(source: Path, shown: str) -> None:
    """Refuse a file that is not an adherelog journal, or is from a newer adherelog."""
    kind = filekind.detect(infile.head(str(source)))
    filekind.expect(kind, frozenset({filekind.Kind.SQLITE}), shown, "a backup of the journal")
    if kind is not filekind.Kind.SQLITE:
        raise NotAJournalError(
            f"{shown} is not a backup of an adherelog journal (not an SQLite file); "
            "nothing was changed."
        )
    try:
        with reading_file(source) as conn:
            app_id = check_queries.application_id(conn)
            version = check_queries.schema_version(conn)
    except (sqlite3.DatabaseError, JournalDamagedError):
        raise JournalDamagedError(
            f"{shown} is damaged (SQLite cannot read it); nothing was changed."
        ) from None
    if app_id != APPLICATION_ID:
        raise NotAJournalError(
            f"{shown} is an SQLite file but not an adherelog journal; nothing was changed."
        )
    if version > SCHEMA_VERSION:
        raise NewerJournalError(
            f"{shown} was written by a newer adherelog (schema {version}; this one knows up to "
            f"{SCHEMA_VERSION}); upgrade adherelog to restore it. Nothing was changed."
        )


def _checked_copy(source: Path, tmp: Path, shown: str, journal: Path) -> int:
    """Copy the backup to ``tmp`` (0600, beside ``journal``) as one snapshot and check the
    copy; the schema."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    try:
        with reading_file(source) as conn:
            copy = copy_journal(conn, tmp)
    except sqlite3.DatabaseError as exc:
        if is_full(exc):
            # The copy is beside the journal (SQLite has given back the space it took).
            raise cannot_change(journal, no_room(journal)) from None
        if not is_corruption(exc):
            raise
        copy = None
    except JournalDamagedError:
        copy = None
    if copy is None or copy.damage is not None:
        raise JournalDamagedError(
            f"{shown} is damaged (it fails SQLite's integrity check); nothing was changed."
        )
    return copy.schema_version


# The largest backup an age file is decrypted for in memory.
MAX_SEALED_PLAIN = 1024 * 1024 * 1024


def _unsealed_copy(
    source: Path, journal: Path, shown: str, unseal: Callable[[bytes], bytes]
) -> Path:
    """The plaintext of an age-encrypted backup, in a private file beside the journal (0600;
    the caller removes it)."""
    from adherelog import agefile

    sealed = infile.read_all(str(source), agefile.sealed_limit(MAX_SEALED_PLAIN), "a backup")
    plain = unseal(sealed)
    path = journal.with_name(f".{journal.name}.{os.getpid()}.{os.urandom(4).hex()}.plain.tmp")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(plain)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        if isinstance(exc, OSError) and exc.errno in NO_SPACE:
            raise cannot_change(journal, no_room(journal)) from None
        raise
    return path


def _made_folders(journal: Path) -> list[Path]:
    """Make the journal's missing folders (0700); those made, innermost first."""
    try:
        return make_folders(journal.parent)
    except OSError as exc:
        raise cannot_open(journal, exc) from None


def restore(
    journal: Path,
    backup: str,
    now: datetime,
    unseal: Callable[[bytes], bytes] | None = None,
) -> Restored:
    """Replace the journal at ``journal`` with the backup file ``backup`` (see the module's
    docstring); the journal is created when there is none. An age-encrypted backup is
    decrypted by ``unseal`` (SPEC §8) into a private copy that is removed afterwards."""
    shown = printable(backup)
    check_place(journal)
    source = infile.check_readable(backup)
    _refuse_itself(source, journal, shown)
    made = _made_folders(journal)
    try:
        clear_stale_temps(journal.parent)  # a killed restore's copies, a decrypted one too
        original = source
        plain: Path | None = None
        if unseal is not None and filekind.detect(infile.head(str(source))) is filekind.Kind.AGE:
            plain = _unsealed_copy(source, journal, shown, unseal)
            source = plain
        try:
            return _restore_from(journal, source, original, shown, now)
        finally:
            if plain is not None:
                with contextlib.suppress(OSError):
                    os.unlink(plain)
    except BaseException:
        if not os.path.lexists(journal):
            remove_folders(made)  # only ever removes empty folders
        raise


def _restore_from(
    journal: Path, source: Path, original: Path, shown: str, now: datetime
) -> Restored:
    _check_backup(source, shown)
    had_journal = os.path.lexists(journal) and os.path.getsize(journal) > 0
    tmp = journal.with_name(f".{journal.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    kept: Path | None = None
    try:
        version = _checked_copy(source, tmp, shown, journal)
        store = open_store(journal, write=True)
        replaced = False
        try:
            # The journal stays locked from here until the store closes: the kept copy
            # and the replaced journal are the same, and no write falls in between.
            hold(store.conn)
            with store.write():
                pass  # takes the lock (or says the journal is busy)
            if had_journal:
                with staged(
                    kept_name(journal, now), force=False, journal=journal, numbered=True
                ) as work:
                    fd = os.open(work.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    os.close(fd)
                    copy_journal(store.conn, work.tmp)
                kept = work.target
            try:
                copy_into(tmp, store.conn)
            except sqlite3.OperationalError as exc:
                raise AdherelogError(
                    f"The journal {journal} could not be replaced ({exc}); it was left as it "
                    "was" + (f" and a copy of it is at {kept}." if kept else ".")
                ) from None
            mark_saved(journal)
            replaced = True
        finally:
            if replaced:
                store.close()
            else:
                store.close_failed()  # a journal made for the restore is removed again
    finally:
        for suffix in ("", *SIDE_FILES):
            with contextlib.suppress(OSError):
                os.unlink(f"{tmp}{suffix}")
    return Restored(journal, original, kept, version)
