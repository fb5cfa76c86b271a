"""The backup copy of a journal: SQLite's online backup in one step, and what its own
integrity check finds damaged in the copy.

Where the copy goes, whether it may be kept and how damage is told is
:mod:`adherelog.maintenance`'s.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from adherelog.storage import is_corruption
from adherelog.storage.check import integrity_check, schema_version, table_names
from adherelog.valueclass import dataclass

# A page number in a line of SQLite's integrity check.
PAGE = re.compile(r"\b[Pp]age (\d+)")


@dataclass(frozen=True)
class Damage:
    """What SQLite's integrity check finds in a copy that fails it: the tables whose own
    check fails (None when the list of tables cannot be read) and the pages it names."""

    tables: tuple[str, ...] | None
    pages: tuple[int, ...]


@dataclass(frozen=True)
class Copy:
    schema_version: int
    damage: Damage | None  # None: the copy passes SQLite's integrity check


def copy_journal(source: sqlite3.Connection, target: Path) -> Copy:
    """Copy the journal open as ``source`` into the empty file ``target`` as one
    consistent snapshot (the whole copy is made inside a single read transaction), as a
    self-contained file (rollback journal, no ``-wal``), and check the copy. SQLite's
    errors while copying are raised as they are."""
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode = DELETE")
        damage = _damage(copy)
        return Copy(schema_version(copy), damage)
    finally:
        copy.close()


def copy_journal_bytes(source: sqlite3.Connection) -> tuple[bytes, Copy]:
    """:func:`copy_journal` into memory: the bytes of a self-contained SQLite file (for an
    encrypted backup, whose plaintext must never touch the disk), and its check."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    try:
        source.backup(copy, pages=-1)
        damage = _damage(copy)
        found = Copy(schema_version(copy), damage)
        data = bytearray(copy.serialize())
    finally:
        copy.close()
    # The file format bytes say "rollback journal" (1), not WAL (2): like the copy on disk,
    # the file needs no -wal beside it.
    if data[18:20] == b"\x02\x02":
        data[18:20] = b"\x01\x01"
    return bytes(data), found


def _damage(copy: sqlite3.Connection) -> Damage | None:
    try:
        verdict = list(integrity_check(copy))
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        verdict = []
    if verdict == ["ok"]:
        return None
    pages = tuple(sorted({int(n) for line in verdict for n in PAGE.findall(line)}))
    try:
        names = table_names(copy)
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        return Damage(None, pages)
    tables = []
    for name in names:
        try:
            lines = list(integrity_check(copy, table=name))
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            lines = []
        if lines != ["ok"]:
            tables.append(name)
    return Damage(tuple(tables), pages)
