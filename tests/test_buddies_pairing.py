"""Two journals on one machine run a buddy pairing end to end (SPEC §12), and the standard
``age`` tool reads what adherelog encrypts and the other way round (SPEC §8)."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import sqlite3
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from adherelog import signing
from helpers import data, invoke

AGE = shutil.which("age")
needs_age = pytest.mark.skipif(
    AGE is None, reason="the age command-line tool is not installed (Debian package 'age')"
)


def done(*args: str, now: str | None = None, env: dict[str, str] | None = None) -> Any:
    """Run a command that must succeed (it may say on stderr what it wrote)."""
    full = dict(env or {})
    if now is not None:
        full["ADHERELOG_NOW"] = now
    result = invoke(*args, env=full)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def age_identity_of(journal: Path) -> str:
    conn = sqlite3.connect(journal)
    try:
        return str(conn.execute("SELECT age_identity FROM journal_keys").fetchone()[0])
    finally:
        conn.close()


# ------------------------------------------------------------------------ six weeks


FIRST_MONDAY = date(2026, 10, 5)
WEEKS = 6
SKIPPED_WEEK = 3  # the fourth week: no cards, no check-in


def _take_week(db: Path, med: str, clock: str, monday: date, missed: int) -> None:
    """Take every dose of the week's seven days but the first ``missed``."""
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if offset >= missed:
            done("--db", str(db), "take", med, "--at", f"{day} {clock}", now=f"{day}T21:00")


