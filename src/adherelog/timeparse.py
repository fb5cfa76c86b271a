"""The strict reader of moments and clock times typed on the command line (SPEC §2).

Accepted, case-insensitively and with surrounding whitespace ignored:

- ISO 8601 dates (``2026-11-01``) and date-times (``2026-11-01T08:15``,
  ``2026-11-01 08:15:30.5+01:00``), with or without an offset;
- ``now``; ``today`` and ``yesterday``, each optionally followed by a time;
- a bare time meaning today (``08:15``, ``8:15pm``, ``8pm``, ``8 pm``);
- ``30m ago``, ``2h ago``, ``3d ago`` (and the longer unit names);
- a weekday name, full or three letters, meaning the most recent such day (today
  included), optionally followed by a time.

Nothing else is guessed at: any other text is a :class:`UsageError` that quotes it.
Local wall times are resolved with :func:`adherelog.clock.localize` (RFC 5545 rules).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from adherelog.clock import RANGE_TEXT, localize, supported
from adherelog.errors import UsageError
from adherelog.text import printable
from adherelog.valueclass import dataclass

__all__ = ["Moment", "parse_clock", "parse_moment", "until_moment"]


@dataclass(frozen=True)
class Moment:
    """A parsed moment.

    ``at`` is aware and in the zone of the ``now`` it was parsed against; ``date_only``
    is true when the text named a whole day (an ISO date, ``today``, ``yesterday``, or a
    weekday name without a time), in which case ``at`` is that day's start.
    """

    at: datetime
    date_only: bool


_BLANK = " \t\r\n\f\v"

_TIME_24 = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})")
_TIME_12 = re.compile(r"(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2}))?[ \t]*(?P<half>am|pm)")
_ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
_ISO_DATETIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[t ]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?P<offset>z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_DAY_WORD = re.compile(r"(?P<word>today|yesterday)(?:[ \t]+(?P<clock>.+))?")
_WEEKDAY_WORD = re.compile(r"(?P<word>[a-z]+)(?:[ \t]+(?P<clock>.+))?")
_RELATIVE = re.compile(r"(?P<count>[0-9]{1,9})[ \t]*(?P<unit>[a-z]+)[ \t]+ago")

_UNITS: dict[str, timedelta] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
}

_WEEKDAYS: dict[str, int] = {}
for _number, _name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
):
    _WEEKDAYS[_name] = _number
    _WEEKDAYS[_name[:3]] = _number


def _shown(text: str) -> str:
    """``text`` as it may be quoted in a one-line message."""
    return printable(text).replace("\n", "\\n")


def _moment_error(text: str) -> UsageError:
    return UsageError(
        f"Cannot understand the time '{_shown(text)}'; "
        "try for example '2026-11-01 08:15' or 'yesterday 21:30'."
    )


def _range_error(text: str) -> UsageError:
    return UsageError(f"The time '{_shown(text)}' is outside the supported dates, {RANGE_TEXT}.")


def _clock_error(text: str) -> UsageError:
    return UsageError(
        f"Cannot understand the clock time '{_shown(text)}'; "
        "use HH:MM, for example '08:00' or '20:30'."
    )


def _normal(text: str) -> str | None:
    """``text`` stripped and lower-cased, or None when it is not plain ASCII."""
    cleaned = text.strip(_BLANK)
    return cleaned.lower() if cleaned.isascii() else None


def _time_of_day(text: str) -> time | None:
    """A clock time (``08:15``, ``8:15pm``, ``8pm``, ``8 pm``) in lower-case ASCII, or None."""
    match = _TIME_24.fullmatch(text)
    if match is not None:
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
        return None
    match = _TIME_12.fullmatch(text)
    if match is not None:
        hour = int(match["hour"])
        minute = int(match["minute"]) if match["minute"] is not None else 0
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour %= 12
        if match["half"] == "pm":
            hour += 12
        return time(hour, minute)
    return None


def _zone_of(now: datetime) -> tzinfo:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_moment needs an aware 'now'")
    return now.tzinfo


def _on_day(day: date, clock: str | None, zone: tzinfo) -> Moment | None:
    """The start of ``day`` (date only) or ``day`` at the ``clock`` text; None if bad."""
    if clock is None:
        return Moment(localize(day, time(0, 0), zone), date_only=True)
    wall = _time_of_day(clock)
    if wall is None:
        return None
    return Moment(localize(day, wall, zone), date_only=False)


def _iso_datetime(match: re.Match[str], zone: tzinfo) -> Moment | None:
    """An ISO 8601 date-time match as a Moment; None when a value is out of range."""
    fraction = match["fraction"] or ""
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        wall = time(
            int(match["hour"]), int(match["minute"]), int(match["second"] or 0), microsecond
        )
    except ValueError:
        return None
    offset_text = match["offset"]
    if offset_text is None:
        return Moment(localize(day, wall, zone), date_only=False)
    if offset_text == "z":
        offset = timedelta(0)
    else:
        digits = offset_text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        if offset_text[0] == "-":
            offset = -offset
    instant = datetime.combine(day, wall, tzinfo=timezone(offset))
    return Moment(instant.astimezone(UTC).astimezone(zone), date_only=False)


def _relative(match: re.Match[str], now: datetime, zone: tzinfo) -> Moment | None:
    """``N unit ago``, counted back in UTC from ``now``; None for an unknown unit.
    A count that leaves the calendar raises OverflowError."""
    unit = _UNITS.get(match["unit"])
    if unit is None:
        return None
    instant = now.astimezone(UTC) - unit * int(match["count"])
    return Moment(instant.astimezone(zone), date_only=False)


def _parse(text: str, now: datetime, zone: tzinfo) -> Moment | None:
    if text == "now":
        return Moment(now, date_only=False)
    today = now.date()

    match = _ISO_DATE.fullmatch(text)
    if match is not None:
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            return None
        return _on_day(day, None, zone)

    match = _ISO_DATETIME.fullmatch(text)
    if match is not None:
        return _iso_datetime(match, zone)

    match = _DAY_WORD.fullmatch(text)
    if match is not None:
        day = today if match["word"] == "today" else today - timedelta(days=1)
        return _on_day(day, match["clock"], zone)

    match = _RELATIVE.fullmatch(text)
    if match is not None:
        return _relative(match, now, zone)

    wall = _time_of_day(text)
    if wall is not None:
        return Moment(localize(today, wall, zone), date_only=False)

    match = _WEEKDAY_WORD.fullmatch(text)
    if match is not None and match["word"] in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[match["word"]]) % 7
        return _on_day(today - timedelta(days=back), match["clock"], zone)

    return None


def parse_moment(text: str, now: datetime) -> Moment:
    """Read a moment typed for ``--at``, ``--since`` and the like (SPEC §2).

    ``now`` must be aware; its tzinfo is the local zone, and the result is in that zone.
    Local wall times follow RFC 5545 (a time in a spring-forward gap is read with the
    offset before the gap; a doubled time is its first occurrence) unless an offset is
    given. ``Nd ago`` is exactly N×24 hours earlier. Anything not in the grammar, or a
    moment whose local date is outside the supported range (:data:`clock.MIN_DATE` to
    :data:`clock.MAX_DATE`), raises :class:`UsageError` quoting the text.
    """
    zone = _zone_of(now)
    normal = _normal(text)
    try:
        moment = _parse(normal, now, zone) if normal else None
    except OverflowError:  # only a date far outside the supported range leaves the calendar
        raise _range_error(text) from None
    if moment is None:
        raise _moment_error(text)
    if not supported(moment.at.date()):
        raise _range_error(text)
    return moment


def until_moment(m: Moment) -> datetime:
    """The end bound for ``--until``: a whole day runs to the start of the next local day,
    so that day is included; any other moment is itself."""
    if not m.date_only:
        return m.at
    zone = m.at.tzinfo
    if zone is None:
        raise ValueError("a Moment must be aware")
    return localize(m.at.date() + timedelta(days=1), time(0, 0), zone)


def parse_clock(text: str) -> time:
    """Read a wall-clock time for ``--time`` and ``--slot``: ``HH:MM`` on a 24-hour clock
    (``08:00``, ``8:00``, ``20:30``) or with am/pm (``8am``, ``8:30pm``).

    Raises :class:`UsageError` quoting the text when it is anything else
    (``25:00``, ``08:60``, ``8``).
    """
    normal = _normal(text)
    wall = _time_of_day(normal) if normal else None
    if wall is None:
        raise _clock_error(text)
    return wall
