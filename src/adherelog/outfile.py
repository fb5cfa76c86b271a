"""Writing a file named by ``-o FILE`` or ``backup PATH`` safely (SPEC §8, §9).

The file is never the journal or one of SQLite's files beside it, however it is spelled,
even with ``--force``; it is never reached through a symlink; an existing file is replaced
only with ``--force``; a missing folder is an error; the file is created 0600 and written through a
temporary file in the same folder and renamed into place, so a crash leaves either the old
file or the new one, never half of one.

A temporary is named ``.NAME.PID.RANDOM.tmp``. It is removed on any error or signal the
command survives; one left by a killed process (SIGKILL, a power cut) is removed by the next
write into the same folder. Failures of the file system are told in one sentence naming
the real cause (a full disk, a folder that is not writable).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from adherelog.errors import AdherelogError
from adherelog.storage import (
    SIDE_FILES,  # SQLite's files beside a database
    os_reason,
)
from adherelog.valueclass import dataclass

# .NAME.PID.RANDOM.tmp, and .plain.tmp for the decrypted copy of an age backup (restore).
TEMP_NAME = re.compile(r"\.(.+)\.([0-9]+)\.[0-9a-f]{8}(?:\.plain)?\.tmp(?:-journal|-wal|-shm)?")
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
# A process's start time is known to about a second (/proc/stat's boot time is whole
# seconds); a temporary is stale only when clearly older than the process with its PID.
START_SLACK_SECONDS = 2.0


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def no_space(target: Path) -> AdherelogError:
    """The sentence for a full disk (or an exhausted quota) met while writing ``target``."""
    return AdherelogError(f"No space left on the device to write {target}; nothing was written.")


def cause(exc: OSError) -> str:
    """What went wrong, in words: "no space left on the device" for a full disk or quota,
    else the system's own reason."""
    if exc.errno in NO_SPACE:
        return "no space left on the device"
    return os_reason(exc)


def write_failure(exc: OSError, target: Path) -> AdherelogError:
    """The one sentence for an ``OSError`` met while creating ``target`` (a file written
    through a temporary in its folder, or a folder): the real cause, never a traceback."""
    if exc.errno in NO_SPACE:
        return no_space(target)
    if exc.errno in NOT_WRITABLE:
        return AdherelogError(f"The folder {_folder(target)} is not writable.")
    return AdherelogError(f"Could not write {target} ({cause(exc)}); nothing was written.")


def refuse_journal(path: Path, journal: Path | None) -> None:
    """Refuse ``path`` when it is the journal or its ``-journal``, ``-wal`` or ``-shm``
    file, whatever spelling reaches it (``./``, ``..``, a linked folder: the real folder
    and the name are compared) or as another name of the same file (a hard link)."""
    if journal is None:
        return
    where = (os.path.realpath(_folder(path)), path.name)
    home = os.path.realpath(_folder(journal))
    try:
        info: os.stat_result | None = os.stat(path)
    except OSError:
        info = None
    for suffix in ("", *SIDE_FILES):
        name = journal.name + suffix
        same = where == (home, name)
        if not same and info is not None:
            try:
                own = os.stat(journal.with_name(name))
            except OSError:
                continue
            same = (info.st_dev, info.st_ino) == (own.st_dev, own.st_ino)
        if same:
            what = f"the journal's {suffix} file" if suffix else "the journal itself"
            raise AdherelogError(f"{path} is {what}; choose another file.")


def check_target(path: Path, *, force: bool, journal: Path | None) -> None:
    """Refuse the journal ``journal`` and its files (:func:`refuse_journal`), a symlink, a
    folder, a missing parent folder, or an existing file without ``force``."""
    refuse_journal(path, journal)
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise AdherelogError(
                f"{path} is a symbolic link; adherelog does not write through links."
            )
        if stat.S_ISDIR(info.st_mode):
            raise AdherelogError(f"{path} is a folder; give a file name.")
        if not force:
            raise AdherelogError(f"{path} already exists; use --force to replace it.")
        if not stat.S_ISREG(info.st_mode):
            raise AdherelogError(f"{path} is not a regular file; it was left alone.")
    _check_folder(path)


