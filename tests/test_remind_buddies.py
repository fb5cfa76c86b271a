"""``remind`` and buddies (SPEC §13, §12): a nudge on the user's own channels once a day
for each buddy whose contact is overdue, and each buddy's weekly check-in card on that
buddy's own ``--send-via`` channel, through a real local HTTP server; never twice, nothing
on a dry run, a failing buddy channel reported while the user's reminders still arrive."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import data, invoke, journal, ok, one_error_line, run
from test_buddies import card_document, write_card
from test_remind import WAIT, Hook, _pass_process, calls, desktop, hook

__all__ = ["desktop", "hook"]  # fixtures shared with test_remind

NOW = "2026-11-22T09:10:00"  # a Sunday; the buddy's card came 9 days before
SECRET = "ana-secret-token"  # noqa: S105 (a stand-in, checked never to be printed)


@pytest.fixture
def ana_hook() -> Iterator[Hook]:
    """The buddy's own endpoint (their channel), apart from the user's."""
    server = Hook()
    try:
        yield server
    finally:
        server.close()


def ana_url(server: Hook) -> str:
    """ana's channel, with a secret in its path that must never be printed."""
    return server.url.replace("/hook", f"/{SECRET}")


def at(moment: str) -> dict[str, str]:
    return {"ADHERELOG_NOW": moment}


def add_ana(tmp_path: Path, *, when: str = "2026-11-13T10:00:00") -> None:
    """ana's card, imported ``when`` (the last contact with her)."""
    path = write_card(tmp_path / "ana.json", card_document())
    ok("buddy", "import", path, "--as", "ana", env=at(when))


def add_sertraline() -> None:
    """Sertraline's 08:00 dose is overdue at 09:10."""
    ok("med", "add", "Sertraline", "--dose", "50 mg", "--time", "08:00", "--start", "2026-11-01")


def contacts(kind: str = "card_sent") -> list[str]:
    conn = sqlite3.connect(journal())
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT at FROM buddy_contacts WHERE kind = ? ORDER BY at", (kind,)
            )
        ]
    finally:
        conn.close()


def notification_rows() -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(journal())
    try:
        return conn.execute("SELECT kind, state FROM notifications ORDER BY kind").fetchall()
    finally:
        conn.close()


def sent_of(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(s["kind"], s["med"], s["scheduled_for"], s["buddy"]) for s in document["sent"]]


def messages(server: Hook) -> list[tuple[str, str]]:
    return [(b["title"], b["message"]) for b in server.bodies]


def set_up(tmp_path: Path, user: Hook, buddy: Hook) -> None:
    add_sertraline()
    add_ana(tmp_path)
    ok("remind", "config", "--via", user.url)
    ok("buddy", "set", "ana", "--send-via", ana_url(buddy))


# ------------------------------------------------------------------- nudge and card


