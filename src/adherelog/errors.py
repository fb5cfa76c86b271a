"""Errors a patient can read. The CLI turns them into one line on stderr and an exit code.

Messages name the offending value but never carry health data from elsewhere.
"""

from __future__ import annotations

import signal


class AdherelogError(Exception):
    """A refusal or failure: exit code 1 unless a subclass says otherwise."""

    exit_code = 1


class UsageError(AdherelogError):
    """A value that cannot be understood (SPEC §1): exit code 2."""

    exit_code = 2


class NotFoundError(AdherelogError):
    """A medication, tip or record that does not exist."""


class ConflictError(AdherelogError):
    """The journal already holds something that forbids the change."""


class JournalBusyError(AdherelogError):
    """Another process held the journal's write lock for longer than the timeout."""


class NotAJournalError(AdherelogError):
    """The file is not an adherelog journal; it is left untouched."""


class NewerJournalError(AdherelogError):
    """The journal was written by a newer adherelog; it is left untouched."""


class InvalidFileError(AdherelogError):
    """An imported or read file that breaks its format's rules."""


class JournalDamagedError(AdherelogError):
    """SQLite found the journal damaged; the command stopped and wrote nothing."""


class Stopped(BaseException):
    """A stop signal (SIGTERM, SIGHUP) arrived: it unwinds like Ctrl-C, so open transactions
    roll back and temporary files are removed, and the command exits 128 + the signal's
    number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum

    def __str__(self) -> str:
        return f"Stopped by {signal.Signals(self.exit_code - 128).name}"
