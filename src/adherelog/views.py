"""Values as people and documents show them, from model values (pure): counts as numbers,
moments in a zone, whether a medication is active, a record in one line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from adherelog import schedule
from adherelog.clock import local_iso
from adherelog.model import Med, Record
from adherelog.rules import MAX_SEVERITY, MIN_SEVERITY


def number(value: float | None) -> float | int | None:
    """A count as JSON: integral values as integers."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def iso_in(moment: datetime | None, zone_name: str | None) -> str | None:
    if moment is None or zone_name is None:
        return None
    return local_iso(moment, schedule.zone(zone_name))


def is_active(med: Med, now: datetime) -> bool:
    """True while the medication is scheduled now or later (not stopped, not ended)."""
    current = med.version_at(now)
    if current is None:
        return bool(med.versions) and med.versions[0].active
    if not current.active:
        return any(v.active and v.start > now for v in med.versions)
    return current.end is None or current.end > now


# ------------------------------------------------------------- the one date style
#
# Every command writes days and moments the same way (README, "Dates and times"): a day as
# "Mon 2 Nov" within the current year and "Mon 2 Nov 2025" otherwise, a time as "08:00",
# a moment in the local zone with its day when that is not today, and where the moment's
# own zone (a schedule's or a record's) differs, its own clock and zone in brackets:
# "13:00 (08:00 America/New_York)". In sentences "today 08:00" and "yesterday 21:10" may
# stand for the day. A time that a fall-back day has twice carries the zone's
# abbreviation ("01:30 EDT", "01:30 EST"). English names, whatever the locale.

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date, today: date, *, words: bool = False) -> str:
    """'Mon 2 Nov' (this year), 'Mon 2 Nov 2025' (another year); with ``words``, 'today'
    and 'yesterday' for those days."""
    if words and day == today:
        return "today"
    if words and day == today - timedelta(days=1):
        return "yesterday"
    text = f"{_WEEKDAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def month_day(day: date) -> str:
    """'2 Nov': a day where the weekday and year are shown elsewhere (calendar rows)."""
    return f"{day.day} {_MONTH_NAMES[day.month - 1]}"


def clock_text(local: datetime) -> str:
    """'08:00', or '01:30 EDT' for a wall time that its day has twice (fall-back)."""
    text = f"{local.hour:02d}:{local.minute:02d}"
    if local.tzinfo is not None and (
        local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
    ):
        text += f" {local.tzname()}"
    return text


def moment_text(
    moment: datetime,
    zone: ZoneInfo,
    now: datetime,
    *,
    own_zone: str | None = None,
    words: bool = False,
    dated: bool = False,
) -> str:
    """``moment`` in ``zone``: '08:00' today, 'Mon 2 Nov 08:00' another day (``dated``:
    always with the day; ``words``: 'today 08:00', 'yesterday 08:00'), followed by the
    clock and zone of ``own_zone`` in brackets when that zone is another one."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = clock_text(local)
    if local.date() == today and not words and not dated:
        text = clock
    else:
        text = f"{day_text(local.date(), today, words=words)} {clock}"
    if own_zone and own_zone != zone.key:
        own = moment.astimezone(schedule.zone(own_zone))
        own_clock = clock_text(own)
        if own.date() != local.date():
            own_clock = f"{day_text(own.date(), today)} {own_clock}"
        text += f" ({own_clock} {own_zone})"
    return text


def record_summary(record: Record, zone: ZoneInfo, now: datetime | None = None) -> str:
    """One line: 'dose of Sertraline at Sun 22 Nov 08:05'."""
    when = moment_text(record.at, zone, now or record.at, own_zone=record.zone, dated=True)
    if record.kind == "effect":
        return f"side effect {record.effect} at {when}"
    what = {"dose": "dose", "skip": "skip", "missed": "missed dose"}.get(record.kind, record.kind)
    return f"{what} of {record.med_name} at {when}"


# What the journal's kinds of rows are called where people read counts of them (``check``,
# ``import``): words, never the table names.
ROW_WORDS = {
    "meds": ("medication", "medications"),
    "schedules": ("schedule version", "schedule versions"),
    "records": ("dose, skip or side effect", "doses, skips and side effects"),
    "refills": ("refill", "refills"),
    "tips": ("tip", "tips"),
    "tip_bundles": ("tip file from a peer", "tip files from peers"),
    "tip_bundle_worked": ("peer's 'it worked'", "peers' 'it worked'"),
    "undo_log": ("undo step", "undo steps"),
}


def row_count(table: str, count: int) -> str:
    """'1 medication', '3 tips', '2 peers' 'it worked'' for a count of rows of ``table``."""
    one, many = ROW_WORDS.get(table, (table.replace("_", " "), table.replace("_", " ")))
    return f"{count} {one if count == 1 else many}"


def row_word(table: str) -> str:
    """What one row of ``table`` is called: 'medication', 'tip'."""
    return ROW_WORDS.get(table, (table.replace("_", " "), ""))[0]


SEVERITY_WORDS = ("mild", "noticeable", "moderate", "strong", "severe")


def severity_word(severity: int | None) -> str | None:
    """'mild' for 1 … 'severe' for 5; None when no severity was given."""
    if severity is None or not MIN_SEVERITY <= severity <= MAX_SEVERITY:
        return None
    return SEVERITY_WORDS[severity - 1]
