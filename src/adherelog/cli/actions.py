"""The hot commands' work, shared by the Typer commands and the fast path."""

from __future__ import annotations

from adherelog.cli.common import Settings, guarded, moment, open_journal
from adherelog.errors import UsageError
from adherelog.output import emit_json, write_lines


def take(
    settings: Settings,
    meds: list[str],
    *,
    at: str | None = None,
    amount: float | None = None,
    note: str | None = None,
    slot: str | None = None,
    extra: bool = False,
) -> int:
    """``take``: see :meth:`adherelog.journal.Journal.take`."""

    def run() -> None:
        from adherelog import render, views
        from adherelog.timeparse import parse_clock

        with open_journal(settings, write=True) as journal:
            when = moment(journal, at, "--at")
            slot_time = None
            if slot is not None:
                try:
                    slot_time = parse_clock(slot)
                except UsageError as exc:
                    raise UsageError(f"--slot: {exc}") from None
            records = journal.take(
                meds, at=when, amount=amount, note=note, slot_time=slot_time, extra=extra
            )
            if settings.json:
                docs = [views.record_json(r) for r in records]
                emit_json(docs[0] if len(docs) == 1 else {"records": docs})
                return
            med_by_id = {m.id: m for m in (journal.med(r.med_name or "") for r in records)}
            write_lines(render.taken_lines(records, med_by_id, journal.zone, journal.now))

    return guarded(run)


def skip(settings: Settings, med: str, *, at: str | None = None, reason: str | None = None) -> int:
    """``skip``: see :meth:`adherelog.journal.Journal.skip`."""

    def run() -> None:
        from adherelog import render, views

        with open_journal(settings, write=True) as journal:
            record = journal.skip(med, at=moment(journal, at, "--at"), reason=reason)
            if settings.json:
                emit_json(views.record_json(record))
                return
            write_lines(render.taken_lines([record], {}, journal.zone, journal.now))

    return guarded(run)


def due(settings: Settings) -> int:
    """``due``: today's slots and as-needed medications."""

    def run() -> None:
        from adherelog import render, views

        with open_journal(settings, write=False) as journal:
            view = journal.due()
            if settings.json:
                emit_json(
                    {
                        "now": views.iso_in(view.now, journal.zone.key),
                        "slots": [
                            {
                                "med": item.med.name,
                                "scheduled_for": views.iso_in(item.slot.scheduled, item.slot.zone),
                                "status": item.status.value,
                                "at": None
                                if item.record is None
                                else views.iso_in(item.record.at, item.record.zone),
                                "late_minutes": None
                                if item.record is None
                                else item.record.late_minutes,
                                "dose": (
                                    v.dose
                                    if (v := item.med.version_at(item.slot.scheduled))
                                    else None
                                ),
                            }
                            for item in view.slots
                        ],
                        "as_needed": [
                            {
                                "med": entry.med.name,
                                "last_taken": None
                                if entry.last_taken is None
                                else views.iso_in(entry.last_taken.at, entry.last_taken.zone),
                            }
                            for entry in view.as_needed
                        ],
                    }
                )
                return
            write_lines(render.due_lines(view, journal.zone))
            from adherelog.output import message
            from adherelog.summary import supply_warnings

            for warning in supply_warnings(journal, view.meds):
                message(f"warning: {warning}")

    return guarded(run)
