"""Buddies and goals (SPEC §12): signed cards, trust by key, contacts, nudges, goals, and
the age encryption of cards, backups and exports (SPEC §8)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pyrage
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adherelog import agefile, cardfile, signing
from adherelog.errors import AdherelogError, InvalidFileError, UsageError
from helpers import data, invoke, ok, one_error_line, sha256
from test_hostile_text import HOSTILE, MARKUP, assert_harmless, assert_visible

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
RECIPIENT = str(pyrage.x25519.Identity.generate().to_public())


def card_document(key: bytes = KEY, serial: int = 1, **changes: Any) -> dict[str, Any]:
    """A version 2 card as another journal would write it, signed with ``key``."""
    doc: dict[str, Any] = {
        "format": "adherelog-card",
        "version": 2,
        "period": {"from": "2026-11-16", "to": "2026-11-22"},
        "days": 7,
        "overall": {
            "adherence": 0.9,
            "taken": 9,
            "skipped": 1,
            "missed": 0,
            "pending": 0,
            "current_streak": 3,
        },
        "meds": [
            {
                "name": "Metformin",
                "as_needed": False,
                "adherence": 0.9,
                "taken": 9,
                "skipped": 1,
                "missed": 0,
                "pending": 0,
                "current_streak": 3,
                "as_needed_doses": 0,
            }
        ],
        "side_effects": [{"name": "nausea", "count": 2}],
        "tips_that_helped": [
            {"text": "Eat first", "medication": "Metformin", "side_effect": "nausea"}
        ],
        "goals": [
            {
                "text": "Evening dose",
                "med": "Metformin",
                "target": 90,
                "adherence": 0.9,
                "met": True,
            }
        ],
        "reply_to": RECIPIENT,
        "contributor": signing.contributor(signing.public_bytes(key)),
        "serial": serial,
    }
    doc.update(changes)
    doc["signature"] = signing.sign(key, doc)
    return doc


def done(*args: str, env: dict[str, str] | None = None) -> Any:
    """Run a command that must succeed; it may say on stderr what it wrote."""
    result = invoke(*args, env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def write_card(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def refused(*args: str, journal: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command that must be refused (exit 1) and leave the journal as it was."""
    target = journal or Path(os.environ["ADHERELOG_DB"])
    if not target.exists():
        ok("--db", str(target), "identity")
    before = sha256(target) if target.exists() else None
    result = invoke(*args, env=env)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    after = sha256(target) if target.exists() else None
    assert before == after
    return one_error_line(result.stderr)


@pytest.fixture
def ana(tmp_path: Path) -> str:
    """ana's first card, imported."""
    path = write_card(tmp_path / "ana.json", card_document())
    ok("buddy", "import", path, "--as", "ana")
    return path


# ------------------------------------------------------------------------------ import


def test_first_card_needs_a_name_then_the_key_finds_the_buddy(tmp_path: Path) -> None:
    first = write_card(tmp_path / "first.json", card_document())
    message = refused("buddy", "import", first)
    assert "--as NAME" in message
    assert signing.fingerprint(signing.public_bytes(KEY)) in message
    added = data("buddy", "import", first, "--as", "Ana")
    assert added["action"] == "added"
    assert added["name"] == "Ana"
    assert added["adherence"] == 0.9
    # A later card from the same key, whatever its file name, updates Ana.
    later = write_card(tmp_path / "whatever.json", card_document(serial=5))
    assert data("buddy", "import", later)["action"] == "updated"
    # Not newer: nothing changes, not even the contact.
    assert data("buddy", "import", first)["action"] == "unchanged"
    [listed] = data("buddy", "list")["buddies"]
    assert listed == {
        "name": "Ana",
        "fingerprint": signing.fingerprint(signing.public_bytes(KEY)),
        "last_card": "2026-11-22T09:10:00+00:00",
        "last_contact": "2026-11-22T09:10:00+00:00",
        "every": 7,
        "adherence": 0.9,
        "current_streak": 3,
        "send_via": None,
        "card_names": False,
    }
    shown = data("buddy", "show", "ana")
    assert [p["to"] for p in shown["trend"]] == ["2026-11-22", "2026-11-22"]
    assert shown["card"]["serial"] == 5


