"""What every command shares: settings, opening the journal, the one place errors exit, and
the one wrapper every command runs in (settings → open → run → JSON or lines → exit code).

Typer-free: the start-up dispatcher (:mod:`adherelog.cli.dispatch`) runs commands through it
without importing Typer, Click or Rich."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from adherelog.errors import AdherelogError, Stopped, UsageError
from adherelog.output import Line, emit_json, message, write_lines
from adherelog.valueclass import dataclass, field, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.journal import Journal
    from adherelog.session import Session

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
def open_session(settings: Settings, *, write: bool, scratch: bool = False) -> Iterator[Session]:
    """The journal chosen by ``--db``/``ADHERELOG_DB``/the default, with the fixed clock, as
    the plain :class:`Session` the features take (the hot commands need no more); with
    ``scratch``, a copy in memory that a dry run may change (:func:`storage.open_store`)."""
    # Imported here: the Typer tree, --help and the dispatcher's parsing never need them.
    from adherelog import clock, paths, storage
    from adherelog.session import Session

    zone = clock.local_zone()
    now = clock.now(zone)
    path = paths.journal_path(settings.db)
    store = storage.open_store(path, write=write, scratch=scratch)
    session = Session(store, now, zone)
    if write:
        store.before_commit = lambda conn: _keep_streak_state(session)
    try:
        yield session
    except sqlite3.DatabaseError as exc:
        diagnosed = storage.diagnose(exc, store.path)  # while the journal is still there
        # The frames of the failure hold its cursors; while they live, SQLite keeps the
        # connection open after close and leaves its -wal and -shm files behind.
        import traceback

        traceback.clear_frames(exc.__traceback__)
        store.close_failed()
        raise diagnosed from None
    except BaseException:
        store.close_failed()  # a journal this failing command created is removed again
        raise
    finished()  # the work on the journal is done and saved: it is closed next
    store.close()


@contextlib.contextmanager
def open_journal(settings: Settings, *, write: bool, scratch: bool = False) -> Iterator[Journal]:
    """:func:`open_session`, as a :class:`Journal` with one method per command."""
    with open_session(settings, write=write, scratch=scratch) as session:
        yield as_journal(session)


def as_journal(session: Session) -> Journal:
    """``session`` as a :class:`Journal`, for the features that ask for one."""
    # Imported here: it loads every feature module, which the hot commands do not need.
    from adherelog.journal import Journal

    if isinstance(session, Journal):
        return session
    return Journal(session.store, session.now, session.zone)


def _keep_streak_state(session: Session) -> None:
    """Before a write commits: when the kept streak state is behind (the first write of a
    day, or a change to a settled day), bring it up to date, so that reading commands fold
    only a few days and never need to write."""
    from adherelog.storage.streak_cache import streak_state_current

    if streak_state_current(session.conn, session.now):
        return
    # Imported here: most writes (take, skip) find the state current and never need it.
    from adherelog import summary

    summary.keep_streaks(as_journal(session))


def unsealer(settings: Settings, what: str) -> Callable[[bytes], bytes]:
    """Decrypt an age file given to ``import``, ``tip import`` or ``restore`` with this
    journal's own key (read, never made) or a passphrase (SPEC §8)."""

    def unseal(data: bytes) -> bytes:
        from adherelog import buddies

        with open_session(settings, write=False) as session:
            return buddies.decrypt_if_age(session.conn, data, what=what)

    return unseal


def _os_failure(exc: OSError) -> str:
    """One sentence for a file-system failure that no writer turned into its own sentence
    (writers of files name their target: :func:`outfile.write_failure`)."""
    from adherelog.outfile import NO_SPACE, cause

    if FINISHED and exc.filename is None:
        # The command's work is done: what failed is the report, on stdout or stderr.
        storage = sys.modules.get("adherelog.storage")
        saved = "; the change was saved" if storage is not None and storage.SAVED else ""
        return f"The report could not be written ({cause(exc)}){saved}."
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
        return stopped("Interrupted", 130)
    except Stopped as exc:
        return stopped(str(exc), exc.exit_code)
    except Exception as exc:
        if os.environ.get("ADHERELOG_DEBUG"):
            raise
        error(
            f"Unexpected internal error ({type(exc).__name__}); nothing was written. "
            "Run again with ADHERELOG_DEBUG=1 to see the details."
        )
        return 1
    finally:
        # Once a failure is handled its traceback, and the cursors it kept open, are gone:
        # only then can the files a read made beside the journal be removed.
        storage = sys.modules.get("adherelog.storage")
        if storage is not None:
            storage.tidy_side_files()
    return 0


