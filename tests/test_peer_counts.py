"""Counting people, not files (SPEC §7): signed version 2 bundles, per-contributor ratings,
what leaves, and the group digest. Bundles are built and signed here with plain
``cryptography`` and ``rfc8785``, not with adherelog's code, so the format is what another
tool would write."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adherelog import signing, tips
from adherelog.cli.common import Settings, open_journal
from adherelog.errors import InvalidFileError
from helpers import connect, data, invoke, ok, one_error_line, run

DOCS = Path(__file__).parent.parent / "docs" / "peer-tip-format.md"
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# --- an independent writer of signed files ------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def key(n: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([n + 100]) * 32)


def who(n: int) -> str:
    return "ed25519:" + _b64(key(n).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def signed(n: int, doc: dict[str, Any], *, serial: int = 1) -> dict[str, Any]:
    """``doc`` signed by test key ``n``: contributor, serial, then the signature over the
    RFC 8785 form of everything else."""
    out = {**doc, "contributor": who(n), "serial": serial}
    out["signature"] = _b64(key(n).sign(rfc8785.dumps(out)))
    return out


def bundle_v2(n: int, serial: int, *tip_list: dict[str, Any]) -> dict[str, Any]:
    doc = {"format": "adherelog-tips", "version": 2, "language": "en", "tips": list(tip_list)}
    return signed(n, doc, serial=serial)


def write(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def fail(code: int, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


def counts() -> dict[str, tuple[int, int]]:
    return {t["text"]: (t["peers_worked"], t["peers_tried"]) for t in data("tip", "list")["tips"]}


FOOD = {"text": "Take it with food", "side_effect": "nausea"}


# --- interop and counting -------------------------------------------------------------------


def test_a_bundle_signed_by_another_tool_imports_and_counts_its_person_once(
    tmp_path: Path,
) -> None:
    first = write(tmp_path / "ana1.json", bundle_v2(1, 1, {**FOOD, "worked": True}))
    doc = data("tip", "import", first, "--from", "Ana")
    assert (doc["added"], doc["own"], doc["contributor"]) == (1, False, who(1))
    # A second, smaller bundle from the same person: still one person.
    second = write(tmp_path / "ana2.json", bundle_v2(1, 2, {**FOOD, "worked": True}))
    again = data("tip", "import", second, "--from", "Ana")
    assert (again["added"], again["peers_worked_raised"]) == (0, 0)
    assert counts() == {"Take it with food": (1, 1)}
    # Another person with the same one tip counts: two people.
    other = write(tmp_path / "bo.json", bundle_v2(2, 1, {**FOOD, "worked": False}))
    data("tip", "import", other)
    assert counts() == {"Take it with food": (1, 2)}
    listing = ok("tip", "list").stdout
    assert "helped 1 of 2 peers" in listing


def test_older_or_equal_serial_changes_nothing_and_a_newer_one_updates(tmp_path: Path) -> None:
    newer = write(tmp_path / "n.json", bundle_v2(1, 5, {**FOOD, "worked": True}))
    data("tip", "import", newer)
    before = _dump()
    for serial in (5, 4, 1):
        stale = write(tmp_path / f"s{serial}.json", bundle_v2(1, serial, {**FOOD, "worked": False}))
        doc = data("tip", "import", stale)
        assert doc["already_imported"] is True
        assert doc["serial_held"] == 5
        assert _dump() == before
    changed = write(tmp_path / "c.json", bundle_v2(1, 6, {**FOOD, "worked": False}))
    doc = data("tip", "import", changed)
    assert doc["peers_worked_lowered"] == 1
    assert counts() == {"Take it with food": (0, 1)}


def test_my_own_bundle_changes_nothing(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food", "--effect", "nausea")
    mine = tmp_path / "mine.json"
    assert invoke("tip", "export", "-o", str(mine)).exit_code == 0
    before = _dump()
    result = invoke("tip", "import", str(mine))
    assert result.exit_code == 0
    assert result.stdout == "This is your own bundle (signed by this journal); nothing changed.\n"
    doc = data("tip", "import", str(mine))
    assert (doc["own"], doc["added"], doc["peers_worked_raised"]) == (True, 0, 0)
    assert _dump() == before
    assert counts() == {"Take it with food": (0, 0)}


def test_a_tip_shared_but_not_rated(tmp_path: Path) -> None:
    for n in (1, 2):
        data("tip", "import", write(tmp_path / f"{n}.json", bundle_v2(n, 1, FOOD)))
    tip = data("tip", "list")["tips"][0]
    assert (tip["peers_worked"], tip["peers_tried"], tip["peers_shared"]) == (0, 0, 2)
    assert "shared by 2 peers, not rated" in ok("tip", "list").stdout


def _dump() -> dict[str, list[tuple[Any, ...]]]:
    conn = connect()
    try:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in ("tips", "tip_peers", "tip_ratings", "tip_digests", "tip_group_counts")
        }
    finally:
        conn.close()


# --- any sequence of imports: counts equal "each contributor's latest rating" ---------------

RATINGS = st.sampled_from([True, False, None])
TEXTS = st.sampled_from(["Take it with food", "Walk after lunch", "Ginger tea", "Sleep early"])
A_TIP = st.builds(lambda text, worked: {"text": text, "worked": worked}, TEXTS, RATINGS)
A_FILE = st.tuples(
    st.integers(0, 3),  # contributor; 3 is a version 1 bundle (no contributor)
    st.integers(1, 4),  # serial
    st.lists(A_TIP, min_size=1, max_size=4),
)


def _reference(files: list[tuple[int, int, list[dict[str, Any]]]]) -> dict[str, tuple[int, int]]:
    latest: dict[Any, tuple[int, dict[str, bool | None]]] = {}
    for n, serial, tip_list in files:
        merged: dict[str, list[bool | None]] = {}
        for tip in tip_list:
            merged.setdefault(tip["text"].casefold(), []).append(tip["worked"])
        ratings = {
            k: True if True in v else False if False in v else None for k, v in merged.items()
        }
        if n == 3:  # version 1: one unnamed contributor per distinct bundle
            ident = json.dumps(sorted(json.dumps([t["text"], t["worked"]]) for t in tip_list))
            latest.setdefault(("v1", ident), (1, ratings))
            continue
        held = latest.get(n)
        if held is None or serial > held[0]:
            kept = dict(held[1]) if held else {}
            kept.update(ratings)
            latest[n] = (serial, kept)
    result: dict[str, tuple[int, int]] = {}
    for _, ratings in latest.values():
        for text, rating in ratings.items():
            worked, tried = result.get(text, (0, 0))
            result[text] = (worked + (rating is True), tried + (rating is not None))
    return result


@PROPERTY
@given(files=st.lists(A_FILE, min_size=1, max_size=8))
def test_counts_are_each_contributors_latest_rating(
    files: list[tuple[int, int, list[dict[str, Any]]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings_ = Settings(db=str(Path(folder) / "j.db"))
        with open_journal(settings_, write=True) as journal:
            for n, serial, tip_list in files:
                if n == 3:
                    doc = {"format": "adherelog-tips", "version": 1, "tips": tip_list}
                else:
                    doc = bundle_v2(n, serial, *tip_list)
                raw = json.dumps(doc).encode()
                dry = tips.import_bundle(journal, tips.load_bundle(raw), label="p", dry_run=True)
                real = tips.import_bundle(journal, tips.load_bundle(raw), label="p")
                assert dry.items == real.items
                assert dry.previous_label == real.previous_label
                # Importing any file already imported changes nothing.
                again = tips.import_bundle(journal, tips.load_bundle(raw), label="p")
                assert again.changes_nothing
            got = {
                t.text.casefold(): (t.peers_worked, t.peers_tried)
                for t in tips.list_tips(journal)
                if t.peers_shared
            }
    expected = {k: v for k, v in _reference(files).items()}
    assert got == expected


# --- signatures -------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    tip_list=st.lists(A_TIP, max_size=3),
    serial=st.integers(1, 2**53 - 1),
    data_=st.data(),
)
def test_sign_then_verify_round_trips_and_any_byte_change_fails(
    tip_list: list[dict[str, Any]], serial: int, data_: st.DataObject
) -> None:
    raw = json.dumps(bundle_v2(1, serial, *tip_list)).encode()
    assert tips.load_bundle(raw).contributor == who(1)
    at = data_.draw(st.integers(0, len(raw) - 1))
    flip = data_.draw(st.integers(1, 255))
    changed = raw[:at] + bytes([raw[at] ^ flip]) + raw[at + 1 :]
    with pytest.raises(InvalidFileError):
        tips.load_bundle(changed)


def test_every_flipped_byte_of_an_export_is_refused(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food", "--effect", "nausea", "--tag", "food")
    target = tmp_path / "b.json"
    invoke("tip", "export", "-o", str(target))
    raw = target.read_bytes()
    tips.load_bundle(raw)
    for at in range(len(raw)):
        for bit in (0x01, 0x20):
            changed = raw[:at] + bytes([raw[at] ^ bit]) + raw[at + 1 :]
            with pytest.raises(InvalidFileError):
                tips.load_bundle(changed)


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(doc=st.dictionaries(st.text(max_size=5), JSONISH, max_size=5))
def test_the_quick_canonical_form_is_rfc8785(doc: dict[str, Any]) -> None:
    body = {k: v for k, v in doc.items() if k != "signature"}
    assert signing.canonical(doc) == rfc8785.dumps(body)


@settings(max_examples=300, deadline=None)
@given(
    doc=st.dictionaries(
        st.text(st.characters(codec="ascii"), max_size=5),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers(-(2**53) + 1, 2**53 - 1)
            | st.text(st.characters(codec="utf-8", exclude_categories=["Cs"])),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.text(st.characters(codec="ascii"), max_size=4), inner, max_size=4
                )
            ),
            max_leaves=12,
        ),
        max_size=5,
    )
)
def test_the_canonical_form_of_checked_documents_is_rfc8785(doc: dict[str, Any]) -> None:
    body = {k: v for k, v in doc.items() if k != "signature"}
    assert signing.canonical_checked(doc) == rfc8785.dumps(body)


def test_sign_and_verify_with_the_journals_own_functions() -> None:
    private = bytes([7]) * 32
    doc = {"format": "x", "n": 1}
    doc["signature"] = signing.sign(private, {**doc, "contributor": "c"})
    # verify takes the contributor from the document
    good = {
        "format": "x",
        "n": 1,
        "contributor": signing.contributor(signing.public_bytes(private)),
    }
    good["signature"] = signing.sign(private, good)
    assert signing.verify(good) == signing.public_bytes(private)


# --- bad input: one sentence naming the file and field, exit 1, nothing written ------------


def _bad_cases() -> list[tuple[str, dict[str, Any], str]]:
    good = bundle_v2(1, 3, FOOD)
    other_key = {**good, "contributor": who(2)}
    short = dict(good, contributor="ed25519:" + _b64(b"x" * 31))
    cases = [
        ("another key", other_key, "signature: does not match"),
        ("short contributor", short, "contributor: is not an ed25519 public key"),
        ("no prefix", dict(good, contributor=who(1)[8:]), "contributor:"),
    ]
    for serial in (0, -1, 1.5, True, "3", None):
        doc = {k: v for k, v in good.items() if k != "signature"}
        doc["serial"] = serial
        doc["signature"] = _b64(key(1).sign(rfc8785.dumps(doc))) if serial is not None else "x"
        cases.append((f"serial {serial!r}", doc, "serial: must be a positive whole number"))
    cases.append(
        (
            "no signature",
            {k: v for k, v in good.items() if k != "signature"},
            "signature: is missing",
        )
    )
    return cases


@pytest.mark.parametrize(("name", "doc", "message"), _bad_cases(), ids=lambda v: str(v)[:20])
def test_bad_signed_bundles_are_refused(
    tmp_path: Path, name: str, doc: dict[str, Any], message: str
) -> None:
    path = write(tmp_path / "bad.json", doc)
    line = fail(1, "tip", "import", path)
    assert line.startswith(f"adherelog: {path} was not imported: ")
    assert message in line
    assert not Path(os.environ["ADHERELOG_DB"]).exists()


def digest_doc(*tip_list: dict[str, Any], serial: int = 1, **top: Any) -> dict[str, Any]:
    doc = {
        "format": "adherelog-tip-digest",
        "version": 1,
        "group": "Tuesday group",
        "peers": 5,
        "min_peers": 3,
        "withheld": 0,
        "tips": list(tip_list),
        **top,
    }
    return signed(9, doc, serial=serial)


@pytest.mark.parametrize(
    ("tip", "message"),
    [
        ({"shared_by": 4, "tried": 5, "worked": 1}, "tips[0].tried: 5 is more than shared_by (4)"),
        ({"shared_by": 4, "tried": 2, "worked": 3}, "tips[0].worked: 3 is more than tried (2)"),
        ({"shared_by": 6, "tried": 2, "worked": 1}, "tips[0].shared_by: 6 is more than peers (5)"),
        ({"shared_by": 2, "tried": 2, "worked": 1}, "below the digest's own min_peers (3)"),
        ({"shared_by": 3, "tried": True, "worked": 1}, "tips[0].tried: must be a whole number"),
        ({"shared_by": 3, "tried": 2, "worked": 1, "text": "a\u202eb"}, "tips[0].text: contains"),
    ],
)
def test_bad_digests_are_refused(tmp_path: Path, tip: dict[str, Any], message: str) -> None:
    path = write(tmp_path / "d.json", digest_doc({"text": "Ginger tea", **tip}))
    line = fail(1, "tip", "import", path)
    assert message in line, line
    assert not Path(os.environ["ADHERELOG_DB"]).exists()


@pytest.mark.parametrize("command", [("tip", "import"), ("tip", "digest")])
def test_devices_and_fifos_are_refused_at_once(tmp_path: Path, command: tuple[str, ...]) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        done = run(*command, path, timeout=20)
        assert done.returncode == 1, done.stderr
        assert "not a regular file" in done.stderr
        assert done.stdout == ""
    assert not Path(os.environ["ADHERELOG_DB"]).exists()


def test_reading_stops_after_one_mib_from_stdin() -> None:
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "adherelog", "tip", "import", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    assert done.returncode == 1
    assert "larger than 1 MiB" in done.stderr


# --- what leaves ------------------------------------------------------------------------------


def test_private_details_are_withheld_and_listed(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food")
    mail = data("tip", "add", "Write to ana@example.org for the recipe")["short_id"]
    phone = data("tip", "add", "Call me on +44 20 7946 0958")["short_id"]
    handle = data("tip", "add", "Ask @ana_b on the forum")["short_id"]
    link = data("tip", "add", "See https://example.org/nausea")["short_id"]
    result = invoke("tip", "export")
    assert result.exit_code == 0
    assert [t["text"] for t in json.loads(result.stdout)["tips"]] == ["Take it with food"]
    err = result.stderr.splitlines()
    assert err[0] == "Wrote 1 tip to stdout."
    assert err[1:] == [
        f"Withheld tip {mail}: it holds an e-mail address; 'adherelog tip edit {mail} TEXT' "
        "changes it.",
        f"Withheld tip {phone}: it holds a phone number; 'adherelog tip edit {phone} TEXT' "
        "changes it.",
        f"Withheld tip {handle}: it holds an @handle; 'adherelog tip edit {handle} TEXT' "
        "changes it.",
        f"Withheld tip {link}: it holds a link (--allow-links lets links through); "
        f"'adherelog tip edit {link} TEXT' changes it.",
    ]
    allowed = json.loads(invoke("tip", "export", "--allow-links").stdout)
    assert [t["text"] for t in allowed["tips"]] == [
        "Take it with food",
        "See https://example.org/nausea",
    ]
    # Editing the tip lets it through.
    ok("tip", "edit", mail, "Ask the clinic for the recipe")
    texts = [t["text"] for t in json.loads(invoke("tip", "export").stdout)["tips"]]
    assert "Ask the clinic for the recipe" in texts


def test_dry_run_export_signs_nothing_and_uses_no_serial(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food")
    invoke("tip", "export", "-o", str(tmp_path / "first.json"))
    serial = data("identity")["serial"]
    target = tmp_path / "b.json"
    result = invoke("tip", "export", "--dry-run", "-o", str(target))
    assert result.exit_code == 0
    preview = json.loads(result.stdout)
    assert "signature" not in preview
    assert preview["serial"] == serial + 1
    assert not target.exists()
    assert data("identity")["serial"] == serial
    assert "Dry run: 1 tip would be written to" in result.stderr


def test_a_refused_output_file_uses_no_serial(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food")
    target = tmp_path / "b.json"
    invoke("tip", "export", "-o", str(target))
    serial = data("identity")["serial"]
    assert "already exists" in fail(1, "tip", "export", "-o", str(target))
    assert data("identity")["serial"] == serial


def test_only_my_own_tips_can_be_edited(tmp_path: Path) -> None:
    data("tip", "import", write(tmp_path / "p.json", bundle_v2(1, 1, FOOD)))
    short = data("tip", "list")["tips"][0]["short_id"]
    assert "came from a peer" in fail(1, "tip", "edit", short, "Mine now")
    mine = data("tip", "add", "Walk")["short_id"]
    assert data("tip", "edit", mine, "Walk after lunch")["text"] == "Walk after lunch"
    ok("tip", "add", "Nap", "--effect", "nausea")
    ok("tip", "add", "Rest")
    assert "already holds this text" in fail(1, "tip", "edit", mine, "rest")


# --- the group digest -------------------------------------------------------------------------


def _group(tmp_path: Path, members: int = 4) -> Path:
    folder = tmp_path / "bundles"
    folder.mkdir()
    for n in range(members):
        rating = n % 2 == 0 if n < 3 else None
        tip_list: list[dict[str, Any]] = [
            {**FOOD, "worked": rating},
            {"text": f"Only member {n}", "worked": True},
        ]
        write(folder / f"old{n}.json", bundle_v2(n, 1, {"text": "Old tip", "worked": True}))
        write(folder / f"m{n}.json", bundle_v2(n, 2, *tip_list))
    return folder


def test_digest_counts_each_persons_latest_bundle_and_hides_small_counts(tmp_path: Path) -> None:
    folder = _group(tmp_path)
    target = tmp_path / "digest.json"
    result = invoke("tip", "digest", str(folder), "--group", "Tuesday group", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    raw = target.read_bytes()
    digest = json.loads(raw)
    assert (digest["peers"], digest["min_peers"], digest["withheld"]) == (4, 3, 4)
    assert digest["tips"] == [
        {
            "text": "Take it with food",
            "medication": None,
            "side_effect": "nausea",
            "tags": [],
            "shared_by": 4,
            "tried": 3,
            "worked": 2,
        }
    ]
    # No member's key, in any form, is in the digest; it is signed by its maker.
    for n in range(4):
        public = key(n).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        for form in (who(n).encode(), _b64(public).encode(), public, public.hex().encode()):
            assert form not in raw
    assert digest["contributor"] == data("identity")["contributor"]
    # Markdown: a forum post.
    md = invoke("tip", "digest", str(folder), "--group", "Tuesday group", "--format", "md").stdout
    assert md.splitlines()[0] == "# What helped 4 of us: Tuesday group"
    assert "- Take it with food (nausea) — helped 2 of 3 who tried it; shared by 4" in md


def test_digest_min_peers_is_at_least_two(tmp_path: Path) -> None:
    folder = _group(tmp_path)
    assert "--min-peers must be at least 2" in fail(
        2, "tip", "digest", str(folder), "--min-peers", "1"
    )


def test_a_directory_with_a_file_that_is_not_a_bundle(tmp_path: Path) -> None:
    folder = _group(tmp_path)
    (folder / "notes.json").write_text('{"hello": 1}')
    line = fail(1, "tip", "digest", str(folder))
    assert f"{folder / 'notes.json'} is not a valid tip bundle" in line
    skipped = invoke("tip", "digest", str(folder), "--skip-invalid")
    assert skipped.exit_code == 0
    assert json.loads(skipped.stdout)["peers"] == 4
    assert f"Left out {folder / 'notes.json'}: " in skipped.stderr


def test_importing_a_digest_keeps_the_groups_figures_apart(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food", "--effect", "nausea")
    first = write(
        tmp_path / "d1.json",
        digest_doc(
            {**FOOD, "shared_by": 5, "tried": 4, "worked": 3},
            {"text": "Nap", "shared_by": 3, "tried": 0, "worked": 0},
        ),
    )
    doc = data("tip", "import", first)  # labelled with the group's name
    assert (doc["kind"], doc["group"], doc["added"], doc["already_held"]) == (
        "digest",
        "Tuesday group",
        1,
        1,
    )
    by_text = {t["text"]: t for t in data("tip", "list")["tips"]}
    food = by_text["Take it with food"]
    assert (food["group"], food["group_worked"], food["group_tried"]) == ("Tuesday group", 3, 4)
    assert (food["peers_worked"], food["peers_tried"]) == (0, 0)
    assert by_text["Nap"]["from"] == "Tuesday group"
    listing = ok("tip", "list").stdout
    assert "group: helped 3 of 4 (Tuesday group)" in listing
    # A newer digest from the same maker replaces the figures; an older one changes nothing.
    newer = digest_doc({**FOOD, "shared_by": 5, "tried": 5, "worked": 5}, serial=2)
    data("tip", "import", write(tmp_path / "d2.json", newer))
    assert data("tip", "list")["tips"][0]["group_worked"] == 5
    assert data("tip", "import", first)["already_imported"] is True
    assert data("tip", "list")["tips"][0]["group_worked"] == 5


# --- old journals -----------------------------------------------------------------------------


def test_counts_of_an_old_journal_stay_right_after_the_migration(tmp_path: Path) -> None:
    import sqlite_utils

    from adherelog.migrations import MIGRATIONS

    path = Path(os.environ["ADHERELOG_DB"])
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    for migration in MIGRATIONS[:4]:
        migration(db)
    from adherelog.storage import APPLICATION_ID

    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 4")
    from adherelog.tipfile import BundleTip, bundle_fingerprint, tip_identity

    ident = tip_identity("Take it with food", None, None)
    conn.execute(
        "INSERT INTO tips (id, text, identity, tags, source, from_label, imported_at, created_at)"
        " VALUES ('00000000-0000-4000-8000-000000000001', 'Take it with food', ?, '[]', 'peer',"
        " 'Ana', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
        (ident,),
    )
    old = [BundleTip("Take it with food", worked=True)]
    for fingerprint in (bundle_fingerprint(old), "f" * 64):
        conn.execute(
            "INSERT INTO tip_bundles VALUES (?, 'Ana', '2026-11-01T00:00:00Z', 1)", (fingerprint,)
        )
        conn.execute("INSERT INTO tip_bundle_worked VALUES (?, ?)", (fingerprint, ident))
    conn.close()
    ok("tip", "add", "Another")  # a write migrates
    assert counts()["Take it with food"] == (2, 2)
    # The very file imported before the upgrade is still known.
    v1 = write(
        tmp_path / "v1.json",
        {
            "format": "adherelog-tips",
            "version": 1,
            "tips": [{"text": "Take it with food", "worked": True}],
        },
    )
    assert data("tip", "import", v1)["already_imported"] is True
    assert counts()["Take it with food"] == (2, 2)


def test_a_full_export_carries_the_peer_counts(tmp_path: Path) -> None:
    data("tip", "import", write(tmp_path / "a.json", bundle_v2(1, 1, {**FOOD, "worked": True})))
    exported = tmp_path / "export.json"
    assert invoke("export", "-o", str(exported)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    assert invoke("--db", str(fresh), "import", str(exported)).exit_code == 0
    moved = data("--db", str(fresh), "tip", "list")["tips"][0]
    assert (moved["peers_worked"], moved["peers_tried"]) == (1, 1)


# --- the format document --------------------------------------------------------------------


def _doc_example() -> bytes:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"<!-- example -->\n```json\n(.*?)```", text, re.S)
    assert match is not None
    return match[1].encode("utf-8")


def test_the_documented_example_verifies_and_imports() -> None:
    raw = _doc_example()
    parsed = tips.load_bundle(raw)
    assert parsed.version == 2
    doc = json.loads(raw)
    # and with nothing but the libraries, as the document says
    public = base64.urlsafe_b64decode(doc["contributor"][8:] + "=")
    signature = base64.urlsafe_b64decode(doc["signature"] + "==")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    body = {k: v for k, v in doc.items() if k != "signature"}
    Ed25519PublicKey.from_public_bytes(public).verify(signature, rfc8785.dumps(body))
    canonical = re.search(r"<!-- canonical -->\n```\n(.*?)\n```", DOCS.read_text(), re.S)
    assert canonical is not None
    assert canonical[1].encode("utf-8") == rfc8785.dumps(body)


def test_a_digests_group_label_obeys_the_hostile_text_rules(tmp_path: Path) -> None:
    doc = digest_doc({"text": "Nap", "shared_by": 3, "tried": 0, "worked": 0}, group="T\u202eg")
    line = fail(1, "tip", "import", write(tmp_path / "d.json", doc))
    assert "group: contains U+202E" in line


def test_the_schema_describes_both_versions(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    from adherelog.tipfile import json_schema

    schema = Draft202012Validator(json_schema())
    signed_doc = bundle_v2(1, 1, FOOD)
    assert schema.is_valid(signed_doc)
    assert schema.is_valid({"format": "adherelog-tips", "version": 1, "tips": [FOOD]})
    assert not schema.is_valid({**signed_doc, "version": 1})
    assert not schema.is_valid({k: v for k, v in signed_doc.items() if k != "signature"})
    assert not schema.is_valid({**signed_doc, "serial": 0})


def test_tip_list_loads_no_cryptography() -> None:
    ok("tip", "add", "Take it with food")
    code = (
        "import sys\n"
        "from adherelog.cli import main\n"
        "main(['tip', 'list'])\n"
        "assert not any(m.startswith(('cryptography', 'rfc8785', 'pyrage')) for m in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_group_swaps_tips_end_to_end_in_real_processes(tmp_path: Path) -> None:
    """Three members export, a facilitator pools them, a member imports the digest."""
    bundles = tmp_path / "bundles"
    bundles.mkdir()

    def cli(name: str, *args: str) -> str:
        done = run(*args, env={"ADHERELOG_DB": str(tmp_path / f"{name}.db")})
        assert done.returncode == 0, done.stderr
        return done.stdout

    for n, name in enumerate(("ana", "bo", "cy")):
        cli(name, "tip", "add", "Take it with food", "--effect", "nausea")
        short = json.loads(cli(name, "tip", "list", "--json"))["tips"][0]["short_id"]
        cli(name, "tip", "rate", short, "--helped" if n < 2 else "--not-helped")
        cli(name, "tip", "export", "-o", str(bundles / f"{name}.json"))
    digest = tmp_path / "digest.json"
    cli("facilitator", "tip", "digest", str(bundles), "--group", "Tuesday group", "-o", str(digest))
    doc = json.loads(cli("ana", "tip", "import", str(digest), "--json"))
    assert (doc["kind"], doc["added"], doc["already_held"]) == ("digest", 0, 1)
    tip = json.loads(cli("ana", "tip", "list", "--json"))["tips"][0]
    assert (tip["group"], tip["group_worked"], tip["group_tried"]) == ("Tuesday group", 2, 3)
    assert "group: helped 2 of 3 (Tuesday group)" in cli("ana", "tip", "list")
    # Ana imports Bo's and her own bundle: Bo counts, Ana does not.
    cli("ana", "tip", "import", str(bundles / "bo.json"))
    assert "This is your own bundle" in cli("ana", "tip", "import", str(bundles / "ana.json"))
    tip = json.loads(cli("ana", "tip", "list", "--json"))["tips"][0]
    assert (tip["peers_worked"], tip["peers_tried"]) == (1, 1)