def test_another_key_under_a_known_name_is_refused_unless_replace_key(
    ana: str, tmp_path: Path
) -> None:
    other = write_card(tmp_path / "other.json", card_document(OTHER_KEY, serial=1))
    message = refused("buddy", "import", other, "--as", "ana")
    assert "another key" in message
    assert "--replace-key" in message
    assert signing.fingerprint(signing.public_bytes(OTHER_KEY)) in message
    replaced = data("buddy", "import", other, "--as", "ana", "--replace-key")
    assert replaced["action"] == "key_replaced"
    assert data("buddy", "list")["buddies"][0]["fingerprint"] == signing.fingerprint(
        signing.public_bytes(OTHER_KEY)
    )
    # A known key given under another name is refused too.
    assert "your buddy 'ana'" in refused("buddy", "import", other, "--as", "bob")


def test_bad_cards_are_refused_in_one_sentence(ana: str, tmp_path: Path) -> None:
    tampered = card_document(serial=2)
    tampered["overall"]["adherence"] = 1.0
    assert "signature does not match" in refused(
        "buddy", "import", write_card(tmp_path / "t.json", tampered)
    )
    bundle = {"format": "adherelog-tips", "version": 2, "tips": []}
    message = refused("buddy", "import", write_card(tmp_path / "b.json", bundle))
    assert "is a tip bundle" in message
    assert "tip import" in message
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 * 1024 * 1024) + b"{}")
    assert "larger than 2 MiB" in refused("buddy", "import", str(big))
    padded = tmp_path / "padded.json"
    padded.write_bytes(json.dumps(card_document(serial=3)).encode() + b" " * (1024 * 1024))
    assert "at most 1048576 bytes" in refused("buddy", "import", str(padded))
    assert "version: 1 is not supported" in refused(
        "buddy", "import", write_card(tmp_path / "v1.json", card_document(version=1))
    )
    unknown = card_document(serial=4, notes="hi")
    assert '"notes" is not allowed' in refused(
        "buddy", "import", write_card(tmp_path / "u.json", unknown)
    )
    message = refused("buddy", "import", "/dev/zero")
    assert "not a regular file" in message


@pytest.mark.parametrize(
    ("field", "mutate"),
    [
        ("meds[0].name", lambda d, t: d["meds"][0].update(name=t)),
        ("side_effects[0].name", lambda d, t: d["side_effects"][0].update(name=t)),
        ("tips_that_helped[0].text", lambda d, t: d["tips_that_helped"][0].update(text=t)),
        (
            "tips_that_helped[0].medication",
            lambda d, t: d["tips_that_helped"][0].update(medication=t),
        ),
        ("goals[0].text", lambda d, t: d["goals"][0].update(text=t)),
        ("goals[0].med", lambda d, t: d["goals"][0].update(med=t)),
    ],
)
@pytest.mark.parametrize(
    "char", ["\x1b", "\x9b", "\x85", "\u202e", "\u200b", "\ufeff", "\x00", "\u2066", "\U000e0041"]
)
def test_hostile_characters_in_any_text_of_a_card_are_refused(
    ana: str, tmp_path: Path, field: str, mutate: Any, char: str
) -> None:
    doc = card_document(serial=9)
    mutate(doc, f"x{char}y")
    doc["signature"] = signing.sign(KEY, doc)
    message = refused("buddy", "import", write_card(tmp_path / "h.json", doc))
    assert message.startswith(f"adherelog: {tmp_path / 'h.json'} was not imported: {field}:")


def test_a_buddys_markup_and_hostile_looking_text_prints_as_plain_text(tmp_path: Path) -> None:
    doc = card_document()
    doc["meds"][0]["name"] = "[bold red]x[/] :smile:"
    doc["tips_that_helped"][0]["text"] = MARKUP
    doc["goals"][0]["text"] = "<script>alert(1)</script> [link=https://evil.example]y[/link]"
    doc["signature"] = signing.sign(KEY, doc)
    ok("buddy", "import", write_card(tmp_path / "m.json", doc), "--as", "ana")
    result = ok("buddy", "show", "ana")
    text = assert_harmless(result.stdout.encode())
    assert "[bold red]x[/] :smile:" in text
    assert MARKUP in text
    assert "<script>alert(1)</script> [link=https://evil.example]y[/link]" in text


def test_stored_hostile_text_is_escaped_when_shown(ana: str) -> None:
    conn = sqlite3.connect(os.environ["ADHERELOG_DB"])
    with conn:
        conn.execute("UPDATE buddies SET name = ?", ("ana " + HOSTILE,))
    conn.close()
    text = assert_harmless(ok("buddy", "list").stdout.encode())
    assert "ana" in text
    shown = assert_harmless(ok("due", env={"ADHERELOG_NOW": "2026-12-01T09:00"}).stdout.encode())
    assert_visible(shown)


