"""Every public JSON document, built from model values (pure): what ``--json`` prints for
each command, and the share card's JSON format. Field names are the contract (SPEC §1);
``tests/test_jsonshape.py`` pins each command's document with a golden file.

Only modules that ``take``, ``skip`` and ``due`` load anyway are imported here; the types
of the other features are named for the type checker only (SPEC §10).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from adherelog import schedule
from adherelog.adherence import DayClass, Streak
from adherelog.explain import slot_sentences, streak_sentences
from adherelog.model import WEEKDAYS, Med, Record, Refill, ScheduleVersion
from adherelog.views import is_active, iso_in, number, severity_word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from pathlib import Path

    from adherelog import portability, tips
    from adherelog.card import Card, CardMed
    from adherelog.due import DueView
    from adherelog.importers import ForeignImport
    from adherelog.maintenance import Backup, CheckResult, Problem
    from adherelog.restore import Restored
    from adherelog.sample import SampleSummary
    from adherelog.summary_values import CalendarDay, Counts, MedSummary, Summary
    from adherelog.undo import Undone

Document = dict[str, object]

CARD_FORMAT = "adherelog-card"
CARD_VERSION = 1


# ----------------------------------------------------------------- doses and side effects


def record(item: Record) -> Document:
    """A record as SPEC §5 (``kind`` dose, skip, missed or effect): ``take``, ``skip``,
    items of ``history``."""
    data: Document = {
        "id": item.id or None,
        "kind": item.kind,
        "med": item.med_name,
        "at": None if item.kind == "missed" else iso_in(item.at, item.zone),
        "scheduled_for": iso_in(item.slot_at, item.slot_zone),
        "late_minutes": item.late_minutes,
        "amount": number(item.amount),
        "note": item.note,
    }
    if item.kind == "effect":
        data["name"] = item.effect
        data["severity"] = item.severity
    return data


def records(items: Sequence[Record]) -> Document:
    """``history``."""
    return {"records": [record(r) for r in items]}


def taken(items: Sequence[Record]) -> Document:
    """``take``: the record, or ``{"records": [...]}`` when several medications were taken."""
    return record(items[0]) if len(items) == 1 else records(items)


def side_effect(item: Record) -> Document:
    """A side effect as ``effect list`` lists it (SPEC §7)."""
    return {
        "id": item.id,
        "name": item.effect,
        "severity": item.severity,
        "severity_word": severity_word(item.severity),
        "med": item.med_name,
        "at": iso_in(item.at, item.zone),
        "note": item.note,
    }


def side_effect_added(item: Record) -> Document:
    """``effect add``: the record (SPEC §5) with every field ``effect list`` shows."""
    return {**record(item), **side_effect(item)}


def side_effects(items: Sequence[Record]) -> Document:
    """``effect list``."""
    return {"effects": [side_effect(r) for r in items]}


def due(view: DueView, zone_name: str) -> Document:
    """``due``: today's slots and the as-needed medications."""
    return {
        "now": iso_in(view.now, zone_name),
        "slots": [
            {
                "med": item.med.name,
                "scheduled_for": iso_in(item.slot.scheduled, item.slot.zone),
                "status": item.status.value,
                "at": None if item.record is None else iso_in(item.record.at, item.record.zone),
                "late_minutes": None if item.record is None else item.record.late_minutes,
                "dose": v.dose if (v := item.med.version_at(item.slot.scheduled)) else None,
            }
            for item in view.slots
        ],
        "as_needed": [
            {
                "med": entry.med.name,
                "last_taken": None
                if entry.last_taken is None
                else iso_in(entry.last_taken.at, entry.last_taken.zone),
            }
            for entry in view.as_needed
        ],
    }


def undone(item: Undone) -> Document:
    """``undo``: what was removed, by kind."""
    removed = item.removed
    data: Document
    if removed is None:
        data = {"id": item.id, "kind": item.kind}
    elif isinstance(removed, Record):
        data = record(removed)
    elif isinstance(removed, Refill):
        data = {
            "id": removed.id,
            "kind": "refill",
            "med": removed.med_name,
            "count": number(removed.count),
        }
    else:
        data = {**tip(removed), "kind": "tip"}
    return {"undone": data, "kind": item.kind}


# ---------------------------------------------------------------------------- medications


def schedule_version(version: ScheduleVersion, until: datetime | None) -> Document:
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