def test_six_week_pairing_with_encrypted_cards_both_ways(tmp_path: Path) -> None:
    ana, ben = tmp_path / "ana.db", tmp_path / "ben.db"
    start = f"{FIRST_MONDAY - timedelta(days=1)}T09:00"
    done(
        "--db",
        str(ana),
        "med",
        "add",
        "Metformin",
        "--time",
        "08:00",
        "--start",
        "2026-10-01",
        now=start,
    )
    done(
        "--db",
        str(ben),
        "med",
        "add",
        "Sertraline",
        "--time",
        "20:00",
        "--start",
        "2026-10-01",
        now=start,
    )
    done(
        "--db",
        str(ana),
        "goal",
        "add",
        "Morning metformin",
        "--med",
        "metformin",
        "--target",
        "85",
        now=start,
    )
    done(
        "--db",
        str(ben),
        "goal",
        "add",
        "Evening dose",
        "--med",
        "sertraline",
        "--target",
        "90",
        now=start,
    )
    ana_missed = [3, 2, 1, 0, 0, 0]
    ben_missed = [0, 1, 0, 1, 0, 1]
    nudges: list[str] = []
    for week in range(WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=week)
        sunday = monday + timedelta(days=6)
        _take_week(ana, "metformin", "08:05", monday, ana_missed[week])
        _take_week(ben, "sertraline", "20:05", monday, ben_missed[week])
        wednesday = f"{monday + timedelta(days=2)}T19:00"
        due = data("--db", str(ana), "due", env={"ADHERELOG_NOW": wednesday})["buddies_due"]
        if due:
            nudges.append(f"week {week + 1}: " + ", ".join(b["name"] for b in due))
            line = done("--db", str(ana), "due", now=wednesday).stdout
            assert "It's 10 days since you and ben checked in." in line
        if week == SKIPPED_WEEK:
            continue
        if week > 0:
            done("--db", str(ana), "buddy", "checkin", "ben", "--note", "called", now=wednesday)
            done("--db", str(ben), "buddy", "checkin", "ana", now=wednesday)
        evening = f"{sunday}T21:00"
        from_ana, from_ben = tmp_path / f"ana-{week}.age", tmp_path / f"ben-{week}.age"
        if week == 0:  # the first card travels plain: ben has no key of ana's yet
            from_ana = tmp_path / "ana-0.json"
            done(
                "--db",
                str(ana),
                "share",
                "card",
                "--format",
                "json",
                "-o",
                str(from_ana),
                now=evening,
            )
            done("--db", str(ben), "buddy", "import", str(from_ana), "--as", "ana", now=evening)
            done("--db", str(ben), "share", "card", "--to", "ana", "-o", str(from_ben), now=evening)
            done("--db", str(ana), "buddy", "import", str(from_ben), "--as", "ben", now=evening)
            continue
        done("--db", str(ana), "share", "card", "--to", "ben", "-o", str(from_ana), now=evening)
        done("--db", str(ben), "share", "card", "--to", "ana", "-o", str(from_ben), now=evening)
        assert from_ana.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
        done("--db", str(ben), "buddy", "import", str(from_ana), now=evening)
        done("--db", str(ana), "buddy", "import", str(from_ben), now=evening)

    # The nudge came exactly when a week was missed.
    assert nudges == [f"week {SKIPPED_WEEK + 2}: ben"]
    end = f"{FIRST_MONDAY + timedelta(weeks=WEEKS, days=-1)}T21:30"
    seen_by_ben = data("--db", str(ben), "buddy", "show", "ana", env={"ADHERELOG_NOW": end})
    seen_by_ana = data("--db", str(ana), "buddy", "show", "ben", env={"ADHERELOG_NOW": end})
    kept = [w for w in range(WEEKS) if w != SKIPPED_WEEK]
    assert [p["adherence"] for p in seen_by_ben["trend"]] == [
        round((7 - ana_missed[w]) / 7, 3) for w in kept
    ]
    assert [p["adherence"] for p in seen_by_ana["trend"]] == [
        round((7 - ben_missed[w]) / 7, 3) for w in kept
    ]
    assert [p["to"] for p in seen_by_ana["trend"]] == [
        str(FIRST_MONDAY + timedelta(weeks=w, days=6)) for w in kept
    ]
    # Each sees the other's goals and progress on the latest card.
    assert seen_by_ben["card"]["goals"] == [
        {
            "text": "Morning metformin",
            "med": "Metformin",
            "target": 85,
            "adherence": 1.0,
            "met": True,
        }
    ]
    assert seen_by_ana["card"]["goals"][0]["met"] is False
    # The private check-in note never travelled.
    for path in tmp_path.glob("ana-*"):
        assert b"called" not in path.read_bytes()
    human = done("--db", str(ana), "buddy", "show", "ben", now=end).stdout
    assert "Adherence per card" in human
    listed = data("--db", str(ana), "buddy", "list", env={"ADHERELOG_NOW": end})["buddies"]
    assert [(b["name"], b["adherence"]) for b in listed] == [("ben", round(6 / 7, 3))]


# ----------------------------------------------------------------------- age interop


def _signed_card(key: bytes, recipient: str) -> bytes:
    doc: dict[str, Any] = {
        "format": "adherelog-card",
        "version": 2,
        "period": {"from": "2026-11-16", "to": "2026-11-22"},
        "overall": {
            "adherence": None,
            "taken": 0,
            "skipped": 0,
            "missed": 0,
            "pending": 0,
            "current_streak": 0,
        },
        "meds": [],
        "side_effects": [],
        "tips_that_helped": [],
        "goals": [],
        "reply_to": recipient,
        "contributor": signing.contributor(signing.public_bytes(key)),
        "serial": 1,
    }
    doc["signature"] = signing.sign(key, doc)
    return json.dumps(doc).encode()


def age_decrypt_with_passphrase(path: Path, passphrase: str) -> bytes:
    """``age -d`` of a passphrase file: age reads the passphrase from its terminal only, so
    it runs on a pseudo-terminal that answers its prompt. Never waits more than 60 s."""
    assert AGE is not None
    out = path.with_name(path.name + ".plain")
    pid, fd = pty.fork()
    if pid == 0:  # the child: age, with the pty as its terminal
        try:
            os.execv(AGE, [AGE, "-d", "-o", str(out), str(path)])  # noqa: S606 - a fixed program
        finally:
            os._exit(127)
    seen, sent = b"", False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed its terminal
                break
            if not chunk:
                break
            seen += chunk
            if not sent and b"passphrase" in seen.lower():
                os.write(fd, passphrase.encode() + b"\n")
                sent = True
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    plain = out.read_bytes()
    out.unlink()
    return plain


