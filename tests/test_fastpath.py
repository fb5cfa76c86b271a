"""The start-up fast path gives exactly what the Typer application gives."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from adherelog.cli import app as app_module
from adherelog.cli import fast, main
from helpers import ok

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def base_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal with scheduled, as-needed and already-taken medications."""
    path = tmp_path_factory.mktemp("fast") / "base.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADHERELOG_DB", str(path))
        patch.setenv("ADHERELOG_NOW", "2026-11-22T09:10:00")
        patch.setenv("TZ", "Europe/London")
        patch.setenv("NO_COLOR", "1")
        patch.delenv("ADHERELOG_NO_FAST_PATH", raising=False)
        start = ("--start", "2026-11-20")
        ok(
            "med",
            "add",
            "Sertraline",
            "--time",
            "08:00",
            "--time",
            "20:00",
            "--supply",
            "30",
            *start,
        )
        ok(
            "med",
            "add",
            "Metformin",
            "--time",
            "09:00",
            "--dose",
            "500 mg",
            "--per-dose",
            "2",
            *start,
        )
        ok("med", "add", "Done", "--time", "08:00", *start)
        ok("med", "add", "Ibuprofen", "--as-needed", "--supply", "20", *start)
        ok("take", "done", "--at", "08:03")
        ok("take", "ibuprofen", "--at", "yesterday 22:00")
    return path


CASES = [
    ["take", "sertraline"],
    ["take", "sertraline", "--json"],
    ["--json", "take", "Sertraline"],
    ["take", "sertraline", "metformin"],
    ["take", "sertraline", "metformin", "--json"],
    ["take", "sertraline", "--at", "08:05"],
    ["take", "sertraline", "--at=yesterday 20:10", "--json"],
    ["take", "sertraline", "--at", "2026-11-22T08:05:00+01:00"],
    ["take", "sertraline", "--at", "30m ago", "--note", "with food"],
    ["take", "sertraline", "--note=after lunch\nand tea", "--json"],
    ["take", "sertraline", "--slot", "20:00"],
    ["take", "sertraline", "--slot", "8pm", "--json"],
    ["take", "done", "--extra"],
    ["take", "done", "--extra", "--json"],
    ["take", "ibuprofen", "--amount", "2.5"],
    ["take", "ibuprofen", "--amount", "2", "--json"],
    ["take", "metformin", "--amount", "1", "--at", "mon 9am"],
    ["take", "zz"],
    ["take", "sertralin", "--json"],
    ["take", "done"],
    ["take", "done", "--json"],
    ["take", "sertraline", "done"],
    ["take", "sertraline", "--at", "01/02/2025"],
    ["take", "sertraline", "--at", "tomorrow", "--json"],
    ["take", "sertraline", "--at", "09:30"],
    ["take", "sertraline", "--slot", "13:00"],
    ["take", "sertraline", "--slot", "25:00"],
    ["take", "sertraline", "--slot", "20:00", "--extra"],
    ["take", "ibuprofen", "--amount", "0"],
    ["take", "ibuprofen", "--amount", "nan"],
    ["take", "sertraline", "--note", "bad\x1bnote"],
    ["take", "sertraline", "Sertraline"],
    ["take", "sertraline", "--note", "-x"],
    ["take", "sertraline", "--note", "--json"],
    ["take", "sertraline", "--at", ""],
    ["take", "-", "--extra"],
    ["skip", "sertraline", "--reason", "--at"],
    ["skip", "sertraline"],
    ["skip", "sertraline", "--json"],
    ["skip", "metformin", "--reason", "nausea", "--at", "08:50"],
    ["skip", "done"],
    ["skip", "ibuprofen", "--json"],
    ["skip", "zz"],
    ["skip", "sertraline", "--at", "later"],
    ["due"],
    ["due", "--json"],
    ["--json", "due"],
    ["--db", "{db}", "due"],
    ["--db={db}", "take", "sertraline", "--json"],
]


def _snapshot(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT r.kind, m.name, r.at, r.zone, r.slot_at, r.late_minutes, r.amount, r.note,"
            " m.supply FROM records r JOIN meds m ON m.id = r.med_id ORDER BY r.at, m.name"
        ).fetchall()
    finally:
        conn.close()
    return rows


