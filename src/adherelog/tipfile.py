"""The peer-tip bundle, versions 1 and 2, and the group digest (SPEC §7): reading,
writing, identity and rendering.

A bundle is a small JSON file that one patient exports and another imports; version 2 adds
who signed it (``contributor``), which of its bundles it is (``serial``) and the
``signature``. A digest pools many members' bundles into counts. Whoever imports either
treats it as a stranger's file: :func:`read_bundle` and :func:`read_digest` check every byte
against the contract and refuse the whole file, with one sentence naming the place, at the
first problem. Everything here is pure: no journal, no printing. The signature module (and
with it ``cryptography``) is imported only when a signed file is read.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from adherelog import rules, strictjson
from adherelog.errors import InvalidFileError
from adherelog.strictjson import Constant, JsonObject, shown_key
from adherelog.text import describe_char, forbidden_char, printable
from adherelog.valueclass import dataclass

FORMAT = "adherelog-tips"
VERSION = 1  # the first version, still read
SIGNED_VERSION = 2  # what export writes
VERSIONS = (VERSION, SIGNED_VERSION)
DIGEST_FORMAT = "adherelog-tip-digest"
DIGEST_VERSION = 1
MIN_PEERS = 3  # the default smallest count a digest shows
LEAST_MIN_PEERS = 2
MAX_SERIAL = 2**53 - 1  # the largest integer RFC 8785 (and JavaScript) carries exactly
MAX_BYTES = 1024 * 1024
MAX_TIPS = 500
MAX_TEXT = rules.MAX_TIP_TEXT
MAX_LABEL = rules.MAX_NAME
MAX_TAGS = rules.MAX_TAGS
MAX_TAG = rules.MAX_TAG
MAX_LANGUAGE = 35
MAX_LICENSE = 64
LICENSE = "CC0-1.0"
SCHEMA_ID = "https://adherelog.invalid/schema/tips.json"

TOP_KEYS = ("format", "version", "language", "license", "tips")
SIGNED_KEYS = ("contributor", "serial", "signature")
TIP_KEYS = ("text", "medication", "side_effect", "tags", "worked")
DIGEST_KEYS = (
    "format",
    "version",
    "group",
    "language",
    "license",
    "peers",
    "min_peers",
    "withheld",
    "tips",
    *SIGNED_KEYS,
)
DIGEST_TIP_KEYS = ("text", "medication", "side_effect", "tags", "shared_by", "tried", "worked")

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


@dataclass(frozen=True)
class ParsedBundle:
    """A bundle read and checked: its version, tips and, for version 2, its signer and
    serial (None for version 1)."""

    version: int
    tips: list[BundleTip]
    contributor: str | None = None
    serial: int | None = None


@dataclass(frozen=True)
class DigestTip:
    """One tip of a group digest, with the group's counts."""

    text: str
    medication: str | None
    side_effect: str | None
    tags: tuple[str, ...]
    shared_by: int
    tried: int
    worked: int


@dataclass(frozen=True)
class Digest:
    """A support group's digest, read and checked (or about to be written)."""

    group: str
    peers: int
    min_peers: int
    withheld: int
    tips: list[DigestTip]
    language: str = "en"
    contributor: str | None = None
    serial: int | None = None


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
        raise InvalidFileError(
            f'version: is missing; a tip bundle says "version": {SIGNED_VERSION}.'
        )
    version = doc["version"]
    if type(version) is not int:
        raise _wrong("version", version, "must be the integer 1 or 2.")
    if version not in VERSIONS:
        raise InvalidFileError(
            f"version: {version} is not supported; this adherelog reads versions 1 and 2."
        )
    allowed = TOP_KEYS if version == VERSION else TOP_KEYS + SIGNED_KEYS
    for key in doc:
        if key not in allowed:
            listed = (
                "format, version, language, license and tips"
                if version == VERSION
                else "format, version, language, license, tips, contributor, serial and signature"
            )
            raise InvalidFileError(
                f"The key {shown_key(key)} is not allowed at the top level; a version {version}"
                f" bundle holds only {listed}."
            )
    _check_language_license(doc)
    if version == SIGNED_VERSION:
        _check_signed_fields(doc)
    if "tips" not in doc:
        raise InvalidFileError("tips: is missing; a tip bundle holds a list of tips.")
    tips = doc["tips"]
    if not isinstance(tips, list):
        raise _wrong("tips", tips, "must be a list of tips.")
    if len(tips) > MAX_TIPS:
        raise InvalidFileError(f"tips: holds {len(tips)} tips; the limit is {MAX_TIPS}.")
    return tips


