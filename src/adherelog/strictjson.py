"""Reading JSON from a file that may come from a stranger: strict, bounded, one error type.

Used by the peer-tip importer and the journal importer. Duplicate keys and NaN/Infinity
are not errors at decoding time: they are kept as markers (:class:`JsonObject.duplicate`,
:class:`Constant`) so the caller's validation can name the exact place (``tips[3].worked``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from adherelog.errors import InvalidFileError
from adherelog.text import printable

BOM = b"\xef\xbb\xbf"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


class JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers the first key it saw twice."""

    duplicate: str | None = None


class Constant:
    """Stands in for NaN, Infinity or -Infinity, which strict JSON does not have."""

    def __init__(self, name: str) -> None:
        self.name = name


def _pairs_hook(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                obj.duplicate = key
                break
            seen.add(key)
    return obj


def decoder(max_int_digits: int) -> json.JSONDecoder:
    """The decoder :func:`loads` uses, for text already decoded: duplicate keys and
    NaN/Infinity kept as markers, integers longer than ``max_int_digits`` read as floats,
    control characters in strings refused."""

    def parse_int(digits: str) -> int | float:
        return int(digits) if len(digits) <= max_int_digits else float(digits)

    return json.JSONDecoder(
        object_pairs_hook=_pairs_hook, parse_constant=Constant, parse_int=parse_int
    )


def loads(data: bytes, *, what: str, max_bytes: int, max_int_digits: int) -> Any:
    """Decode ``data`` (UTF-8, an optional BOM) or raise :class:`InvalidFileError`.

    Integers longer than ``max_int_digits`` are read as floats, so a hostile file cannot make
    the decoder spend time on huge numbers; they then fail the caller's type checks."""
    if len(data) > max_bytes:
        raise InvalidFileError(
            f"The file is {len(data)} bytes; {what} may be at most {max_bytes} bytes."
        )
    skipped = 0
    if data.startswith(BOM):
        data, skipped = data[len(BOM) :], len(BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFileError(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02X} at byte offset "
            f"{exc.start + skipped} cannot be decoded."
        ) from None

    def parse_int(digits: str) -> int | float:
        return int(digits) if len(digits) <= max_int_digits else float(digits)

    try:
        return json.loads(
            text, object_pairs_hook=_pairs_hook, parse_constant=Constant, parse_int=parse_int
        )
    except json.JSONDecodeError as exc:
        raise InvalidFileError(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise InvalidFileError(
            f"The file nests lists or objects too deeply to be {what}."
        ) from None
    except ValueError:
        raise InvalidFileError(
            "The file is not valid JSON: it holds a value that cannot be read."
        ) from None


def nesting(text: str) -> int:
    """How deep lists and objects nest in the JSON ``text`` (brackets inside strings do
    not count). Counted without recursion, so that a value nested deeper than its format
    needs can be refused before decoding it could exhaust the stack."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def shown_key(key: str, limit: int = 40) -> str:
    """A stranger's key, quoted, shortened and made safe for one line of stderr."""
    short = key if len(key) <= limit else key[:limit] + "…"
    return '"' + printable(short).replace("\n", "\\n") + '"'
