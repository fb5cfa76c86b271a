"""``remind``: one pass sends each due notification once, through real channels (a local
HTTP server for Apprise, a stand-in ``notify-send`` on PATH, and once the real one to a
notification server on a private D-Bus session bus), never twice across
concurrent or killed passes; ``remind config``, ``install`` and ``uninstall``."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import pytest

from helpers import invoke, journal, ok, one_error_line

NOW = "2026-11-22T09:10:00"
WAIT = 20.0  # seconds any test waits for a process or a request at most


# --------------------------------------------------------------------------- real parts


class Hook:
    """A local HTTP endpoint for Apprise's ``json://`` URLs: records every request's JSON
    body; can answer 500, or stall until released."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        self.release = threading.Event()
        self.release.set()
        self.arrived = threading.Event()
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with hook.lock:
                    hook.bodies.append(body)
                hook.arrived.set()
                hook.release.wait(WAIT)
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def count(self) -> int:
        with self.lock:
            return len(self.bodies)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``notify-send`` first on PATH that records its arguments, one JSON list a
    line, in the file returned."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "notify-send.log"
    script = folder / "notify-send"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a') as out:\n"
        "    out.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def rows() -> list[tuple[Any, ...]]:
    if not journal().exists():
        return []
    conn = sqlite3.connect(journal())
    try:
        return conn.execute(
            "SELECT kind, round, via, state, reclaimed FROM notifications ORDER BY subject, round"
        ).fetchall()
    finally:
        conn.close()


def two_due_slots() -> None:
    """At 09:10: Sertraline's 08:00 dose is overdue, Metformin's 09:00 dose is due, the
    20:00 doses are upcoming."""
    start = ("--start", "2026-11-20")
    ok("med", "add", "Sertraline", "--dose", "50 mg", "--time", "08:00", "--time", "20:00", *start)
    ok("med", "add", "Metformin", "--dose", "500 mg", "--time", "09:00", *start)


def at(moment: str) -> dict[str, str]:
    return {"ADHERELOG_NOW": moment}


# --------------------------------------------------------------------------- one pass


def test_a_pass_sends_each_due_and_overdue_dose_once(desktop: Path) -> None:
    two_due_slots()
    result = ok("remind", "--json")
    document = json.loads(result.stdout)
    assert document["failed"] == []
    assert [(s["kind"], s["med"], s["scheduled_for"], s["via"]) for s in document["sent"]] == [
        ("dose", "Sertraline", "2026-11-22T08:00:00+00:00", "desktop"),
        ("dose", "Metformin", "2026-11-22T09:00:00+00:00", "desktop"),
    ]
    assert calls(desktop) == [
        ["--app-name=adherelog", "--", "Time for Sertraline", "Sertraline 50 mg was due at 08:00."],
        ["--app-name=adherelog", "--", "Time for Metformin", "Metformin 500 mg is due at 09:00."],
    ]
    again = ok("remind", "--json")
    assert json.loads(again.stdout) == {"sent": [], "failed": [], "dry_run": False}
    assert len(calls(desktop)) == 2
    assert [r[3] for r in rows()] == ["sent", "sent"]


def test_a_schedule_in_another_zone_shows_both_clocks(desktop: Path) -> None:
    ok(
        "med",
        "add",
        "Insulin",
        "--time",
        "04:00",
        "--tz",
        "America/New_York",
        "--start",
        "2026-11-20",
    )
    assert ok("remind").stdout == "Sent: Insulin 09:00 (04:00 America/New_York) via desktop\n"
    assert calls(desktop)[0][3] == "Insulin is due at 04:00."


def test_a_pass_with_nothing_to_send_prints_nothing(desktop: Path) -> None:
    two_due_slots()
    assert (
        ok("remind").stdout
        == "Sent: Sertraline 08:00 via desktop\nSent: Metformin 09:00 via desktop\n"
    )
    assert ok("remind").stdout == ""