def _no_warnings() -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Shown:
    """What a command shows: its JSON document for ``--json``, else its lines (each built
    only when it is the one shown), then any warnings for stderr, and its exit code."""

    json: Callable[[], object]
    lines: Callable[[], Iterable[Line]]
    warnings: Callable[[], Iterable[str]] = field(default=_no_warnings)
    code: int = 0

    def ready(self, settings: Settings) -> Shown:
        """This, with what ``settings`` will show built now, while the journal is open."""
        warnings = list(self.warnings())
        if settings.json:
            document = self.json()
            return replace(self, json=lambda: document, warnings=lambda: warnings)
        lines = list(self.lines())
        return replace(self, lines=lambda: lines, warnings=lambda: warnings)


def show(settings: Settings, shown: Shown | None) -> int:
    """Print ``shown`` as ``settings`` ask and return its exit code (None: already printed)."""
    if shown is None:
        return 0
    if settings.json:  # stdout holds the document alone; warnings go to stderr (SPEC §1)
        emit_json(shown.json())
    else:
        write_lines(shown.lines())
    for warning in shown.warnings():
        message(f"warning: {warning}")
    return shown.code


FINISHED: list[int] = []
"""Not empty once the running command's work is done (its change, if any, saved), with the
exit code it is to end with: what is left, closing the journal and printing the report,
is no reason for a stop signal to say that the change was not made (:func:`stopped`)."""


def stopped(what: str, code: int) -> int:
    """Say how a stop (Ctrl-C, SIGTERM, SIGHUP: ``what``, exit ``code``) left the journal;
    the exit code. Before any change was saved: nothing was written. After the command's
    work was done and its change saved, the command is done (its own exit code): only its
    report is missing. In between (a command that saves in steps), what was saved stays."""
    storage = sys.modules.get("adherelog.storage")
    saved = storage is not None and bool(storage.SAVED)
    if saved and FINISHED:
        error(f"{what} once the change was saved; only the report was not shown.")
        return FINISHED[-1]
    if saved:
        error(f"{what} after the journal was changed; what was saved stays.")
        return code
    error(f"{what}; nothing was written.")
    return code


def finished(code: int = 0) -> None:
    """Note that the running command's work is done, to end with ``code`` (see
    :data:`FINISHED`)."""
    FINISHED.append(code)


def command(settings: Settings, work: Callable[[], Shown | None]) -> int:
    """The one wrapper of every command: run ``work``, show what it returns as ``settings``
    ask, and give the exit code (errors leave through :func:`guarded`)."""
    code = 0

    def run() -> None:
        nonlocal code
        shown = work()
        finished(0 if shown is None else shown.code)
        code = show(settings, shown)

    return guarded(run) or code


def journal_command(
    settings: Settings, work: Callable[[Journal], Shown | None], *, write: bool
) -> int:
    """:func:`command` for ``work`` on the journal, opened for writing or for reading."""
    return session_command(settings, lambda session: work(as_journal(session)), write=write)


def session_command(
    settings: Settings, work: Callable[[Session], Shown | None], *, write: bool
) -> int:
    """:func:`journal_command` for ``work`` that needs only a :class:`Session`."""

    def run() -> Shown | None:
        with open_session(settings, write=write) as session:
            shown = work(session)
            return None if shown is None else shown.ready(settings)

    return command(settings, run)


def moment(session: Session, text: str | None, option: str) -> datetime | None:
    """Parse a ``--at``-style value against the journal's clock (SPEC §2)."""
    if text is None:
        return None
    from adherelog.timeparse import parse_moment

    try:
        return parse_moment(text, session.now).at
    except UsageError as exc:
        raise UsageError(f"{option}: {exc}") from None


def until(session: Session, text: str | None, option: str) -> datetime | None:
    """Parse an ``--until`` value: a bare date includes that whole day."""
    if text is None:
        return None
    from adherelog.timeparse import parse_moment, until_moment

    try:
        return until_moment(parse_moment(text, session.now))
    except UsageError as exc:
        raise UsageError(f"{option}: {exc}") from None


def day(session: Session, text: str | None, option: str) -> date | None:
    """Parse a DATE option (``--start``, ``--end``, ``--from``): the local date it names."""
    found = moment(session, text, option)
    return None if found is None else found.date()


def deliver(
    document: str | bytes,
    output: str | None,
    settings: Settings,
    *,
    force: bool,
    what: str,
    announce_stdout: bool = False,
) -> None:
    """Print a document on stdout, or write it to ``output`` under the ``-o`` rules
    (SPEC §8; never onto the journal ``settings`` choose, nor its files), and say on
    stderr what was written where (for stdout only when ``announce_stdout``: exports of
    tips always say how many they wrote)."""
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
    from adherelog.paths import journal_path

    write_file(Path(output), document, force=force, journal=journal_path(settings.db))
    message(f"Wrote {what} to {one_line(output)}.")