def test_own_card_is_not_a_buddy(tmp_path: Path) -> None:
    out = tmp_path / "mine.json"
    assert invoke("share", "card", "--format", "json", "-o", str(out)).exit_code == 0
    assert "your own card" in refused("buddy", "import", str(out), "--as", "me")


# ------------------------------------------------------------------- contacts and due


def test_checkin_set_rm_and_the_nudge(ana: str) -> None:
    assert data("due")["buddies_due"] == []
    later = {"ADHERELOG_NOW": "2026-12-01T09:00"}
    assert data("due", env=later)["buddies_due"] == [
        {"name": "ana", "last_contact": "2026-11-22T09:10:00+00:00", "every": 7}
    ]
    assert "It's 9 days since you and ana checked in." in ok("due", env=later).stdout
    checked = data(
        "buddy", "checkin", "ana", "--at", "2026-11-30 18:00", "--note", "PRIVATE-NOTE", env=later
    )
    assert checked["last_contact"] == "2026-11-30T18:00:00+00:00"
    assert data("due", env=later)["buddies_due"] == []
    assert data("buddy", "set", "ana", "--every", "1", env=later)["every"] == 1
    assert [b["name"] for b in data("due", env=later)["buddies_due"]] == ["ana"]
    set_ = data(
        "buddy", "set", "ana", "--send-via", "json://bob:hunter2@example.org/x?token=s3cret"
    )
    assert set_["send_via"] == "json://bob:***@example.org/x?token=***"
    assert "hunter2" not in ok("buddy", "show", "ana").stdout
    # The private note never leaves: not in show, not on my card.
    assert "PRIVATE-NOTE" not in ok("buddy", "show", "ana", "--json").stdout
    assert "PRIVATE-NOTE" not in done("share", "card", "--format", "json").stdout
    assert data("buddy", "rm", "ana")["name"] == "ana"
    assert data("buddy", "list") == {"buddies": []}
    assert "No buddy named 'ana'" in refused("buddy", "checkin", "ana")


def test_checkin_refuses_the_future_and_bad_settings(ana: str) -> None:
    assert "future" in refused("buddy", "checkin", "ana", "--at", "2026-11-23 10:00")
    result = invoke("buddy", "set", "ana", "--every", "0")
    assert result.exit_code == 2
    assert "--every must be from 1 to 365" in one_error_line(result.stderr)
    result = invoke("buddy", "set", "ana", "--send-via", "not a url")
    assert result.exit_code == 2


# ------------------------------------------------------------------------------- goals


def test_goals_progress_on_the_card_and_in_summary() -> None:
    ok("med", "add", "Metformin", "--time", "20:00", "--start", "2026-11-10")
    for day in range(16, 22):
        if day != 18:
            ok("take", "metformin", "--at", f"2026-11-{day} 20:05")
    goal = data("goal", "add", "Evening metformin on time", "--med", "metformin", "--target", "80")
    assert goal == {
        "id": 1,
        "text": "Evening metformin on time",
        "med": "Metformin",
        "target": 80,
        "done": False,
        "adherence": None,
        "met": None,
    }
    ok("goal", "add", "Walk after dinner")
    [first, second] = data("goal", "list")["goals"]
    assert first["adherence"] == round(5 / 6, 3)
    assert first["met"] is True
    assert second["med"] is None
    assert second["met"] is None
    card = json.loads(done("share", "card", "--format", "json").stdout)
    assert card["goals"][0] == {
        "text": "Evening metformin on time",
        "med": "Metformin",
        "target": 80,
        "adherence": round(5 / 6, 3),
        "met": True,
    }
    hidden = json.loads(done("share", "card", "--format", "json", "--no-names").stdout)
    assert hidden["goals"][0]["text"] == "Evening medication A on time"
    assert hidden["goals"][0]["med"] == "medication A"
    assert "metformin" not in json.dumps(hidden).casefold()
    md = done("share", "card", "--no-names").stdout
    assert "metformin" not in md.casefold()
    assert "- Evening medication A on time: medication A 83% against 80% (met)" in md
    assert data("summary", "--days", "7")["goals"][0]["met"] is True
    assert "Evening metformin on time" in ok("summary", "--days", "7").stdout
    assert data("goal", "done", "1")["done"] is True
    assert [g["text"] for g in json.loads(done("share", "card", "--json").stdout)["goals"]] == [
        "Walk after dinner"
    ]
    assert data("goal", "rm", "2")["text"] == "Walk after dinner"
    assert "no goal 2" in refused("goal", "rm", "2")
    for bad in (
        ["goal", "add", "x", "--target", "90"],
        ["goal", "add", "x", "--med", "metformin", "--target", "101"],
        ["goal", "rm", "one"],
    ):
        result = invoke(*bad)
        assert result.exit_code == 2, bad
        one_error_line(result.stderr)


