"""The ``adherelog`` command. :func:`main` is the console script's entry point."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from adherelog.errors import Stopped

# Signals that end adherelog the way Ctrl-C does: closing the terminal, ``timeout``, a
# service manager's stop.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def _handle_stop_signals() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Stopped`, except where they were ignored on
    purpose (``nohup``)."""
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _stop)


def main(argv: Sequence[str] | None = None) -> int:
    """Run adherelog with ``argv`` (default: the process arguments); return the exit code."""
    _handle_stop_signals()
    _forget_earlier_runs()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if not os.environ.get("ADHERELOG_NO_FAST_PATH"):
            from adherelog.cli.dispatch import try_run

            code = try_run(args)
            if code is not None:
                return code
        from adherelog.cli.app import run_app

        return run_app(args)
    except Stopped as stop:  # before or after a command's own work
        from adherelog.cli.common import stopped

        return stopped(str(stop), stop.exit_code)


def _forget_earlier_runs() -> None:
    """What an earlier :func:`main` in this process noted about its command (tests run many)."""
    for name, attribute in (("adherelog.storage", "SAVED"), ("adherelog.cli.common", "FINISHED")):
        module = sys.modules.get(name)
        if module is not None:
            getattr(module, attribute).clear()