def _check_language_license(doc: dict[str, Any]) -> None:
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


def _check_signed_fields(doc: dict[str, Any]) -> None:
    """``contributor``, ``serial`` and the form of ``signature`` (the signature itself is
    checked by :func:`_verify` once everything else is known to be in order)."""
    from adherelog import signing  # imported here: it loads cryptography

    for key in SIGNED_KEYS:
        if key not in doc:
            raise InvalidFileError(f"{key}: is missing; a version 2 file is signed by its maker.")
    if signing.contributor_key(doc["contributor"]) is None:
        raise InvalidFileError(
            "contributor: is not an ed25519 public key ('ed25519:' followed by 43 base64url "
            "characters of a valid key)."
        )
    serial = doc["serial"]
    if type(serial) is not int or not 1 <= serial <= MAX_SERIAL:
        raise _wrong("serial", serial, "must be a positive whole number (1, 2, 3, …).")
    raw = doc["signature"]
    signature = signing.unb64url(raw) if isinstance(raw, str) else None
    if signature is None or len(signature) != 64:
        raise _wrong("signature", raw, "must be 86 base64url characters (an Ed25519 signature).")


def _verify(doc: dict[str, Any]) -> None:
    """The signature over the document exactly as it is in the file."""
    from adherelog import signing  # imported here: it loads cryptography

    try:
        # Every key and value has been checked: known ASCII keys, strings without
        # forbidden characters, booleans, null, integers within 2**53.
        signing.verify(doc, "The file", checked=True)
    except InvalidFileError:
        raise InvalidFileError(
            "signature: does not match the contents; the file was changed after it was "
            "signed, or signed by another key than its contributor's."
        ) from None


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