# ---------------------------------------------------------------------------- age files


def journal_identity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT age_identity FROM journal_keys").fetchone()[0])
    finally:
        conn.close()


def test_age_module_round_trips_and_names_each_failure() -> None:
    me = pyrage.x25519.Identity.generate()
    sealed = agefile.encrypt_to(b"card", [str(me.to_public())])
    assert sealed.startswith(agefile.ARMOR_BEGIN)
    assert agefile.is_age(sealed)
    assert not agefile.is_age(b"{}")
    assert agefile.decrypt_if_age(sealed, identity=lambda: str(me)) == b"card"
    assert agefile.decrypt_if_age(b"{}", identity=lambda: None) == b"{}"
    with pytest.raises(AdherelogError, match="not encrypted to this journal"):
        agefile.decrypt(
            sealed,
            identity=lambda: str(pyrage.x25519.Identity.generate()),
            passphrase=lambda _: "x",
        )
    locked = agefile.encrypt_with_passphrase(b"backup", "right")
    assert agefile.decrypt(locked, identity=lambda: None, passphrase=lambda _: "right") == b"backup"
    with pytest.raises(AdherelogError, match="the passphrase is wrong"):
        agefile.decrypt(locked, identity=lambda: None, passphrase=lambda _: "wrong")
    with pytest.raises(InvalidFileError, match="cut short"):
        agefile.decrypt(sealed[:-40], identity=lambda: str(me), passphrase=lambda _: "")
    binary = bytes(pyrage.encrypt(b"x" * 5000, [me.to_public()]))
    with pytest.raises(InvalidFileError, match="cut short"):
        agefile.decrypt(binary[:-100], identity=lambda: str(me), passphrase=lambda _: "")
    with pytest.raises(InvalidFileError, match="cut short"):
        agefile.decrypt(binary[:30], identity=lambda: str(me), passphrase=lambda _: "")


def test_no_passphrase_and_no_terminal_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADHERELOG_PASSPHRASE", raising=False)
    with pytest.raises(UsageError, match="ADHERELOG_PASSPHRASE"):
        agefile.ask_passphrase(True)
    result = invoke("share", "card", "--encrypt")
    assert result.exit_code == 2
    assert "ADHERELOG_PASSPHRASE" in one_error_line(result.stderr)


def test_encrypted_cards_between_two_journals(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    done("--db", str(a), "share", "card", "--format", "json", "-o", str(tmp_path / "a.json"))
    ok("--db", str(b), "buddy", "import", str(tmp_path / "a.json"), "--as", "ana")
    sealed = tmp_path / "for-ana.age"
    result = invoke("--db", str(b), "share", "card", "--to", "ana", "-o", str(sealed))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Wrote a 7-day check-in card for ana (age) to {sealed}.\n"
    assert sealed.read_bytes().startswith(agefile.ARMOR_BEGIN)
    assert (sealed.stat().st_mode & 0o777) == 0o600
    # Writing a card for ana counts as contact with her.
    assert data("--db", str(b), "buddy", "list")["buddies"][0]["last_contact"] is not None
    added = data("--db", str(a), "buddy", "import", str(sealed), "--as", "bob")
    assert added["name"] == "bob"
    # A third journal cannot read it, and says whose it is not.
    c = tmp_path / "c.db"
    ok("--db", str(c), "identity")
    message = refused("--db", str(c), "buddy", "import", str(sealed), "--as", "bob", journal=c)
    assert "is not encrypted to this journal (age1" in message
    # Passphrase cards: a wrong passphrase is named.
    locked = tmp_path / "locked.age"
    env = {"ADHERELOG_PASSPHRASE": "open sesame"}
    done("--db", str(b), "share", "card", "--encrypt", "-o", str(locked), env=env)
    assert pyrage.passphrase.decrypt(locked.read_bytes(), "open sesame").startswith(b"{")
    message = refused(
        "--db",
        str(a),
        "buddy",
        "import",
        str(locked),
        journal=a,
        env={"ADHERELOG_PASSPHRASE": "wrong"},
    )
    assert "the passphrase is wrong" in message
    cut = tmp_path / "cut.age"
    cut.write_bytes(sealed.read_bytes()[:-60])
    assert "cut short" in refused("--db", str(a), "buddy", "import", str(cut), journal=a)


def test_encrypted_backup_and_export_leave_no_plaintext(tmp_path: Path) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "metformin", "--at", "2026-11-21 08:00")
    env = {"ADHERELOG_PASSPHRASE": "pw"}
    folder = tmp_path / "bk"
    folder.mkdir()
    made = data("backup", str(folder) + "/", "--encrypt", env=env)
    assert made["encrypted"] is True
    [only] = list(folder.iterdir())
    assert only.name.endswith(".db.age")
    assert made["path"] == str(only)
    assert (only.stat().st_mode & 0o777) == 0o600
    plain = pyrage.passphrase.decrypt(only.read_bytes(), "pw")
    assert plain.startswith(b"SQLite format 3\x00")
    assert plain[18:20] == b"\x01\x01"
    copy = tmp_path / "restored.db"
    copy.write_bytes(plain)
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] >= 1
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    exported = tmp_path / "journal.age"
    done("export", "--encrypt", "-o", str(exported), env=env)
    assert json.loads(pyrage.passphrase.decrypt(exported.read_bytes(), "pw"))["format"] == (
        "adherelog-journal"
    )
    # Nothing but the age files was written: no temporary copy, no plain SQLite file.
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["journal.db"]
    leftovers = [p for p in tmp_path.rglob("*") if ".tmp" in p.name or p.name.startswith(".")]
    assert leftovers == []


