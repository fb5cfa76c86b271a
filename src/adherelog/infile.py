"""Reading a file a person names (``import FILE``, ``tip import FILE``, ``restore BACKUP``,
``import --from medtimer FILE``): one wording for a missing file, a folder or a file that
cannot be read, whichever command reads it (SPEC §1: one plain sentence naming the value).

``-`` is standard input where a command allows it. Nothing here parses a file.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from adherelog.errors import AdherelogError, InvalidFileError, NotFoundError, UsageError
from adherelog.text import printable

STDIN = "-"
HEAD_BYTES = 4096


def missing(path: str | os.PathLike[str]) -> NotFoundError:
    """The one sentence for a file that is not there."""
    return NotFoundError(f"There is no file {printable(str(path))}.")


def empty_name() -> UsageError:
    """The one sentence for an empty file name (a script's unset variable)."""
    return UsageError("'' names no file; give the file's path.")


def _not_regular(path: str | os.PathLike[str]) -> InvalidFileError:
    return InvalidFileError(
        f"{printable(str(path))} is not a regular file (a device, FIFO or socket); name a file."
    )


def _open(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for reading once it is known to be a regular file: a device, a FIFO
    nobody writes to or a socket is refused at once, never opened (which could hang) or
    read without end."""
    if not str(path):
        raise empty_name()
    try:
        found = os.stat(path)
        if stat.S_ISDIR(found.st_mode):
            raise AdherelogError(f"{printable(str(path))} is a folder, not a file.")
        if not stat.S_ISREG(found.st_mode):
            raise _not_regular(path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise missing(path) from None
    except IsADirectoryError:
        raise AdherelogError(f"{printable(str(path))} is a folder, not a file.") from None
    except OSError as exc:
        raise AdherelogError(
            f"Cannot read {printable(str(path))} ({exc.strerror or type(exc).__name__})."
        ) from None
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the check
        handle.close()
        raise _not_regular(path)
    return handle


def check_readable(path: str | os.PathLike[str]) -> Path:
    """``path`` as a :class:`Path` once it is known to be a file that can be opened."""
    with _open(path):
        pass
    if Path(path).is_dir():
        raise AdherelogError(f"{printable(str(path))} is a folder, not a file.")
    return Path(path)


def head(path: str, size: int = HEAD_BYTES, stdin: BinaryIO | None = None) -> bytes:
    """The first ``size`` bytes of ``path`` (for ``-``, peeked from standard input without
    consuming them when the stream allows it; else empty)."""
    if path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        peek = getattr(stream, "peek", None)
        return bytes(peek(size)[:size]) if peek is not None else b""
    with _open(path) as handle:
        return handle.read(size)


def read_all(path: str, limit: int, what: str, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of ``path`` (``-``: standard input), refusing more than ``limit`` bytes
    before reading them all. ``what`` names the kind of file in the refusal."""
    if path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(limit + 1)
    else:
        with _open(path) as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        shown = "The input" if path == STDIN else printable(path)
        raise InvalidFileError(
            f"{shown} is larger than {limit // (1024 * 1024)} MiB, the most {what} may be; "
            "nothing was imported."
        )
    return data
