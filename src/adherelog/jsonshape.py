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

    from adherelog import importing, tips
    from adherelog.buddies import BuddyDetail, BuddyView, ImportOutcome
    from adherelog.card import Card, CardMed
    from adherelog.due import DueView
    from adherelog.goals import Goal
    from adherelog.identity import Identity
    from adherelog.importers import ForeignImport
    from adherelog.maintenance import Backup, CheckResult, Problem
    from adherelog.remind import Config, Delivery, PassResult
    from adherelog.remind_units import Installed, Removed
    from adherelog.restore import Restored
    from adherelog.sample import SampleSummary
    from adherelog.summary_values import CalendarDay, Counts, MedSummary, Summary
    from adherelog.undo import Undone

Document = dict[str, object]

CARD_FORMAT = "adherelog-card"
CARD_VERSION = 2


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
        "buddies_due": [
            {
                "name": b.name,
                "last_contact": iso_in(b.last_contact, zone_name),
                "every": b.every,
            }
            for b in view.buddies
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


def schedule_version(
    version: ScheduleVersion, until: datetime | None, per_dose: float | None = None
) -> Document:
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
        "rrule": version.rrule,
        "cycle": None if version.cycle is None else list(version.cycle),
        "amounts": {
            t.strftime("%H:%M"): number(amount)
            for t, amount in version.amounts
            if amount != per_dose
        },
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
        "schedules": [
            schedule_version(v, end, item.per_dose) for v, _, end in schedule.spans(item.versions)
        ],
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
        "early": counts.early,
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


def summary(
    result: Summary, *, explain: bool = False, goals: Sequence[Goal] | None = None
) -> Document:
    """``summary`` (SPEC §6): ``{"from", "to", "overall", "meds", "effects", "calendar"}``,
    ``"goals"`` (open goals with their progress over the period, SPEC §12), and
    ``"explain"`` with ``--explain``."""
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
    if goals is not None:
        data["goals"] = [goal(g) for g in goals]
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


def card(item: Card, reply_to: str | None = None) -> Document:
    """``share card --format json``: the check-in card, version 2 (SPEC §12), without its
    signature (``identity.sign`` adds ``contributor``, ``serial`` and ``signature``)."""
    return {
        "format": CARD_FORMAT,
        "version": CARD_VERSION,
        "period": {
            "from": None if item.first is None else item.first.isoformat(),
            "to": None if item.last is None else item.last.isoformat(),
        },
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
        "goals": [
            {
                "text": g.text,
                "med": g.med,
                "target": g.target,
                "adherence": None if g.adherence is None else round(g.adherence, 3),
                "met": g.met,
            }
            for g in item.goals
        ],
        "reply_to": reply_to,
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
        "peers_tried": item.peers_tried,
        "peers_shared": item.peers_shared,
        "group": item.group,
        "group_worked": item.group_worked,
        "group_tried": item.group_tried,
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
                "lowers_peers_worked": item.lowered,
            }
            for item in result.items
        ],
        "own": result.own,
        "contributor": result.contributor,
        "kind": result.kind,
        "group": result.group,
        "serial": result.serial,
        "serial_held": result.held_serial,
        "peers_worked_lowered": result.peers_worked_lowered,
    }


# ---------------------------------------------------------------------- the journal itself