def test_card_reader_property_round_trip() -> None:
    doc = card_document()
    parsed = cardfile.parse_card(json.dumps(doc).encode())
    assert parsed.serial == 1
    assert parsed.meds[0].name == "Metformin"
    assert parsed.goals[0].met is True


# ------------------------------------------------------------------ schema and properties


def test_migration_m010_adds_the_buddy_and_goal_tables() -> None:
    from adherelog.migrations import MIGRATIONS, m008_buddies

    assert m008_buddies in MIGRATIONS
    ok("goal", "add", "Walk daily")
    conn = sqlite3.connect(os.environ["ADHERELOG_DB"])
    try:

        def columns(table: str) -> list[str]:
            return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]

        assert columns("buddies") == [
            "id",
            "name",
            "name_key",
            "contributor",
            "reply_to",
            "every",
            "send_via",
            "created_at",
        ]
        assert columns("buddy_cards") == [
            "id",
            "buddy_id",
            "contributor",
            "serial",
            "period_from",
            "period_to",
            "adherence",
            "current_streak",
            "document",
            "received_at",
        ]
        assert columns("buddy_contacts") == ["id", "buddy_id", "kind", "at", "zone", "note"]
        assert columns("goals") == ["id", "text", "med_id", "target", "created_at", "done_at"]
    finally:
        conn.close()


