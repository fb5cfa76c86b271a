"""``remind install`` and ``remind uninstall``: a systemd user service and timer that run a
reminder pass every few minutes, or the crontab line that does the same (SPEC §13).

The units name this ``adherelog`` and this journal by absolute path, and hold no secret
(the channels stay in the journal). The pass's output (it may name medications) is not
kept in the system log: the service sends stdout to ``/dev/null``; stderr, where a failed
channel is reported without any health data, goes to the user's journal.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from pathlib import Path

from adherelog.errors import AdherelogError, UsageError
from adherelog.outfile import cause
from adherelog.valueclass import dataclass

SERVICE = "adherelog-remind.service"
TIMER = "adherelog-remind.timer"
WANTS = "timers.target.wants"
ENABLE = f"systemctl --user enable --now {TIMER}"
DISABLE = f"systemctl --user disable --now {TIMER}"
DEFAULT_EVERY = 5
UNIT_MODE = 0o644


@dataclass(frozen=True)
class Installed:
    """What ``remind install`` wrote (or, with ``--cron``, the line to add)."""

    every: int
    command: list[str]
    service: Path | None = None
    timer: Path | None = None
    cron: str | None = None
    replaced: bool = False


@dataclass(frozen=True)
class Removed:
    removed: list[Path]


def unit_folder() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (default ``~/.config``)."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "systemd" / "user"


def executable() -> list[str]:
    """The command that runs this adherelog: its ``adherelog`` script when there is one,
    else this interpreter with ``-m adherelog``; absolute paths."""
    candidates = []
    if sys.argv and Path(sys.argv[0]).name == "adherelog":
        candidates.append(Path(sys.argv[0]))
    candidates.append(Path(sys.executable).with_name("adherelog"))
    for found in candidates:
        path = Path(os.path.abspath(found))
        if path.is_file() and os.access(path, os.X_OK):
            return [str(path)]
    return [os.path.abspath(sys.executable), "-m", "adherelog"]


def pass_command(journal: Path) -> list[str]:
    """The reminder pass on ``journal`` (absolute)."""
    return [*executable(), "--db", os.path.abspath(journal), "remind"]


def _check_plain(command: list[str]) -> None:
    for part in command:
        bad = next((ch for ch in part if ord(ch) < 0x20 or ord(ch) == 0x7F), None)
        if bad is not None:
            raise UsageError(
                f"The path '{part.encode('unicode_escape').decode()}' holds a control "
                "character; a timer cannot name it."
            )


def _systemd_word(word: str) -> str:
    """One ExecStart word, quoted for systemd: specifiers (%) and variables ($) taken
    literally."""
    escaped = word.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("%", "%%").replace("$", "$$") + '"'


def _calendar(every: int) -> str:
    """``OnCalendar`` every ``every`` minutes (1-60) from the top of each hour."""
    return "*-*-* *:00:00" if every == 60 else f"*-*-* *:00/{every}:00"


def service_text(command: list[str]) -> str:
    return (
        "[Unit]\n"
        "Description=adherelog: one reminder pass (doses due, low supplies)\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={' '.join(_systemd_word(w) for w in command)}\n"
        "# What was sent may name medications: kept out of the system log.\n"
        "StandardOutput=null\n"
        "SyslogIdentifier=adherelog-remind\n"
    )


def timer_text(every: int) -> str:
    return (
        "[Unit]\n"
        f"Description=adherelog reminders every {every} minutes\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={_calendar(every)}\n"
        "Persistent=true\n"
        "AccuracySec=30s\n"
        f"Unit={SERVICE}\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def cron_line(command: list[str], every: int) -> str:
    """A crontab line for the pass: its output thrown away, the desktop reached through
    this user's session bus."""
    minutes = "0" if every == 60 else f"*/{every}"
    words = " ".join(shlex.quote(w) for w in command).replace("%", "\\%")
    bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{os.getuid()}/bus"
    return f"{minutes} * * * * {bus} {words} >/dev/null"


def _staged_unit(path: Path, text: str) -> Path:
    """A temporary file beside ``path`` holding ``text`` in full (mode 0644), to be renamed
    over it; removed again when it cannot be written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, UNIT_MODE)
        try:
            os.fchmod(fd, UNIT_MODE)
            os.write(fd, text.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def install(journal: Path, every: int, *, cron: bool) -> Installed:
    """Write (or replace) the service and timer, or with ``cron`` only make the line. Both
    are written in full beside their places before either replaces what is there: a
    failure (a full disk, a read-only folder) leaves the units as they were."""
    command = pass_command(journal)
    _check_plain(command)
    if cron:
        return Installed(every, command, cron=cron_line(command, every))
    folder = unit_folder()
    service, timer = folder / SERVICE, folder / TIMER
    replaced = service.exists() or timer.exists()
    for path in (service, timer):
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise AdherelogError(f"{path} is not a plain file; it was left untouched.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise AdherelogError(f"{folder} is not a folder; no unit was written.") from None
    except OSError as exc:
        raise AdherelogError(
            f"Cannot make the folder {folder}: {cause(exc)}; no unit was written."
        ) from None
    staged: list[tuple[Path, Path]] = []
    path, renamed = service, 0
    try:
        for path, text in ((service, service_text(command)), (timer, timer_text(every))):
            staged.append((_staged_unit(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
            renamed += 1
    except BaseException as exc:  # a stop signal too: no temporary file is left
        for tmp, _ in staged[renamed:]:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise
        left = "; the units were left as they were" if renamed == 0 else ""
        raise AdherelogError(f"Cannot write {path}: {cause(exc)}{left}.") from None
    return Installed(every, command, service=service, timer=timer, replaced=replaced)


def uninstall() -> Removed:
    """Remove the service, the timer and the link ``systemctl enable`` made."""
    folder = unit_folder()
    removed: list[Path] = []
    link = folder / WANTS / TIMER
    if link.is_symlink():
        link.unlink()
        removed.append(link)
    for path in (folder / TIMER, folder / SERVICE):
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed.append(path)
    return Removed(removed)
