"""Shared helpers for the journal tests: run the CLI in-process or as a real process."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from typer.testing import CliRunner, Result

from adherelog.cli import main
from adherelog.clock import localize
from adherelog.model import ScheduleVersion

RUNNER = CliRunner()

# age identities made for tests only, so that pseudonyms, recipients and signatures are the
# same in every run (Ed25519 signatures are deterministic).
TEST_AGE_KEYS = (
    "AGE-SECRET-KEY-1S0X5LHETJEC3WGF4FDT2DLC00YTTUN2VGYWYGHLVWTHPY4U0GNPQ2K94RZ",
    "AGE-SECRET-KEY-16HQMEK6T78LEUMQ60F6HDRZNPGY8CE8P6D5DM7WFCW9GTFGECXAS39736E",
    "AGE-SECRET-KEY-1229XXQD379MFAT96JJ6T578HL3SW3NUSL6YLPEFJQCZ03VW0PQEQJP35M6",
    "AGE-SECRET-KEY-1ETYZUKK4CLG4HSYRFPX3KGYPWJWDLCZ3GZ8E454RGEAVYQ08WXKSF7RAA3",
    "AGE-SECRET-KEY-1084TKRT7D64F87RL9F35GMM7ER0FEV3KG3LNAF2JLCQGJJ79E93QGH3UYT",
    "AGE-SECRET-KEY-15CULXKTRXFDU9R37AYXQ8MJ35Q60FMDQZTXD2U3PLC3QLS2PPRUS8RNE7A",
)


def use_fixed_keys(monkeypatch: Any, *, constant: bool = False) -> None:
    """Make the journal's keys (SPEC §11) fixed instead of random: each new pair is the next
    one of a fixed list, or with ``constant`` always the first."""
    import itertools

    from adherelog import identity

    made = itertools.count(0)

    def fixed() -> tuple[bytes, str]:
        n = 0 if constant else next(made)
        return bytes([n + 1]) * 32, TEST_AGE_KEYS[n % len(TEST_AGE_KEYS)]

    monkeypatch.setattr(identity, "_new_keys", fixed)


def invoke(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """Run adherelog in-process through :func:`adherelog.cli.main`, the path users run
    (the start-up dispatcher, else Typer), with stdout and stderr kept apart."""
    exception: BaseException | None = None
    with RUNNER.isolation(env=dict(env) if env else None) as (stdout, stderr, output):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:
            exception, code = exc, 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out, err, both = stdout.getvalue(), stderr.getvalue(), output.getvalue()
    return Result(RUNNER, out, err, both, None, code, exception)


def ok(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """:func:`invoke`, asserting exit code 0 with nothing on stderr."""
    result = invoke(*args, env=env)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == ""
    return result


def data(*args: str, env: Mapping[str, str] | None = None) -> Any:
    """The JSON document printed by a successful ``adherelog ... --json`` (which may warn
    on stderr, SPEC §1, but print nothing else there)."""
    result = invoke(*args, "--json", env=env)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines())
    return json.loads(result.stdout)


def run(
    *args: str,
    env: Mapping[str, str] | None = None,
    umask: int | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m adherelog ARGS`` as a real process with the test's environment."""
    full_env = {**os.environ, **(env or {})}

    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "adherelog", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=set_umask if umask is not None else None,
        check=False,
    )


def journal() -> Path:
    """The journal file the autouse fixture points ADHERELOG_DB at."""
    return Path(os.environ["ADHERELOG_DB"])


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A plain sqlite3 connection to the journal (for checks and for planting test data)."""
    return sqlite3.connect(path or journal(), isolation_level=None)


def scalar(sql: str, *params: object, path: Path | None = None) -> Any:
    conn = connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def count(table: str, path: Path | None = None) -> int:
    """Rows of ``table``; 0 when the journal does not exist (a failing first command
    creates none)."""
    if not (path or journal()).exists():
        return 0
    return int(scalar(f"SELECT count(*) FROM {table}", path=path))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(stderr: str) -> str:
    """The single ``adherelog: ...`` line a failing command writes to stderr."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("adherelog: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def schedule_version(
    start: datetime,
    times: tuple[str, ...],
    *,
    zone: str = "Europe/London",
    every: int | None = None,
    on_days: frozenset[int] | None = None,
    anchor: date | None = None,
    active: bool = True,
    end: datetime | None = None,
    number: int = 1,
) -> ScheduleVersion:
    """A schedule version for the pure schedule and adherence tests."""
    return ScheduleVersion(
        id=f"v{number}",
        med_id="med",
        start=start.astimezone(UTC),
        zone=zone,
        times=tuple(time.fromisoformat(t) for t in times),
        anchor=anchor or start.astimezone(ZoneInfo(zone)).date(),
        grace=60,
        as_needed=False,
        active=active,
        every=every,
        on_days=on_days,
        end=None if end is None else end.astimezone(UTC),
    )


def local_at(day: str, clock: str = "00:00", zone: str = "Europe/London") -> datetime:
    """Wall-clock ``day clock`` in ``zone`` as an aware moment (RFC 5545 rules)."""
    return localize(date.fromisoformat(day), time.fromisoformat(clock), ZoneInfo(zone))


def downgrade(db: Path, version: int) -> None:
    """Turn the journal at ``db`` into one an older adherelog wrote, of schema ``version``,
    holding the same data: a journal made by the first ``version`` migrations, with every
    column they know copied over."""
    import sqlite_utils

    from adherelog.migrations import MIGRATIONS
    from adherelog.storage import APPLICATION_ID

    old = db.with_name(f"schema{version}.db")
    conn = sqlite3.connect(old, isolation_level=None)
    for migration in MIGRATIONS[:version]:
        migration(sqlite_utils.Database(conn))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("ATTACH DATABASE ? AS current", (str(db),))
    listed = conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
    for table in [r[0] for r in listed]:
        known = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
        columns = ", ".join(known)
        conn.execute(
            f"INSERT OR REPLACE INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}"
        )
    conn.execute("DETACH DATABASE current")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    old.replace(db)
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
        Path(f"{old}{side}").unlink(missing_ok=True)
