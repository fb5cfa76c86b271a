"""What kind of file this is, from its first bytes (pure: bytes in, a kind out).

Every command that reads a file a person names looks here first, so that a file of the
wrong kind gets a sentence pointing at the command that reads it (``restore`` for a
backup, ``tip import`` for a tip bundle, ``buddy import`` for a card) instead of a parse
error about byte 0xF6.
"""

from __future__ import annotations

import re
from enum import Enum

from adherelog.errors import InvalidFileError


class Kind(Enum):
    JOURNAL_EXPORT = "adherelog journal export"
    SQLITE = "SQLite database (an adherelog backup)"
    TIP_BUNDLE = "adherelog tip bundle"
    TIP_DIGEST = "adherelog tip digest"
    CARD = "adherelog buddy card"
    AGE = "age-encrypted file"
    MEDTIMER = "MedTimer JSON backup"
    LOOP_CSV = "Loop Habit Tracker CSV export"
    ZIP = "zip archive"
    UNKNOWN = "unknown"


SQLITE_HEADER = b"SQLite format 3\x00"
AGE_BINARY = b"age-encryption.org/v1"
AGE_ARMORED = b"-----BEGIN AGE ENCRYPTED FILE-----"
ZIP_HEADER = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"
_FORMAT = re.compile(rb'"format"\s*:\s*"(adherelog-[a-z-]+)"')
_FORMATS = {
    b"adherelog-journal": Kind.JOURNAL_EXPORT,
    b"adherelog-tips": Kind.TIP_BUNDLE,
    b"adherelog-tip-digest": Kind.TIP_DIGEST,
    b"adherelog-card": Kind.CARD,
}
# MedTimer's combined backup ("medicines", "events", "settings"), or one of its parts alone
# ({"version": N, "list": [...]}).
_MEDTIMER = re.compile(rb'\A\{\s*"(?:medicines|events|settings)"\s*:\s*\{|"list"\s*:\s*\[')
# Loop's Habits.csv and its Checkmarks.csv files.
_LOOP = re.compile(rb"\A(?:Position,Name,Type,|Date,Value,Notes\r?\n|Date,)")


def detect(head: bytes) -> Kind:
    """The kind of a file whose first bytes (a few KiB are plenty) are ``head``."""
    if head.startswith(SQLITE_HEADER):
        return Kind.SQLITE
    if head.startswith(AGE_BINARY):
        return Kind.AGE
    if head.startswith(ZIP_HEADER):
        return Kind.ZIP
    text = head.removeprefix(_BOM).lstrip()
    if text.startswith(AGE_ARMORED):
        return Kind.AGE
    if text.startswith(b"{"):
        found = _FORMAT.search(text)
        if found is not None:
            return _FORMATS.get(found.group(1), Kind.UNKNOWN)
        if _MEDTIMER.search(text):
            return Kind.MEDTIMER
        return Kind.UNKNOWN
    if _LOOP.match(text):
        return Kind.LOOP_CSV
    return Kind.UNKNOWN


def _age(shown: str) -> InvalidFileError:
    # The encryption work replaces this with decryption (SPEC §8 "Encrypted copies").
    return InvalidFileError(
        f"{shown} is an age-encrypted file; this adherelog cannot decrypt it yet. Decrypt it "
        "with the age tool first."
    )


# For each kind a command does not read: the command that does.
POINTERS = {
    Kind.SQLITE: "use 'adherelog restore {file}' to bring a backup back",
    Kind.JOURNAL_EXPORT: "use 'adherelog import {file}' to merge an export",
    Kind.TIP_BUNDLE: "use 'adherelog tip import {file}' to read its tips",
    Kind.TIP_DIGEST: "a tip digest is read by 'adherelog tip digest'",
    Kind.CARD: "use 'adherelog buddy import {file}' to read a buddy's card",
    Kind.MEDTIMER: "use 'adherelog import --from medtimer {file}'",
    Kind.LOOP_CSV: "use 'adherelog import --from loop {file}'",
    Kind.ZIP: "a Loop Habit Tracker export is read by 'adherelog import --from loop {file}'",
}


def expect(kind: Kind, wanted: frozenset[Kind], shown: str, what: str) -> None:
    """Refuse a file of ``kind`` where one of ``wanted`` is read, pointing at the command
    that reads it. An unknown kind passes: the reader's own checks name what is wrong."""
    if kind in wanted or kind is Kind.UNKNOWN:
        return
    if kind is Kind.AGE:
        raise _age(shown)
    pointer = POINTERS.get(kind)
    hint = f"; {pointer.format(file=shown)}" if pointer else ""
    raise InvalidFileError(f"{shown} is {_article(kind.value)}, not {what}{hint}.")


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiouAEIOU" or noun.startswith("SQLite") else "a ") + noun