def test_repeats_every_30_minutes_at_most_3_times(desktop: Path) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    sent = {}
    for moment in ("08:00", "08:05", "08:29", "08:30", "08:45", "09:00", "09:31", "10:30", "23:59"):
        document = json.loads(ok("remind", "--json", env=at(f"2026-11-22T{moment}:00")).stdout)
        sent[moment] = [s["round"] for s in document["sent"]]
    assert sent == {
        "08:00": [1],
        "08:05": [],
        "08:29": [],
        "08:30": [2],
        "08:45": [],
        "09:00": [3],
        "09:31": [],
        "10:30": [],
        "23:59": [],
    }
    assert len(calls(desktop)) == 3


def test_repeat_and_max_options(desktop: Path) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    options = ("--repeat", "10", "--max", "2", "--json")
    rounds = [
        [
            s["round"]
            for s in json.loads(ok("remind", *options, env=at(f"2026-11-22T{m}")).stdout)["sent"]
        ]
        for m in ("08:00", "08:09", "08:10", "08:20", "08:30")
    ]
    assert rounds == [[1], [], [2], [], []]


def test_nothing_for_a_dose_taken_or_skipped(desktop: Path) -> None:
    two_due_slots()
    ok("take", "sertraline", "--at", "08:05")
    ok("skip", "metformin")
    assert json.loads(ok("remind", "--json").stdout)["sent"] == []
    assert calls(desktop) == []


def test_silence_once_the_dose_is_logged(desktop: Path) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    ok("remind", env=at("2026-11-22T08:01:00"))
    ok("take", "sertraline", env=at("2026-11-22T08:20:00"))
    ok("remind", env=at("2026-11-22T08:40:00"))
    assert len(calls(desktop)) == 1


def test_nothing_before_the_time_nor_for_yesterday(desktop: Path) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    ok("remind", env=at("2026-11-22T07:59:00"))
    ok("remind", env=at("2026-11-23T00:01:00"))
    assert calls(desktop) == []


def test_low_supply_at_most_once_a_day(desktop: Path) -> None:
    ok("med", "add", "Lithium", "--time", "08:00", "--supply", "5", "--start", "2026-11-20")
    ok("take", "lithium", "--at", "08:00")
    document = json.loads(ok("remind", "--json").stdout)
    assert [(s["kind"], s["med"], s["scheduled_for"]) for s in document["sent"]] == [
        ("supply", "Lithium", None)
    ]
    assert calls(desktop) == [
        [
            "--app-name=adherelog",
            "--",
            "Lithium is running low",
            "4 left, enough until Thu 26 Nov. Time to order a refill.",
        ]
    ]
    assert json.loads(ok("remind", "--json", env=at("2026-11-22T18:00:00")).stdout)["sent"] == []
    next_day = json.loads(ok("remind", "--json", env=at("2026-11-23T07:00:00")).stdout)
    assert [s["kind"] for s in next_day["sent"]] == ["supply"]


def test_a_supply_for_more_than_7_days_is_not_low(desktop: Path) -> None:
    ok("med", "add", "Lithium", "--time", "08:00", "--supply", "9", "--start", "2026-11-20")
    ok("take", "lithium", "--at", "08:00")
    assert json.loads(ok("remind", "--json").stdout)["sent"] == []


def test_discreet_names_no_medication_dose_or_count(desktop: Path, hook: Hook) -> None:
    two_due_slots()
    ok("med", "add", "Lithium", "--time", "08:00", "--supply", "3", "--start", "2026-11-20")
    ok("take", "lithium", "--at", "08:00")
    ok("remind", "--discreet", "--via", "desktop", "--via", hook.url)
    said = [c[2:] for c in calls(desktop)] + [[b["title"], b["message"]] for b in hook.bodies]
    assert sorted(map(tuple, said)) == sorted(
        [("Reminder", "A dose is due")] * 4 + [("Reminder", "Time to order a refill")] * 2
    )
    text = json.dumps(said) + json.dumps(hook.bodies)
    for secret in ("Sertraline", "Metformin", "Lithium", "50", "500", "mg", "08:00", "3"):
        assert secret not in text