def _run(
    argv: list[str],
    db: Path,
    *,
    fast_path: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str, str]:
    args = [arg.replace("{db}", str(db)) for arg in argv]
    with monkeypatch.context() as patch:
        patch.setenv("ADHERELOG_DB", str(db))
        if fast_path:
            patch.delenv("ADHERELOG_NO_FAST_PATH", raising=False)

            def refuse(args: list[str]) -> int:
                raise AssertionError(f"the fast path deferred {args!r}")

            patch.setattr(app_module, "run_app", refuse)
        else:
            patch.setenv("ADHERELOG_NO_FAST_PATH", "1")
        capsys.readouterr()
        code = main(args)
        out, err = capsys.readouterr()
    return code, UUID.sub("<id>", out), err


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) for c in CASES])
def test_fast_path_matches_typer(
    argv: list[str],
    base_journal: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    quick, full = tmp_path / "quick.db", tmp_path / "full.db"
    shutil.copyfile(base_journal, quick)
    shutil.copyfile(base_journal, full)
    fast_result = _run(argv, quick, fast_path=True, monkeypatch=monkeypatch, capsys=capsys)
    full_result = _run(argv, full, fast_path=False, monkeypatch=monkeypatch, capsys=capsys)
    assert fast_result == full_result
    code, out, err = fast_result
    if code == 0:
        assert out != ""
        assert err == ""
    else:
        assert code in (1, 2)
        assert out == ""
        assert err.startswith("adherelog: ")
        assert err.count("\n") == 1
    assert _snapshot(quick) == _snapshot(full)


DEFERRED = [
    (["take", "--help"], 0),
    (["take", "-h"], 0),
    (["take"], 2),
    (["take", "x", "--bogus"], 2),
    (["take", "x", "--at"], 2),
    (["take", "x", "--amount", "lots"], 2),
    (["take", "x", "--extra=yes"], 2),
    (["take", "x", "--json", "--json"], 0),
    (["--db"], 2),
    (["--db", "{db}"], 2),
    (["--bogus", "due"], 2),
    (["skip"], 2),
    (["skip", "a", "b"], 2),
    (["due", "now"], 2),
    (["due", "--all"], 2),
    ([], 2),
]


@pytest.mark.parametrize(
    ("argv", "code"), DEFERRED, ids=[" ".join(a) or "(nothing)" for a, _ in DEFERRED]
)
def test_unusual_arguments_go_to_typer(
    argv: list[str],
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "journal.db"
    args = [arg.replace("{db}", str(db)) for arg in argv]
    assert fast.try_run(args) is None
    assert fast.try_run(["med", "list"]) is None
    monkeypatch.setenv("ADHERELOG_DB", str(db))
    capsys.readouterr()
    result = main(args)
    out, err = capsys.readouterr()
    if argv == ["take", "x", "--json", "--json"]:
        # Typer accepts a repeated flag; the command then runs and refuses the unknown name.
        assert result == 1
        assert err.startswith("adherelog: No medication named 'x'")
        return
    assert result == code, (out, err)
    assert "Traceback" not in out + err
    if code == 0:
        assert err == ""
        assert out.startswith("Usage: adherelog")
        assert "Example: adherelog" in out
    else:
        assert err.startswith("adherelog: ")
        assert err.count("\n") == 1, err
        assert "--help" in err
    assert not db.exists()


def test_unusual_arguments_give_one_line_in_a_real_process(tmp_path: Path) -> None:
    from helpers import run

    result = run("take", "x", "--bogus")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "adherelog: No such option: --bogus (see 'adherelog take --help').\n"
    result = run("--db")
    assert result.returncode == 2
    assert result.stderr.startswith("adherelog: Option '--db' requires an argument")
    assert "Traceback" not in result.stderr


def test_the_fast_path_is_off_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[list[str]] = []
    monkeypatch.setenv("ADHERELOG_NO_FAST_PATH", "1")

    def fake_run_app(args: list[str]) -> int:
        called.append(args)
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)
    assert main(["due"]) == 0
    assert called == [["due"]]
    assert os.environ["ADHERELOG_NO_FAST_PATH"] == "1"
