"""The start-up dispatcher gives exactly what the Typer application gives, and its table is
the one derived from the Typer application."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adherelog.cli import app as app_module
from adherelog.cli import dispatch, main
from adherelog.cli.dispatch_table import COMMANDS, GROUPS, ROOT_OPTIONS, Option
from helpers import invoke, ok, use_fixed_keys

ROOT = Path(__file__).resolve().parent.parent

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(autouse=True)
def same_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both routes of a command make the same keys, so their outputs can be compared."""
    use_fixed_keys(monkeypatch, constant=True)


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
                raise AssertionError(f"the dispatcher deferred {args!r}")

            patch.setattr(app_module, "run_app", refuse)
        else:
            patch.setenv("ADHERELOG_NO_FAST_PATH", "1")
        capsys.readouterr()
        code = main(args)
        out, err = capsys.readouterr()
    return code, UUID.sub("<id>", out), err


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) for c in CASES])
def test_dispatcher_matches_typer(
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


# ``COMMAND --help`` is printed on the start-up path (tests/test_help_pages.py) unless the
# terminal is narrower than 80 columns.
DEFERRED: list[tuple[list[str], int, str]] = [
    (["take", "--help"], 0, "60"),
    (["take", "-h"], 0, "60"),
    (["take", "x", "--help"], 0, "100"),
    (["take"], 2, "100"),
    (["take", "x", "--bogus"], 2, "100"),
    (["take", "x", "--at"], 2, "100"),
    (["take", "x", "--amount", "lots"], 2, "100"),
    (["take", "x", "--extra=yes"], 2, "100"),
    (["--db"], 2, "100"),
    (["--db", "{db}"], 2, "100"),
    (["--bogus", "due"], 2, "100"),
    (["skip"], 2, "100"),
    (["skip", "a", "b"], 2, "100"),
    (["due", "now"], 2, "100"),
    (["due", "--all"], 2, "100"),
    ([], 2, "100"),
]


@pytest.mark.parametrize(
    ("argv", "code", "columns"),
    DEFERRED,
    ids=[" ".join(argv) or "(nothing)" for argv, _, _ in DEFERRED],
)
def test_unusual_arguments_go_to_typer(
    argv: list[str],
    code: int,
    columns: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    db = tmp_path / "journal.db"
    args = [arg.replace("{db}", str(db)) for arg in argv]
    assert dispatch.try_run(args) is None
    monkeypatch.setenv("ADHERELOG_DB", str(db))
    capsys.readouterr()
    result = main(args)
    out, err = capsys.readouterr()
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


def test_the_dispatcher_is_off_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[list[str]] = []
    monkeypatch.setenv("ADHERELOG_NO_FAST_PATH", "1")

    def fake_run_app(args: list[str]) -> int:
        called.append(args)
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)
    assert main(["due"]) == 0
    assert called == [["due"]]
    assert os.environ["ADHERELOG_NO_FAST_PATH"] == "1"


# --------------------------------------------------------------------------- the table


def test_the_dispatch_table_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "src/adherelog/cli/dispatch_table.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        result.stdout + result.stderr + "\nrun: cog -r src/adherelog/cli/dispatch_table.py"
    )


