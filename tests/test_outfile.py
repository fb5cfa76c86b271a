"""The ``-o FILE`` rules (SPEC §8) for every command that writes a file, and outfile.py."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TextIO

import pytest

from adherelog import outfile, portability
from adherelog.errors import AdherelogError
from adherelog.journal import Journal
from helpers import invoke, ok, one_error_line, run

# Each command that takes -o FILE, with its arguments.
WRITERS = {
    "export json": ["export"],
    "export csv": ["export", "--format", "csv"],
    "report md": ["report"],
    "report html": ["report", "--format", "html"],
    "calendar": ["calendar"],
    "fhir": ["fhir"],
}
COMMANDS = sorted(WRITERS)


@pytest.fixture(autouse=True)
def some_data() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "metformin", "--at", "08:05")


def leftovers(folder: Path) -> list[str]:
    """Temporary files left in ``folder`` (they start with a dot)."""
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


@pytest.mark.parametrize("name", COMMANDS)
def test_a_symlink_is_refused_even_with_force(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "out"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    for target in (link, dangling):
        for extra in ([], ["--force"]):
            result = invoke(*WRITERS[name], "-o", str(target), *extra)
            assert result.exit_code == 1
            assert "symbolic link" in one_error_line(result.stderr)
            assert result.stdout == ""
    assert victim.read_text() == "keep me"
    assert link.is_symlink()
    assert not (tmp_path / "nowhere.txt").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_an_existing_file_needs_force_and_is_then_replaced(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out"
    target.write_text("old")
    os.chmod(target, 0o644)
    refused = invoke(*WRITERS[name], "-o", str(target))
    assert refused.exit_code == 1
    assert "already exists; use --force to replace it" in one_error_line(refused.stderr)
    assert target.read_text() == "old"
    replaced = invoke(*WRITERS[name], "-o", str(target), "--force")
    assert replaced.exit_code == 0, replaced.stderr
    assert replaced.stderr.startswith("Wrote ")
    assert target.read_bytes() == invoke(*WRITERS[name]).stdout_bytes
    assert target.stat().st_mode & 0o777 == 0o600
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_a_missing_folder_is_refused(tmp_path: Path, name: str) -> None:
    result = invoke(*WRITERS[name], "-o", str(tmp_path / "no" / "such" / "out"))
    assert result.exit_code == 1
    assert f"The folder {tmp_path / 'no' / 'such'} does not exist." in one_error_line(result.stderr)
    folder = invoke(*WRITERS[name], "-o", str(tmp_path))
    assert folder.exit_code == 1
    assert "is a folder" in one_error_line(folder.stderr)


@pytest.mark.parametrize("name", ["export json", "calendar", "fhir", "report html"])
def test_files_are_created_0600_under_umask_022(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out"
    result = run(*WRITERS[name], "-o", str(target), umask=0o022)
    assert result.returncode == 0, result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert leftovers(tmp_path) == []


def test_backup_files_are_0600_under_umask_022(tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    result = run("backup", str(target), umask=0o022)
    assert result.returncode == 0, result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert leftovers(tmp_path) == []


def test_a_failure_while_writing_leaves_neither_the_file_nor_a_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(journal: Journal, out: TextIO, progress: object = None) -> None:
        out.write("{ half a document")
        raise AdherelogError("The disk is full.")

    monkeypatch.setitem(portability.EXPORTERS, "json", broken)
    target = tmp_path / "journal.json"
    result = invoke("export", "-o", str(target))
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == "adherelog: The disk is full."
    assert not target.exists()
    assert leftovers(tmp_path) == []
    target.write_text("the old export")
    result = invoke("export", "-o", str(target), "--force")
    assert result.exit_code == 1
    assert target.read_text() == "the old export"
    assert leftovers(tmp_path) == []


# --- outfile.py directly ----------------------------------------------------------------------


def test_write_file_creates_a_private_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    outfile.write_file(target, "héllo", force=False, journal=None)
    assert target.read_bytes() == "héllo".encode()
    assert target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(AdherelogError, match="already exists"):
        outfile.write_file(target, b"again", force=False, journal=None)
    outfile.write_file(target, b"again", force=True, journal=None)
    assert target.read_bytes() == b"again"
    assert leftovers(tmp_path) == []


def test_private_temp_removes_its_file_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    seen: list[Path] = []

    def fail_while_writing() -> None:
        with outfile.private_temp(target, force=False, journal=None) as tmp:
            tmp.write_bytes(b"partial")
            seen.append(tmp)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_while_writing()
    assert seen[0].parent == tmp_path
    assert not seen[0].exists()
    assert not target.exists()


def test_a_file_that_appears_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "c.txt"

    def race() -> None:
        with outfile.private_temp(target, force=False, journal=None) as tmp:
            tmp.write_bytes(b"mine")
            target.write_bytes(b"someone else's")

    with pytest.raises(AdherelogError, match="already exists"):
        race()
    assert target.read_bytes() == b"someone else's"
    assert leftovers(tmp_path) == []


def test_export_streams_to_stdout_without_touching_files(tmp_path: Path) -> None:
    before = sorted(os.listdir(tmp_path))
    out = io.StringIO()
    from adherelog.cli.common import Settings, open_journal

    with open_journal(Settings(), write=False) as journal:
        portability.write_json(journal, out)
    assert out.getvalue().startswith('{\n  "format": "adherelog-journal"')
    assert sorted(os.listdir(tmp_path)) == before
