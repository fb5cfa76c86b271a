"""The journal's keys (SPEC §11): its pseudonym for what it signs, and its age identity for
what others encrypt to it.

Both key pairs are made at random the first time something needs them and kept in the
journal; secret keys are never printed. Every signed document (a tip bundle, a digest, a
card) uses up the next serial number, so a reader can tell which of two documents from one
journal is newer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adherelog import signing
from adherelog.storage import keys as stored_keys
from adherelog.valueclass import dataclass


@dataclass(frozen=True)
class Identity:
    """What a journal may show of its keys: nothing secret."""

    contributor: str
    fingerprint: str
    age_recipient: str
    serial: int


def _new_keys() -> tuple[bytes, str]:
    import pyrage

    return signing.new_private_key(), str(pyrage.x25519.Identity.generate())


def _recipient(age_identity: str) -> str:
    import pyrage

    return str(pyrage.x25519.Identity.from_str(age_identity).to_public())


def held(conn: sqlite3.Connection) -> stored_keys.KeyRow | None:
    """The keys the journal holds, or None if it never needed any (reads nothing else)."""
    return stored_keys.load(conn)


def ensure(conn: sqlite3.Connection, now: datetime) -> stored_keys.KeyRow:
    """The journal's keys, made now if it has none (inside a write transaction)."""
    found = stored_keys.load(conn)
    if found is not None:
        return found
    signing_key, age_identity = _new_keys()
    stored_keys.store(conn, signing_key, age_identity, created_at=now)
    made = stored_keys.load(conn)
    assert made is not None  # just stored, in this transaction
    return made


def describe(found: stored_keys.KeyRow) -> Identity:
    public = signing.public_bytes(found.signing_key)
    return Identity(
        contributor=signing.contributor(public),
        fingerprint=signing.fingerprint(public),
        age_recipient=_recipient(found.age_identity),
        serial=found.serial,
    )


def own_contributor(conn: sqlite3.Connection) -> str | None:
    """This journal's pseudonym, or None while it has no keys."""
    found = stored_keys.load(conn)
    return None if found is None else signing.contributor(signing.public_bytes(found.signing_key))


def renew(conn: sqlite3.Connection, now: datetime) -> Identity:
    """Replace both key pairs (``identity new``); the serial carries on."""
    signing_key, age_identity = _new_keys()
    stored_keys.store(conn, signing_key, age_identity, created_at=now)
    found = stored_keys.load(conn)
    assert found is not None  # just stored, in this transaction
    return describe(found)


def sign(conn: sqlite3.Connection, document: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """``document`` with this journal's ``contributor``, the next ``serial`` and the
    ``signature`` added last (inside a write transaction: the serial is used up)."""
    found = ensure(conn, now)
    serial = stored_keys.next_serial(conn)
    signed: dict[str, Any] = {k: v for k, v in document.items() if k != "signature"}
    signed["contributor"] = signing.contributor(signing.public_bytes(found.signing_key))
    signed["serial"] = serial
    signed["signature"] = signing.sign(found.signing_key, signed)
    return signed


def exported(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The keys as a full export carries them (SPEC §11), or None while there are none."""
    found = stored_keys.load(conn)
    if found is None:
        return None
    return {
        "signing_key": signing.b64url(found.signing_key),
        "age_identity": found.age_identity,
        "serial": found.serial,
    }


def read_exported(value: object) -> stored_keys.KeyRow:
    """The keys of an export's ``keys`` member, checked; InvalidFileError names the field."""
    from adherelog.errors import InvalidFileError

    if not isinstance(value, dict) or set(value) != {"signing_key", "age_identity", "serial"}:
        raise InvalidFileError(
            "keys: must be an object of signing_key, age_identity and serial (the journal's keys)."
        )
    raw = value["signing_key"]
    signing_key = signing.unb64url(raw) if isinstance(raw, str) else None
    if signing_key is None or len(signing_key) != 32:
        raise InvalidFileError("keys.signing_key: must be 32 bytes of unpadded base64url.")
    age_text = value["age_identity"]
    try:
        _recipient(age_text if isinstance(age_text, str) else "")
    except Exception:  # pyrage raises its own error types for any malformed key
        raise InvalidFileError(
            "keys.age_identity: must be an age secret key (AGE-SECRET-KEY-1…)."
        ) from None
    serial = value["serial"]
    if type(serial) is not int or not 0 <= serial < 2**53:
        raise InvalidFileError("keys.serial: must be a whole number of 0 or more.")
    return stored_keys.KeyRow(signing_key, age_text, serial)


def adopt(conn: sqlite3.Connection, keys: stored_keys.KeyRow, now: datetime) -> str:
    """Take a full export's keys into this journal (inside the import's transaction): a
    journal without keys adopts them; one with the same keys keeps the higher serial; one
    with other keys keeps its own. Returns ``adopted``, ``same`` or ``kept``."""
    held = stored_keys.load(conn)
    if held is None:
        stored_keys.store(conn, keys.signing_key, keys.age_identity, created_at=now)
        stored_keys.raise_serial(conn, keys.serial)
        return "adopted"
    if held.signing_key == keys.signing_key and held.age_identity == keys.age_identity:
        stored_keys.raise_serial(conn, keys.serial)
        return "same"
    return "kept"


def preview(conn: sqlite3.Connection, document: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`sign` would make of ``document``, without signing or using up a serial
    (``--dry-run``): the contributor (when the journal has keys) and the next serial, no
    signature. Reads only."""
    found = stored_keys.load(conn)
    shown: dict[str, Any] = {k: v for k, v in document.items() if k != "signature"}
    if found is not None:
        shown["contributor"] = signing.contributor(signing.public_bytes(found.signing_key))
    shown["serial"] = (0 if found is None else found.serial) + 1
    return shown


def age_identity(conn: sqlite3.Connection, now: datetime) -> str:
    """The journal's age secret key (``AGE-SECRET-KEY-1…``), to decrypt what is sent to it.
    Never print it."""
    return ensure(conn, now).age_identity
