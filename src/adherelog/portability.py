"""The journal as a file (SPEC §8): what ``export`` and ``import`` call.

The work is done by :mod:`adherelog.export` (the journal → a JSON or CSV document) and
:mod:`adherelog.importing` (check a document, stage it, merge it by key); the limits every
imported value is checked against are :mod:`adherelog.rules`'. This module reads the file
an import is given (:func:`read_input`), the one place a new kind of input hooks in, and
names the rest for the command line.
"""

from __future__ import annotations

import sys
from typing import Any

from adherelog.errors import AdherelogError, InvalidFileError
from adherelog.export import (
    CSV_COLUMNS,
    DERIVED_TABLES,
    EXPORTED_TABLES,
    EXPORTERS,
    FORMAT,
    VERSION,
    Exporter,
    Progress,
    csv_cell,
    export_file,
    journal_tables,
    unclassified_tables,
    write_csv,
    write_json,
)
from adherelog.importing import (
    MAX_BYTES,
    Conflict,
    ImportResult,
    Staged,
    import_journal,
    merge,
    read_export,
    row_problems,
)
from adherelog.text import printable

__all__ = [
    "CSV_COLUMNS",
    "DERIVED_TABLES",
    "EXPORTED_TABLES",
    "EXPORTERS",
    "FORMAT",
    "MAX_BYTES",
    "VERSION",
    "Conflict",
    "Exporter",
    "ImportResult",
    "Progress",
    "Staged",
    "csv_cell",
    "export_file",
    "import_journal",
    "journal_tables",
    "merge",
    "read_export",
    "read_input",
    "row_problems",
    "unclassified_tables",
    "write_csv",
    "write_json",
]


def read_input(path: str, stdin: Any = None) -> bytes:
    """The bytes of an import file (``-`` for standard input), refusing more than
    :data:`MAX_BYTES` before reading it all."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data: bytes = stream.read(MAX_BYTES + 1)
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise AdherelogError(f"No file named {printable(path)}.") from None
        except IsADirectoryError:
            raise AdherelogError(f"{printable(path)} is a folder, not an export file.") from None
        except OSError as exc:
            raise AdherelogError(
                f"Cannot read {printable(path)} ({exc.strerror or 'error'})."
            ) from None
    if len(data) > MAX_BYTES:
        raise InvalidFileError(
            f"The file is larger than {MAX_BYTES} bytes (256 MiB), the limit for an export."
        )
    return data
