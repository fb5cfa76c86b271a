"""JSON shapes of SPEC §5 and short human descriptions, from model values (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from adherelog import schedule
from adherelog.clock import local_iso
from adherelog.model import WEEKDAYS, Med, Record, ScheduleVersion


def number(value: float | None) -> float | int | None:
    """A count as JSON: integral values as integers."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def iso_in(moment: datetime | None, zone_name: str | None) -> str | None:
    if moment is None or zone_name is None:
        return None
    return local_iso(moment, schedule.zone(zone_name))


def record_json(record: Record) -> dict[str, object]:
    """A record as SPEC §5 (``kind`` dose, skip, missed or effect)."""
    data: dict[str, object] = {
        "id": record.id or None,
        "kind": record.kind,
        "med": record.med_name,
        "at": None if record.kind == "missed" else iso_in(record.at, record.zone),
        "scheduled_for": iso_in(record.slot_at, record.slot_zone),
        "late_minutes": record.late_minutes,
        "amount": number(record.amount),
        "note": record.note,
    }
    if record.kind == "effect":
        data["name"] = record.effect
        data["severity"] = record.severity
    return data


def version_json(version: ScheduleVersion, until: datetime | None) -> dict[str, object]:
    return {
        "from": iso_in(version.start, version.zone),
        "until": iso_in(until, version.zone),
        "times": [t.strftime("%H:%M") for t in version.times],
        "every": version.every,
        "on": None if version.on_days is None else [WEEKDAYS[d] for d in sorted(version.on_days)],
        "zone": version.zone,
        "dose": version.dose,
        "as_needed": version.as_needed,
        "active": version.active,
        "grace": version.grace,
    }


def med_json(med: Med, now: datetime) -> dict[str, object]:
    """A medication as SPEC §5 (``med add``, ``med show``, items of ``med list``)."""
    current = med.version_at(now) or med.versions[0]
    return {
        "name": med.name,
        "dose": current.dose,
        "as_needed": current.as_needed,
        "grace": current.grace,
        "supply": number(med.supply),
        "per_dose": number(med.per_dose),
        "active": is_active(med, now),
        "note": med.note,
        "schedules": [version_json(v, end) for v, _, end in schedule.spans(med.versions)],
    }


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
