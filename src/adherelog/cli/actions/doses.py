"""``take``, ``skip``, ``undo``, ``due`` and ``history``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adherelog.cli.common import Settings, Shown, journal_command, moment, until
from adherelog.errors import UsageError

if TYPE_CHECKING:
    from adherelog.journal import Journal


def take(
    settings: Settings,
    *,
    meds: list[str],
    at: str | None = None,
    amount: float | None = None,
    note: str | None = None,
    slot: str | None = None,
    extra: bool = False,
) -> int:
    """``take``: see :meth:`adherelog.journal.Journal.take`."""

    def work(journal: Journal) -> Shown:
        from adherelog import render, views
        from adherelog.timeparse import parse_clock

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
        docs = [views.record_json(r) for r in records]
        return Shown(
            json=lambda: docs[0] if len(docs) == 1 else {"records": docs},
            lines=lambda: render.taken_lines(
                records,
                {m.id: m for m in (journal.med(r.med_name or "") for r in records)},
                journal.zone,
                journal.now,
            ),
        )

    return journal_command(settings, work, write=True)


def skip(settings: Settings, *, med: str, at: str | None = None, reason: str | None = None) -> int:
    """``skip``: see :meth:`adherelog.journal.Journal.skip`."""

    def work(journal: Journal) -> Shown:
        from adherelog import render, views

        record = journal.skip(med, at=moment(journal, at, "--at"), reason=reason)
        return Shown(
            json=lambda: views.record_json(record),
            lines=lambda: render.taken_lines([record], {}, journal.zone, journal.now),
        )

    return journal_command(settings, work, write=True)


def due(settings: Settings) -> int:
    """``due``: today's slots and as-needed medications."""

    def work(journal: Journal) -> Shown:
        from adherelog import render, views

        view = journal.due()

        def warnings() -> list[str]:
            from adherelog.summary import supply_warnings  # only people see these

            return supply_warnings(journal, view.meds)

        return Shown(
            json=lambda: {
                "now": views.iso_in(view.now, journal.zone.key),
                "slots": [
                    {
                        "med": item.med.name,
                        "scheduled_for": views.iso_in(item.slot.scheduled, item.slot.zone),
                        "status": item.status.value,
                        "at": None
                        if item.record is None
                        else views.iso_in(item.record.at, item.record.zone),
                        "late_minutes": None if item.record is None else item.record.late_minutes,
                        "dose": (
                            v.dose if (v := item.med.version_at(item.slot.scheduled)) else None
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
            },
            lines=lambda: render.due_lines(view, journal.zone),
            warnings=warnings,
        )

    return journal_command(settings, work, write=False)


def undo(settings: Settings) -> int:
    """``undo``: see :func:`adherelog.undo.undo_last`."""

    def work(journal: Journal) -> Shown:
        from adherelog import effects, render, tips  # noqa: F401  (they register their undo handlers)
        from adherelog.undo import undo_last

        undone = undo_last(journal)
        return Shown(
            json=lambda: {"undone": undone.data, "kind": undone.kind},
            lines=lambda: render.undone_lines(undone),
        )

    return journal_command(settings, work, write=True)


def history(
    settings: Settings,
    *,
    since: str | None = None,
    until_: str | None = None,
    med: str | None = None,
) -> int:
    """``history``: see :meth:`adherelog.journal.Journal.history`."""

    def work(journal: Journal) -> Shown:
        from adherelog import render, views

        records = journal.history(
            since=moment(journal, since, "--since"),
            until=until(journal, until_, "--until"),
            med=med,
        )
        return Shown(
            json=lambda: {"records": [views.record_json(r) for r in records]},
            lines=lambda: render.history_lines(records, journal.zone, journal.now),
        )

    return journal_command(settings, work, write=False)
