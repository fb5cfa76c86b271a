"""The clock: the local zone, "now", wall-clock resolution and the stored form of instants.

Pure standard library so that importing it stays cheap. Nothing is cached between calls:
``TZ`` and ``ADHERELOG_NOW`` are read afresh every time (SPEC §1).

Wall-clock times are resolved as RFC 5545 says (SPEC §2): a time inside a spring-forward
gap is read with the offset in force before the gap (02:30 becomes 03:30), and a time that
occurs twice at a fall-back means its first occurrence.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adherelog.errors import UsageError
from adherelog.text import printable

__all__ = [
    "MAX_DATE",
    "MIN_DATE",
    "RANGE_TEXT",
    "from_utc_text",
    "local_iso",
    "local_zone",
    "localize",
    "now",
    "offset_changes",
    "storable",
    "supported",
    "to_utc_text",
]

# Where the system keeps its zone; module-level so that tests can point them elsewhere.
LOCALTIME_PATH = "/etc/localtime"
TIMEZONE_PATH = "/etc/timezone"

_ZONEINFO_MARK = "zoneinfo/"

# The dates adherelog supports (SPEC §2). Every date typed, every ADHERELOG_NOW and every
# imported record lies in this range, so nothing stored can make a later command step off
# the calendar (years 1 and 9999 are Python's limits, and a day's arithmetic meets them).
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
RANGE_TEXT = f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"
_SLACK = timedelta(days=1)


def supported(day: date) -> bool:
    """True for a date adherelog accepts as input: from MIN_DATE to MAX_DATE."""
    return MIN_DATE <= day <= MAX_DATE


def storable(day: date) -> bool:
    """True for a date a stored record may carry: a supported date or one day beyond
    either end, the date a moment near an end has in UTC or in a zone far east or west."""
    return MIN_DATE - _SLACK <= day <= MAX_DATE + _SLACK


def _escaped(value: str) -> str:
    """``value`` with control and invisible characters escaped, on one line."""
    return printable(value).replace("\n", "\\n")


def _zone_or_none(key: str) -> ZoneInfo | None:
    """The zone named ``key``, or None when no such IANA zone is known."""
    if not key:
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _key_from_path(path: str) -> str:
    """The IANA key in a zone file path: the part after the last ``zoneinfo/``."""
    index = path.rfind(_ZONEINFO_MARK)
    return path[index + len(_ZONEINFO_MARK) :] if index >= 0 else path


def _system_zone() -> ZoneInfo:
    """The system's zone: the ``/etc/localtime`` link, else ``/etc/timezone``, else UTC."""
    for read_target in (os.readlink, os.path.realpath):
        try:
            target = read_target(LOCALTIME_PATH)
        except OSError:
            continue
        if _ZONEINFO_MARK in target:
            zone = _zone_or_none(_key_from_path(target))
            if zone is not None:
                return zone
    try:
        with open(TIMEZONE_PATH, encoding="utf-8") as handle:
            key = handle.read().strip()
    except (OSError, UnicodeDecodeError):
        key = ""
    zone = _zone_or_none(key)
    return zone if zone is not None else ZoneInfo("UTC")


def local_zone() -> ZoneInfo:
    """The local IANA zone: env ``TZ`` when set and non-empty, else the system's.

    ``TZ`` may carry a leading ``:`` (``:Europe/Paris``) or be a path into the zone
    database (``/usr/share/zoneinfo/Europe/London``). A ``TZ`` that names no known zone
    raises :class:`UsageError`. Without ``TZ`` the zone comes from the ``/etc/localtime``
    link, then ``/etc/timezone``, and is UTC when neither names a zone.
    """
    raw = os.environ.get("TZ", "")
    key = raw.strip()
    if key.startswith(":"):
        key = key[1:].strip()
    if not key:
        return _system_zone()
    zone = _zone_or_none(_key_from_path(key))
    if zone is None:
        raise UsageError(f"Unknown time zone '{_escaped(raw)}' in TZ.")
    return zone


