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
        from adherelog import jsonshape, render
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
        return Shown(
            json=lambda: jsonshape.taken(records),
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
        from adherelog import jsonshape, render

        record = journal.skip(med, at=moment(journal, at, "--at"), reason=reason)
        return Shown(
            json=lambda: jsonshape.record(record),
            lines=lambda: render.taken_lines([record], {}, journal.zone, journal.now),
        )

    return journal_command(settings, work, write=True)


def due(settings: Settings) -> int:
    """``due``: today's slots and as-needed medications."""

    def work(journal: Journal) -> Shown:
        from adherelog import jsonshape, render

        view = journal.due()

        def warnings() -> list[str]:
            from adherelog.supply import supply_warnings  # only people see these

            return supply_warnings(journal, view.meds)

        return Shown(
            json=lambda: jsonshape.due(view, journal.zone.key),
            lines=lambda: render.due_lines(view, journal.zone),
            warnings=warnings,
        )

    return journal_command(settings, work, write=False)


def undo(settings: Settings) -> int:
    """``undo``: see :func:`adherelog.undo.undo_last`."""

    def work(journal: Journal) -> Shown:
        from adherelog import effects, jsonshape, render, tips  # noqa: F401  (effects and tips register their undo handlers)
        from adherelog.undo import undo_last

        undone = undo_last(journal)
        return Shown(
            json=lambda: jsonshape.undone(undone),
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
        from adherelog import jsonshape, render

        records = journal.history(
            since=moment(journal, since, "--since"),
            until=until(journal, until_, "--until"),
            med=med,
        )
        return Shown(
            json=lambda: jsonshape.records(records),
            lines=lambda: render.history_lines(records, journal.zone, journal.now),
        )

    return journal_command(settings, work, write=False)
