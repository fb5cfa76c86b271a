"""Signatures and pseudonyms for what a journal shares (SPEC §7, §11): pure functions.

A document (a tip bundle, a digest, a buddy card) is signed with the journal's Ed25519 key
over its RFC 8785 canonical form without the ``signature`` member, exactly as it stands in
the file. ``contributor`` is ``ed25519:`` + unpadded base64url of the 32-byte public key;
the fingerprint is a short form of it that two people can read to each other.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from adherelog.errors import InvalidFileError

CONTRIBUTOR_PREFIX = "ed25519:"
# Crockford's base 32: no I, L, O or U, so a fingerprint read aloud is not misheard.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FINGERPRINT_GROUPS = 3
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_GROUP = 4


def b64url(raw: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes | None:
    """The bytes of unpadded base64url ``text``, or None when it is not exactly that."""
    if _B64URL.fullmatch(text) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    return raw if b64url(raw) == text else None


def public_bytes(private: bytes) -> bytes:
    """The 32-byte public key of a 32-byte Ed25519 private key."""
    from cryptography.hazmat.primitives import serialization

    return (
        Ed25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def new_private_key() -> bytes:
    """A fresh random Ed25519 private key, as its 32 raw bytes."""
    from cryptography.hazmat.primitives import serialization

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def contributor(public: bytes) -> str:
    """The pseudonym of a public key: ``ed25519:`` + unpadded base64url."""
    return CONTRIBUTOR_PREFIX + b64url(public)


def contributor_key(value: object) -> bytes | None:
    """The 32 public-key bytes a ``contributor`` value names, or None when it names none."""
    if not isinstance(value, str) or not value.startswith(CONTRIBUTOR_PREFIX):
        return None
    raw = unb64url(value[len(CONTRIBUTOR_PREFIX) :])
    if raw is None or len(raw) != 32:
        return None
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None
    return raw


def fingerprint(public: bytes) -> str:
    """Twelve characters of Crockford base 32 of SHA-256 of the key, in groups of four
    (``7KQ2-M9XD-4F1A``): 60 bits, enough for two people to confirm a key by reading it."""
    digest = int.from_bytes(hashlib.sha256(public).digest()[:8], "big") >> 4
    chars = []
    for _ in range(FINGERPRINT_GROUPS * _GROUP):
        chars.append(_CROCKFORD[digest & 31])
        digest >>= 5
    text = "".join(reversed(chars))
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


class _NotPlain(Exception):
    """A value the quick canonical writer leaves to the ``rfc8785`` package."""


_MAX_EXACT = 2**53 - 1


def _plain(value: Any, out: list[str]) -> None:
    """Append the RFC 8785 form of ``value`` when it holds only objects with string keys,
    lists, strings, booleans, null and integers JavaScript holds exactly: the members
    sorted by their UTF-16 code units, no whitespace, strings with only the escapes JSON
    requires (``json``'s own C encoder writes exactly those)."""
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        if not -_MAX_EXACT <= value <= _MAX_EXACT:
            raise _NotPlain
        out.append(str(value))
    elif isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise _NotPlain
        out.append("{")
        for n, key in enumerate(
            sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        ):
            if n:
                out.append(",")
            out.append(_encode_string(key))
            out.append(":")
            _plain(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for n, item in enumerate(value):
            if n:
                out.append(",")
            _plain(item, out)
        out.append("]")
    else:
        raise _NotPlain


def _encode_string(value: str) -> str:
    # json's C encoder (ensure_ascii off): escapes only '"', backslash and controls.
    return str(encode_basestring(value))


def canonical(document: Mapping[str, Any]) -> bytes:
    """The RFC 8785 bytes a signature covers: the document without ``signature``.

    The documents adherelog signs hold no floats, so they are written here (about ten
    times quicker than the ``rfc8785`` package, which matters for a digest of a thousand
    bundles); anything else (a float, a huge integer, a lone surrogate) goes to
    ``rfc8785``, which also refuses what JSON cannot carry canonically."""
    body = {k: v for k, v in document.items() if k != "signature"}
    out: list[str] = []
    try:
        _plain(body, out)
        return "".join(out).encode("utf-8")
    except (_NotPlain, UnicodeEncodeError):
        import rfc8785  # imported here: only documents with floats or odd values need it

        return rfc8785.dumps(body)


def canonical_checked(document: Mapping[str, Any]) -> bytes:
    """:func:`canonical` of a document already checked to hold only objects with ASCII
    keys, lists, strings without lone surrogates, booleans, null and integers within
    ±(2**53 - 1), as a parsed bundle or digest is: for those, RFC 8785 is exactly what
    ``json`` writes with sorted keys and no whitespace, in C (about ten times quicker
    again than :func:`canonical`)."""
    body = {k: v for k, v in document.items() if k != "signature"}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.encode("utf-8")


def sign(private: bytes, document: Mapping[str, Any]) -> str:
    """The unpadded base64url Ed25519 signature of ``document`` (without ``signature``)."""
    key = Ed25519PrivateKey.from_private_bytes(private)
    return b64url(key.sign(canonical(document)))


def verify(document: Mapping[str, Any], what: str = "The file", *, checked: bool = False) -> bytes:
    """Check a signed document's ``contributor`` and ``signature``; return the signer's public
    key. Raises :class:`InvalidFileError` naming the field that is wrong. ``checked`` says
    the document holds only what :func:`canonical_checked` takes."""
    public = contributor_key(document.get("contributor"))
    if public is None:
        raise InvalidFileError(
            f"{what} is refused: its contributor is not an ed25519 public key"
            " ('ed25519:' followed by 43 base64url characters)."
        )
    raw_signature = document.get("signature")
    signature = unb64url(raw_signature) if isinstance(raw_signature, str) else None
    if signature is None or len(signature) != 64:
        raise InvalidFileError(
            f"{what} is refused: its signature is missing or not 86 base64url characters."
        )
    try:
        body = canonical_checked(document) if checked else canonical(document)
        Ed25519PublicKey.from_public_bytes(public).verify(signature, body)
    except InvalidSignature:
        raise InvalidFileError(
            f"{what} is refused: its signature does not match its contents (it was changed"
            " after signing, or signed by another key)."
        ) from None
    except (TypeError, ValueError, OverflowError) as exc:
        # rfc8785 refuses values JSON cannot carry canonically (e.g. integers beyond 2**53).
        raise InvalidFileError(
            f"{what} is refused: its signature cannot be checked ({exc})."
        ) from None
    return public