def localize(d: date, t: time, zone: tzinfo) -> datetime:
    """The aware moment at wall-clock date ``d`` and time ``t`` in ``zone``.

    A time inside a spring-forward gap is read with the offset before the gap, so
    America/New_York 2026-03-08 02:30 is 03:30 EDT; a time that exists twice means its
    first occurrence. The result is normalised: its wall clock is one that really exists.
    Any tzinfo on ``t`` is ignored.
    """
    naive = datetime.combine(d, t.replace(tzinfo=None, fold=0))
    # fold=0 selects the offset before a transition: exactly the RFC 5545 reading.
    wall = naive.replace(tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def _parse_now(value: str, zone: ZoneInfo) -> datetime:
    """``ADHERELOG_NOW`` as an aware moment in ``zone``."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"Cannot understand ADHERELOG_NOW '{_escaped(value)}'; use an ISO 8601 date-time "
            "such as '2026-11-01T08:15:00' or '2026-11-01T08:15:00Z'."
        ) from None
    # Checked before any arithmetic, which would fail at the ends of Python's calendar.
    if supported(parsed.date()):
        if parsed.tzinfo is None:
            parsed = localize(parsed.date(), parsed.time(), zone)
        else:
            parsed = parsed.astimezone(zone)
        if supported(parsed.date()):
            return parsed
    raise UsageError(
        f"ADHERELOG_NOW '{_escaped(value)}' is outside the supported dates, {RANGE_TEXT}."
    )


def now(zone: ZoneInfo | None = None) -> datetime:
    """The current moment, aware, in ``zone`` (default: :func:`local_zone`).

    Env ``ADHERELOG_NOW`` (ISO 8601) replaces the real clock: with an offset or ``Z`` it
    is that instant; without one it is wall time in ``zone``, resolved by :func:`localize`.
    A value that cannot be parsed raises :class:`UsageError` quoting it.
    """
    if zone is None:
        zone = local_zone()
    fixed = os.environ.get("ADHERELOG_NOW", "")
    if fixed.strip():
        return _parse_now(fixed, zone)
    return datetime.now(UTC).astimezone(zone)


def _require_aware(dt: datetime) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"a naive datetime has no instant: {dt.isoformat()}")


def to_utc_text(dt: datetime) -> str:
    """The stored form of an instant: UTC, seconds precision, ``Z``
    (``2026-11-01T05:30:00Z``). Fractions of a second are dropped."""
    _require_aware(dt)
    utc = dt.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


def from_utc_text(s: str) -> datetime:
    """The aware UTC instant of a stored text such as ``2026-11-01T05:30:00Z``.

    Raises ValueError when the text is not an ISO 8601 date-time with ``Z`` or an offset.
    """
    parsed = datetime.fromisoformat(s.strip())
    if parsed.tzinfo is None:
        raise ValueError(f"stored instant without an offset: {s!r}")
    return parsed.astimezone(UTC)


def local_iso(dt_utc: datetime, zone: tzinfo) -> str:
    """ISO 8601 local time of an instant in ``zone`` with that moment's offset, seconds
    precision, e.g. ``2026-11-01T01:30:00-04:00`` (SPEC §3)."""
    _require_aware(dt_utc)
    local = dt_utc.astimezone(UTC).astimezone(zone).replace(microsecond=0)
    return local.isoformat(timespec="seconds")


_OFFSET_STEP = 3 * 86400  # seconds between samples


def offset_changes(key: str, year: int) -> list[tuple[str, int]]:
    """The UTC offsets (seconds) of the zone ``key`` during the UTC year ``year``, as
    (stored UTC text from which it holds, offset): the first from the year's start, then one
    per change, so that SQL can find the local time of a stored instant of that year (the
    journal's ``zone_offsets`` table). Empty for a zone this machine does not know.

    Read from the zone by sampling three days apart and bisecting to the second where the
    offset differs: a change and its reversal less than three days apart would be missed
    (a test compares zones with unusual rules with a reading every twelve hours)."""
    zone = _zone_or_none(key)
    if zone is None:
        return []
    from_timestamp = datetime.fromtimestamp

    def offset(seconds: int) -> int:
        delta = from_timestamp(seconds, zone).utcoffset()
        return 0 if delta is None else int(delta.total_seconds())

    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()) - 1
    current = offset(start)
    changes = [(f"{year:04d}-01-01T00:00:00Z", current)]
    while start < last:
        end = min(start + _OFFSET_STEP, last)
        while offset(end) != current:  # one change or more in (start, end]
            low, high = start, end  # offset(low) == current != offset(high)
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            current = offset(high)
            changes.append((to_utc_text(from_timestamp(high, UTC)), current))
            start = high
        start = end
    return changes
