"""Writing a file named by ``-o FILE`` safely (SPEC §8).

The file is never reached through a symlink; an existing file is replaced only with
``--force``; a missing folder is an error; the file is created 0600 and written through a
temporary file in the same folder and renamed into place, so a crash leaves either the old
file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from adherelog.errors import AdherelogError


def check_target(path: Path, *, force: bool) -> None:
    """Refuse a symlink, a folder, a missing parent folder, or an existing file without
    ``force``."""
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
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AdherelogError(f"The folder {parent} does not exist.")


@contextlib.contextmanager
def private_temp(path: Path, *, force: bool) -> Iterator[Path]:
    """A fresh 0600 temporary path beside ``path``; after the block it is moved into place
    (and removed if the block fails). For writers that need a file name (``VACUUM INTO``)."""
    check_target(path, force=force)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, 0o600)
        _move_into_place(tmp, path, force=force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _move_into_place(tmp: Path, path: Path, *, force: bool) -> None:
    check_target(path, force=force)
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if something appeared at ``path`` meanwhile
    except FileExistsError:
        raise AdherelogError(f"{path} already exists; use --force to replace it.") from None
    except OSError:
        # File systems without hard links: a final existence check, then rename.
        if os.path.lexists(path):
            raise AdherelogError(f"{path} already exists; use --force to replace it.") from None
        os.replace(tmp, path)


def write_file(path: Path, data: str | bytes, *, force: bool) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` under the rules above."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with private_temp(path, force=force) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
