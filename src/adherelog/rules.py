"""Every limit on what a journal holds, and the validators of stored values (pure).

The write paths (``med add``/``edit``, ``take``, ``effect add``, ``tip add``, ``refill``)
check what a person types against the limits here; the importer checks each column of a
file against :data:`RULES`, which is built from the same limits, so a value one accepts
the other accepts too (``tests/test_rules.py`` checks the boundaries of every field).

A rule is a function of a stored value that returns what is wrong with it (a phrase that
follows "must be") or None. Nothing here reads a journal or prints.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, time
from functools import lru_cache

from adherelog.clock import RANGE_TEXT, from_utc_text, storable
from adherelog.model import WEEKDAYS, Column, Table
from adherelog.text import describe_char, forbidden_char, name_key

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    # take and med add read the limits at start-up: typing (~3 ms) is for the checker only.
    from typing import Any, TypeAlias

    Rule: TypeAlias = Callable[[Any], str | None]
    Check: TypeAlias = Callable[[Any], str | None]
    RowRule: TypeAlias = Callable[[dict[str, Any]], str | None]

# ``take`` and ``med add`` read the limits at start-up: the patterns below are compiled
# (and cached by ``re``) when first used, and the JSON reader is imported when a stored
# list is read, so that reading the limits costs next to nothing.

# --------------------------------------------------------------------------- the limits

MAX_NAME = 80
"""Characters of a medication name, a dose, a side effect name and a bundle label."""
MAX_NOTE = 2000
"""Characters of a note (several lines allowed)."""
MAX_TIP_TEXT = 1000
"""Characters of a tip (several lines allowed)."""
MAX_TAGS = 10
"""Tags of one tip."""
MAX_TAG = 32
"""Characters of one tag."""
MIN_GRACE, MAX_GRACE = 0, 720
"""Minutes after a slot in which a dose still counts as on time."""
MIN_EVERY, MAX_EVERY = 1, 100_000
"""Days between scheduled days (``--every N``)."""
MIN_SEVERITY, MAX_SEVERITY = 1, 5
"""A side effect's severity, 1 (mild) to 5 (severe)."""
MIN_LATE, MAX_LATE = -100_000, 10_000_000
"""Minutes a dose was taken after (or before) its slot."""
MAX_BUNDLE_TIPS = 100_000
"""Tips an imported bundle is recorded to have held."""
SUPPLY_FLOOR = -1e12
"""A tracked supply may run below zero (doses taken past it), but not without end."""
MAX_TEXT = 100_000
"""Characters of any text cell of an imported file, whatever its column."""
INT64 = 2**63
MAX_GOAL = 200
"""Characters of a goal."""
MAX_BUDDY_NOTE = 1000
"""Characters of a check-in's private note."""
MAX_URL = 2000
"""Characters of a notification channel's URL (``buddy set --send-via``)."""
MAX_BUDDY_EVERY = 365
"""Days between check-ins a buddy pair may agree on."""
MAX_CARD_BYTES = 2 * 1024 * 1024
"""Bytes of a buddy's card file, plain or age-encrypted (larger files are refused unread)."""

# --------------------------------------------------------------------------- the rules

# A ``Rule`` (declared above, for the type checker) returns what is wrong with a stored
# value (a phrase after "must be"), or None.

_UTC_TEXT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
_CLOCK = r"\d\d:\d\d"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_DIGEST = r"[0-9a-f]{64}"
# Text made only of these needs no closer look for control or invisible characters.
_PLAIN = r"[\x20-\x7e]*"
_PLAIN_LINES = r"[\x20-\x7e\n]*"


def bad_char(value: str, *, allow_newline: bool) -> str | None:
    """:func:`adherelog.text.forbidden_char`, with a quick pass for plain ASCII text."""
    if re.fullmatch(_PLAIN_LINES if allow_newline else _PLAIN, value):
        return None
    return forbidden_char(value, allow_newline=allow_newline)