def med(item: Med, now: datetime) -> Document:
    """A medication as SPEC §5: ``med add``, ``edit``, ``stop``, ``resume``, ``show``,
    ``refill`` and items of ``med list``."""
    current = item.version_at(now) or item.versions[0]
    return {
        "name": item.name,
        "dose": current.dose,
        "as_needed": current.as_needed,
        "grace": current.grace,
        "supply": number(item.supply),
        "per_dose": number(item.per_dose),
        "active": is_active(item, now),
        "note": item.note,
        "schedules": [schedule_version(v, end) for v, _, end in schedule.spans(item.versions)],
    }


def meds(items: Sequence[Med], now: datetime) -> Document:
    """``med list``."""
    return {"meds": [med(m, now) for m in items]}


def med_removed(item: Med) -> Document:
    """``med rm``."""
    return {"removed": item.name}


# ------------------------------------------------------------------------------- summaries


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _counts(counts: Counts) -> Document:
    adherence = counts.adherence
    return {
        "scheduled": counts.scheduled,
        "taken": counts.taken,
        "on_time": counts.on_time,
        "late": counts.late,
        "skipped": counts.skipped,
        "missed": counts.missed,
        "pending": counts.pending,
        "adherence": None if adherence is None else round(adherence, 4),
    }


def _summary_med(row: MedSummary) -> Document:
    return {
        "name": row.med.name,
        **_counts(row.counts),
        "current_streak": row.streak.current,
        "longest_streak": row.streak.longest,
        "supply": number(row.supply),
        "runs_out": _day(row.runs_out),
        "as_needed": row.as_needed,
        "as_needed_doses": row.as_needed_doses,
        "extra_doses": row.extra_doses,
    }


def _calendar_day(item: CalendarDay) -> str:
    if item.expected == 0:
        return "none"
    return {DayClass.KEPT: "kept", DayClass.BROKEN: "broken"}.get(item.cls, "open")


def _run(days: int, first: date | None, last: date | None) -> Document:
    return {"days": days, "from": _day(first), "to": _day(last)}


def _explain(name: str | None, counts: Counts, streak: Streak, today: date) -> Document:
    return {
        "name": name,
        "lines": slot_sentences(counts) + streak_sentences(streak, today),
        "current_run": {
            **_run(streak.current, streak.current_from, streak.current_to),
            "after_broken_day": _day(streak.last_broken),
        },
        "longest_run": _run(streak.longest, streak.longest_from, streak.longest_to),
    }


def summary(result: Summary, *, explain: bool = False) -> Document:
    """``summary`` (SPEC §6): ``{"from", "to", "overall", "meds", "effects", "calendar"}``,
    and ``"explain"`` with ``--explain``."""
    data: Document = {
        "from": result.first.isoformat(),
        "to": result.last.isoformat(),
        "overall": {
            **_counts(result.overall),
            "current_streak": result.streak.current,
            "longest_streak": result.streak.longest,
        },
        "meds": [_summary_med(row) for row in result.meds],
        "effects": [
            {"name": e.name, "count": e.count, "mean_severity": e.mean_severity}
            for e in result.effects
        ],
        "calendar": [
            {
                "date": item.day.isoformat(),
                "scheduled": item.expected,
                "taken": item.taken,
                "day": _calendar_day(item),
            }
            for item in result.calendar
            if not item.future
        ],
    }
    if explain:
        data["explain"] = {
            "overall": _explain(None, result.overall, result.streak, result.today),
            "meds": [
                _explain(row.med.name, row.counts, row.streak, result.today)
                for row in result.meds
                if not row.as_needed
            ],
        }
    return data


def streak(chosen: Med | None, found: Streak) -> Document:
    """``streak`` (SPEC §6)."""
    return {
        "med": None if chosen is None else chosen.name,
        "current": found.current,
        "longest": found.longest,
        "longest_from": _day(found.longest_from),
        "longest_to": _day(found.longest_to),
        "current_from": _day(found.current_from),
        "last_broken": _day(found.last_broken),
    }


def _card_med(item: CardMed) -> Document:
    rate = item.adherence
    return {
        "adherence": None if rate is None else round(rate, 3),
        "taken": item.taken,
        "skipped": item.skipped,
        "missed": item.missed,
        "pending": item.pending,
        "current_streak": item.current_streak,
    }


