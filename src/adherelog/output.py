"""Writing to the terminal: plain JSON for ``--json``, styled lines for people.

Human output is built as lines of ``(text, style)`` segments laid out here, so the text is the
same whether or not it is coloured. Rich draws the colours, and is imported only when stdout
is a colour terminal (it costs more start-up time than a whole ``take``). Every text a person
or a peer typed must reach a line through :func:`adherelog.text.one_line` or
:func:`adherelog.text.printable`; segments are never parsed as markup or emoji codes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence

from adherelog.text import BIDI, INVISIBLE, ZERO_WIDTH, display_width

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import TextIO

Segment = tuple[str, str | None]
Line = list[Segment]


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` set or ``TERM=dumb``."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# Characters JSON may carry raw but a terminal must never receive raw: DEL and C1
# controls, the bidi, zero-width and invisible characters that typed text may not hold
# (:mod:`adherelog.text`), the other invisible format characters and the tag block.
_INVISIBLE = (
    "[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    + "".join(sorted(BIDI | ZERO_WIDTH | INVISIBLE))
    + "\U000e0000-\U000e0fff]"
)


def _json_escape(match: re.Match[str]) -> str:
    """``\\uXXXX`` for one character; one beyond U+FFFF as its UTF-16 pair, as JSON
    writes it."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(document: object) -> str:
    """``document`` as indented UTF-8 JSON in which invisible and control characters are
    written as ``\\uXXXX`` escapes (the same data, harmless on a terminal)."""
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
    return re.sub(_INVISIBLE, _json_escape, text)


def emit_json(document: object, stream: TextIO | None = None) -> None:
    """Exactly one JSON document on stdout."""
    out = stream or sys.stdout
    out.write(json_text(document) + "\n")


def write_lines(lines: Iterable[Line], stream: TextIO | None = None) -> None:
    """Write styled lines, in colour on a colour terminal, else as plain text."""
    out = stream or sys.stdout
    lines = list(lines)
    if colour_wanted(out):
        from rich.console import Console
        from rich.text import Text

        console = Console(file=out, highlight=False, markup=False, emoji=False)
        for line in lines:
            text = Text(no_wrap=False)
            for chunk, style in line:
                text.append(chunk, style=style or "")
            console.print(text, soft_wrap=True)
        return
    out.write("".join("".join(chunk for chunk, _ in line) + "\n" for line in lines))


def plain(text: str, style: str | None = None) -> Line:
    return [(text, style)]


def message(text: str, stream: TextIO | None = None) -> None:
    """A plain line on stderr (warnings, notes about files written)."""
    (stream or sys.stderr).write(text + "\n")


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` terminal cells (``<`` or ``>``)."""
    gap = max(0, width - display_width(text))
    return text + " " * gap if align == "<" else " " * gap + text


def truncate(text: str, width: int) -> str:
    """Shorten ``text`` to ``width`` cells with an ellipsis."""
    if display_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


MIN_WIDTH = 80  # rows are laid out for at least this many columns (SPEC §1)


def terminal_width() -> int:
    """The terminal's width in columns (``COLUMNS`` first, 80 when unknown), at least
    :data:`MIN_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    else:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = MIN_WIDTH
    return max(MIN_WIDTH, width)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken between words where it can."""
    width = max(1, width)
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while display_width(word) > width:  # a word longer than the line: cut it
            cut = ""
            for ch in word:
                if display_width(cut + ch) > width:
                    break
                cut += ch
            lines.append(cut)
            word = word[len(cut) :]
        current = word
    lines.append(current)
    return lines


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Segment]],
    *,
    aligns: str | None = None,
    indent: str = "  ",
    max_widths: Sequence[int] | None = None,
    fill: bool = False,
) -> list[Line]:
    """Columns separated by two spaces, a dim header, no box drawing (fits 80 columns).
    With ``fill`` the last column is not cut: it wraps within the terminal's width."""
    aligns = aligns or "<" * len(header)
    last_col = len(header) - 1
    cells = [
        [
            (truncate(t, max_widths[i]) if max_widths and not (fill and i == last_col) else t, s)
            for i, (t, s) in enumerate(r)
        ]
        for r in rows
    ]
    widths = [display_width(h) for h in header]
    for row in cells:
        for i, (chunk, _) in enumerate(row):
            if not (fill and i == last_col):
                widths[i] = max(widths[i], display_width(chunk))
    room = 0
    if fill:
        used = display_width(indent) + sum(widths[:last_col]) + 2 * last_col
        room = max(20, terminal_width() - used)
    lines: list[Line] = []
    head = "  ".join(pad(h, widths[i], aligns[i]) for i, h in enumerate(header)).rstrip()
    lines.append([(indent + head, "bold")])
    for row in cells:
        line: Line = [(indent, None)]
        more: list[str] = []
        for i, (chunk, style) in enumerate(row):
            last = i == len(row) - 1
            if fill and last:
                chunk, *more = wrap(chunk, room)
            text = chunk if last and aligns[i] == "<" else pad(chunk, widths[i], aligns[i])
            line.append((text, style))
            if not last:
                line.append(("  ", None))
        lines.append(_rstrip(line))
        gap = " " * (display_width(indent) + sum(widths[:last_col]) + 2 * last_col)
        lines += [[(gap + part, row[-1][1])] for part in more]
    return lines


def _rstrip(line: Line) -> Line:
    """Drop trailing blank segments and trailing spaces, so no line ends in padding."""
    out = list(line)
    while out and not out[-1][0].strip():
        out.pop()
    if out:
        text, style = out[-1]
        out[-1] = (text.rstrip(), style)
    return out
