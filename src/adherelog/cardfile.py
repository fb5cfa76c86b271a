"""Reading a buddy's check-in card, version 2 (SPEC §12): pure, no journal, no printing.

A card comes from another person, so it is read like a peer's tip bundle (SPEC §7): at most
1 MiB of UTF-8, strict JSON (no duplicate or unknown keys, no NaN, no bool for a number),
no control, bidi or zero-width characters in any text, and a valid Ed25519 signature over
its RFC 8785 form. The first problem refuses the whole card with one sentence naming the
field (``meds[2].name``). A tip bundle given instead is named as such.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from adherelog import signing, strictjson
from adherelog.errors import InvalidFileError
from adherelog.strictjson import Constant, JsonObject, shown_key
from adherelog.text import describe_char, forbidden_char
from adherelog.valueclass import dataclass

FORMAT = "adherelog-card"
VERSION = 2
MAX_BYTES = 1024 * 1024
MAX_LABEL = 80
MAX_TEXT = 1000
MAX_GOAL = 200
MAX_ITEMS = 100
MAX_COUNT = 10**7
_MAX_INT_DIGITS = 20
TIP_FORMATS = ("adherelog-tips", "adherelog-tip-digest")
AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")

TOP_KEYS = (
    "format",
    "version",
    "period",
    "days",
    "overall",
    "meds",
    "side_effects",
    "tips_that_helped",
    "goals",
    "reply_to",
    "contributor",
    "serial",
    "signature",
)
OPTIONAL_TOP = frozenset({"days"})
COUNT_KEYS = ("taken", "skipped", "missed", "pending", "current_streak")
OVERALL_KEYS = ("adherence", *COUNT_KEYS)
MED_KEYS = ("name", "as_needed", *OVERALL_KEYS, "as_needed_doses")
EFFECT_KEYS = ("name", "count")
TIP_KEYS = ("text", "medication", "side_effect")
GOAL_KEYS = ("text", "med", "target", "adherence", "met")


@dataclass(frozen=True)
class CardLine:
    """One medication's line (or the overall one, named "all medications")."""

    name: str
    as_needed: bool
    adherence: float | None
    taken: int
    skipped: int
    missed: int
    current_streak: int
    as_needed_doses: int = 0


@dataclass(frozen=True)
class CardGoal:
    text: str
    med: str | None
    target: int | None
    adherence: float | None
    met: bool | None


@dataclass(frozen=True)
class CardTip:
    text: str
    medication: str | None
    side_effect: str | None


@dataclass(frozen=True)
class ReceivedCard:
    """A buddy's card, checked; its text stripped and NFC-normalised."""

    document: dict[str, Any]  # as read, for keeping and for the signature
    contributor: str
    serial: int
    reply_to: str
    period_from: date
    period_to: date
    overall: CardLine
    meds: list[CardLine]
    side_effects: list[tuple[str, int]]
    tips: list[CardTip]
    goals: list[CardGoal]


def _wrong(path: str, value: object, expected: str) -> InvalidFileError:
    if isinstance(value, Constant):
        return InvalidFileError(
            f"{path}: {value.name} is not allowed; JSON has no NaN or Infinity."
        )
    return InvalidFileError(f"{path}: {expected}")


def _object(
    path: str, value: Any, keys: tuple[str, ...], optional: frozenset[str]
) -> dict[str, Any]:
    where = path or "the top level"
    if not isinstance(value, dict):
        raise _wrong(path or "The card", value, "must be a JSON object.")
    if isinstance(value, JsonObject) and value.duplicate is not None:
        raise InvalidFileError(f"The key {shown_key(value.duplicate)} appears twice at {where}.")
    for key in value:
        if key not in keys:
            raise InvalidFileError(f"The key {shown_key(key)} is not allowed at {where} of a card.")
    for key in keys:
        if key not in value and key not in optional:
            raise InvalidFileError(f"{path + '.' if path else ''}{key}: is missing.")
    return value


def _text(
    path: str, value: Any, limit: int, *, null: bool = False, newline: bool = False
) -> str | None:
    if value is None and null:
        return None
    if not isinstance(value, str):
        kind = "a string" + (" or null" if null else "")
        raise _wrong(path, value, f"must be {kind} of at most {limit} characters.")
    bad = forbidden_char(value, allow_newline=newline)
    if bad is not None:
        raise InvalidFileError(f"{path}: contains {describe_char(bad)}.")
    cleaned = unicodedata.normalize("NFC", value.strip())
    if not cleaned:
        raise InvalidFileError(f"{path}: must not be empty.")
    if len(cleaned) > limit:
        raise InvalidFileError(f"{path}: is {len(cleaned)} characters long; the limit is {limit}.")
    return cleaned


