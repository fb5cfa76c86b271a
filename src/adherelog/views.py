"""Values as people and documents show them, from model values (pure): counts as numbers,
moments in a zone, whether a medication is active, a record in one line."""

from __future__ import annotations

from datetime import datetime
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


def record_summary(record: Record, zone: ZoneInfo) -> str:
    """One line: 'dose of Sertraline at 2026-11-22 08:05'."""
    when = record.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if record.kind == "effect":
        return f"side effect {record.effect} at {when}"
    what = {"dose": "dose", "skip": "skip", "missed": "missed dose"}.get(record.kind, record.kind)
    return f"{what} of {record.med_name} at {when}"


SEVERITY_WORDS = ("mild", "noticeable", "moderate", "strong", "severe")


def severity_word(severity: int | None) -> str | None:
    """'mild' for 1 … 'severe' for 5; None when no severity was given."""
    if severity is None or not MIN_SEVERITY <= severity <= MAX_SEVERITY:
        return None
    return SEVERITY_WORDS[severity - 1]