def test_discreet_kept_by_config(desktop: Path) -> None:
    two_due_slots()
    ok("remind", "config", "--discreet")
    ok("remind")
    assert {tuple(c[2:]) for c in calls(desktop)} == {("Reminder", "A dose is due")}


def test_dry_run_sends_and_records_nothing(desktop: Path) -> None:
    two_due_slots()
    document = json.loads(ok("remind", "--dry-run", "--json").stdout)
    assert document["dry_run"] is True
    assert [s["med"] for s in document["sent"]] == ["Sertraline", "Metformin"]
    assert calls(desktop) == []
    assert rows() == []
    assert ok("remind", "--dry-run").stdout == (
        "Would send: Sertraline 08:00 via desktop\nWould send: Metformin 09:00 via desktop\n"
    )


def test_no_journal_nothing_to_send_and_none_created(desktop: Path) -> None:
    assert json.loads(ok("remind", "--json").stdout) == {"sent": [], "failed": [], "dry_run": False}
    assert ok("remind").stdout == ""
    assert not journal().exists()


# --------------------------------------------------------------------------- channels


def test_apprise_reaches_a_real_http_endpoint(desktop: Path, hook: Hook) -> None:
    two_due_slots()
    started = time.monotonic()
    document = json.loads(ok("remind", "--via", hook.url, "--json").stdout)
    assert time.monotonic() - started < WAIT
    assert [(b["title"], b["message"]) for b in hook.bodies] == [
        ("Time for Sertraline", "Sertraline 50 mg was due at 08:00."),
        ("Time for Metformin", "Metformin 500 mg is due at 09:00."),
    ]
    port = hook.url.split(":")[2].split("/")[0]
    assert {s["via"] for s in document["sent"]} == {f"json://127.0.0.1:{port}/****"}
    assert calls(desktop) == []  # the channels given replace the default
    ok("remind", "--via", hook.url)
    assert hook.count() == 2


def test_a_failing_channel_is_reported_retried_and_does_not_stop_the_others(
    desktop: Path, hook: Hook
) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    hook.status = 500
    result = invoke("remind", "--via", "desktop", "--via", hook.url, "--json")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "json://127.0.0.1:" in line
    assert "/****" in line
    assert "next pass" in line
    document = json.loads(result.stdout)
    assert [s["via"] for s in document["sent"]] == ["desktop"]
    shown = f"json://127.0.0.1:{hook.server.server_address[1]}/****"
    assert [f["via"] for f in document["failed"]] == [shown]
    assert f"through {shown}:" in line
    assert len(calls(desktop)) == 1
    assert hook.count() == 1
    hook.status = 200
    retried = json.loads(ok("remind", "--via", "desktop", "--via", hook.url, "--json").stdout)
    assert [s["via"].split(":")[0] for s in retried["sent"]] == ["json"]
    assert len(calls(desktop)) == 1  # the desktop had it already
    assert hook.count() == 2


