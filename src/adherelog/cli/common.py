"""What every command shares: settings, opening the journal, the one place errors exit."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from adherelog.cli import Stopped
from adherelog.errors import AdherelogError, UsageError
from adherelog.journal import Journal

PROG = "adherelog"


@dataclass
class Settings:
    """Global options: ``--db`` and ``--json``."""

    db: str | None = None
    json: bool = False


def error(text: str) -> None:
    """One plain sentence on stderr."""
    from adherelog.text import one_line

    sys.stderr.write(f"{PROG}: {one_line(text)}\n")


@contextlib.contextmanager
def open_journal(settings: Settings, *, write: bool) -> Iterator[Journal]:
    """The journal chosen by ``--db``/``ADHERELOG_DB``/the default, with the fixed clock."""
    from adherelog import clock, paths, storage

    zone = clock.local_zone()
    now = clock.now(zone)
    path = paths.journal_path(settings.db)
    store = storage.open_store(path, write=write)
    try:
        yield Journal(store, now, zone)
    except sqlite3.DatabaseError as exc:
        raise storage.diagnose(exc, store.path) from None
    finally:
        store.close()


def _os_failure(exc: OSError) -> str:
    """One sentence for a file-system failure that no writer turned into its own sentence
    (writers of files name their target: :func:`outfile.write_failure`)."""
    from adherelog.outfile import NO_SPACE

    if exc.errno in NO_SPACE:
        return "No space left on the device; the command stopped."
    reason = exc.strerror or type(exc).__name__
    where = f": {exc.filename}" if exc.filename else ""
    return f"{reason}{where}; the command stopped."


def guarded(action: Callable[[], None]) -> int:
    """Run ``action`` and turn every failure into a sentence on stderr and an exit code.

    This is the only place where errors leave adherelog: no traceback, no local variables.
    """
    try:
        action()
    except AdherelogError as exc:
        error(str(exc))
        return exc.exit_code
    except sqlite3.DatabaseError as exc:
        from adherelog.storage import diagnose

        failure = diagnose(exc, None)
        error(str(failure))
        return failure.exit_code
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush
        return 1
    except OSError as exc:
        error(_os_failure(exc))
        return 1
    except KeyboardInterrupt:
        error("Interrupted; nothing was written.")
        return 130
    except Stopped as exc:
        error(str(exc))
        return exc.exit_code
    except Exception as exc:
        if os.environ.get("ADHERELOG_DEBUG"):
            raise
        error(
            f"Unexpected internal error ({type(exc).__name__}); nothing was written. "
            "Run again with ADHERELOG_DEBUG=1 to see the details."
        )
        return 1
    return 0


def moment(journal: Journal, text: str | None, option: str) -> datetime | None:
    """Parse a ``--at``-style value against the journal's clock (SPEC §2)."""
    if text is None:
        return None
    from adherelog.timeparse import parse_moment

    try:
        return parse_moment(text, journal.now).at
    except UsageError as exc:
        raise UsageError(f"{option}: {exc}") from None


def until(journal: Journal, text: str | None, option: str) -> datetime | None:
    """Parse an ``--until`` value: a bare date includes that whole day."""
    if text is None:
        return None
    from adherelog.timeparse import parse_moment, until_moment

    try:
        return until_moment(parse_moment(text, journal.now))
    except UsageError as exc:
        raise UsageError(f"{option}: {exc}") from None


def day(journal: Journal, text: str | None, option: str) -> date | None:
    """Parse a DATE option (``--start``, ``--end``, ``--from``): the local date it names."""
    found = moment(journal, text, option)
    return None if found is None else found.date()


def deliver(
    document: str | bytes,
    output: str | None,
    *,
    force: bool,
    what: str,
    announce_stdout: bool = False,
) -> None:
    """Print a document on stdout, or write it to ``output`` under the ``-o`` rules
    (SPEC §8), and say on stderr what was written where (for stdout only when
    ``announce_stdout``: exports of tips always say how many they wrote)."""
    from adherelog.output import message
    from adherelog.text import one_line

    if output is None:
        if isinstance(document, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(document)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(document)
            sys.stdout.flush()
        if announce_stdout:
            message(f"Wrote {what} to stdout.")
        return
    from pathlib import Path

    from adherelog.outfile import write_file

    write_file(Path(output), document, force=force)
    message(f"Wrote {what} to {one_line(output)}.")
