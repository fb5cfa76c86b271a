"""The ``adherelog`` command. :func:`main` is the console script's entry point."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run adherelog with ``argv`` (default: the process arguments); return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not os.environ.get("ADHERELOG_NO_FAST_PATH"):
        from adherelog.cli.dispatch import try_run

        code = try_run(args)
        if code is not None:
            return code
    from adherelog.cli.app import run_app

    return run_app(args)
