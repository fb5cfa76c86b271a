"""``take``, ``skip``, ``undo``, ``due`` and ``history``.

Each works on a plain :class:`adherelog.session.Session` and imports only the feature it
runs, and builds the JSON document or the lines only for the output asked for: these are
the commands people run most, and their start-up has a budget (SPEC §10)."""

from __future__ import annotations

from adherelog.cli.common import Settings, Shown, as_journal, moment, session_command, until
from adherelog.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from datetime import time

    from adherelog.output import Line
    from adherelog.session import Session


def _slot_time(slot: str | None) -> time | None:
    """The clock time ``--slot`` names, or None."""
    if slot is None:
        return None
    from adherelog.timeparse import parse_clock  # only --slot reads a clock time

    try:
        return parse_clock(slot)
    except UsageError as exc:
        raise UsageError(f"--slot: {exc}") from None


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
    """``take``: see :func:`adherelog.doses.take`."""

    def work(session: Session) -> Shown:
        from adherelog import doses

        when = moment(session, at, "--at")
        slot_time = _slot_time(slot)
        records = doses.take(
            session, meds, at=when, amount=amount, note=note, slot_time=slot_time, extra=extra
        )

        def document() -> object:
            from adherelog import jsonshape  # only --json needs it

            return jsonshape.taken(records)

        def lines() -> list[Line]:
            from adherelog import render  # only people see these

            return render.taken_lines(
                records,
                {m.id: m for m in (session.med(r.med_name or "") for r in records)},
                session.zone,
                session.now,
            )

        return Shown(json=document, lines=lines)

    return session_command(settings, work, write=True)


def skip(
    settings: Settings,
    *,
    med: str,
    at: str | None = None,
    reason: str | None = None,
    slot: str | None = None,
) -> int:
    """``skip``: see :func:`adherelog.doses.skip`."""

    def work(session: Session) -> Shown:
        from adherelog import doses

        record = doses.skip(
            session,
            med,
            at=moment(session, at, "--at"),
            reason=reason,
            slot_time=_slot_time(slot),
        )

        def document() -> object:
            from adherelog import jsonshape  # only --json needs it

            return jsonshape.record(record)

        def lines() -> list[Line]:
            from adherelog import render  # only people see these

            return render.taken_lines([record], {}, session.zone, session.now)

        return Shown(json=document, lines=lines)

    return session_command(settings, work, write=True)


def due(settings: Settings) -> int:
    """``due``: today's slots and as-needed medications."""

    def work(session: Session) -> Shown:
        from adherelog.due import due as due_view

        view = due_view(session)

        def document() -> object:
            from adherelog import jsonshape  # only --json needs it

            return jsonshape.due(view, session.zone.key)

        def lines() -> list[Line]:
            from adherelog import render  # only people see these

            return render.due_lines(view, session.zone)

        def warnings() -> list[str]:
            from adherelog.supply import supply_warnings

            return supply_warnings(as_journal(session), view.meds)

        return Shown(json=document, lines=lines, warnings=warnings)

    return session_command(settings, work, write=False)


def undo(settings: Settings) -> int:
    """``undo``: see :func:`adherelog.undo.undo_last`."""

    def work(session: Session) -> Shown:
        # Imported here, and each for the undo handler it registers: doses and skips,
        # refills, side effects, tips.
        from adherelog import doses, effects, jsonshape, meds, render, tips  # noqa: F401
        from adherelog.undo import undo_last

        undone = undo_last(session)
        return Shown(
            json=lambda: jsonshape.undone(undone),
            lines=lambda: render.undone_lines(undone),
        )

    return session_command(settings, work, write=True)


def history(
    settings: Settings,
    *,
    since: str | None = None,
    until_: str | None = None,
    med: str | None = None,
) -> int:
    """``history``: see :func:`adherelog.history.history`."""

    def work(session: Session) -> Shown:
        from adherelog.history import history as recorded

        records = recorded(
            session,
            since=moment(session, since, "--since"),
            until=until(session, until_, "--until"),
            med=med,
        )

        def document() -> object:
            from adherelog import jsonshape  # only --json needs it

            return jsonshape.records(records)

        def lines() -> list[Line]:
            from adherelog import render  # only people see these

            meds = {m.id: m for m in session.meds()}
            return render.history_lines(records, session.zone, session.now, meds)

        return Shown(json=document, lines=lines)

    return session_command(settings, work, write=False)