def test_missing_notify_send_is_a_clear_error_naming_via(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = invoke("remind")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "notify-send is not installed" in line
    assert "--via" in line
    assert "Sertraline" not in line


def test_bad_inputs_are_one_sentence_and_record_nothing(desktop: Path) -> None:
    two_due_slots()
    cases = [
        (("--via", "not a url"), 2, "'not a url' is not a channel"),
        (("--via", "nosuchservice://host.example/x"), 2, "is not a URL Apprise can use"),
        (("--repeat", "0"), 2, "--repeat"),
        (("--max", "-1"), 2, "--max"),
        (("--max", "x"), 2, "--max"),
    ]
    for args, code, said in cases:
        result = invoke("remind", *args)
        assert result.exit_code == code, (args, result.stderr)
        assert said in one_error_line(result.stderr), result.stderr
        assert result.stdout == ""
    assert rows() == []
    assert calls(desktop) == []


def test_a_bad_url_never_shows_its_secret(desktop: Path) -> None:
    two_due_slots()
    result = invoke("remind", "--via", "nosuchservice://user:hunter22@host.example/topic-secret")
    assert result.exit_code == 2
    assert "hunter22" not in result.stderr
    assert "topic-secret" not in result.stderr


# --------------------------------------------------------------------------- config


def test_config_keeps_channels_and_prints_them_masked(desktop: Path, hook: Hook) -> None:
    assert data_of("remind", "config") == {"via": ["desktop"], "default": True, "discreet": False}
    secret_url = "ntfy://ntfy.example/my-secret-topic"  # noqa: S105 - a made-up secret
    mail = "mailto://me:app-password@mail.example?to=ana@mail.example"
    result = ok("remind", "config", "--via", secret_url, "--via", mail, "--discreet")
    assert "my-secret-topic" not in result.stdout
    assert "app-password" not in result.stdout
    assert "ntfy://ntfy.example/****" in result.stdout
    assert data_of("remind", "config") == {
        "via": ["ntfy://ntfy.example/****", "mailto://****@mail.example?****"],
        "default": False,
        "discreet": True,
    }
    # What a pass uses: the channels kept, replaced by --via for one pass.
    ok("remind", "config", "--via", hook.url, "--no-discreet")
    two_due_slots()
    ok("remind")
    assert hook.count() == 2
    assert calls(desktop) == []
    ok("remind", "config", "--via", "desktop")
    assert data_of("remind", "config")["default"] is True


def test_config_refuses_a_url_apprise_cannot_use_and_keeps_the_old_one() -> None:
    ok("remind", "config", "--via", "ntfy://ntfy.example/topic")
    result = invoke("remind", "config", "--via", "nosuchservice://x.example/y")
    assert result.exit_code == 2
    one_error_line(result.stderr)
    assert data_of("remind", "config")["via"] == ["ntfy://ntfy.example/****"]


def data_of(*args: str) -> Any:
    return json.loads(ok(*args, "--json").stdout)


# --------------------------------------------------------------------------- start-up


def test_a_pass_with_nothing_to_send_imports_no_typer_click_rich_or_apprise(
    desktop: Path,
) -> None:
    from helpers import run

    two_due_slots()
    ok("remind")  # sends: the next pass has nothing to send
    for args in (["remind"], ["remind", "--json"]):
        probe = run(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
        assert probe.returncode == 0, probe.stderr
        imported = {line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines()}
        assert "adherelog.remind" in imported
        heavy = {m for m in imported if m.split(".")[0] in ("typer", "click", "rich", "apprise")}
        assert heavy == set(), args
    assert len(calls(desktop)) == 2


# --------------------------------------------------------------------------- concurrency


def _pass_process(url: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "adherelog", "remind", "--via", url, "--json"],
        env={**os.environ, **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ten_passes_at_once_send_exactly_two_notifications(hook: Hook) -> None:
    two_due_slots()
    ok("remind", "config", "--discreet")  # the journal exists and is migrated
    passes = [_pass_process(hook.url) for _ in range(10)]
    outputs = [p.communicate(timeout=WAIT * 3) for p in passes]
    assert [p.returncode for p in passes] == [0] * 10, outputs
    assert hook.count() == 2
    sent = [s for out, _ in outputs for s in json.loads(out)["sent"]]
    assert len(sent) == 2
    assert [r[3] for r in rows()] == ["sent", "sent"]


def _wait_for(event: threading.Event) -> None:
    assert event.wait(WAIT), "no request arrived in time"


def test_a_pass_killed_mid_send_is_retried_once_never_recorded_as_sent(hook: Hook) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    hook.release.clear()  # the endpoint stalls: the pass is killed while it waits
    victim = _pass_process(hook.url)
    _wait_for(hook.arrived)
    victim.send_signal(signal.SIGKILL)
    victim.wait(WAIT)
    assert [r[3] for r in rows()] == ["claimed"]  # not recorded as sent
    assert hook.count() == 1
    # A pass while the endpoint still stalls: the retry, killed as well.
    hook.arrived.clear()
    second = _pass_process(hook.url)
    _wait_for(hook.arrived)
    second.send_signal(signal.SIGKILL)
    second.wait(WAIT)
    assert hook.count() == 2
    assert [(r[3], r[4]) for r in rows()] == [("claimed", 1)]
    # Retried once already: given up, never sent again.
    hook.release.set()
    for _ in range(2):
        third = _pass_process(hook.url)
        out, err = third.communicate(timeout=WAIT)
        assert third.returncode == 0, err
        assert json.loads(out)["sent"] == []
    assert hook.count() == 2
    assert [r[3] for r in rows()] == ["lost"]


def test_the_retry_after_a_killed_pass_is_sent_once(hook: Hook) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    hook.release.clear()
    victim = _pass_process(hook.url)
    _wait_for(hook.arrived)
    victim.send_signal(signal.SIGKILL)
    victim.wait(WAIT)
    hook.release.set()
    retry = _pass_process(hook.url)
    out, err = retry.communicate(timeout=WAIT)
    assert retry.returncode == 0, err
    assert [s["med"] for s in json.loads(out)["sent"]] == ["Sertraline"]
    assert [(r[3], r[4]) for r in rows()] == [("sent", 1)]
    for _ in range(2):
        later = _pass_process(hook.url)
        later.communicate(timeout=WAIT)
    assert hook.count() == 2  # the killed send and its one retry


def test_a_stopped_pass_frees_what_it_had_not_tried_yet(hook: Hook) -> None:
    two_due_slots()
    hook.release.clear()
    stopped = _pass_process(hook.url)
    _wait_for(hook.arrived)
    stopped.send_signal(signal.SIGTERM)
    _, err = stopped.communicate(timeout=WAIT)
    assert stopped.returncode == 128 + signal.SIGTERM
    assert "Stopped by SIGTERM" in one_error_line(err)
    # The one in flight may have gone: claimed, retried once; the other was never tried.
    assert sorted(r[3] for r in rows()) == ["claimed", "failed"]
    hook.release.set()
    after = _pass_process(hook.url)
    out, err = after.communicate(timeout=WAIT)
    assert after.returncode == 0, err
    assert len(json.loads(out)["sent"]) == 2
    assert hook.count() == 3
    assert sorted((r[3], r[4]) for r in rows()) == [("sent", 0), ("sent", 1)]


def test_a_running_pass_is_not_overtaken(hook: Hook) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    hook.release.clear()
    slow = _pass_process(hook.url)
    _wait_for(hook.arrived)
    other = _pass_process(hook.url)
    out, err = other.communicate(timeout=WAIT)
    assert other.returncode == 0, err
    assert json.loads(out)["sent"] == []
    hook.release.set()
    out, err = slow.communicate(timeout=WAIT)
    assert slow.returncode == 0, err
    assert hook.count() == 1
    assert [r[3] for r in rows()] == ["sent"]


# --------------------------------------------------------------------------- install


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "systemd" / "user"


def _verify(*units: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    program = shutil.which("systemd-analyze")
    assert program is not None
    return subprocess.run(
        [program, "--user", "verify", *map(str, units)],
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_install_writes_units_that_systemd_accepts(config_home: Path, tmp_path: Path) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00")
    document = data_of("remind", "install", "--every", "5")
    service, timer = (
        config_home / "adherelog-remind.service",
        config_home / "adherelog-remind.timer",
    )
    assert document["service"] == str(service)
    assert document["timer"] == str(timer)
    assert document["enable"] == "systemctl --user enable --now adherelog-remind.timer"
    for unit in (service, timer):
        assert stat.S_IMODE(unit.stat().st_mode) == 0o644
    text = service.read_text()
    exe = document["command"][0]
    assert os.path.isabs(exe)
    assert os.access(exe, os.X_OK)
    assert f'"--db" "{journal()}" "remind"' in text
    assert "StandardOutput=null" in text
    assert "Persistent=true" in timer.read_text()
    assert "OnCalendar=*-*-* *:00/5:00" in timer.read_text()
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    verified = _verify(service, timer, tmp_path=tmp_path)
    assert verified.returncode == 0, verified.stderr


def test_install_again_replaces_and_uninstall_removes(config_home: Path) -> None:
    first = ok("remind", "install")
    assert "systemctl --user enable --now adherelog-remind.timer" in first.stdout
    again = data_of("remind", "install", "--every", "15")
    assert again["replaced"] is True
    timer = config_home / "adherelog-remind.timer"
    assert "OnCalendar=*-*-* *:00/15:00" in timer.read_text()
    assert sorted(p.name for p in config_home.iterdir()) == [
        "adherelog-remind.service",
        "adherelog-remind.timer",
    ]
    wants = config_home / "timers.target.wants"
    wants.mkdir()
    (wants / "adherelog-remind.timer").symlink_to(timer)
    removed = data_of("remind", "uninstall")
    assert len(removed["removed"]) == 3
    assert list(config_home.rglob("adherelog-remind*")) == []
    assert data_of("remind", "uninstall") == {"removed": []}


def test_install_cron_prints_a_line_and_writes_nothing(config_home: Path) -> None:
    document = data_of("remind", "install", "--cron", "--every", "10")
    line = document["cron"]
    assert line.startswith("*/10 * * * * ")
    assert f"--db {journal()} remind >/dev/null" in line
    assert document["service"] is None
    assert not config_home.exists()


def test_install_names_an_odd_journal_path_exactly(config_home: Path, tmp_path: Path) -> None:
    odd = tmp_path / "my journal %h $HOME.db"
    ok("--db", str(odd), "remind", "install")
    service = (config_home / "adherelog-remind.service").read_text()
    assert '"--db" "' + str(odd).replace("%", "%%").replace("$", "$$") + '" "remind"' in service
    if shutil.which("systemd-analyze") is not None:
        verified = _verify(config_home / "adherelog-remind.service", tmp_path=tmp_path)
        assert verified.returncode == 0, verified.stderr


def test_install_every_out_of_range_is_a_usage_error(config_home: Path) -> None:
    for value in ("0", "61"):
        result = invoke("remind", "install", "--every", value)
        assert result.exit_code == 2
        one_error_line(result.stderr)
    assert not config_home.exists()


# --------------------------------------------------------------------------- real desktop


@pytest.fixture
def notification_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private D-Bus session bus (a real ``dbus-daemon``) with a notification server on it
    (tests/notification_server.py), set as the session bus; the file it writes each
    notification to, one JSON object a line."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None or shutil.which("notify-send") is None:
        pytest.skip("dbus-daemon or notify-send is not installed (.ci/run installs both)")
    log = tmp_path / "notifications.log"
    # A short folder for the socket: a unix socket's path is limited to 107 bytes.
    folder = tempfile.mkdtemp(prefix="bus-")
    bus = subprocess.Popen(
        [
            daemon,
            "--session",
            "--nofork",
            "--print-address=1",
            f"--address=unix:path={folder}/s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    server = None
    try:
        assert bus.stdout is not None
        address = _line_within(bus.stdout, 10)
        assert address.startswith("unix:path="), address
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("notification_server.py")), str(log)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
        )
        assert server.stdout is not None
        assert _line_within(server.stdout, 10) == "ready"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield log
    finally:
        for process in (server, bus):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _line_within(stream: IO[str], seconds: float) -> str:
    """The next line a process writes to ``stream``, or a failure after ``seconds``."""
    ready, _, _ = select.select([stream], [], [], seconds)
    assert ready, f"no line within {seconds} seconds"
    return stream.readline().strip()


def test_a_reminder_reaches_a_notification_server_through_the_real_notify_send(
    notification_bus: Path,
) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    document = json.loads(ok("remind", "--discreet", "--json").stdout)
    assert [s["via"] for s in document["sent"]] == ["desktop"]
    received = [json.loads(line) for line in notification_bus.read_text().splitlines()]
    assert received == [
        {"app": "adherelog", "summary": "Reminder", "body": "A dose is due", "timeout": -1}
    ]
    # Sent once: the next pass finds it sent and sends nothing.
    assert json.loads(ok("remind", "--json").stdout)["sent"] == []
    assert len(notification_bus.read_text().splitlines()) == 1
