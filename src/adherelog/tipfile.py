"""The peer-tip bundle, version 1 (SPEC §7): reading, writing, identity and rendering.

A bundle is a small JSON file that one patient exports and another imports. Whoever
imports it treats it as a stranger's file: :func:`parse_bundle` checks every byte against
the contract and refuses the whole file, with one sentence naming the place, at the first
problem. Everything here is pure: no journal, no printing.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from adherelog import strictjson
from adherelog.errors import InvalidFileError
from adherelog.strictjson import Constant, JsonObject, shown_key
from adherelog.text import describe_char, forbidden_char, printable
from adherelog.valueclass import dataclass

FORMAT = "adherelog-tips"
VERSION = 1
MAX_BYTES = 1024 * 1024
MAX_TIPS = 500
MAX_TEXT = 1000
MAX_LABEL = 80
MAX_TAGS = 10
MAX_TAG = 32
MAX_LANGUAGE = 35
MAX_LICENSE = 64
LICENSE = "CC0-1.0"
SCHEMA_ID = "https://adherelog.invalid/schema/tips-v1.json"

TOP_KEYS = ("format", "version", "language", "license", "tips")
TIP_KEYS = ("text", "medication", "side_effect", "tags", "worked")

_BOM = b"\xef\xbb\xbf"
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# Integers longer than this are read as floats: no valid field holds one, and it keeps
# a hostile file from spending time converting a megabyte of digits.
_MAX_INT_DIGITS = 40
_SHOWN_KEY = 40


@dataclass(frozen=True)
class BundleTip:
    """One tip as a bundle carries it: nothing that could identify the person who wrote it."""

    text: str
    medication: str | None = None
    side_effect: str | None = None
    tags: tuple[str, ...] = ()
    worked: bool | None = None


# --------------------------------------------------------------------------- reading


def _wrong(path: str, value: object, expected: str) -> InvalidFileError:
    if isinstance(value, Constant):
        return InvalidFileError(
            f"{path}: {value.name} is not allowed; JSON has no NaN or Infinity."
        )
    return InvalidFileError(f"{path}: {expected}")


def _clean(path: str, value: str, *, allow_newline: bool = False) -> str:
    """Refuse forbidden characters in the raw string, then strip and NFC-normalise it."""
    bad = forbidden_char(value, allow_newline=allow_newline)
    if bad is not None:
        raise InvalidFileError(f"{path}: contains {describe_char(bad)}.")
    return unicodedata.normalize("NFC", value.strip())


def _tag_key(tag: str) -> str:
    return unicodedata.normalize("NFC", tag.casefold())


def _check_top(doc: Any) -> list[Any]:
    """The top level, in a fixed order: duplicate keys, format and version (so another kind
    of file, or a newer bundle, is named as such), unknown keys, language, license, tips."""
    if not isinstance(doc, dict):
        raise InvalidFileError("The file must hold a JSON object at the top level.")
    if isinstance(doc, JsonObject) and doc.duplicate is not None:
        raise InvalidFileError(
            f"The key {shown_key(doc.duplicate)} appears twice at the top level."
        )
    if "format" not in doc:
        raise InvalidFileError(f'format: is missing; a tip bundle says "format": "{FORMAT}".')
    fmt = doc["format"]
    if not isinstance(fmt, str) or fmt != FORMAT:
        raise _wrong("format", fmt, f'must be "{FORMAT}"; this is not an adherelog tip bundle.')
    if "version" not in doc:
        raise InvalidFileError(f'version: is missing; a tip bundle says "version": {VERSION}.')
    version = doc["version"]
    if type(version) is not int:
        raise _wrong("version", version, f"must be the integer {VERSION}.")
    if version != VERSION:
        raise InvalidFileError(
            f"version: {version} is not supported; this adherelog reads version {VERSION} only."
        )
    for key in doc:
        if key not in TOP_KEYS:
            raise InvalidFileError(
                f"The key {shown_key(key)} is not allowed at the top level; a bundle holds only "
                "format, version, language, license and tips."
            )
    if "language" in doc:
        language = doc["language"]
        expected = (
            f'must be a language tag such as "en" or "pt-BR", of at most {MAX_LANGUAGE} characters.'
        )
        if not isinstance(language, str):
            raise _wrong("language", language, expected)
        _clean("language", language)
        if len(language) > MAX_LANGUAGE or _LANGUAGE.fullmatch(language) is None:
            raise InvalidFileError(f"language: {expected}")
    if "license" in doc:
        license_ = doc["license"]
        expected = f"must be a string of 1 to {MAX_LICENSE} characters."
        if not isinstance(license_, str):
            raise _wrong("license", license_, expected)
        cleaned = _clean("license", license_)
        if not cleaned or len(cleaned) > MAX_LICENSE:
            raise InvalidFileError(f"license: {expected}")
    if "tips" not in doc:
        raise InvalidFileError("tips: is missing; a tip bundle holds a list of tips.")
    tips = doc["tips"]
    if not isinstance(tips, list):
        raise _wrong("tips", tips, "must be a list of tips.")
    if len(tips) > MAX_TIPS:
        raise InvalidFileError(f"tips: holds {len(tips)} tips; the limit is {MAX_TIPS}.")
    return tips


def _check_label(path: str, value: Any) -> str | None:
    if value is None:
        return None
    expected = f"must be a string of at most {MAX_LABEL} characters or null."
    if not isinstance(value, str):
        raise _wrong(path, value, expected)
    cleaned = _clean(path, value)
    if not cleaned:
        raise InvalidFileError(f"{path}: must not be empty; use null when there is none.")
    if len(cleaned) > MAX_LABEL:
        raise InvalidFileError(
            f"{path}: is {len(cleaned)} characters long; the limit is {MAX_LABEL}."
        )
    return cleaned


def _check_tags(path: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _wrong(path, value, f"must be a list of at most {MAX_TAGS} tags.")
    if len(value) > MAX_TAGS:
        raise InvalidFileError(f"{path}: holds {len(value)} tags; the limit is {MAX_TAGS}.")
    tags: list[str] = []
    seen: set[str] = set()
    for j, item in enumerate(value):
        where = f"{path}[{j}]"
        if not isinstance(item, str):
            raise _wrong(where, item, f"must be a string of 1 to {MAX_TAG} characters.")
        tag = _clean(where, item)
        if not tag:
            raise InvalidFileError(f"{where}: must not be empty.")
        if len(tag) > MAX_TAG:
            raise InvalidFileError(
                f"{where}: is {len(tag)} characters long; the limit is {MAX_TAG}."
            )
        key = _tag_key(tag)
        if key not in seen:
            seen.add(key)
            tags.append(tag)
    return tuple(tags)


def _check_tip(index: int, raw: Any) -> BundleTip:
    path = f"tips[{index}]"
    if not isinstance(raw, dict):
        raise _wrong(path, raw, "must be an object with at least a text field.")
    if isinstance(raw, JsonObject) and raw.duplicate is not None:
        raise InvalidFileError(f"{path}: the key {shown_key(raw.duplicate)} appears twice.")
    for key in raw:
        if key not in TIP_KEYS:
            raise InvalidFileError(
                f"{path}: the key {shown_key(key)} is not allowed; a tip holds only text, "
                "medication, side_effect, tags and worked."
            )
    if "text" not in raw:
        raise InvalidFileError(f"{path}.text: is missing; every tip needs its text.")
    text_value = raw["text"]
    if not isinstance(text_value, str):
        raise _wrong(f"{path}.text", text_value, f"must be a string of 1 to {MAX_TEXT} characters.")
    text = _clean(f"{path}.text", text_value, allow_newline=True)
    if not text:
        raise InvalidFileError(f"{path}.text: must not be empty.")
    if len(text) > MAX_TEXT:
        raise InvalidFileError(
            f"{path}.text: is {len(text)} characters long; the limit is {MAX_TEXT}."
        )
    medication = _check_label(f"{path}.medication", raw.get("medication"))
    side_effect = _check_label(f"{path}.side_effect", raw.get("side_effect"))
    tags = _check_tags(f"{path}.tags", raw["tags"]) if "tags" in raw else ()
    worked = raw.get("worked")
    if worked is not None and type(worked) is not bool:
        raise _wrong(f"{path}.worked", worked, "must be true, false or null.")
    return BundleTip(
        text=text, medication=medication, side_effect=side_effect, tags=tags, worked=worked
    )


def parse_bundle(data: bytes) -> list[BundleTip]:
    """Read a version 1 tip bundle from a stranger's file.

    Returns the tips with every string stripped and NFC-normalised and tags de-duplicated
    case-insensitively (the first spelling is kept). Any problem raises
    :class:`InvalidFileError` naming the first offending place (``tips[3].medication``);
    no other exception escapes, whatever the bytes.
    """
    doc = _decode(data)
    tips = _check_top(doc)
    return [_check_tip(i, raw) for i, raw in enumerate(tips)]


# --------------------------------------------------------------------------- identity


def _fold(value: str) -> str:
    """NFC, casefolded, with runs of whitespace collapsed to one space and ends stripped."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).casefold())
    return " ".join(folded.split())