@needs_age
@pytest.mark.parametrize("armor", [True, False])
def test_a_card_age_encrypts_to_the_journal_imports(tmp_path: Path, armor: bool) -> None:
    assert AGE is not None
    recipient = data("identity")["age_recipient"]
    plain = tmp_path / "card.json"
    plain.write_bytes(_signed_card(bytes(range(32)), recipient))
    sealed = tmp_path / "card.age"
    subprocess.run(
        [AGE, "-e", "-r", recipient, *(["-a"] if armor else []), "-o", str(sealed), str(plain)],
        check=True,
        timeout=60,
    )
    added = data("buddy", "import", str(sealed), "--as", "ana")
    assert added["action"] == "added"


@needs_age
def test_age_decrypts_what_adherelog_encrypts(tmp_path: Path) -> None:
    assert AGE is not None
    env = {"ADHERELOG_PASSPHRASE": "correct horse battery staple"}
    done("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-01")
    card = tmp_path / "card.age"
    done("share", "card", "--encrypt", "-o", str(card), env=env)
    assert (
        json.loads(age_decrypt_with_passphrase(card, env["ADHERELOG_PASSPHRASE"]))["format"]
        == "adherelog-card"
    )
    backup = tmp_path / "journal.db.age"
    done("backup", str(backup), "--encrypt", env=env)
    copy = age_decrypt_with_passphrase(backup, env["ADHERELOG_PASSPHRASE"])
    assert copy.startswith(b"SQLite format 3\x00")
    # A card for a buddy: age decrypts it with the buddy's own identity.
    buddy = tmp_path / "ben.db"
    ben_card = tmp_path / "ben.json"
    done("--db", str(buddy), "share", "card", "--format", "json", "-o", str(ben_card))
    done("buddy", "import", str(ben_card), "--as", "ben")
    sealed = tmp_path / "for-ben.age"
    done("share", "card", "--to", "ben", "-o", str(sealed))
    keyfile = tmp_path / "ben.key"
    keyfile.write_text(age_identity_of(buddy) + "\n")
    keyfile.chmod(0o600)
    opened = subprocess.run(
        [AGE, "-d", "-i", str(keyfile), str(sealed)], capture_output=True, check=True, timeout=60
    )
    assert json.loads(opened.stdout)["reply_to"] == data("identity")["age_recipient"]


# ------------------------------------------------------------------ the terminal prompt


def run_on_terminal(argv: list[str], answers: list[str]) -> tuple[int, bytes]:
    """Run ``argv`` on a pseudo-terminal, answering each prompt that ends in ': ' with the
    next of ``answers``; returns the exit code and what the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(argv[0], argv)  # noqa: S606 - a fixed program
        finally:
            os._exit(127)
    seen, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip(b" ").endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\n")
                seen += b"\n"
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen


def test_the_passphrase_is_asked_twice_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.delenv("ADHERELOG_PASSPHRASE", raising=False)
    sealed = tmp_path / "card.age"
    argv = [sys.executable, "-m", "adherelog", "share", "card", "--encrypt", "-o", str(sealed)]
    code, shown = run_on_terminal(argv, ["tea for two", "tea for two"])
    assert code == 0, shown
    assert b"Passphrase again:" in shown
    assert b"tea for two" not in shown  # never echoed
    assert pyrage_decrypt(sealed, "tea for two").startswith(b"{")
    code, shown = run_on_terminal([*argv[:-1], str(tmp_path / "other.age")], ["one", "two"])
    assert code == 2
    assert b"The two passphrases differ" in shown
    assert not (tmp_path / "other.age").exists()


def pyrage_decrypt(path: Path, passphrase: str) -> bytes:
    import pyrage

    return bytes(pyrage.passphrase.decrypt(path.read_bytes(), passphrase))