def _check_tip_text(
    path: str, raw: Any, keys: Sequence[str], listed: str
) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    """The fields a bundle's tip and a digest's tip share: text, medication, side effect
    and tags, after the object's own shape (duplicate and unknown keys)."""
    if not isinstance(raw, dict):
        raise _wrong(path, raw, "must be an object with at least a text field.")
    if isinstance(raw, JsonObject) and raw.duplicate is not None:
        raise InvalidFileError(f"{path}: the key {shown_key(raw.duplicate)} appears twice.")
    for key in raw:
        if key not in keys:
            raise InvalidFileError(
                f"{path}: the key {shown_key(key)} is not allowed; a tip holds only {listed}."
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
    return text, medication, side_effect, tags


def _check_tip(index: int, raw: Any) -> BundleTip:
    path = f"tips[{index}]"
    text, medication, side_effect, tags = _check_tip_text(
        path, raw, TIP_KEYS, "text, medication, side_effect, tags and worked"
    )
    worked = raw.get("worked")
    if worked is not None and type(worked) is not bool:
        raise _wrong(f"{path}.worked", worked, "must be true, false or null.")
    return BundleTip(
        text=text, medication=medication, side_effect=side_effect, tags=tags, worked=worked
    )


def read_bundle(data: bytes) -> ParsedBundle:
    """Read a version 1 or 2 tip bundle from a stranger's file.

    Returns the tips with every string stripped and NFC-normalised and tags de-duplicated
    case-insensitively (the first spelling is kept). A version 2 bundle's signature is
    checked over the values exactly as they are in the file. Any problem raises
    :class:`InvalidFileError` naming the first offending place (``tips[3].medication``,
    ``signature``); no other exception escapes, whatever the bytes.
    """
    doc = _decode(data)
    raw_tips = _check_top(doc)
    tips = [_check_tip(i, raw) for i, raw in enumerate(raw_tips)]
    if doc["version"] == VERSION:
        return ParsedBundle(VERSION, tips)
    _verify(doc)
    return ParsedBundle(SIGNED_VERSION, tips, str(doc["contributor"]), int(doc["serial"]))


def parse_bundle(data: bytes) -> list[BundleTip]:
    """The tips of :func:`read_bundle`."""
    return read_bundle(data).tips


def file_format(data: bytes) -> str | None:
    """The ``format`` a JSON file declares (to tell a bundle from a digest), or None. Reads
    nothing else and never raises."""
    try:
        doc = _decode(data)
    except InvalidFileError:
        return None
    if isinstance(doc, dict) and isinstance(doc.get("format"), str):
        return str(doc["format"])
    return None


def _count(path: str, value: Any, least: int) -> int:
    if type(value) is not int or not least <= value <= MAX_SERIAL:
        raise _wrong(path, value, f"must be a whole number of at least {least}.")
    return value


def _check_digest_tip(index: int, raw: Any, peers: int, min_peers: int) -> DigestTip:
    path = f"tips[{index}]"
    text, medication, side_effect, tags = _check_tip_text(
        path,
        raw,
        DIGEST_TIP_KEYS,
        "text, medication, side_effect, tags, shared_by, tried and worked",
    )
    counts: dict[str, int] = {}
    for key in ("shared_by", "tried", "worked"):
        if key not in raw:
            raise InvalidFileError(f"{path}.{key}: is missing; a digest's tip carries its counts.")
        counts[key] = _count(f"{path}.{key}", raw[key], 0)
    chain = [("worked", counts["worked"]), ("tried", counts["tried"])]
    chain += [("shared_by", counts["shared_by"]), ("peers", peers)]
    for (small, a), (big, b) in itertools.pairwise(chain):
        if a > b:
            raise InvalidFileError(
                f"{path}.{small}: {a} is more than {big} ({b}); a digest's counts keep "
                "worked ≤ tried ≤ shared_by ≤ peers."
            )
    if counts["shared_by"] < min_peers:
        raise InvalidFileError(
            f"{path}.shared_by: {counts['shared_by']} is below the digest's own min_peers "
            f"({min_peers}); a digest never shows counts that small."
        )
    return DigestTip(text, medication, side_effect, tags, **counts)


def read_digest(data: bytes) -> Digest:
    """Read a group digest (SPEC §7) from a stranger's file, with the same care as a bundle:
    every string under the bundle's rules, counts that hold together, no count below its
    own ``min_peers``, and the maker's signature over the values as they are in the file."""
    doc = _decode(data)
    if not isinstance(doc, dict):
        raise InvalidFileError("The file must hold a JSON object at the top level.")
    if isinstance(doc, JsonObject) and doc.duplicate is not None:
        raise InvalidFileError(
            f"The key {shown_key(doc.duplicate)} appears twice at the top level."
        )
    if doc.get("format") != DIGEST_FORMAT:
        raise _wrong("format", doc.get("format"), f'must be "{DIGEST_FORMAT}".')
    version = doc.get("version")
    if type(version) is not int or version != DIGEST_VERSION:
        raise _wrong(
            "version", version, f"must be {DIGEST_VERSION}; this adherelog reads digest version 1."
        )
    for key in doc:
        if key not in DIGEST_KEYS:
            raise InvalidFileError(
                f"The key {shown_key(key)} is not allowed at the top level of a digest."
            )
    _check_language_license(doc)
    if "group" not in doc:
        raise InvalidFileError("group: is missing; a digest names its group.")
    group = _check_label("group", doc["group"])
    if group is None:
        raise InvalidFileError("group: must be a string of 1 to 80 characters.")
    _check_signed_fields(doc)
    for key in ("peers", "min_peers", "withheld"):
        if key not in doc:
            raise InvalidFileError(f"{key}: is missing; a digest says how it was counted.")
    peers = _count("peers", doc["peers"], 1)
    min_peers = _count("min_peers", doc["min_peers"], LEAST_MIN_PEERS)
    withheld = _count("withheld", doc["withheld"], 0)
    if "tips" not in doc:
        raise InvalidFileError("tips: is missing; a digest holds a list of tips.")
    raw_tips = doc["tips"]
    if not isinstance(raw_tips, list):
        raise _wrong("tips", raw_tips, "must be a list of tips.")
    if len(raw_tips) > MAX_TIPS:
        raise InvalidFileError(f"tips: holds {len(raw_tips)} tips; the limit is {MAX_TIPS}.")
    tips = [_check_digest_tip(i, raw, peers, min_peers) for i, raw in enumerate(raw_tips)]
    _verify(doc)
    language = doc.get("language")
    return Digest(
        group=group,
        peers=peers,
        min_peers=min_peers,
        withheld=withheld,
        tips=tips,
        language=language if isinstance(language, str) else "en",
        contributor=str(doc["contributor"]),
        serial=int(doc["serial"]),
    )


# --------------------------------------------------------------------------- identity


def _fold(value: str) -> str:
    """NFC, casefolded, with runs of whitespace collapsed to one space and ends stripped."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).casefold())
    return " ".join(folded.split())


@functools.lru_cache(maxsize=4096)
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
    payload = "\n".join([f"{FORMAT}/1", *entries])
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def distinct_bundle_key(tips: Sequence[BundleTip]) -> str:
    """A sha256 hex digest that tells version 1 bundles apart (SPEC §7): equal for the same
    tips (as read: NFC, stripped) in any order, different for another spelling, case or
    spacing, or another rating. Two people who share the same one tip in different words
    are two contributors, not one."""
    entries = sorted(
        json.dumps(
            [tip.text, tip.medication, tip.side_effect, sorted(tip.tags), tip.worked],
            ensure_ascii=True,
            separators=(",", ":"),
        )
        for tip in tips
    )
    payload = "\n".join(["adherelog-tips/1/distinct", *entries])
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


# --------------------------------------------------------------------------- writing


def build_bundle(
    tips: Iterable[BundleTip], language: str = "en", version: int = VERSION
) -> dict[str, object]:
    """A bundle of ``tips``, holding exactly the fields the contract allows (version 2 is
    signed afterwards: :func:`adherelog.identity.sign` adds contributor, serial and
    signature).

    Each tip is written with ``text``, ``medication``, ``side_effect``, ``tags`` and
    ``worked`` and nothing else, whatever the journal holds about it.
    """
    return {
        "format": FORMAT,
        "version": version,
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


def _merged(ratings: Sequence[bool | None]) -> bool | None:
    """One contributor's rating of a tip its bundle lists more than once: worked if any
    says so, else did not if any says so, else none."""
    if True in ratings:
        return True
    if False in ratings:
        return False
    return None


def bundle_ratings(tips: Sequence[BundleTip]) -> dict[str, tuple[BundleTip, bool | None]]:
    """Per tip identity, the first tip of that identity and the bundle's rating of it."""
    seen: dict[str, list[BundleTip]] = {}
    for tip in tips:
        seen.setdefault(tip_identity(tip.text, tip.medication, tip.side_effect), []).append(tip)
    return {key: (same[0], _merged([t.worked for t in same])) for key, same in seen.items()}


def build_digest(
    bundles: Sequence[Sequence[BundleTip]], *, group: str, min_peers: int, language: str = "en"
) -> Digest:
    """Pool the latest bundle of each contributor (one entry of ``bundles`` each) into a
    digest: per tip, how many listed it, tried it and said it worked; tips listed by fewer
    than ``min_peers`` contributors are left out and counted in ``withheld``. Each tip is
    written as most contributors spelled it (ties: the first in sort order)."""
    spellings: dict[str, dict[BundleTip, int]] = {}
    counts: dict[str, list[int]] = {}
    for tips in bundles:
        for key, (tip, rating) in bundle_ratings(tips).items():
            shown = BundleTip(tip.text, tip.medication, tip.side_effect, tip.tags)
            spelled = spellings.setdefault(key, {})
            spelled[shown] = spelled.get(shown, 0) + 1
            count = counts.setdefault(key, [0, 0, 0])
            count[0] += 1
            count[1] += rating is not None
            count[2] += rating is True
    kept: list[DigestTip] = []
    withheld = 0
    for key, (shared_by, tried, worked) in counts.items():
        if shared_by < min_peers:
            withheld += 1
            continue
        best = min(
            spellings[key].items(),
            key=lambda item: (
                -item[1],
                item[0].text,
                item[0].medication or "",
                item[0].side_effect or "",
                item[0].tags,
            ),
        )[0]
        kept.append(
            DigestTip(
                best.text, best.medication, best.side_effect, best.tags, shared_by, tried, worked
            )
        )
    kept.sort(key=lambda t: (-t.worked, -t.tried, -t.shared_by, t.text))
    return Digest(
        group=group,
        peers=len(bundles),
        min_peers=min_peers,
        withheld=withheld,
        tips=kept,
        language=language,
    )


def digest_document(digest: Digest) -> dict[str, object]:
    """The digest as a document to sign and write: no member's key, no file name."""
    return {
        "format": DIGEST_FORMAT,
        "version": DIGEST_VERSION,
        "group": digest.group,
        "language": digest.language,
        "license": LICENSE,
        "peers": digest.peers,
        "min_peers": digest.min_peers,
        "withheld": digest.withheld,
        "tips": [
            {
                "text": tip.text,
                "medication": tip.medication,
                "side_effect": tip.side_effect,
                "tags": list(tip.tags),
                "shared_by": tip.shared_by,
                "tried": tip.tried,
                "worked": tip.worked,
            }
            for tip in digest.tips
        ],
    }


# What re-identifies a person (SPEC §7 "What leaves"). Deliberately broad: a tip wrongly
# withheld is listed and can be edited, a contact detail wrongly shared cannot be taken back.
@functools.cache
def _private_patterns() -> tuple[re.Pattern[str], ...]:
    """The e-mail, @handle, link and phone patterns, compiled on first use (only an export
    needs them)."""
    email = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\W\d_]{2,}")
    handle = re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]{1,}")
    url = re.compile(
        r"(?i)\b[a-z][a-z0-9+.-]*://\S|\bwww\d{0,3}\.\S"
        r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|info|io|co|uk|de|fr|es|it|nl|eu|us|ca"
        r"|au|me|ly|gg|tv|app|dev|blog|health|social|xyz|site|online|page)\b(?:/\S*)?"
    )
    # A run of digits with the separators phone numbers are written with: "+44 20 7946
    # 0958", "(555) 123-4567", "0612345678". Seven digits or more after a "+", nine or more
    # otherwise, so doses, times and dates ("2.5 mg", "08:00", "2026-11-23") are not taken
    # for one.
    phone = re.compile(r"(?<![\w.])(\+?)(\(?\d[\d ()./-]{5,}\d)(?![\w])")
    return email, handle, url, phone