def tip_identity(text: str, medication: str | None, side_effect: str | None) -> str:
    """The identity of a tip (SPEC §7) as a sha256 hex digest.

    Two tips are the same when their texts are equal after NFC normalisation, casefolding
    and whitespace collapsing, and so are their medication and side effect. A missing
    medication or side effect (None, or a blank string) is one and the same value.
    """
    med = _fold(medication) if medication is not None else ""
    effect = _fold(side_effect) if side_effect is not None else ""
    parts = [_fold(text), med or None, effect or None]
    encoded = json.dumps(parts, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def bundle_fingerprint(tips: Sequence[BundleTip]) -> str:
    """A sha256 hex digest that is equal for bundles with the same content.

    It covers each tip's identity and its ``worked`` value, sorted, so the same tips in
    another order or with other case and whitespace give the same fingerprint. Tags and the
    bundle's language and licence are not part of it.
    """
    entries = sorted(
        f"{tip_identity(tip.text, tip.medication, tip.side_effect)} {json.dumps(tip.worked)}"
        for tip in tips
    )
    payload = "\n".join([f"{FORMAT}/{VERSION}", *entries])
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


# --------------------------------------------------------------------------- writing


def build_bundle(tips: Iterable[BundleTip], language: str = "en") -> dict[str, object]:
    """A version 1 bundle of ``tips``, holding exactly the fields the contract allows.

    Each tip is written with ``text``, ``medication``, ``side_effect``, ``tags`` and
    ``worked`` and nothing else, whatever the journal holds about it.
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "language": language,
        "license": LICENSE,
        "tips": [
            {
                "text": tip.text,
                "medication": tip.medication,
                "side_effect": tip.side_effect,
                "tags": list(tip.tags),
                "worked": tip.worked,
            }
            for tip in tips
        ],
    }


def dumps_bundle(bundle: dict[str, object]) -> str:
    """The bundle as UTF-8-ready JSON text, indented, ending with a newline."""
    return json.dumps(bundle, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# --------------------------------------------------------------------------- Markdown

DISCLAIMER = (
    "These are peers' experiences, not medical advice. Talk to a clinician before changing "
    "how you take a medicine."
)
# Characters that carry meaning anywhere in a line of Markdown: a backslash makes each
# literal. "<", ">" and "&" become entities, which no renderer reads as HTML.
_MD_ESCAPED = frozenset("\\`*_{}[]()#|~")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# At the start of a list item, "- x", "+ x", "1. x" and "1) x" would open a nested list.
_MD_LEADING = re.compile(r"^([-+]|\d+[.)])")
# Forums link bare URLs, "www." hosts, domains and e-mail addresses in plain text. Each is
# defanged by putting the parts a linkifier looks for in brackets, which no host name or
# scheme can hold: "https[://]evil[.]example", "someone[@]evil[.]example". A dot counts
# (the full stops IDNA reads as dots too) when it stands between parts of a host name and
# not between two digits, or after "www", so "2.5 h", "e.g." and "Dr. Smith" stay as
# they are.
_DOTS = ".\u3002\uff0e\uff61"
_HOST = f"[^\\s!-,./:-@\\[-`{{-~{_DOTS}]"  # a character a host name can hold
_LINKISH = re.compile(
    r"://|(?<![A-Za-z0-9+-])(?P<scheme>[A-Za-z][A-Za-z0-9+-]+):(?!//)(?=\S)"
    f"|//(?={_HOST})"
    f"|(?<=\\d)[{_DOTS}](?=[^\\W\\d_]{_HOST})"
    f"|(?<={_HOST})(?<!\\d)[{_DOTS}](?={_HOST}{_HOST})"
    f"|(?<=[Ww]{{3}})[{_DOTS}](?={_HOST})"
    f"|(?<={_HOST})@(?={_HOST})"
)


def _defang(match: re.Match[str]) -> str:
    if match["scheme"]:
        return f"{match['scheme']}[:]"
    return f"[{match[0]}]"


def md_escape(value: str) -> str:
    """``value`` as inert Markdown on one line: no link, image, HTML, heading or list can
    come out of it, not even where a forum links bare URLs, host names and e-mail
    addresses, and no control, bidi or invisible character reaches the reader."""
    flat = _LINKISH.sub(_defang, " ".join(printable(value).split()))
    out: list[str] = []
    for ch in flat:
        if ch in _MD_ENTITIES:
            out.append(_MD_ENTITIES[ch])
        elif ch in _MD_ESCAPED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = "".join(out)
    match = _MD_LEADING.match(escaped)
    if match is not None:
        end = match.end()
        escaped = escaped[: end - 1] + "\\" + escaped[end - 1 :]
    return escaped


def _details(tip: BundleTip) -> list[str]:
    details: list[str] = []
    if tip.medication:
        details.append("medication: " + md_escape(tip.medication))
    if tip.side_effect:
        details.append("side effect: " + md_escape(tip.side_effect))
    if tip.tags:
        details.append("tags: " + ", ".join(md_escape(tag) for tag in tip.tags))
    if tip.worked is True:
        details.append("worked for me")
    elif tip.worked is False:
        details.append("did not work for me")
    return details


def render_markdown(tips: Sequence[BundleTip]) -> str:
    """A readable list of ``tips`` for a forum post, ending with the disclaimer line.

    One bullet per tip, in the order given: the text, then in parentheses its medication,
    side effect, tags and whether it worked. Every peer-written string is escaped so that it
    renders as plain text.
    """
    lines = ["# Coping tips from peers", ""]
    if not tips:
        lines.append("No tips to share.")
    for tip in tips:
        bullet = "- " + md_escape(tip.text)
        details = _details(tip)
        if details:
            bullet += " (" + "; ".join(details) + ")"
        lines.append(bullet)
    lines += ["", f"*{DISCLAIMER}*"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- schema

# Control characters (C0 except where noted, DEL, C1), soft hyphen, Arabic and Syriac
# format marks, bidi marks, embeddings, overrides and isolates, zero-width characters,
# invisible letters and variation selectors, line and paragraph separators, surrogates,
# private use, the BOM and non-characters.
# Import is stricter still (every format or unassigned code point): this is a first screen
# that any JSON Schema validator can apply.
_FORBIDDEN_REST = (
    "\\u007f-\\u009f\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f"
    "\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f"
    "\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\u2800\\u3164"
    "\\ud800-\\udfff\\ue000-\\uf8ff\\ufe00-\\ufe0f\\ufeff\\uffa0"
    "\\ufff9-\\ufffb\\ufffe\\uffff"
)
_FORBIDDEN_ANY = "\\u0000-\\u001f" + _FORBIDDEN_REST
_FORBIDDEN_TEXT = "\\u0000-\\u0009\\u000b-\\u001f" + _FORBIDDEN_REST
# "(?![\s\S])" rather than "$": in some regex engines "$" also matches before a final
# newline. "(?=[\s\S]*\S)" asks for something other than whitespace.
_END = "(?![\\s\\S])"
_TEXT_PATTERN = f"^(?=[\\s\\S]*\\S)[^{_FORBIDDEN_TEXT}]*{_END}"
_LINE_PATTERN = f"^(?=[\\s\\S]*\\S)[^{_FORBIDDEN_ANY}]*{_END}"
_LANGUAGE_PATTERN = f"^[A-Za-z]{{1,8}}(?:-[A-Za-z0-9]{{1,8}})*{_END}"


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a version 1 tip bundle.

    It states the shape, limits and forbidden characters; :func:`parse_bundle` is the
    reference and is stricter in places (lengths after NFC normalisation and stripping,
    duplicate keys, every format or unassigned code point).
    """
    label: dict[str, object] = {
        "type": ["string", "null"],
        "minLength": 1,
        "maxLength": MAX_LABEL,
        "pattern": _LINE_PATTERN,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "adherelog peer-tip bundle, version 1",
        "description": (
            "Coping tips that one adherelog user shares with peers. A bundle carries only "
            "these fields: no ids, timestamps, notes, doses or names of people. Strings may "
            "not hold control, bidi or zero-width characters; a tip's text may hold line "
            "breaks."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", "tips"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"type": "integer", "const": VERSION},
            "language": {
                "type": "string",
                "maxLength": MAX_LANGUAGE,
                "pattern": _LANGUAGE_PATTERN,
            },
            "license": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_LICENSE,
                "pattern": _LINE_PATTERN,
            },
            "tips": {
                "type": "array",
                "maxItems": MAX_TIPS,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["text"],
                    "properties": {
                        "text": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_TEXT,
                            "pattern": _TEXT_PATTERN,
                        },
                        "medication": dict(label),
                        "side_effect": dict(label),
                        "tags": {
                            "type": "array",
                            "maxItems": MAX_TAGS,
                            "items": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": MAX_TAG,
                                "pattern": _LINE_PATTERN,
                            },
                        },
                        "worked": {"type": ["boolean", "null"]},
                    },
                },
            },
        },
    }


def _decode(data: bytes) -> Any:
    return strictjson.loads(
        data, what="a tip bundle", max_bytes=MAX_BYTES, max_int_digits=_MAX_INT_DIGITS
    )