def is_uuid(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(_UUID, value) is not None
    return None if ok else "a UUID in lower case, like 0b6c1f9e-1d0e-4c39-9f55-4f0cfb0e6a3d"


# Stored dates may lie a day beyond the supported range: see clock.storable.
_IN_RANGE = f"within the supported dates, {RANGE_TEXT}"


def is_utc(value: Any) -> str | None:
    message = f"a UTC time like 2026-11-01T08:15:00Z {_IN_RANGE}"
    if not isinstance(value, str) or not re.fullmatch(_UTC_TEXT, value):
        return message
    try:
        ok = storable(from_utc_text(value).date())
    except ValueError:
        ok = False
    return None if ok else message


def is_date(value: Any) -> str | None:
    try:
        day = date.fromisoformat(value)
        ok = day.isoformat() == value and storable(day)
    except (ValueError, TypeError):
        ok = False
    return None if ok else f"a date like 2026-11-01 {_IN_RANGE}"


def is_zone(value: Any) -> str | None:
    ok = isinstance(value, str) and known_zone(value)
    return None if ok else "an IANA time zone like Europe/London"


@lru_cache(maxsize=256)
def known_zone(value: str) -> bool:
    """True for the name of a time zone this system knows (never a path)."""
    from zoneinfo import ZoneInfo  # start-up cost: see the top of this module

    if not value or value.startswith("/") or ".." in value:
        return False
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        return False
    return True


def text_rule(max_len: int, *, allow_newline: bool, empty: bool = False) -> Rule:
    """A stored text: already stripped and NFC-normalised (as the write paths store it),
    1 (or 0) to ``max_len`` characters, no control or invisible character."""
    message = f"a text of {0 if empty else 1} to {max_len} characters" + (
        "" if allow_newline else " on one line"
    )

    def rule(value: Any) -> str | None:
        if not isinstance(value, str):
            return message
        cleaned = unicodedata.normalize("NFC", value.strip())
        if cleaned != value or len(value) > max_len or (not empty and not value):
            return message + ", without spaces at either end"
        if bad_char(value, allow_newline=allow_newline) is not None:
            return message
        return None

    return rule


def number_rule(low: float, *, above: bool) -> Rule:
    """A number above ``low`` (or at least ``low``)."""

    def rule(value: Any) -> str | None:
        wrong = isinstance(value, bool) or not isinstance(value, int | float)
        if wrong or (value <= low if above else value < low):
            return f"a number {'above' if above else 'of at least'} {low:g}"
        return None

    return rule


def int_rule(low: int, high: int) -> Rule:
    """A whole number from ``low`` to ``high``."""

    def rule(value: Any) -> str | None:
        if type(value) is not int or not low <= value <= high:
            return f"a whole number from {low} to {high}"
        return None

    return rule


def one_of(*choices: str) -> Rule:
    def rule(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(choices)

    return rule


def flat_list(value: Any) -> list[Any] | None:
    """The JSON list of plain values held in a text cell (``times``, ``tags``), or None.

    Deeper nesting is refused before decoding: the format never needs it, and decoding
    a hostile cell nested thousands of levels deep would exhaust the stack."""
    import json  # start-up cost: see the top of this module

    from adherelog import strictjson

    if not isinstance(value, str) or strictjson.nesting(value) > 1:
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, list) else None


def is_times(value: Any) -> str | None:
    message = 'a JSON list of times, like ["08:00", "20:00"]'
    times = flat_list(value)
    if times is None:
        return message
    for item in times:
        if not isinstance(item, str) or not re.fullmatch(_CLOCK, item):
            return message
        try:
            time.fromisoformat(item)
        except ValueError:
            return message
    return None


def is_weekdays(value: Any) -> str | None:
    message = "weekday names like mon,wed,fri"
    if not isinstance(value, str) or not value:
        return message
    return None if all(day in WEEKDAYS for day in value.split(",")) else message


def is_rrule(value: Any) -> str | None:
    from adherelog import recurrence
    from adherelog.errors import AdherelogError

    message = (
        "an RRULE of FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL, like FREQ=WEEKLY;BYDAY=MO"
    )
    try:
        return None if recurrence.normalize_rrule(value) == value else message
    except (AdherelogError, AttributeError, TypeError, ValueError, IndexError):
        return message


def is_cycle(value: Any) -> str | None:
    from adherelog import recurrence
    from adherelog.errors import AdherelogError

    message = "days on and days off, like 21/7"
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,3}/[0-9]{1,3}", value):
        return message
    try:
        recurrence.parse_cycle(value)
    except AdherelogError:
        return message
    return None


