"""Checks for text people type, and the one sanitiser for printing it.

Names and tags are refused when they carry control, bidi-override, zero-width or other
invisible characters (SPEC §4, §7). Anything already stored, or read from a peer, is passed
through :func:`printable` before it reaches a terminal, so no escape sequence, bidi trick or
invisible character is ever written raw.
"""

from __future__ import annotations

import unicodedata

from adherelog.errors import UsageError

# Bidirectional formatting characters (embeddings, overrides, isolates, marks).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width and invisible joiners/spaces, plus the byte-order mark.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")
# Letters and marks that draw nothing, so "food" and "food" + one of them look the same:
# Unicode's Default_Ignorable_Code_Point outside the format category (Hangul fillers, the
# combining grapheme joiner, Khmer inherent vowels, Mongolian and other variation
# selectors) and U+2800 BRAILLE PATTERN BLANK. The format and unassigned ones are caught by
# their category; variation selectors 17-256 and the tag block by :data:`_IGNORABLE_PLANE`.
INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(chr(code) for code in range(0xFE00, 0xFE10))
)
_IGNORABLE_PLANE = range(0xE0000, 0xE1000)


def name_key(name: str) -> str:
    """The identity of a medication name: NFC-normalised, single-spaced and case-folded,
    so that a name typed composed (``Café``) or decomposed (``Cafe`` + U+0301) and in any
    case is the same name."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def sort_key(name: str) -> tuple[str, str]:
    """The order of names people expect whatever the locale: accents and case ignored
    ("Ácido fólico" before "Vitamin D" and "zinc"), the exact name breaking ties."""
    spread = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in spread if not unicodedata.combining(ch))
    return " ".join(plain.split()).casefold(), name_key(name)


def is_forbidden_char(ch: str, *, allow_newline: bool = False) -> bool:
    """True for C0/C1 controls, DEL, bidi controls, zero-width and other invisible
    characters, and other format (Cf), private-use or unassigned/surrogate code points."""
    if allow_newline and ch == "\n":
        return False
    if ch in BIDI or ch in ZERO_WIDTH or ch in INVISIBLE or ord(ch) in _IGNORABLE_PLANE:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Co", "Cn") or cat in ("Zl", "Zp")


def forbidden_char(text: str, *, allow_newline: bool = False) -> str | None:
    """The first forbidden character in ``text``, or None."""
    # Printable ASCII (U+0020 to U+007E) holds no forbidden character: checked in C.
    if text.isascii() and (text.replace("\n", "") if allow_newline else text).isprintable():
        return None
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


def fit_text(value: str, max_len: int) -> str:
    """Any text (a file name, say) made into a one-line text that :func:`check_text` accepts
    unchanged when it is not empty: forbidden characters shown as escapes, NFC-normalised,
    cut to ``max_len`` characters and only then stripped, so a cut never leaves a space at
    the end. Normalising can lengthen a text, so the cut moves back until it fits."""
    full = unicodedata.normalize("NFC", one_line(value)).strip()
    cut = max_len
    while True:
        fitted = unicodedata.normalize("NFC", full[:cut]).strip()
        if len(fitted) <= max_len and unicodedata.normalize("NFC", fitted) == fitted:
            return fitted
        cut -= 1


def printable(text: str) -> str:
    """Text made safe for a terminal: every forbidden character is shown as a visible
    escape (``\\x1b``, ``\\u202e``, ``\\U000e0041``) instead of being written raw. Newlines
    are kept when ``text`` is a multi-line note; callers printing one-line cells replace
    them."""
    if text.isascii() and text.replace("\n", "").isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append("\n")
        elif is_forbidden_char(ch):
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            else:
                out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
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


def plural(count: int | float, word: str, many: str | None = None) -> str:
    """'1 day', '2 days', '0 doses' ('many' for irregular plurals)."""
    shown = int(count) if float(count).is_integer() else count
    return f"{shown} {word}" if count == 1 else f"{shown} {many or word + 's'}"
