"""Where the journal lives (SPEC §1): ``--db``, else ``ADHERELOG_DB``, else the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from adherelog.errors import UsageError


def journal_path(option: str | None = None) -> Path:
    """The journal file chosen by the global ``--db`` option, the environment or the default.
    An empty ``--db`` is refused: it names no file (a script's unset variable), and the
    journal it would fall back to is another one."""
    if option is not None:
        if not option:
            raise UsageError("--db '' names no file; give the journal's path.")
        return Path(option).expanduser()
    env = os.environ.get("ADHERELOG_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs  # imported only when the default location is needed

    return platformdirs.user_data_path("adherelog") / "journal.db"
