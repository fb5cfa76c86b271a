"""The journal's keys (SPEC §11): pseudonym, fingerprint, age recipient, serials, signatures."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path
from typing import Any

import pyrage
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from adherelog import identity, signing, storage
from adherelog.errors import InvalidFileError
from helpers import data, invoke

CONTRIBUTOR = re.compile(r"^ed25519:[A-Za-z0-9_-]{43}$")
FINGERPRINT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def _independent_verify(document: dict[str, Any]) -> None:
    """Check a signature with the libraries alone, as any reader of the format would."""
    key = str(document["contributor"]).removeprefix("ed25519:")
    public = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    sig = str(document["signature"])
    body = {k: v for k, v in document.items() if k != "signature"}
    Ed25519PublicKey.from_public_bytes(public).verify(
        base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), rfc8785.dumps(body)
    )


def _signed(journal: Path, document: dict[str, object]) -> dict[str, object]:
    store = storage.open_store(journal, write=True)
    try:
        with store.write() as conn:
            from adherelog import clock

            return identity.sign(conn, document, clock.now(clock.local_zone()))
    finally:
        store.close()


def test_identity_is_made_once_and_kept_private(isolated_journal: Path) -> None:
    first = data("identity")
    assert set(first) == {"contributor", "fingerprint", "age_recipient", "serial"}
    assert CONTRIBUTOR.match(first["contributor"])
    assert FINGERPRINT.match(first["fingerprint"])
    assert first["age_recipient"].startswith("age1")
    assert first["serial"] == 0
    assert data("identity") == first
    assert stat.S_IMODE(isolated_journal.stat().st_mode) == 0o600
    text = invoke("identity")
    assert text.exit_code == 0
    assert first["fingerprint"] in text.stdout
    assert "AGE-SECRET-KEY" not in text.stdout + text.stderr


def test_the_fingerprint_is_of_the_contributor_key(isolated_journal: Path) -> None:
    found = data("identity")
    public = signing.contributor_key(found["contributor"])
    assert public is not None
    assert signing.fingerprint(public) == found["fingerprint"]


def test_signature_checks_out_with_the_libraries_alone(isolated_journal: Path) -> None:
    doc: dict[str, object] = {"format": "adherelog-tips", "version": 2, "tips": [{"text": "Ça"}]}
    signed = _signed(isolated_journal, doc)
    assert list(signed)[-3:] == ["contributor", "serial", "signature"]
    assert signed["contributor"] == data("identity")["contributor"]
    assert len(str(signed["signature"])) == 86
    _independent_verify(signed)
    assert signing.verify(signed) == signing.contributor_key(signed["contributor"])


def test_each_signature_uses_up_the_next_serial(isolated_journal: Path) -> None:
    serials = [int(str(_signed(isolated_journal, {"n": n})["serial"])) for n in range(3)]
    assert serials == [1, 2, 3]
    assert data("identity")["serial"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(tips=[{"text": "ça"}]), "signature does not match"),
        (lambda d: d.update(serial=99), "signature does not match"),
        (lambda d: d.pop("signature"), "signature is missing"),
        (lambda d: d.update(signature="A" * 86), "signature does not match"),
        (lambda d: d.update(signature="A" * 85), "signature is missing"),
        (lambda d: d.update(signature=7), "signature is missing"),
        (lambda d: d.update(contributor="ed25519:abc"), "contributor is not"),
        (lambda d: d.update(contributor="rsa:" + "A" * 43), "contributor is not"),
        (lambda d: d.pop("contributor"), "contributor is not"),
        (lambda d: d.update(extra=2**60), "cannot be checked"),
    ],
)
def test_a_changed_document_is_refused_naming_the_field(
    isolated_journal: Path, change: object, field: str
) -> None:
    signed = _signed(isolated_journal, {"format": "x", "tips": [{"text": "Ça"}]})
    change(signed)  # type: ignore[operator]  # each case is a one-argument lambda
    with pytest.raises(InvalidFileError, match=field):
        signing.verify(signed)


def test_identity_new_needs_yes_and_keeps_the_serial(isolated_journal: Path) -> None:
    before = data("identity")
    _signed(isolated_journal, {"n": 1})
    refused = invoke("identity", "new")
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert data("identity")["contributor"] == before["contributor"]
    made = invoke("identity", "new", "--yes")
    assert made.exit_code == 0
    assert "new person" in made.stdout
    after = data("identity")
    assert after["contributor"] != before["contributor"]
    assert after["age_recipient"] != before["age_recipient"]
    assert after["serial"] == 1
    assert _signed(isolated_journal, {"n": 2})["serial"] == 2


def test_identity_reads_a_read_only_journal_without_writing(isolated_journal: Path) -> None:
    first = data("identity")
    before = isolated_journal.read_bytes()
    isolated_journal.chmod(0o400)
    folder_mode = isolated_journal.parent.stat().st_mode
    isolated_journal.parent.chmod(0o500)
    try:
        # (root writes through file modes; the byte comparison below is what shows nothing
        # was written)
        assert data("identity") == first
    finally:
        isolated_journal.parent.chmod(stat.S_IMODE(folder_mode))
        isolated_journal.chmod(0o600)
    assert isolated_journal.read_bytes() == before


def test_the_age_tool_encrypts_to_the_journal(isolated_journal: Path, tmp_path: Path) -> None:
    age = shutil.which("age")
    if age is None:
        pytest.skip("the age command-line tool is not installed on this machine")
    recipient = data("identity")["age_recipient"]
    sealed = subprocess.run(
        [age, "--armor", "-r", recipient], input=b"hello", capture_output=True, check=True
    ).stdout
    conn = sqlite3.connect(isolated_journal)
    try:
        secret = conn.execute("SELECT age_identity FROM journal_keys").fetchone()[0]
    finally:
        conn.close()
    assert pyrage.decrypt(sealed, [pyrage.x25519.Identity.from_str(secret)]) == b"hello"


@given(st.binary(min_size=1, max_size=80))
def test_base64url_round_trip(raw: bytes) -> None:
    text = signing.b64url(raw)
    assert "=" not in text
    assert signing.unb64url(text) == raw


@given(st.text(max_size=20))
def test_unb64url_takes_only_canonical_text(text: str) -> None:
    raw = signing.unb64url(text)
    assert raw is None or signing.b64url(raw) == text


@given(st.binary(min_size=32, max_size=32))
def test_fingerprints_have_one_shape(public: bytes) -> None:
    assert FINGERPRINT.match(signing.fingerprint(public))


def test_json_of_identity_is_one_document(isolated_journal: Path) -> None:
    result = invoke("--json", "identity")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["serial"] == 0
