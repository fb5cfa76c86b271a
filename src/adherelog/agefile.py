"""age files (SPEC §8 "Encrypted copies", §12): encrypting to a buddy's recipient or with
a passphrase, telling an age file from anything else, and decrypting it with the journal's
age identity or a passphrase. Everything happens in memory: plaintext never touches the
disk here.

Files are written armored (``-----BEGIN AGE ENCRYPTED FILE-----``), which the standard
``age`` tool reads; both armored and binary files are read. Failures are one sentence each:
a file encrypted to someone else, a wrong passphrase, a file cut short.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from collections.abc import Callable

from adherelog.errors import AdherelogError, InvalidFileError, UsageError
from adherelog.valueclass import dataclass

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
BINARY_MAGIC = b"age-encryption.org/v1\n"
PASSPHRASE_ENV = "ADHERELOG_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret

# Where a passphrase comes from: called with ``confirm`` (True when encrypting, so a typo
# is caught before the file is unreadable).
PassphraseSource = Callable[[bool], str]
# The journal's age secret key, asked for only when a file is encrypted to a recipient.
IdentitySource = Callable[[], str | None]


@dataclass(frozen=True)
class Header:
    """What an age file's header says: the kinds of its recipient stanzas."""

    armored: bool
    stanzas: tuple[str, ...]  # "X25519", "scrypt", …

    @property
    def passphrase(self) -> bool:
        return "scrypt" in self.stanzas


def sealed_limit(plain_limit: int) -> int:
    """The most bytes an age file of at most ``plain_limit`` bytes of plaintext may take:
    armor (4/3), the header and a tag per 64 KiB chunk, with room to spare."""
    return plain_limit * 3 // 2 + 64 * 1024


def is_age(data: bytes) -> bool:
    """True when ``data`` starts like an age file, armored or binary (leading whitespace
    before the armor is allowed, as age allows it)."""
    return data.startswith(BINARY_MAGIC) or data.lstrip().startswith(ARMOR_BEGIN)


def _dearmor(data: bytes, what: str) -> bytes:
    text = data.strip()
    if not text.endswith(ARMOR_END):
        raise InvalidFileError(f"{what} is cut short: its age armor has no end line.")
    body = text[len(ARMOR_BEGIN) : -len(ARMOR_END)]
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidFileError(f"{what} is damaged: its age armor is not base64.") from None


def read_header(data: bytes, what: str = "The file") -> Header:
    """The header of the age file ``data``; :class:`InvalidFileError` when it is cut short
    or is not age at all."""
    armored = not data.startswith(BINARY_MAGIC)
    raw = _dearmor(data, what) if armored else data
    if not raw.startswith(BINARY_MAGIC):
        raise InvalidFileError(f"{what} is not an age file.")
    stanzas: list[str] = []
    for line in raw[len(BINARY_MAGIC) :].split(b"\n"):
        if line.startswith(b"---"):
            return Header(armored, tuple(stanzas))
        if line.startswith(b"-> "):
            kind = line[3:].split(b" ", 1)[0]
            stanzas.append(kind.decode("ascii", "replace"))
    raise InvalidFileError(f"{what} is cut short: its age header never ends.")


# --------------------------------------------------------------------------- encrypting


def encrypt_to(data: bytes, recipients: list[str]) -> bytes:
    """``data`` encrypted to age recipients (``age1…``), armored."""
    import pyrage  # Imported here: only commands that encrypt need it.

    try:
        keys = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    except Exception:  # pyrage raises its own RecipientError, or ValueError
        raise InvalidFileError("The buddy's age recipient is not a valid age1… key.") from None
    return bytes(pyrage.encrypt(data, keys, armored=True))


def encrypt_with_passphrase(data: bytes, passphrase: str) -> bytes:
    """``data`` encrypted with a passphrase (age's scrypt recipient), armored."""
    import pyrage

    return bytes(pyrage.passphrase.encrypt(data, passphrase, armored=True))


# --------------------------------------------------------------------------- decrypting


def _recipient_of(identity: str) -> str:
    import pyrage

    return str(pyrage.x25519.Identity.from_str(identity).to_public())


def decrypt(
    data: bytes,
    *,
    identity: IdentitySource,
    passphrase: PassphraseSource,
    what: str = "The file",
) -> bytes:
    """The plaintext of the age file ``data``: with a passphrase when it was encrypted with
    one, else with the journal's age identity. One sentence for each way it can fail."""
    import pyrage

    header = read_header(data, what)
    secret: str | None = None
    try:
        if header.passphrase:
            return bytes(pyrage.passphrase.decrypt(data, passphrase(False)))
        secret = identity()
        if secret is None:
            raise AdherelogError(
                f"{what} is not encrypted to this journal: this journal has no age key yet."
            )
        key = pyrage.x25519.Identity.from_str(secret)
        return bytes(pyrage.decrypt(data, [key]))
    except pyrage.DecryptError as exc:
        reason = str(exc)
        if header.passphrase and reason == "Decryption failed":
            raise AdherelogError(f"{what} cannot be decrypted: the passphrase is wrong.") from None
        if reason == "No matching keys found":
            mine = f" ({_recipient_of(secret)})" if secret else ""
            raise AdherelogError(
                f"{what} is not encrypted to this journal{mine}; it was made for someone"
                " else's key."
            ) from None
        raise InvalidFileError(f"{what} is cut short or damaged; it cannot be decrypted.") from None


def decrypt_if_age(
    data: bytes,
    *,
    identity: IdentitySource,
    passphrase: PassphraseSource | None = None,
    what: str = "The file",
) -> bytes:
    """``data`` itself when it is not an age file, else its plaintext (:func:`decrypt`).
    ``identity`` gives the journal's age secret key (or None when it has none); it is asked
    for only when the file is encrypted to a recipient. ``passphrase`` defaults to
    :func:`ask_passphrase`."""
    if not is_age(data):
        return data
    return decrypt(data, identity=identity, passphrase=passphrase or ask_passphrase, what=what)


def ask_passphrase(confirm: bool) -> str:
    """The passphrase: ``ADHERELOG_PASSPHRASE``, else asked on the terminal (twice when
    ``confirm``). With neither, a clear error rather than waiting."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise UsageError(
            f"A passphrase is needed: set {PASSPHRASE_ENV} or run adherelog on a terminal."
        )
    import getpass

    first = getpass.getpass("Passphrase: ")
    if not first:
        raise UsageError("The passphrase must not be empty.")
    if confirm and getpass.getpass("Passphrase again: ") != first:
        raise UsageError("The two passphrases differ; nothing was written.")
    return first
