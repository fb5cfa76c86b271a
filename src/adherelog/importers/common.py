"""What every reader of another app's export builds: an adherelog journal export (the
format of ``docs/journal-format.md``, schema 3 columns) with ids derived from the source,
and the list of what it could not map. Pure: values in, values out."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adherelog.clock import MAX_DATE, MIN_DATE, localize, to_utc_text
from adherelog.model import WEEKDAYS
from adherelog.text import name_key
from adherelog.valueclass import dataclass, field

# The columns below are those of schema 3; a newer journal brings the document up to date
# with its own migrations, as for any older export.
SCHEMA = 3
TABLES = ("meds", "schedules", "records", "refills", "tips", "tip_bundles", "tip_bundle_worked")
NAMESPACE = uuid.UUID("8d1f6c3e-54a4-4d0e-9a57-5b1c1e0f2a14")
GRACE = 60


@dataclass(frozen=True)
class Unmapped:
    """A record of the source file that was not imported, and why."""

    where: str
    reason: str


@dataclass
class Converted:
    """Another app's export as an adherelog export document."""

    app: str
    meds: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.unmapped.append(Unmapped(where, reason))

    def document(self, exported_at: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": "adherelog-journal",
            "version": 1,
            "schema": SCHEMA,
            "exported_at": exported_at,
        }
        for table in TABLES:
            doc[table] = []
        doc["meds"] = self.meds
        doc["schedules"] = self.schedules
        doc["records"] = self.records
        return doc

    def json_bytes(self, exported_at: str) -> bytes:
        return json.dumps(self.document(exported_at), ensure_ascii=False).encode("utf-8")


def stable_id(app: str, *parts: object) -> str:
    """The same id for the same source record, every time the file is imported."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join([app, *(str(p) for p in parts)])))


def in_range(moment: datetime) -> bool:
    return MIN_DATE <= moment.date() <= MAX_DATE


def med_row(app: str, name: str, created: datetime, note: str | None = None) -> dict[str, Any]:
    return {
        "id": stable_id(app, "med", name_key(name)),
        "name": name,
        "name_key": name_key(name),
        "per_dose": 1.0,
        "supply": None,
        "note": note,
        "created_at": to_utc_text(created),
    }


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return localize(day, time(0, 0), zone)


def schedule_row(
    app: str,
    med: dict[str, Any],
    *,
    key: object,
    start: date,
    zone: ZoneInfo,
    times: list[str],
    dose: str | None,
    every: int | None = None,
    anchor: date | None = None,
    on_days: frozenset[int] | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    begin = day_start(start, zone)
    return {
        "id": stable_id(app, "schedule", med["id"], key),
        "med_id": med["id"],
        "start_at": to_utc_text(begin),
        "end_at": to_utc_text(day_start(end + timedelta(days=1), zone)) if end else None,
        "zone": zone.key,
        "times": json.dumps(sorted(set(times))),
        "every": every,
        "anchor": (anchor or start).isoformat(),
        "on_days": ",".join(WEEKDAYS[d] for d in sorted(on_days)) if on_days else None,
        "dose": dose,
        "grace": GRACE,
        "as_needed": 0 if times else 1,
        "active": 1,
        "created_at": to_utc_text(begin),
    }


def record_row(
    *,
    record_id: str,
    kind: str,
    med_id: str,
    at: datetime,
    zone: ZoneInfo,
    slot: datetime | None,
    amount: float | None,
    note: str | None,
) -> dict[str, Any]:
    local = at.astimezone(zone)
    slot_local = slot.astimezone(zone) if slot is not None else None
    late = None
    if slot is not None and kind == "dose":
        late = round((at - slot).total_seconds() / 60)
    return {
        "id": record_id,
        "kind": kind,
        "med_id": med_id,
        "at": to_utc_text(at),
        "zone": zone.key,
        "local_date": local.date().isoformat(),
        "slot_at": to_utc_text(slot) if slot is not None else None,
        "slot_zone": zone.key if slot is not None else None,
        "slot_date": slot_local.date().isoformat() if slot_local is not None else None,
        "late_minutes": late,
        "amount": amount,
        "note": note,
        "effect": None,
        "severity": None,
        "created_at": to_utc_text(at),
    }


def from_epoch_seconds(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def number(text: str) -> float | None:
    """A plain positive amount ("1", "0.5", "2,5"), else None."""
    cleaned = text.strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if 0 < value < 1e6 else None
