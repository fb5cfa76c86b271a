"""The temporary folder SQLite writes to, as named in a full-disk message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adherelog import storage


def test_sqlite_keeps_its_temporary_files_where_its_vfs_looks_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(first))
    monkeypatch.setenv("TMPDIR", str(second))
    assert storage.sqlite_temp_folder() == str(first)
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp_path / "missing"))
    assert storage.sqlite_temp_folder() == str(second)
    monkeypatch.delenv("SQLITE_TMPDIR")
    monkeypatch.delenv("TMPDIR")
    # Without either, SQLite's unix VFS tries /var/tmp before /tmp (Python's tempfile tries
    # /tmp first).
    var_tmp = "/var/tmp"  # noqa: S108 (only compared)
    if not (os.path.isdir(var_tmp) and os.access(var_tmp, os.W_OK | os.X_OK)):
        pytest.skip("this machine has no writable /var/tmp")
    assert storage.sqlite_temp_folder() == var_tmp