def card(item: Card) -> Document:
    """``share card --format json``: the check-in card."""
    return {
        "format": CARD_FORMAT,
        "version": CARD_VERSION,
        "days": item.days,
        "overall": _card_med(item.overall),
        "meds": [
            {
                "name": m.label,
                "as_needed": m.as_needed,
                **_card_med(m),
                "as_needed_doses": m.as_needed_doses,
            }
            for m in item.meds
        ],
        "side_effects": [{"name": e.name, "count": e.count} for e in item.effects],
        "tips_that_helped": [
            {"text": t.text, "medication": t.medication, "side_effect": t.side_effect}
            for t in item.tips
        ],
    }


# ------------------------------------------------------------------------------------ tips


def tip(item: tips.Tip, zone_name: str | None = None) -> Document:
    """A tip as ``tip add``, ``show`` and ``rate`` print it and ``tip list`` lists it
    (SPEC §7); times in ``zone_name`` (UTC when not given)."""
    return {
        "id": item.id,
        "short_id": item.short_id,
        "text": item.text,
        "medication": item.medication,
        "side_effect": item.side_effect,
        "tags": list(item.tags),
        "source": item.source,
        "from": item.from_label,
        "imported_at": iso_in(item.imported_at, zone_name or "UTC"),
        "worked": item.worked,
        "peers_worked": item.peers_worked,
    }


def tip_list(items: Sequence[tips.Tip], zone_name: str) -> Document:
    """``tip list``."""
    return {"tips": [tip(t, zone_name) for t in items]}


def tip_removed(item: tips.Tip, zone_name: str) -> Document:
    """``tip rm``."""
    return {"removed": tip(item, zone_name)}


def tip_import(result: tips.ImportResult) -> Document:
    """``tip import`` (SPEC §7), with each tip's fate under ``tips``."""
    return {
        "added": result.added,
        "already_held": result.already_held,
        "peers_worked_raised": result.peers_worked_raised,
        "dry_run": result.dry_run,
        "from": result.label,
        "already_imported": result.previous_label is not None,
        "tips": [
            {
                "index": item.index,
                "action": item.action,
                "raises_peers_worked": item.raised,
                "held_as": item.existing,
                "text": item.tip.text,
                "medication": item.tip.medication,
                "side_effect": item.tip.side_effect,
            }
            for item in result.items
        ],
    }


# ---------------------------------------------------------------------- the journal itself


def journal_import(result: portability.ImportResult) -> Document:
    """``import``: what was added, what was already held and what conflicted."""
    return {
        "added": dict(result.added),
        "already_held": dict(result.already_held),
        "conflicts": [{"table": c.table, "id": c.id, "reason": c.reason} for c in result.conflicts],
        "dry_run": result.dry_run,
    }


def foreign_import(imported: ForeignImport) -> Document:
    """``import --from APP``: :func:`journal_import` with the app and what was not mapped."""
    document = journal_import(imported.result)
    document["from"] = imported.app
    document["unmapped"] = [{"where": u.where, "reason": u.reason} for u in imported.unmapped]
    return document


def restore(restored: Restored) -> Document:
    """``restore``: the backup brought back and where the replaced journal was kept."""
    return {
        "journal": str(restored.journal),
        "restored_from": str(restored.source),
        "kept": str(restored.kept) if restored.kept is not None else None,
        "schema_version": restored.schema_version,
    }


def backup(made: Backup) -> Document:
    """``backup``."""
    return {"path": str(made.path), "bytes": made.size, "schema_version": made.schema_version}


def _problem(problem: Problem) -> Document:
    return {
        "check": problem.check,
        "table": problem.table,
        "id": problem.id,
        "message": problem.message,
    }


def check(result: CheckResult) -> Document:
    """``check``: ``ok`` is false when any problem was found."""
    return {
        "ok": result.ok,
        "path": str(result.path),
        "schema_version": result.schema_version,
        "known_schema_version": result.known_schema_version,
        "tables": dict(result.tables),
        "problems": [_problem(p) for p in result.problems],
    }


def sample(made: SampleSummary, journal: Path | None) -> Document:
    """``sample``: what the sample journal holds, and where it is."""
    return {
        "meds": made.meds,
        "doses": made.doses,
        "skips": made.skips,
        "missed": made.missed,
        "days": made.days,
        "journal": None if journal is None else str(journal),
    }