def _has_phone(text: str) -> bool:
    for match in _private_patterns()[3].finditer(text):
        digits = sum(ch.isdigit() for ch in match[2])
        if digits >= (7 if match[1] else 9):
            return True
    return False


def private_detail(tip: BundleTip, *, allow_links: bool = False) -> str | None:
    """Why ``tip`` must not leave the journal as it is (it holds an e-mail address, a phone
    number, an @handle or a link; links pass with ``allow_links``), or None."""
    fields = [tip.text, tip.medication or "", tip.side_effect or "", *tip.tags]
    text = "\n".join(fields)
    email, handle, url, _ = _private_patterns()
    if email.search(text):
        return "it holds an e-mail address"
    if _has_phone(text):
        return "it holds a phone number"
    if handle.search(text):
        return "it holds an @handle"
    if not allow_links and url.search(text):
        return "it holds a link (--allow-links lets links through)"
    return None


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


@functools.cache
def _linkish() -> re.Pattern[str]:
    """The pattern of what a forum would link, compiled on first use (Markdown only)."""
    return re.compile(
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
    flat = _linkish().sub(_defang, " ".join(printable(value).split()))
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


def render_markdown(tips: Sequence[BundleTip], title: str = "Coping tips from peers") -> str:
    """A readable list of ``tips`` under the heading ``title`` for a forum post, ending
    with the disclaimer line.

    One bullet per tip, in the order given: the text, then in parentheses its medication,
    side effect, tags and whether it worked. Every peer-written string is escaped so that it
    renders as plain text.
    """
    lines = [f"# {title}", ""]
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


def render_digest_markdown(digest: Digest) -> str:
    """The digest as a forum post: "what helped N of us", one bullet per tip with its
    counts, how many tips were left out, and the disclaimer."""
    us = "us" if digest.peers != 1 else "me"
    lines = [f"# What helped {digest.peers} of {us}: {md_escape(digest.group)}", ""]
    if not digest.tips:
        lines.append("No tip was shared by enough of us to show.")
    for tip in digest.tips:
        bullet = "- " + md_escape(tip.text)
        about = [md_escape(v) for v in (tip.medication, tip.side_effect) if v]
        if about:
            bullet += " (" + ", ".join(about) + ")"
        if tip.tried:
            bullet += f" — helped {tip.worked} of {tip.tried} who tried it"
        else:
            bullet += " — not rated yet"
        bullet += f"; shared by {tip.shared_by}"
        lines.append(bullet)
    lines.append("")
    lines.append(
        f"Tips shared by fewer than {digest.min_peers} of us are not shown "
        f"({digest.withheld} left out)."
    )
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
    """The JSON Schema (draft 2020-12) of a tip bundle, versions 1 and 2 (version 2 must
    carry ``contributor``, ``serial`` and ``signature``; version 1 none of them).

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
        "title": "adherelog peer-tip bundle, versions 1 and 2",
        "description": (
            "Coping tips that one adherelog user shares with peers. A bundle carries only "
            "these fields: no ids, timestamps, notes, doses or names of people. Strings may "
            "not hold control, bidi or zero-width characters; a tip's text may hold line "
            "breaks. Version 2 is signed: signature is the unpadded base64url Ed25519 "
            "signature, by the key contributor names, over the RFC 8785 canonical form of "
            "the whole object without signature (docs/peer-tip-format.md)."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", "tips"],
        "if": {"properties": {"version": {"const": SIGNED_VERSION}}},
        "then": {"required": list(SIGNED_KEYS)},
        "else": {"not": {"anyOf": [{"required": [key]} for key in SIGNED_KEYS]}},
        "properties": {
            "format": {"const": FORMAT},
            "version": {"type": "integer", "enum": list(VERSIONS)},
            "contributor": {
                "type": "string",
                "pattern": f"^ed25519:[A-Za-z0-9_-]{{43}}{_END}",
            },
            "serial": {"type": "integer", "minimum": 1, "maximum": MAX_SERIAL},
            "signature": {"type": "string", "pattern": f"^[A-Za-z0-9_-]{{86}}{_END}"},
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