def test_nudge_on_the_users_channel_and_card_on_the_buddys(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    set_up(tmp_path, hook, ana_hook)
    result = ok("remind", "--json")
    document = json.loads(result.stdout)
    assert document["failed"] == []
    assert sent_of(document) == [
        ("dose", "Sertraline", "2026-11-22T08:00:00+00:00", None),
        ("buddy", None, None, "ana"),
        ("card", None, None, "ana"),
    ]
    port = ana_hook.server.server_address[1]
    assert document["sent"][2]["via"] == f"json://127.0.0.1:{port}/****"
    assert SECRET not in result.stdout + result.stderr
    # The user's channel: the dose and the nudge; the card never goes there.
    assert messages(hook) == [
        ("Time for Sertraline", "Sertraline 50 mg was due at 08:00."),
        ("Check in with ana", "It's 9 days since you and ana checked in."),
    ]
    # ana's channel: the card alone, as Markdown, the medication's name hidden.
    [(title, card)] = messages(ana_hook)
    assert title == "Check-in card"
    assert card.startswith("# Check-in: the last 7 days\n")
    assert "**medication A**" in card
    assert "Sertraline" not in card
    assert "50 mg" not in card
    # The card counts as contact: ana is no longer due a check-in.
    assert contacts() == ["2026-11-22T09:10:00Z"]
    assert data("due")["buddies_due"] == []


def test_a_second_pass_the_same_day_and_week_sends_nothing(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    set_up(tmp_path, hook, ana_hook)
    ok("remind")
    assert (hook.count(), ana_hook.count()) == (2, 1)
    assert ok("remind").stdout == ""
    later = json.loads(ok("remind", "--json", env=at("2026-11-22T23:50:00")).stdout)
    assert [s["kind"] for s in later["sent"]] == ["dose"]  # the dose's repeat only
    # The next days, within the week: the dose again, no nudge (the card was contact) and
    # no card.
    for day in ("2026-11-23", "2026-11-28"):
        document = json.loads(ok("remind", "--json", env=at(f"{day}T09:10:00")).stdout)
        assert [s["kind"] for s in document["sent"]] == ["dose"], day
    assert ana_hook.count() == 1
    # A week after the card: the next card, and the nudge (7 days since the last contact).
    week = json.loads(ok("remind", "--json", env=at("2026-11-29T09:10:00")).stdout)
    assert [s["kind"] for s in week["sent"]] == ["dose", "buddy", "card"]
    assert ana_hook.count() == 2
    assert messages(hook)[-1] == ("Check in with ana", "It's 7 days since you and ana checked in.")
    assert ok("remind", env=at("2026-11-29T09:20:00")).stdout == ""
    assert ana_hook.count() == 2
    assert len(contacts()) == 2


def test_a_card_sent_by_hand_counts_for_the_week(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    """``share card --to`` is a card sent: the weekly card waits ``every`` days from it."""
    set_up(tmp_path, hook, ana_hook)
    shared = invoke(
        "share", "card", "--to", "ana", "-o", str(tmp_path / "card.age"), env=at("2026-11-20T12:00")
    )
    assert shared.exit_code == 0, shared.stderr
    document = json.loads(ok("remind", "--json").stdout)
    assert [s["kind"] for s in document["sent"]] == ["dose"]
    assert ana_hook.count() == 0
    week = json.loads(ok("remind", "--json", env=at("2026-11-27T09:10:00")).stdout)
    assert [s["kind"] for s in week["sent"]] == ["dose", "buddy", "card"]
    assert ana_hook.count() == 1


def test_the_nudge_at_most_once_a_day_without_a_channel_of_the_buddy(
    tmp_path: Path, desktop: Path
) -> None:
    """A buddy without ``--send-via`` gets no card; the user is nudged each day while the
    contact stays overdue, once that day, until they check in."""
    add_ana(tmp_path)
    first = json.loads(ok("remind", "--json").stdout)
    assert sent_of(first) == [("buddy", None, None, "ana")]
    assert first["sent"][0]["via"] == "desktop"
    assert calls(desktop) == [
        [
            "--app-name=adherelog",
            "--",
            "Check in with ana",
            "It's 9 days since you and ana checked in.",
        ]
    ]
    assert ok("remind").stdout == ""
    assert ok("remind", env=at("2026-11-22T21:00:00")).stdout == ""
    assert ok("remind", env=at("2026-11-23T08:00:00")).stdout == (
        "Sent: check in with ana via desktop\n"
    )
    assert calls(desktop)[-1][-1] == "It's 10 days since you and ana checked in."
    ok("buddy", "checkin", "ana", env=at("2026-11-23T12:00:00"))
    assert ok("remind", env=at("2026-11-24T09:00:00")).stdout == ""
    assert len(calls(desktop)) == 2
    assert contacts() == []  # no card went anywhere


def test_a_buddy_never_in_touch_and_one_in_touch_recently(tmp_path: Path, desktop: Path) -> None:
    add_ana(tmp_path, when="2026-11-20T10:00:00")  # 2 days ago: not due
    assert ok("remind").stdout == ""
    ok("buddy", "set", "ana", "--every", "2")
    assert ok("remind").stdout == "Sent: check in with ana via desktop\n"
    assert calls(desktop)[-1][-1] == "It's 2 days since you and ana checked in."


def test_discreet_reminders_still_nudge_and_never_name_medications_on_the_card(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    set_up(tmp_path, hook, ana_hook)
    ok("buddy", "set", "ana", "--card-names")
    ok("remind", "--discreet")
    assert messages(hook) == [
        ("Reminder", "A dose is due"),
        ("Check in with ana", "It's 9 days since you and ana checked in."),
    ]
    [(_, card)] = messages(ana_hook)
    assert "Sertraline" not in card
    assert "**medication A**" in card


def test_card_names_when_the_user_set_them(tmp_path: Path, hook: Hook, ana_hook: Hook) -> None:
    set_up(tmp_path, hook, ana_hook)
    assert data("buddy", "set", "ana", "--card-names")["card_names"] is True
    assert [b["card_names"] for b in data("buddy", "list")["buddies"]] == [True]
    assert "card with names" in ok("buddy", "set", "ana").stdout
    ok("remind")
    [(_, card)] = messages(ana_hook)
    assert "**Sertraline**" in card
    assert data("buddy", "set", "ana", "--no-card-names")["card_names"] is False


def test_card_names_go_with_the_buddy(tmp_path: Path, hook: Hook, ana_hook: Hook) -> None:
    """``buddy rm`` forgets the setting: a new buddy of the same name starts hidden."""
    set_up(tmp_path, hook, ana_hook)
    ok("buddy", "set", "ana", "--card-names")
    ok("buddy", "rm", "ana")
    conn = sqlite3.connect(journal())
    try:
        held = conn.execute("SELECT value FROM remind_config WHERE key = 'card_names'").fetchall()
    finally:
        conn.close()
    assert held == []
    add_ana(tmp_path)
    assert data("buddy", "set", "ana")["card_names"] is False


def test_dry_run_shows_the_nudge_and_the_card_and_records_nothing(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    set_up(tmp_path, hook, ana_hook)
    result = ok("remind", "--dry-run", "--json")
    document = json.loads(result.stdout)
    assert document["dry_run"] is True
    assert [s["kind"] for s in document["sent"]] == ["dose", "buddy", "card"]
    assert SECRET not in result.stdout
    human = ok("remind", "--dry-run").stdout
    assert "Would send: check in with ana via json://127.0.0.1:" in human
    assert "Would send: check-in card for ana via json://127.0.0.1:" in human
    assert SECRET not in human
    assert (hook.count(), ana_hook.count()) == (0, 0)
    assert notification_rows() == []
    assert contacts() == []
    # The real pass afterwards sends them.
    assert [s["kind"] for s in data("remind")["sent"]] == ["dose", "buddy", "card"]


def test_a_failing_buddy_channel_is_reported_and_the_dose_reminder_still_arrives(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    set_up(tmp_path, hook, ana_hook)
    ana_hook.status = 500
    result = invoke("remind", "--json")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    port = ana_hook.server.server_address[1]
    assert f"through json://127.0.0.1:{port}/****:" in line
    assert "next pass" in line
    assert SECRET not in result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert [s["kind"] for s in document["sent"]] == ["dose", "buddy"]
    assert [(f["kind"], f["buddy"]) for f in document["failed"]] == [("card", "ana")]
    assert [t for t, _ in messages(hook)] == ["Time for Sertraline", "Check in with ana"]
    assert ana_hook.count() == 1
    assert contacts() == []  # a card that did not go is no contact
    # Retried on the next pass, alone: the rest went already.
    ana_hook.status = 200
    again = json.loads(ok("remind", "--json", env=at("2026-11-22T09:15:00")).stdout)
    assert sent_of(again) == [("card", None, None, "ana")]
    assert ana_hook.count() == 2
    assert hook.count() == 2
    assert contacts() == ["2026-11-22T09:15:00Z"]
    assert ok("remind", env=at("2026-11-22T09:20:00")).stdout == ""


def test_a_failing_buddy_channel_in_human_output(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    set_up(tmp_path, hook, ana_hook)
    ana_hook.status = 500
    result = invoke("remind")
    assert result.exit_code == 1
    assert "Failed: check-in card for ana via json://127.0.0.1:" in result.stdout
    assert SECRET not in result.stdout + result.stderr


# --------------------------------------------------------------------- real processes


def test_passes_at_once_send_one_nudge_and_one_card(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    add_ana(tmp_path)
    ok("buddy", "set", "ana", "--send-via", ana_url(ana_hook))
    passes = [_pass_process(hook.url) for _ in range(6)]
    outputs = [p.communicate(timeout=WAIT * 3) for p in passes]
    assert [p.returncode for p in passes] == [0] * 6, outputs
    assert messages(hook) == [("Check in with ana", "It's 9 days since you and ana checked in.")]
    assert ana_hook.count() == 1
    sent = [s["kind"] for out, _ in outputs for s in json.loads(out)["sent"]]
    assert sorted(sent) == ["buddy", "card"]
    assert notification_rows() == [("buddy", "sent"), ("card", "sent")]
    assert len(contacts()) == 1


def test_a_pass_killed_while_it_sends_the_card_retries_it_once_and_counts_one_contact(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    add_ana(tmp_path)
    ok("buddy", "set", "ana", "--send-via", ana_url(ana_hook))
    ana_hook.release.clear()  # ana's endpoint stalls: the pass is killed while it waits
    victim = _pass_process(hook.url)
    assert ana_hook.arrived.wait(WAIT), "no card arrived in time"
    victim.send_signal(signal.SIGKILL)
    victim.wait(WAIT)
    assert notification_rows() == [("buddy", "sent"), ("card", "claimed")]
    assert contacts() == []  # not recorded as sent, so no contact either
    ana_hook.release.set()
    retry = _pass_process(hook.url)
    out, err = retry.communicate(timeout=WAIT * 3)
    assert retry.returncode == 0, err
    assert [s["kind"] for s in json.loads(out)["sent"]] == ["card"]
    assert notification_rows() == [("buddy", "sent"), ("card", "sent")]
    assert len(contacts()) == 1
    later = _pass_process(hook.url)
    later.communicate(timeout=WAIT * 3)
    assert ana_hook.count() == 2  # the killed send and its one retry
    assert hook.count() == 1  # the nudge, once


def test_a_pass_with_nothing_to_send_imports_nothing_heavy_with_buddies(
    tmp_path: Path, hook: Hook, ana_hook: Hook
) -> None:
    """SPEC §10: with buddies, a nudge and a card sent already, the next pass imports no
    Typer, Click, Rich or Apprise, and builds no card (no summary)."""
    set_up(tmp_path, hook, ana_hook)
    ok("buddy", "set", "ana", "--card-names")
    bo_card = write_card(tmp_path / "bo.json", card_document(key=bytes(range(2, 34))))
    ok("buddy", "import", bo_card, "--as", "bo", env=at("2026-11-21T10:00:00"))
    ok("remind")
    assert (hook.count(), ana_hook.count()) == (2, 1)
    for args in (["remind"], ["remind", "--json"]):
        probe = run(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
        assert probe.returncode == 0, probe.stderr
        imported = {line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines()}
        assert "adherelog.remind" in imported
        heavy = {m for m in imported if m.split(".")[0] in ("typer", "click", "rich", "apprise")}
        assert heavy == set(), args
        assert not imported & {"adherelog.card", "adherelog.summary", "adherelog.buddies"}
    assert (hook.count(), ana_hook.count()) == (2, 1)


def test_the_card_arrives_in_a_real_process(tmp_path: Path, hook: Hook, ana_hook: Hook) -> None:
    set_up(tmp_path, hook, ana_hook)
    done = subprocess.run(
        [sys.executable, "-m", "adherelog", "remind"],
        capture_output=True,
        text=True,
        timeout=WAIT * 3,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "Sent: check-in card for ana via json://127.0.0.1:" in done.stdout
    assert ana_hook.count() == 1


# ------------------------------------------------------------------------ the words


def test_nudge_words() -> None:
    from adherelog.remind_rules import buddy_message

    assert buddy_message("ana", 1).body == "It's a day since you and ana checked in."
    assert buddy_message("ana", None).body == (
        "You and ana have not been in touch yet; time for a check-in."
    )
    hostile = buddy_message("a\x1b[31mna\u202e", 9)
    assert "\x1b" not in hostile.title + hostile.body
    assert "\u202e" not in hostile.title + hostile.body