def is_amounts(value: Any) -> str | None:
    import json  # start-up cost: see the top of this module

    message = 'a JSON object of times and amounts, like {"08:00": 2}'
    try:
        found = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return message
    if not isinstance(found, dict) or not found:
        return message
    for key, amount in found.items():
        if not re.fullmatch(_CLOCK, key) or type(amount) not in (int, float):
            return message
        if not math.isfinite(amount) or amount <= 0 or amount > 1e6:
            return message
        try:
            time.fromisoformat(key)
        except ValueError:
            return message
    return None


NAME = text_rule(MAX_NAME, allow_newline=False)
NOTE = text_rule(MAX_NOTE, allow_newline=True)
TIP_TEXT = text_rule(MAX_TIP_TEXT, allow_newline=True)
TAG = text_rule(MAX_TAG, allow_newline=False)
GRACE = int_rule(MIN_GRACE, MAX_GRACE)
EVERY = int_rule(MIN_EVERY, MAX_EVERY)
SEVERITY = int_rule(MIN_SEVERITY, MAX_SEVERITY)
COUNT = number_rule(0, above=True)
"""An amount taken, the units per dose and a refill: above zero."""
SUPPLY = number_rule(SUPPLY_FLOOR, above=False)


def is_tags(value: Any) -> str | None:
    message = 'a JSON list of tags, like ["food", "morning"]'
    tags = flat_list(value)
    if tags is None or len(tags) > MAX_TAGS:
        return message
    return message if any(TAG(tag) for tag in tags) else None


