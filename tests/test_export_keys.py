"""A full export carries the journal's keys (SPEC §11), so a moved journal keeps its
pseudonym and its serial; an import never replaces a journal's own keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import data, invoke, ok, use_fixed_keys


@pytest.fixture(autouse=True)
def fixed_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixed_keys(monkeypatch)


def _export(out: Path) -> None:
    result = invoke("export", "-o", str(out))
    assert result.exit_code == 0, result.stderr


def _journal_with_keys(tmp_path: Path) -> tuple[dict[str, object], Path]:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "Metformin", "--at", "2026-11-21 08:05")
    made = data("identity")
    out = tmp_path / "export.json"
    _export(out)
    return made, out


def test_an_export_holds_the_keys_and_a_new_journal_takes_them(tmp_path: Path) -> None:
    made, out = _journal_with_keys(tmp_path)
    document = json.loads(out.read_text())
    assert set(document["keys"]) == {"signing_key", "age_identity", "serial"}
    assert document["keys"]["age_identity"].startswith("AGE-SECRET-KEY-1")
    moved = {"ADHERELOG_DB": str(tmp_path / "moved.db")}
    result = data("import", str(out), env=moved)
    assert result["keys"] == "adopted"
    assert data("identity", env=moved) == made
    assert data("history", "--since", "2026-11-21", env=moved)["records"][0]["kind"] == "dose"


def test_the_serial_moves_with_the_keys(tmp_path: Path, isolated_journal: Path) -> None:
    import sqlite3

    made, _ = _journal_with_keys(tmp_path)
    conn = sqlite3.connect(isolated_journal)
    with conn:
        conn.execute("UPDATE journal_keys SET serial = 41")
    conn.close()
    out = tmp_path / "again.json"
    _export(out)
    moved = {"ADHERELOG_DB": str(tmp_path / "moved.db")}
    ok("import", str(out), env=moved)
    assert data("identity", env=moved)["serial"] == 41
    assert data("identity", env=moved)["contributor"] == made["contributor"]


def test_a_journal_with_its_own_keys_keeps_them(tmp_path: Path) -> None:
    made, out = _journal_with_keys(tmp_path)
    other = {"ADHERELOG_DB": str(tmp_path / "other.db")}
    own = data("identity", env=other)
    assert own["contributor"] != made["contributor"]
    result = invoke("import", str(out), env=other)
    assert result.exit_code == 0
    assert "keeps its own pseudonym" in result.stdout
    assert data("identity", env=other) == own
    assert data("import", str(out), env=other)["keys"] == "kept"


def test_importing_its_own_export_keeps_the_higher_serial(tmp_path: Path) -> None:
    made, out = _journal_with_keys(tmp_path)
    assert data("import", str(out))["keys"] == "same"
    assert data("identity") == made


def test_a_journal_that_never_needed_keys_exports_none(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    out = tmp_path / "export.json"
    _export(out)
    assert "keys" not in json.loads(out.read_text())
    assert data("import", str(out))["keys"] is None


@pytest.mark.parametrize(
    ("keys", "field"),
    [
        ("not an object", "keys:"),
        ({"signing_key": "AAAA", "age_identity": "x", "serial": 1}, "keys.signing_key"),
        ({"signing_key": "A" * 43, "age_identity": "AGE-SECRET-KEY-1XYZ", "serial": 1}, "keys.age"),
        ({"signing_key": "A" * 43, "serial": 1}, "keys:"),
        ({"signing_key": "A" * 43, "age_identity": "", "serial": True, "x": 1}, "keys:"),
    ],
)
def test_bad_keys_refuse_the_whole_file(tmp_path: Path, keys: object, field: str) -> None:
    _made, out = _journal_with_keys(tmp_path)
    document = json.loads(out.read_text())
    document["keys"] = keys
    out.write_text(json.dumps(document))
    target = tmp_path / "target.db"
    result = invoke("import", str(out), env={"ADHERELOG_DB": str(target)})
    assert result.exit_code == 1
    assert field in result.stderr
    assert not target.exists()


def test_a_bad_serial_is_named(tmp_path: Path) -> None:
    made, out = _journal_with_keys(tmp_path)
    document = json.loads(out.read_text())
    document["keys"]["serial"] = -1
    out.write_text(json.dumps(document))
    result = invoke("import", str(out), env={"ADHERELOG_DB": str(tmp_path / "t.db")})
    assert result.exit_code == 1
    assert "keys.serial" in result.stderr
    assert made["serial"] == 0
