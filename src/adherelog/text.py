"""Checks for text people type, and the one sanitiser for printing it.

Names and tags are refused when they carry control, bidi-override or zero-width characters
(SPEC §4, §7). Anything already stored, or read from a peer, is passed through
:func:`printable` before it reaches a terminal, so no escape sequence, bidi trick or
invisible character is ever written raw.
"""

from __future__ import annotations

import unicodedata

from adherelog.errors import UsageError

# Bidirectional formatting characters (embeddings, overrides, isolates, marks).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width and invisible joiners/spaces, plus the byte-order mark.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")


def is_forbidden_char(ch: str, *, allow_newline: bool = False) -> bool:
    """True for C0/C1 controls, DEL, bidi controls, zero-width characters and other
    format (Cf) or unassigned/surrogate code points."""
    if allow_newline and ch == "\n":
        return False
    if ch in BIDI or ch in ZERO_WIDTH:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Co", "Cn") or cat in ("Zl", "Zp")


def forbidden_char(text: str, *, allow_newline: bool = False) -> str | None:
    """The first forbidden character in ``text``, or None."""
    for ch in text:
        if is_forbidden_char(ch, allow_newline=allow_newline):
            return ch
    return None


def describe_char(ch: str) -> str:
    """A readable name for a character, e.g. ``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def check_text(
    value: str,
    what: str,
    *,
    max_len: int,
    min_len: int = 1,
    allow_newline: bool = False,
) -> str:
    """Return ``value`` stripped and NFC-normalised, or raise UsageError naming ``what``."""
    cleaned = unicodedata.normalize("NFC", value.strip())
    bad = forbidden_char(cleaned, allow_newline=allow_newline)
    if bad is not None:
        raise UsageError(
            f"The {what} contains a control or invisible character {describe_char(bad)}."
        )
    if len(cleaned) < min_len:
        raise UsageError(f"The {what} must not be empty.")
    if len(cleaned) > max_len:
        raise UsageError(f"The {what} is {len(cleaned)} characters long; the limit is {max_len}.")
    return cleaned


def printable(text: str) -> str:
    """Text made safe for a terminal: every forbidden character is shown as a visible
    escape (``\\x1b``, ``\\u202e``) instead of being written raw. Newlines are kept when
    ``text`` is a multi-line note; callers printing one-line cells replace them."""
    out: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append("\n")
        elif is_forbidden_char(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """:func:`printable`, with line breaks shown as ``⏎`` so a cell stays on one line."""
    return printable(text).replace("\n", " ⏎ ")


def display_width(text: str) -> int:
    """Terminal cells needed for ``text`` (wide East Asian characters count two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