def is_digest(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(_DIGEST, value) is not None
    return None if ok else "a SHA-256 digest in lower-case hexadecimal"


def is_contributor(value: Any) -> str | None:
    """A peer as the journal keeps it: ``ed25519:`` + a public key, or ``v1:`` + the digest
    of a version 1 bundle (one unnamed contributor)."""
    ok = isinstance(value, str) and (
        re.fullmatch(r"ed25519:[A-Za-z0-9_-]{43}", value) is not None
        or re.fullmatch(r"v1:" + _DIGEST, value) is not None
    )
    return None if ok else "ed25519: and a public key, or v1: and a bundle's digest"


def is_recipient(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", value) is not None
    return None if ok else "an age recipient (age1 and 58 more characters)"


def is_card(value: Any) -> str | None:
    ok = isinstance(value, str) and 2 <= len(value) <= MAX_CARD_BYTES and value.startswith("{")
    return None if ok else "a card as the JSON text it was received in"


_FLAG = int_rule(0, 1)
SERIAL = int_rule(1, 2**53 - 1)
PEOPLE = int_rule(0, 10_000_000)
RULES: dict[tuple[str, str], Rule] = {
    ("meds", "id"): is_uuid,
    ("meds", "name"): NAME,
    ("meds", "per_dose"): COUNT,
    ("meds", "supply"): SUPPLY,
    ("meds", "note"): NOTE,
    ("meds", "created_at"): is_utc,
    ("schedules", "id"): is_uuid,
    ("schedules", "med_id"): is_uuid,
    ("schedules", "start_at"): is_utc,
    ("schedules", "end_at"): is_utc,
    ("schedules", "zone"): is_zone,
    ("schedules", "times"): is_times,
    ("schedules", "every"): EVERY,
    ("schedules", "anchor"): is_date,
    ("schedules", "on_days"): is_weekdays,
    ("schedules", "dose"): NAME,
    ("schedules", "grace"): GRACE,
    ("schedules", "as_needed"): _FLAG,
    ("schedules", "active"): _FLAG,
    ("schedules", "created_at"): is_utc,
    ("schedules", "rrule"): is_rrule,
    ("schedules", "cycle"): is_cycle,
    ("schedules", "amounts"): is_amounts,
    ("records", "id"): is_uuid,
    ("records", "kind"): one_of("dose", "skip", "effect"),
    ("records", "med_id"): is_uuid,
    ("records", "at"): is_utc,
    ("records", "zone"): is_zone,
    ("records", "local_date"): is_date,
    ("records", "slot_at"): is_utc,
    ("records", "slot_zone"): is_zone,
    ("records", "slot_date"): is_date,
    ("records", "late_minutes"): int_rule(MIN_LATE, MAX_LATE),
    ("records", "amount"): COUNT,
    ("records", "note"): NOTE,
    ("records", "effect"): NAME,
    ("records", "severity"): SEVERITY,
    ("records", "created_at"): is_utc,
    ("refills", "id"): is_uuid,
    ("refills", "med_id"): is_uuid,
    ("refills", "count"): COUNT,
    ("refills", "at"): is_utc,
    ("refills", "zone"): is_zone,
    ("refills", "local_date"): is_date,
    ("refills", "created_at"): is_utc,
    ("tips", "id"): is_uuid,
    ("tips", "text"): TIP_TEXT,
    ("tips", "identity"): is_digest,
    ("tips", "medication"): NAME,
    ("tips", "side_effect"): NAME,
    ("tips", "tags"): is_tags,
    ("tips", "source"): one_of("mine", "peer"),
    ("tips", "from_label"): NAME,
    ("tips", "imported_at"): is_utc,
    ("tips", "worked"): _FLAG,
    ("tips", "created_at"): is_utc,
    ("tip_bundles", "fingerprint"): is_digest,
    ("tip_bundles", "label"): NAME,
    ("tip_bundles", "imported_at"): is_utc,
    ("tip_bundles", "tip_count"): int_rule(0, MAX_BUNDLE_TIPS),
    ("tip_peers", "contributor"): is_contributor,
    ("tip_peers", "serial"): SERIAL,
    ("tip_peers", "label"): NAME,
    ("tip_peers", "imported_at"): is_utc,
    ("tip_ratings", "contributor"): is_contributor,
    ("tip_ratings", "identity"): is_digest,
    ("tip_ratings", "worked"): _FLAG,
    ("tip_digests", "maker"): is_contributor,
    ("tip_digests", "serial"): SERIAL,
    ("tip_digests", "group_label"): NAME,
    ("tip_digests", "label"): NAME,
    ("tip_digests", "peers"): PEOPLE,
    ("tip_digests", "imported_at"): is_utc,
    ("tip_group_counts", "maker"): is_contributor,
    ("tip_group_counts", "identity"): is_digest,
    ("tip_group_counts", "shared_by"): PEOPLE,
    ("tip_group_counts", "tried"): PEOPLE,
    ("tip_group_counts", "worked"): PEOPLE,
    ("buddies", "id"): is_uuid,
    ("buddies", "name"): NAME,
    ("buddies", "contributor"): is_contributor,
    ("buddies", "reply_to"): is_recipient,
    ("buddies", "every"): int_rule(1, MAX_BUDDY_EVERY),
    ("buddies", "send_via"): text_rule(MAX_URL, allow_newline=False),
    ("buddies", "created_at"): is_utc,
    ("buddy_cards", "id"): is_uuid,
    ("buddy_cards", "buddy_id"): is_uuid,
    ("buddy_cards", "contributor"): is_contributor,
    ("buddy_cards", "serial"): SERIAL,
    ("buddy_cards", "period_from"): is_date,
    ("buddy_cards", "period_to"): is_date,
    ("buddy_cards", "adherence"): number_rule(0, above=False),
    ("buddy_cards", "current_streak"): int_rule(0, 100_000),
    ("buddy_cards", "document"): is_card,
    ("buddy_cards", "received_at"): is_utc,
    ("buddy_contacts", "id"): is_uuid,
    ("buddy_contacts", "buddy_id"): is_uuid,
    ("buddy_contacts", "kind"): one_of("card_received", "card_sent", "checkin"),
    ("buddy_contacts", "at"): is_utc,
    ("buddy_contacts", "zone"): is_zone,
    ("buddy_contacts", "note"): text_rule(MAX_BUDDY_NOTE, allow_newline=True),
    ("goals", "id"): int_rule(1, INT64 - 1),
    ("goals", "text"): text_rule(MAX_GOAL, allow_newline=False),
    ("goals", "med_id"): is_uuid,
    ("goals", "target"): int_rule(1, 100),
    ("goals", "created_at"): is_utc,
    ("goals", "done_at"): is_utc,
    ("tip_bundle_worked", "fingerprint"): is_digest,
    ("tip_bundle_worked", "identity"): is_digest,
}
"""What adherelog's own code expects of each known column, beyond its SQLite type."""

# --------------------------------------------------------------------------- rows


def type_problem(column: Column, value: Any) -> str | None:
    """What is wrong with ``value`` for the column's type, or None."""
    from adherelog.strictjson import Constant  # start-up cost: see the top of this module

    nullable = "" if column.not_null else " or null"
    if value is None:
        return None if not column.not_null else "must not be null"
    if isinstance(value, Constant):
        return f"{value.name} is not allowed; JSON has no NaN or Infinity"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        kind = {"text": "a text", "integer": "a whole number", "real": "a number"}
        return f"must be {kind.get(column.kind, 'a text or a number')}{nullable}"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if column.kind == "text" and not isinstance(value, str):
        return f"must be a text{nullable}"
    if column.kind == "integer" and type(value) is not int:
        return f"must be a whole number{nullable}"
    if column.kind == "real" and isinstance(value, str):
        return f"must be a number{nullable}"
    if isinstance(value, int) and not -INT64 <= value < INT64:
        return "is too large"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"is {len(value)} characters long; the limit is {MAX_TEXT}"
        bad = bad_char(value, allow_newline=True)
        if bad is not None:
            return f"contains {describe_char(bad)}"
    return None


def column_check(column: Column, rule: Rule | None) -> Check:
    """One column's check: the type (with a quick path for the common plain values), then
    the column's rule."""
    kind = column.kind
    plain = re.compile(_PLAIN_LINES).fullmatch

    def check(value: Any) -> str | None:
        if value is None:
            return "must not be null" if column.not_null else None
        cls = type(value)
        quick = (
            (cls is str and kind == "text" and len(value) <= MAX_TEXT and plain(value))
            or (cls is int and kind == "integer" and -INT64 <= value < INT64)
            or (cls is float and kind == "real" and math.isfinite(value))
        )
        if not quick:
            problem = type_problem(column, value)
            if problem is not None:
                return problem
        if rule is None:
            return None
        wrong = rule(value)
        return None if wrong is None else f"must be {wrong}"

    return check


def column_checks(table: Table) -> dict[str, Check]:
    """The checks of every column of ``table``, for :func:`row_problems`."""
    return {c.name: column_check(c, RULES.get((table.name, c.name))) for c in table.columns}


def _meds_row(row: dict[str, Any]) -> str | None:
    if "name" in row and "name_key" in row and row["name_key"] != name_key(str(row["name"])):
        return "name_key must be the name in lower case with single spaces"
    return None


def _records_row(row: dict[str, Any]) -> str | None:
    kind = row.get("kind")
    if kind in ("dose", "skip") and row.get("med_id") is None:
        return f"a {kind} needs a med_id"
    if kind == "effect" and row.get("effect") is None:
        return "a side effect needs an effect name"
    slot = [row.get(c) is None for c in ("slot_at", "slot_zone", "slot_date")]
    if len(set(slot)) > 1:
        return "slot_at, slot_zone and slot_date must be given together or all be null"
    if kind == "skip" and row.get("slot_at") is None:
        return "a skip needs the slot it closes (slot_at)"
    return None


def _schedules_row(row: dict[str, Any]) -> str | None:
    if sum(row.get(name) is not None for name in ("every", "on_days", "rrule", "cycle")) > 1:
        return "a schedule has at most one of every, on_days, rrule and cycle"
    if "times" in row and "as_needed" in row:
        times = flat_list(row["times"]) or []
        if bool(row["as_needed"]) == bool(times):
            return "an as-needed schedule has no times and any other has at least one"
    return None


def records_all_pass(columns: Mapping[str, Sequence[Any]]) -> bool:
    """True only when :func:`_records_row` passes every row of a batch given column by
    column (doses and skips of a medication, each with its slot): the usual journal."""
    kinds = columns.get("kind", ())
    if not set(kinds) <= {"dose", "skip"}:
        return False
    needed = ("med_id", "slot_at", "slot_zone", "slot_date")
    return all(name in columns and None not in columns[name] for name in needed)


def _group_counts_row(row: dict[str, Any]) -> str | None:
    worked, tried, shared = (row.get(name) for name in ("worked", "tried", "shared_by"))
    if type(worked) is type(tried) is type(shared) is int and not worked <= tried <= shared:
        return "worked must be at most tried, and tried at most shared_by"
    return None


ROW_RULES: dict[str, RowRule] = {
    "buddies": _meds_row,  # the same name_key rule
    "tip_group_counts": _group_counts_row,
    "meds": _meds_row,
    "records": _records_row,
    "schedules": _schedules_row,
}
"""Rules that tie several columns of a known table together (the tips' identity, which
needs the bundle format, is checked by :func:`adherelog.importing.row_problems`)."""


def row_problems(
    table: Table, row: dict[str, Any], checks: dict[str, Check] | None = None
) -> Iterator[str]:
    """Everything wrong with one row of ``table`` that the rules here see, as phrases
    naming the column (``checks``: :func:`column_checks` of the table, made once)."""
    if checks is None:
        checks = column_checks(table)
    for name, value in row.items():
        check = checks.get(name)
        problem = None if check is None else check(value)
        if problem is not None:
            yield f"{name}: {problem}"
    row_rule = ROW_RULES.get(table.name)
    combined = None if row_rule is None else row_rule(row)
    if combined is not None:
        yield combined


# --------------------------------------------------------------------------- many rows

# Many values of a column joined by newlines, each of which passes is_utc (its date still
# to be checked).
_UTC_TEXTS = r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z\n)*"


_DASHES = (8, 13, 18, 23)
"""Where a UUID's dashes are."""


def _all_uuids(values: Collection[str]) -> bool:
    """True when every one of the texts ``values`` passes :func:`is_uuid`: 36 characters,
    dashes at their places, and the other 32 lower-case hexadecimal digits. Told by a
    few passes over them all joined, each in C: quicker than a regular expression."""
    if set(map(len, values)) != {36}:
        return False
    joined = "".join(values)
    dashes = "-" * len(values)
    if any(joined[at::36] != dashes for at in _DASHES):
        return False
    digits = joined.replace("-", "")
    if len(digits) != 32 * len(values):
        return False  # a dash elsewhere too
    # ASCII, none upper case, and two hexadecimal digits for each byte (fromhex would
    # skip white space: a byte fewer).
    if not digits.isascii() or digits != digits.lower():
        return False
    try:
        return len(bytes.fromhex(digits)) == 16 * len(values)
    except ValueError:
        return False


def all_pass(
    column: Column,
    check: Check,
    rule: Rule | None,
    values: Sequence[Any],
    kinds: set[type] | None = None,
) -> bool:
    """True only when ``check`` (the column's :func:`column_check` with ``rule``) passes
    every one of ``values``; False means a closer look, value by value, is needed
    (``kinds``: the types of the values, when the caller has them).

    Each distinct value is checked once, and the identifiers and UTC times that make up
    most of a journal by one regular expression over them all."""
    if kinds is None:
        kinds = set(map(type, values))
    if len(kinds - {type(None)}) <= 1 and kinds <= {str, int, float, type(None)}:
        # Values of one type (texts, whole numbers or floats) and nulls: a set of them tells
        # the distinct values apart (0.0 and -0.0, alike to every check, are one).
        alone = set(values)
        if None in alone:
            if column.not_null:
                return False
            alone.discard(None)
        distinct: Collection[Any] = alone
        plain_texts = str in kinds
    else:
        try:
            # By type too: 1, 1.0 and True are one key of a set but not one value here.
            typed = set(zip(map(type, values), values, strict=True))
        except TypeError:  # a list or an object where a value belongs
            return False
        if (type(None), None) in typed:
            if column.not_null:
                return False
            typed.discard((type(None), None))
        distinct = [value for _, value in typed]
        plain_texts = all(kind is str for kind, _ in typed)
    if not distinct:
        return True
    if column.kind in ("text", "any") and rule in (is_uuid, is_utc) and plain_texts:
        if rule is is_uuid:
            return _all_uuids(distinct)
        joined = "\n".join(distinct) + "\n"
        if re.fullmatch(_UTC_TEXTS, joined) is None:
            return False
        return all(is_date(day) is None for day in {value[:10] for value in distinct})
    return all(check(value) is None for value in distinct)