def test_import_from_standard_input_in_a_real_process() -> None:
    import subprocess
    import sys

    raw = json.dumps(card_document()).encode()
    done = subprocess.run(
        [sys.executable, "-m", "adherelog", "buddy", "import", "-", "--as", "ana", "--json"],
        input=raw,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "ana"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_with_one_error(raw: bytes) -> None:
    message = "read"
    try:
        cardfile.parse_card(raw)
    except InvalidFileError as exc:
        message = str(exc)
    assert message
    assert "\n" not in message


_SIGNED = card_document()
_PATHS = [
    ("overall", "taken"),
    ("meds", 0, "name"),
    ("goals", 0, "target"),
    ("period", "to"),
    ("serial",),
    ("reply_to",),
    ("tips_that_helped", 0, "text"),
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_PATHS), st.integers(min_value=1, max_value=99))
def test_any_change_after_signing_is_refused(path: tuple[Any, ...], value: int) -> None:
    import copy

    doc = copy.deepcopy(_SIGNED)
    where: Any = doc
    for step in path[:-1]:
        where = where[step]
    old = where[path[-1]]
    if isinstance(old, int):
        new: Any = old + value
    elif path[-1] == "to":
        new = "2026-11-23"
    elif path[-1] == "reply_to":
        new = str(pyrage.x25519.Identity.generate().to_public())
    else:
        new = old + "x" * value
    where[path[-1]] = new
    with pytest.raises(InvalidFileError):
        cardfile.parse_card(json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"format": "adherelog-card", "format": "adherelog-card"}', "appears twice"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100000 + b"]" * 100000, "nests"),
        (b"{", "not valid JSON"),
        (b"[]", "JSON object"),
    ],
)
def test_strict_json_rules_apply_to_cards(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    assert expected in refused("buddy", "import", str(path))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"overall": {**card_document()["overall"], "taken": True}},
            "overall.taken: must be a whole",
        ),
        ({"overall": {**card_document()["overall"], "adherence": 1.5}}, "overall.adherence"),
        ({"meds": [{**card_document()["meds"][0], "name": "x" * 81}]}, "meds[0].name: is 81"),
        ({"goals": [{**card_document()["goals"][0], "target": 0}]}, "goals[0].target"),
        ({"reply_to": "age1short"}, "reply_to: must be an age recipient"),
        ({"period": {"from": "2026-11-22", "to": "2026-11-16"}}, "from is after to"),
        ({"period": {"from": "22/11/2026", "to": "2026-11-16"}}, "period.from: must be a date"),
        ({"serial": 0}, "serial: must be a positive"),
    ],
)
def test_wrong_types_and_values_name_the_field(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    path = write_card(tmp_path / "bad.json", card_document(**change))
    assert expected in refused("buddy", "import", str(path), "--as", "ana")


def test_nan_is_refused(tmp_path: Path) -> None:
    text = json.dumps(card_document()).replace('"adherence": 0.9,', '"adherence": NaN,', 1)
    path = tmp_path / "nan.json"
    path.write_text(text)
    assert "NaN is not allowed" in refused("buddy", "import", str(path), "--as", "ana")


def test_backup_and_export_to_a_buddy(tmp_path: Path) -> None:
    ben = tmp_path / "ben.db"
    card = tmp_path / "ben.json"
    done("--db", str(ben), "share", "card", "--format", "json", "-o", str(card))
    ok("buddy", "import", str(card), "--as", "ben")
    ben_key = pyrage.x25519.Identity.from_str(journal_identity(ben))
    made = data("backup", str(tmp_path / "for-ben.db.age"), "--to", "ben")
    assert made["encrypted"] is True
    plain = pyrage.decrypt((tmp_path / "for-ben.db.age").read_bytes(), [ben_key])
    assert plain.startswith(b"SQLite format 3\x00")
    done("export", "--to", "ben", "-o", str(tmp_path / "for-ben.json.age"))
    exported = pyrage.decrypt((tmp_path / "for-ben.json.age").read_bytes(), [ben_key])
    assert json.loads(exported)["format"] == "adherelog-journal"
    assert "No buddy named 'zoe'" in refused("backup", str(tmp_path / "x.age"), "--to", "zoe")
    assert not (tmp_path / "x.age").exists()
    result = invoke("export", "--to", "ben", "--encrypt")
    assert result.exit_code == 2
    assert "either --to NAME or --encrypt" in one_error_line(result.stderr)


@pytest.mark.usefixtures("ana")
def test_buddies_goals_and_contacts_move_with_a_full_export(tmp_path: Path) -> None:
    done("buddy", "checkin", "ana", "--note", "talked about the evening dose")
    done("med", "add", "Metformin", "--time", "08:00")
    done("goal", "add", "Evening dose on time", "--med", "Metformin", "--target", "90")
    out = tmp_path / "journal.json"
    result = invoke("export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    moved = {"ADHERELOG_DB": str(tmp_path / "moved.db")}
    assert invoke("import", str(out), env=moved).exit_code == 0
    for listing in (("buddy", "list"), ("goal", "list"), ("buddy", "show", "ana")):
        assert data(*listing, env=moved) == data(*listing)


def test_a_summary_of_one_medication_shows_only_its_goals() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-10")
    ok("med", "add", "Sertraline", "--time", "09:00", "--start", "2026-11-10")
    ok("goal", "add", "Every metformin", "--med", "metformin", "--target", "90")
    ok("goal", "add", "Walk daily")
    ok("goal", "add", "Sertraline on time", "--med", "sertraline", "--target", "80")
    assert [g["text"] for g in data("summary", "--med", "metformin")["goals"]] == [
        "Every metformin"
    ]
    text = ok("summary", "--med", "sertraline").stdout
    assert "Sertraline on time  Sertraline: 0% of 80%" in text
    assert "Walk daily" not in text
    assert "Every metformin" not in text
    assert len(data("summary")["goals"]) == 3  # all of them in a summary of everything
