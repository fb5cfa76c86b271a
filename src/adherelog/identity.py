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


def age_identity(conn: sqlite3.Connection, now: datetime) -> str:
    """The journal's age secret key (``AGE-SECRET-KEY-1…``), to decrypt what is sent to it.
    Never print it."""
    return ensure(conn, now).age_identity