def _count(path: str, value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise _wrong(path, value, f"must be a whole number from 0 to {MAX_COUNT}.")
    return value


def _rate(path: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _wrong(path, value, "must be a number from 0 to 1, or null.")
    return float(value)


def _bool(path: str, value: Any, *, null: bool = False) -> bool | None:
    if value is None and null:
        return None
    if type(value) is not bool:
        raise _wrong(path, value, "must be true or false" + (" or null." if null else "."))
    return value


def _list(path: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _wrong(path, value, "must be a list.")
    if len(value) > MAX_ITEMS:
        raise InvalidFileError(f"{path}: holds {len(value)} items; the limit is {MAX_ITEMS}.")
    return value


def _line(path: str, raw: Any, *, overall: bool) -> CardLine:
    keys = OVERALL_KEYS if overall else MED_KEYS
    obj = _object(path, raw, keys, frozenset() if overall else frozenset({"as_needed_doses"}))
    counts = {k: _count(f"{path}.{k}", obj[k]) for k in COUNT_KEYS}
    name = "all medications" if overall else _text(f"{path}.name", obj["name"], MAX_LABEL)
    return CardLine(
        name=str(name),
        as_needed=False if overall else bool(_bool(f"{path}.as_needed", obj["as_needed"])),
        adherence=_rate(f"{path}.adherence", obj["adherence"]),
        taken=counts["taken"],
        skipped=counts["skipped"],
        missed=counts["missed"],
        current_streak=counts["current_streak"],
        as_needed_doses=_count(f"{path}.as_needed_doses", obj.get("as_needed_doses", 0)),
    )


def _day(path: str, value: Any) -> date:
    try:
        day = date.fromisoformat(value)
        if day.isoformat() != value:
            raise ValueError
    except (TypeError, ValueError):
        raise _wrong(path, value, "must be a date like 2026-11-16.") from None
    return day


def _check_format(doc: Any, what: str) -> None:
    if not isinstance(doc, dict):
        raise InvalidFileError("The card must hold a JSON object at the top level.")
    if isinstance(doc, JsonObject) and doc.duplicate is not None:
        raise InvalidFileError(
            f"The key {shown_key(doc.duplicate)} appears twice at the top level."
        )
    fmt = doc.get("format")
    if isinstance(fmt, str) and fmt in TIP_FORMATS:
        raise InvalidFileError(
            f"{what} is a tip bundle, not a buddy's card; import it with 'adherelog tip import'."
        )
    if fmt != FORMAT:
        raise _wrong("format", fmt, f'must be "{FORMAT}"; this is not an adherelog check-in card.')
    version = doc.get("version")
    if type(version) is not int:
        raise _wrong("version", version, f"must be the integer {VERSION}.")
    if version != VERSION:
        raise InvalidFileError(
            f"version: {version} is not supported; buddy import reads signed cards of"
            f" version {VERSION} (ask your buddy for a card from a newer adherelog)."
        )


def parse_card(data: bytes, what: str = "The card", *, verify: bool = True) -> ReceivedCard:
    """Check ``data`` against every rule of a version 2 card and its signature; one
    :class:`InvalidFileError` naming the field at the first problem, nothing else."""
    doc = strictjson.loads(
        data, what="a buddy card", max_bytes=MAX_BYTES, max_int_digits=_MAX_INT_DIGITS
    )
    _check_format(doc, what)
    top = _object("", doc, TOP_KEYS, OPTIONAL_TOP)
    period = _object("period", top["period"], ("from", "to"), frozenset())
    first, last = _day("period.from", period["from"]), _day("period.to", period["to"])
    if first > last:
        raise InvalidFileError("period: from is after to.")
    if "days" in top:
        _count("days", top["days"])
    overall = _line("overall", top["overall"], overall=True)
    meds = [_line(f"meds[{i}]", m, overall=False) for i, m in enumerate(_list("meds", top["meds"]))]
    effects = []
    for i, raw in enumerate(_list("side_effects", top["side_effects"])):
        obj = _object(f"side_effects[{i}]", raw, EFFECT_KEYS, frozenset())
        name = _text(f"side_effects[{i}].name", obj["name"], MAX_LABEL)
        effects.append((str(name), _count(f"side_effects[{i}].count", obj["count"])))
    tips = []
    for i, raw in enumerate(_list("tips_that_helped", top["tips_that_helped"])):
        path = f"tips_that_helped[{i}]"
        obj = _object(path, raw, TIP_KEYS, frozenset())
        tips.append(
            CardTip(
                text=str(_text(f"{path}.text", obj["text"], MAX_TEXT, newline=True)),
                medication=_text(f"{path}.medication", obj["medication"], MAX_LABEL, null=True),
                side_effect=_text(f"{path}.side_effect", obj["side_effect"], MAX_LABEL, null=True),
            )
        )
    goals = []
    for i, raw in enumerate(_list("goals", top["goals"])):
        path = f"goals[{i}]"
        obj = _object(path, raw, GOAL_KEYS, frozenset())
        target = obj["target"]
        if target is not None and (type(target) is not int or not 1 <= target <= 100):
            raise _wrong(f"{path}.target", target, "must be a whole number from 1 to 100, or null.")
        goals.append(
            CardGoal(
                text=str(_text(f"{path}.text", obj["text"], MAX_GOAL)),
                med=_text(f"{path}.med", obj["med"], MAX_LABEL, null=True),
                target=target,
                adherence=_rate(f"{path}.adherence", obj["adherence"]),
                met=_bool(f"{path}.met", obj["met"], null=True),
            )
        )
    reply_to = top["reply_to"]
    if not isinstance(reply_to, str) or AGE_RECIPIENT.fullmatch(reply_to) is None:
        raise _wrong(
            "reply_to", reply_to, "must be an age recipient (age1 and 58 more characters)."
        )
    serial = top["serial"]
    if type(serial) is not int or not 1 <= serial <= 2**53:
        raise _wrong("serial", serial, "must be a positive whole number.")
    if verify:
        signing.verify(top, what)
    return ReceivedCard(
        document=dict(top),
        contributor=str(top["contributor"]),
        serial=serial,
        reply_to=reply_to,
        period_from=first,
        period_to=last,
        overall=overall,
        meds=meds,
        side_effects=effects,
        tips=tips,
        goals=goals,
    )
