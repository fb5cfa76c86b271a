"""restore, import and tip import read age files (SPEC §8): encrypted to this journal, or
with a passphrase; the plaintext never stays on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import data, invoke, ok

PASS = {"ADHERELOG_PASSPHRASE": "correct horse battery staple"}


def _age() -> str:
    found = shutil.which("age")
    if found is None:
        pytest.skip("the age command-line tool is not installed on this machine")
    return found


def _journal() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "Metformin", "--at", "2026-11-21 08:05")


def test_an_export_encrypted_with_a_passphrase_imports(tmp_path: Path) -> None:
    _journal()
    sealed = tmp_path / "journal.json.age"
    assert invoke("export", "--encrypt", "-o", str(sealed), env=PASS).exit_code == 0
    assert sealed.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    moved = {**PASS, "ADHERELOG_DB": str(tmp_path / "moved.db")}
    result = data("import", str(sealed), env=moved)
    assert result["added"]["records"] == 1
    wrong = {"ADHERELOG_PASSPHRASE": "wrong", "ADHERELOG_DB": str(tmp_path / "other.db")}
    refused = invoke("import", str(sealed), env=wrong)
    assert refused.exit_code == 1
    assert "passphrase" in refused.stderr
    assert not (tmp_path / "other.db").exists()


def test_a_file_the_age_tool_encrypts_to_the_journal_imports(tmp_path: Path) -> None:
    age = _age()
    _journal()
    plain = tmp_path / "journal.json"
    assert invoke("export", "-o", str(plain)).exit_code == 0
    recipient = data("identity")["age_recipient"]
    sealed = tmp_path / "journal.age"
    subprocess.run([age, "-a", "-r", recipient, "-o", str(sealed), str(plain)], check=True)
    result = data("import", str(sealed))
    assert result["already_held"]["records"] == 1


def test_an_encrypted_tip_bundle_imports(tmp_path: Path) -> None:
    age = _age()
    ok("tip", "add", "Ginger tea settles it", "--effect", "nausea")
    bundle = tmp_path / "tips.json"
    assert invoke("tip", "export", "-o", str(bundle)).exit_code == 0
    friend = {"ADHERELOG_DB": str(tmp_path / "friend.db")}
    recipient = data("identity", env=friend)["age_recipient"]
    sealed = tmp_path / "tips.age"
    subprocess.run([age, "-a", "-r", recipient, "-o", str(sealed), str(bundle)], check=True)
    result = data("tip", "import", str(sealed), "--from", "Sam", env=friend)
    assert result["added"] == 1
    # A file encrypted to someone else says so, and changes nothing.
    stranger = {"ADHERELOG_DB": str(tmp_path / "stranger.db")}
    data("identity", env=stranger)
    refused = invoke("tip", "import", str(sealed), env=stranger)
    assert refused.exit_code == 1
    assert "not encrypted to this journal" in refused.stderr


def test_an_encrypted_backup_restores_and_leaves_no_plain_copy(tmp_path: Path) -> None:
    _journal()
    sealed = tmp_path / "backup.age"
    assert invoke("backup", str(sealed), "--encrypt", env=PASS).exit_code == 0
    target = tmp_path / "restored" / "journal.db"
    env = {**PASS, "ADHERELOG_DB": str(target)}
    result = data("restore", str(sealed), env=env)
    assert result["schema_version"] >= 1
    assert len(data("history", "--since", "2026-11-21", env=env)["records"]) == 1
    assert sorted(p.name for p in target.parent.iterdir() if "tmp" in p.name) == []
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"


def test_a_json_document_inside_an_age_file_must_be_the_right_kind(tmp_path: Path) -> None:
    ok("tip", "add", "Ginger tea settles it")
    sealed = tmp_path / "card.age"
    made = invoke("share", "card", "--encrypt", "--format", "json", "-o", str(sealed), env=PASS)
    assert made.exit_code == 0, made.stderr
    refused = invoke("import", str(sealed), env=PASS)
    assert refused.exit_code == 1
    assert "buddy import" in refused.stderr
