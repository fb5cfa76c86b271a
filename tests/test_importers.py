"""``import --from medtimer|loop`` and what every file-reading command says about a file
of the wrong kind (SPEC §8)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog.filekind import Kind, detect
from helpers import count, invoke, journal, ok, one_error_line, sha256

FIXTURES = Path(__file__).parent / "fixtures"
MEDTIMER = FIXTURES / "medtimer-backup.json"
LOOP = FIXTURES / "loop"


def _imported(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok("import", *args, "--json").stdout)
    return document


# --- file kinds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"SQLite format 3\x00\x10\x00", Kind.SQLITE),
        (b"age-encryption.org/v1\n-> X25519 x", Kind.AGE),
        (b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl", Kind.AGE),
        (b'{\n  "format": "adherelog-journal",\n  "version": 1', Kind.JOURNAL_EXPORT),
        (b'\xef\xbb\xbf{"format": "adherelog-tips", "version": 1', Kind.TIP_BUNDLE),
        (b'{"format": "adherelog-tip-digest", "version": 1', Kind.TIP_DIGEST),
        (b'{"format": "adherelog-card", "version": 2', Kind.CARD),
        (b'{\n  "medicines": {\n    "list": [', Kind.MEDTIMER),
        (b'{  "version": 5,  "list": [    {      "reminders"', Kind.MEDTIMER),
        (b"Position,Name,Type,Question,Description,", Kind.LOOP_CSV),
        (b"Date,Value,Notes\r\n2026-11-20,YES_MANUAL,", Kind.LOOP_CSV),
        (b"PK\x03\x04\x14\x00", Kind.ZIP),
        (b"id,kind,med,at", Kind.UNKNOWN),
        (b"", Kind.UNKNOWN),
    ],
)
def test_file_kinds_are_told_from_the_first_bytes(head: bytes, kind: Kind) -> None:
    assert detect(head) is kind


@given(st.binary(max_size=200))
def test_any_bytes_have_a_kind(head: bytes) -> None:
    assert isinstance(detect(head), Kind)


def _refused(args: list[str], code: int = 1) -> str:
    if not journal().exists():
        ok("med", "add", "Aspirin", "--as-needed")
    before = sha256(journal())
    result = invoke(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert sha256(journal()) == before
    line = one_error_line(result.stderr)
    assert line.count("\n") == 0
    return line


def test_import_of_a_backup_points_at_restore(tmp_path: Path) -> None:
    backup = tmp_path / "b.db"
    ok("med", "add", "Metformin", "--as-needed")
    ok("backup", str(backup))
    line = _refused(["import", str(backup)])
    assert f"use 'adherelog restore {backup}'" in line
    assert "UTF-8" not in line


def test_import_of_a_tip_bundle_or_a_card_points_at_its_command(tmp_path: Path) -> None:
    bundle = tmp_path / "tips.json"
    bundle.write_text('{"format": "adherelog-tips", "version": 1, "tips": []}')
    assert f"use 'adherelog tip import {bundle}'" in _refused(["import", str(bundle)])
    card = tmp_path / "card.json"
    card.write_text('{"format": "adherelog-card", "version": 2}')
    assert f"use 'adherelog buddy import {card}'" in _refused(["import", str(card)])
    age = tmp_path / "x.age"
    age.write_text("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n")
    # An age file is decrypted before it is read: a damaged one says so.
    assert f"{age} is cut short: its age armor has no end line." in _refused(["import", str(age)])
    assert f"{age} is cut short" in _refused(["tip", "import", str(age)])


def test_tip_import_of_an_export_points_at_import(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    assert invoke("export", "-o", str(export)).exit_code == 0
    assert f"use 'adherelog import {export}'" in _refused(["tip", "import", str(export)])


@pytest.mark.parametrize(
    "command",
    [
        ["import"],
        ["tip", "import"],
        ["restore"],
        ["import", "--from", "medtimer"],
        ["import", "--from", "loop"],
    ],
)
def test_a_missing_file_has_one_wording_everywhere(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert _refused([*command, str(missing)]) == f"adherelog: There is no file {missing}."


# --- MedTimer ---------------------------------------------------------------------------


def test_medtimer_backup_becomes_medications_schedules_and_doses() -> None:
    result = _imported("--from", "medtimer", str(MEDTIMER))
    assert result["from"] == "medtimer"
    assert result["added"]["meds"] == 2
    assert result["added"]["schedules"] == 1
    assert result["added"]["records"] == 3
    unmapped = {u["where"]: u["reason"] for u in result["unmapped"]}
    assert any("several days on" in r for r in unmapped.values())
    assert any("never answered" in r for r in unmapped.values())
    shown = json.loads(ok("med", "show", "Metformin", "--json").stdout)
    assert "08:00" in json.dumps(shown)
    assert "20:00" in json.dumps(shown)
    assert "500 mg" in json.dumps(shown)
    history = json.loads(ok("history", "--since", "2025-11-01", "--json").stdout)["records"]
    by_kind = {(r["med"], r["kind"]): r for r in history}
    taken = by_kind[("Metformin", "dose")]
    assert taken["at"] == "2025-11-17T08:10:00+00:00"
    assert taken["scheduled_for"] == "2025-11-17T08:00:00+00:00"
    assert taken["late_minutes"] == 10
    skipped = by_kind[("Metformin", "skip")]
    assert skipped["scheduled_for"] == "2025-11-17T20:00:00+00:00"
    assert skipped["note"] == "felt sick"
    assert ("Ácido fólico", "dose") in by_kind


def test_medtimer_import_twice_adds_nothing_and_dry_run_writes_nothing() -> None:
    dry = _imported("--from", "medtimer", str(MEDTIMER), "--dry-run")
    assert dry["dry_run"] is True
    assert dry["added"]["records"] == 3
    assert not journal().exists() or count("records") == 0
    _imported("--from", "medtimer", str(MEDTIMER))
    before = sha256(journal())
    again = _imported("--from", "medtimer", str(MEDTIMER))
    assert sum(again["added"].values()) == 0
    assert again["already_held"]["records"] == 3
    assert sha256(journal()) == before


def test_medtimer_doses_join_a_medication_the_journal_has() -> None:
    ok("med", "add", "metformin", "--dose", "850 mg", "--time", "07:30", "--start", "2025-11-01")
    result = _imported("--from", "medtimer", str(MEDTIMER))
    assert result["added"]["meds"] == 1  # only Ácido fólico is new
    assert any("schedule was kept" in u["reason"] for u in result["unmapped"])
    assert count("meds") == 2


def test_a_damaged_medtimer_backup_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "backup.json"
    bad.write_text('{"medicines": {"list": [{"medicine": {"name": "X"}, "reminders": 3}]}}')
    assert "medicines[0].reminders: must be a list" in _refused(
        ["import", "--from", "medtimer", str(bad)]
    )
    cut = tmp_path / "cut.json"
    cut.write_bytes(MEDTIMER.read_bytes()[:300])
    assert "JSON" in _refused(["import", "--from", "medtimer", str(cut)])
    line = _refused(["import", "--from", "medtimer", str(LOOP / "Habits.csv")])
    assert "is a Loop Habit Tracker CSV export, not a MedTimer JSON backup" in line
    assert "use 'adherelog import --from loop" in line


def test_a_wrong_app_name_is_a_usage_error() -> None:
    line = _refused(["import", "--from", "fitbit", str(MEDTIMER)], code=2)
    assert line == "adherelog: --from: 'fitbit' is not a format; choose medtimer or loop."


# --- Loop Habit Tracker -----------------------------------------------------------------


def _loop_zip(tmp_path: Path) -> Path:
    target = tmp_path / "Loop Habits CSV 2026-11-21.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(LOOP.rglob("*.csv")):
            archive.write(path, path.relative_to(LOOP).as_posix())
    return target


@pytest.mark.parametrize("form", ["zip", "folder", "habits"])
def test_loop_export_becomes_doses_and_skips(form: str, tmp_path: Path) -> None:
    source = {"zip": _loop_zip(tmp_path), "folder": LOOP, "habits": LOOP / "Habits.csv"}[form]
    result = _imported("--from", "loop", str(source))
    assert result["added"]["meds"] == 2
    assert result["added"]["schedules"] == 1
    assert result["added"]["records"] == 4  # two doses and a skip of Metformin, a Vitamin D dose
    reasons = " | ".join(f"{u['where']}: {u['reason']}" for u in result["unmapped"])
    assert "numerical habit" in reasons
    assert "2 times in 7 days" in reasons
    assert "MAYBE" in reasons
    history = json.loads(ok("history", "--since", "2026-11-01", "--json").stdout)["records"]
    metformin = sorted((r["at"], r["kind"]) for r in history if r["med"] == "Metformin" and r["at"])
    assert metformin == [
        ("2026-11-17T12:00:00+00:00", "dose"),
        ("2026-11-19T12:00:00+00:00", "skip"),
        ("2026-11-20T12:00:00+00:00", "dose"),
    ]
    again = _imported("--from", "loop", str(source))
    assert sum(again["added"].values()) == 0


def test_loop_csv_with_unknown_columns_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(LOOP, folder)
    habits = folder / "Habits.csv"
    habits.write_text(habits.read_text().replace("Archived?", "Mood"))
    line = _refused(["import", "--from", "loop", str(folder)])
    assert "the column 'Mood'" in line


def test_loop_folder_or_file_without_habits_is_refused_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)))
    for named in (tmp_path / "empty", tmp_path / "garbage.bin"):
        assert _refused(["import", "--from", "loop", str(named)]) == (
            f"adherelog: {named}: there is no Habits.csv in it; give the zip Loop Habit"
            " Tracker exported, its folder, or its Habits.csv."
        )


def test_a_damaged_loop_zip_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "loop.zip"
    damaged.write_bytes(_loop_zip(tmp_path).read_bytes()[:200])
    assert "damaged zip" in _refused(["import", "--from", "loop", str(damaged)])