def journal_import(result: importing.ImportResult) -> Document:
    """``import``: what was added, what was already held and what conflicted."""
    return {
        "added": dict(result.added),
        "already_held": dict(result.already_held),
        "conflicts": [{"table": c.table, "id": c.id, "reason": c.reason} for c in result.conflicts],
        "dry_run": result.dry_run,
        "keys": result.keys,
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
    return {
        "path": str(made.path),
        "bytes": made.size,
        "schema_version": made.schema_version,
        "encrypted": made.encrypted,
    }


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


def identity(item: Identity) -> Document:
    """``identity``: the public parts of the journal's keys (SPEC §11)."""
    return {
        "contributor": item.contributor,
        "fingerprint": item.fingerprint,
        "age_recipient": item.age_recipient,
        "serial": item.serial,
    }


# ---------------------------------------------------------------------- buddies and goals


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def buddy(item: BuddyView, zone_name: str) -> Document:
    """A buddy (SPEC §12): items of ``buddy list``, and ``buddy checkin``, ``set``, ``rm``.
    ``send_via`` is shown with its secrets masked."""
    return {
        "name": item.name,
        "fingerprint": item.fingerprint,
        "last_card": iso_in(item.last_card, zone_name),
        "last_contact": iso_in(item.last_contact, zone_name),
        "every": item.every,
        "adherence": _rate(item.adherence),
        "current_streak": item.current_streak,
        "send_via": item.send_via,
        "card_names": item.card_names,
    }


def buddy_list(items: Sequence[BuddyView], zone_name: str) -> Document:
    """``buddy list``."""
    return {"buddies": [buddy(b, zone_name) for b in items]}


def buddy_import(item: ImportOutcome) -> Document:
    """``buddy import``: whose card it was and what happened (``added``, ``updated``,
    ``key_replaced`` or ``unchanged``)."""
    return {
        "name": item.name,
        "fingerprint": item.fingerprint,
        "action": item.action,
        "serial": item.serial,
        "period": {
            "from": item.card.period_from.isoformat(),
            "to": item.card.period_to.isoformat(),
        },
        "adherence": _rate(item.card.overall.adherence),
        "current_streak": item.card.overall.current_streak,
    }


def buddy_show(item: BuddyDetail, zone_name: str) -> Document:
    """``buddy show``: the buddy, their latest card as received, and adherence per card."""
    return {
        **buddy(item.buddy, zone_name),
        "card": None if item.card is None else item.card.document,
        "trend": [
            {
                "from": point.period_from,
                "to": point.period_to,
                "adherence": _rate(point.adherence),
                "current_streak": point.current_streak,
                "serial": point.serial,
            }
            for point in item.trend
        ],
    }


def goal(item: Goal) -> Document:
    """A goal (SPEC §12): ``goal add``, ``done``, ``rm``, items of ``goal list``."""
    return {
        "id": item.id,
        "text": item.text,
        "med": item.med,
        "target": item.target,
        "done": item.done,
        "adherence": _rate(item.adherence),
        "met": item.met,
    }


def goal_list(items: Sequence[Goal]) -> Document:
    """``goal list``."""
    return {"goals": [goal(g) for g in items]}


# ----------------------------------------------------------------- reminders


def _delivery(item: Delivery) -> Document:
    wanted = item.wanted
    scheduled = wanted.scheduled_for
    data: Document = {
        "kind": wanted.kind,
        "med": wanted.med,
        "scheduled_for": None if scheduled is None else scheduled.isoformat(timespec="seconds"),
        "via": item.channel.shown,
        "round": item.round,
        "buddy": wanted.buddy,
    }
    if item.error is not None:
        data["error"] = item.error
    return data


def reminded(result: PassResult) -> Document:
    """``remind``: what the pass sent (or, on a dry run, would send), and what failed."""
    return {
        "sent": [_delivery(d) for d in result.sent],
        "failed": [_delivery(d) for d in result.failed],
        "dry_run": result.dry_run,
    }


def remind_config(item: Config) -> Document:
    """``remind config``: the channels kept (secrets masked) and the discreet switch."""
    return {
        "via": [c.shown for c in item.channels] or ["desktop"],
        "default": not item.channels,
        "discreet": item.discreet,
    }


def remind_installed(item: Installed) -> Document:
    """``remind install``: the units written, or the crontab line."""
    return {
        "every": item.every,
        "command": item.command,
        "service": None if item.service is None else str(item.service),
        "timer": None if item.timer is None else str(item.timer),
        "enable": None
        if item.cron is not None
        else "systemctl --user enable --now adherelog-remind.timer",
        "cron": item.cron,
        "replaced": item.replaced,
    }


def remind_removed(item: Removed) -> Document:
    """``remind uninstall``: the files removed."""
    return {"removed": [str(p) for p in item.removed]}