def _check_folder(path: Path) -> None:
    parent = _folder(path)
    if not parent.is_dir():
        raise AdherelogError(f"The folder {parent} does not exist.")


# --------------------------------------------------------------------------- stale temporaries


def _started(pid: int) -> float | None:
    """When process ``pid`` started, in seconds since the epoch, where ``/proc`` says."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        with open("/proc/stat", "rb") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith(b"btime"))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _maker_running(pid: int, written: float) -> bool:
    """Whether the process that wrote a temporary (last changed at ``written``) may still
    be running: its PID is alive and that process is not younger than the file."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, run by another user
    started = _started(pid)
    return started is None or written >= started - START_SLACK_SECONDS


def clear_stale_temps(folder: Path) -> None:
    """Remove the temporaries of ours in ``folder`` whose process is gone (or whose PID now
    belongs to a younger process). Only regular files of this user whose name has exactly
    our pattern are touched; anything that cannot be checked is left alone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        found = TEMP_NAME.fullmatch(name)
        if found is None:
            continue
        pid = int(found[2])
        if not 0 < pid < 2**31:
            continue
        path = folder / name
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            continue
        if not _maker_running(pid, info.st_mtime):
            with contextlib.suppress(OSError):
                path.unlink()


# --------------------------------------------------------------------------- writing


@dataclass
class Staged:
    """A temporary file being written (``tmp``) and the path it ends up at (``target``:
    for a numbered name, the name that was free when it was moved into place)."""

    tmp: Path
    target: Path


@contextlib.contextmanager
def staged(
    path: Path, *, force: bool, journal: Path | None, numbered: bool = False
) -> Iterator[Staged]:
    """A fresh temporary path beside ``path``; after the block it is made 0600 and moved
    into place, and whatever fails, it (and SQLite's files beside it) is removed. Every
    file adherelog writes passes here: ``path`` is never the journal ``journal`` or one of
    its files (:func:`refuse_journal`).

    With ``numbered``, ``path`` is a generated name that is never replaced: when it is
    taken, ``STEM-2.SUFFIX``, ``STEM-3.SUFFIX``… is used, chosen atomically so that
    writers at the same moment never collide. Stale temporaries in the folder are cleared
    first. File-system failures become one sentence naming ``path``."""
    if numbered:
        refuse_journal(path, journal)
        _check_folder(path)
    else:
        check_target(path, force=force, journal=journal)
    clear_stale_temps(_folder(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    work = Staged(tmp, path)
    try:
        yield work
        if tmp.exists():
            os.chmod(tmp, 0o600)
        if numbered:
            work.target = _place_numbered(tmp, path)
        else:
            _move_into_place(tmp, path, force=force, journal=journal)
    except OSError as exc:
        raise write_failure(exc, work.target) from None
    finally:
        for suffix in ("", *SIDE_FILES):
            with contextlib.suppress(OSError):
                os.unlink(f"{tmp}{suffix}")


@contextlib.contextmanager
def private_temp(path: Path, *, force: bool, journal: Path | None) -> Iterator[Path]:
    """:func:`staged` for writers that only need the temporary's name (``VACUUM INTO``,
    an export written as it is read)."""
    with staged(path, force=force, journal=journal) as work:
        yield work.tmp


def _place(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` unless that name exists (then FileExistsError): a
    hard link, or on file systems without them, claiming the name with ``O_EXCL`` and
    renaming over the claim."""
    try:
        os.link(tmp, path)
        return
    except FileExistsError:
        raise
    except OSError:
        pass
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    os.replace(tmp, path)


def _move_into_place(tmp: Path, path: Path, *, force: bool, journal: Path | None) -> None:
    check_target(path, force=force, journal=journal)
    if force:
        os.replace(tmp, path)
        return
    try:
        _place(tmp, path)  # fails if something appeared at ``path`` meanwhile
    except FileExistsError:
        raise AdherelogError(f"{path} already exists; use --force to replace it.") from None


def _place_numbered(tmp: Path, path: Path) -> Path:
    number = 1
    while True:
        candidate = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        try:
            _place(tmp, candidate)
        except FileExistsError:
            number += 1
            continue
        return candidate


def write_file(path: Path, data: str | bytes, *, force: bool, journal: Path | None) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` under the rules above."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with private_temp(path, force=force, journal=journal) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