def _typer_paths(command: object, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for name, sub in getattr(command, "commands", {}).items():
        if hasattr(sub, "commands"):
            if sub.invoke_without_command:  # a group that is also a command: ``remind``
                yield (*path, name)
            yield from _typer_paths(sub, (*path, name))
        else:
            yield (*path, name)


def test_every_command_is_in_the_table_and_runs_without_typer() -> None:
    paths = set(_typer_paths(typer.main.get_command(app_module.app), ()))
    assert set(COMMANDS) == paths
    assert all(action != "typer" for action, _, _ in COMMANDS.values())
    assert {path[:1] for path in paths if len(path) == 2} == GROUPS


def test_a_plain_command_imports_no_typer_click_or_rich(base_journal: Path) -> None:
    from helpers import run

    env = {"PYTHONPROFILEIMPORTTIME": "1", "ADHERELOG_DB": str(base_journal)}
    for args in (["med", "list"], ["tip", "list", "--json"], ["history", "--med", "x"]):
        probe = run(*args, env=env)
        assert probe.returncode in (0, 1), probe.stderr
        imported = [line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines()]
        assert not [m for m in imported if m.split(".")[0] in ("typer", "click", "rich")], args


# --------------------------------------------------------------------------- parity

# Random ids, whole or shortened (a tip is shown by the first 8 digits of its id).
UUIDISH = re.compile(r"[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}|\b[0-9a-f]{8}\b")

WORDS = [
    "sertraline",
    "Metformin",
    "ibuprofen",
    "done",
    "zz",
    "",
    "-",
    "-x",
    "--json",
    "08:05",
    "8pm",
    "yesterday 20:10",
    "2026-11-01",
    "30d ago",
    "mon,wed",
    "later",
    "md",
    "json",
    "csv",
    "html",
    "out.txt",
    "Europe/Paris",
    "with\x1b[31m food",
]
VALUES: dict[str, st.SearchStrategy[str]] = {
    "str": st.sampled_from(WORDS),
    "int": st.sampled_from(["0", "1", "7", "30", "366", "367", "5000", "-1", " 8", "1_0", "x"]),
    "float": st.sampled_from(["0", "1", "2.5", "-1", "nan", "inf", "1e3", "lots", ""]),
}
ODD = st.sampled_from(["--help", "-h", "--bogus", "--", "-oout.txt", "--json=yes", "--db"])


def _value(kind: str) -> st.SearchStrategy[str]:
    return VALUES.get(kind, VALUES["str"])


def _option(option: Option) -> st.SearchStrategy[list[str]]:
    flags, _, kind, *_ = option
    if kind == "flag":
        return st.sampled_from(flags).map(lambda flag: [flag])
    long = [flag for flag in flags if flag.startswith("--")]
    apart = st.tuples(st.sampled_from(flags), _value(kind)).map(list)
    joined = st.tuples(st.sampled_from(long), _value(kind)).map(lambda fv: [f"{fv[0]}={fv[1]}"])
    return st.one_of(apart, joined)


@st.composite
def command_lines(draw: st.DrawFn, path: tuple[str, ...]) -> list[str]:
    """A command line for ``path`` drawn from its table entry: mostly plain and valid,
    sometimes with a value Typer refuses or something only Typer handles."""
    _, arguments, options = COMMANDS[path]
    line: list[str] = []
    for root_option in draw(st.lists(st.sampled_from(ROOT_OPTIONS[:2]), max_size=1)):
        line += draw(_option(root_option))
    line += path
    pieces = [[draw(_value(kind))] for _, kind, *_ in arguments]
    if draw(st.integers(0, 9)) == 0:  # a missing or an extra argument
        pieces = pieces[1:] if pieces else [["extra"]]
    for option in draw(st.lists(st.sampled_from(options), max_size=4)):
        pieces.append(draw(_option(option)))
    if draw(st.integers(0, 9)) == 0:
        pieces.append([draw(ODD)])
    for piece in draw(st.permutations(pieces)):
        line += piece
    return line


def _rows(db: Path) -> list[str]:
    """Every row of every table, with the random ids taken out."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [f"{t}: {row!r}" for t in tables for row in conn.execute(f"SELECT * FROM {t}")]
    finally:
        conn.close()
    return sorted(UUIDISH.sub("<id>", row) for row in rows)


def _outcome(base: Path, work: Path, args: list[str], env: dict[str, str]) -> tuple[object, ...]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    db = work / "journal.db"
    shutil.copyfile(base, db)
    here = Path.cwd()
    os.chdir(work)
    try:
        # ``remind install`` writes its units here, fresh for each run.
        config = {"XDG_CONFIG_HOME": str(work / "config")}
        result = invoke(*args, env={"ADHERELOG_DB": str(db), **config, **env})
    finally:
        os.chdir(here)
    assert result.exception is None, result.exception
    files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.name != db.name)
    return (
        result.exit_code,
        UUIDISH.sub("<id>", result.stdout),
        UUIDISH.sub("<id>", result.stderr),
        files,
        _rows(db),
    )


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_generated_command_lines_give_what_typer_gives(
    path: tuple[str, ...], base_journal: Path
) -> None:
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(args=command_lines(path))
    def check(args: list[str]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder) / "work"
            quick = _outcome(base_journal, work, args, {})
            full = _outcome(base_journal, work, args, {"ADHERELOG_NO_FAST_PATH": "1"})
        assert quick == full, args

    check()
