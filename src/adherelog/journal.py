"""The open journal the command line works with: :class:`Journal`, one method per command.

Each method is one command's work, done by its feature module (:mod:`adherelog.meds`,
:mod:`adherelog.doses`, :mod:`adherelog.due`, :mod:`adherelog.history`). Writes happen
inside one ``BEGIN IMMEDIATE`` transaction (:meth:`adherelog.storage.Store.write`); a
raised :class:`AdherelogError` rolls everything back, so a refused command writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from adherelog import doses, due, history, meds
from adherelog.due import DueView
from adherelog.meds import ScheduleOptions
from adherelog.model import Med, Record
from adherelog.session import Session


class Journal(Session):
    """An open journal with a fixed "now" and local zone, and its commands."""

    def add_med(
        self,
        name: str,
        options: ScheduleOptions,
        *,
        start: date | None = None,
        supply: float | None = None,
        per_dose: float | None = None,
        note: str | None = None,
    ) -> Med:
        """See :func:`adherelog.meds.add_med`."""
        return meds.add_med(
            self, name, options, start=start, supply=supply, per_dose=per_dose, note=note
        )

    def edit_med(
        self,
        name: str,
        options: ScheduleOptions,
        *,
        from_date: date | None = None,
        supply: float | None = None,
        per_dose: float | None = None,
        note: str | None = None,
    ) -> Med:
        """See :func:`adherelog.meds.edit_med`."""
        return meds.edit_med(
            self, name, options, from_date=from_date, supply=supply, per_dose=per_dose, note=note
        )

    def edit(
        self,
        name: str,
        options: ScheduleOptions,
        *,
        from_date: date | None = None,
        supply: float | None = None,
        per_dose: float | None = None,
        note: str | None = None,
    ) -> meds.Edited:
        """See :func:`adherelog.meds.edit`."""
        return meds.edit(
            self, name, options, from_date=from_date, supply=supply, per_dose=per_dose, note=note
        )

    def stop_med(self, name: str, *, from_date: date | None = None) -> Med:
        """See :func:`adherelog.meds.stop_med`."""
        return meds.stop_med(self, name, from_date=from_date)

    def resume_med(self, name: str, *, from_date: date | None = None) -> Med:
        """See :func:`adherelog.meds.resume_med`."""
        return meds.resume_med(self, name, from_date=from_date)

    def remove_med(self, name: str) -> Med:
        """See :func:`adherelog.meds.remove_med`."""
        return meds.remove_med(self, name)

    def refill(self, name: str, count: float) -> tuple[Med, float]:
        """See :func:`adherelog.meds.refill`."""
        return meds.refill(self, name, count)

    def take(
        self,
        names: Sequence[str],
        *,
        at: datetime | None = None,
        amount: float | None = None,
        note: str | None = None,
        slot_time: time | None = None,
        extra: bool = False,
    ) -> list[Record]:
        """See :func:`adherelog.doses.take`."""
        return doses.take(
            self, names, at=at, amount=amount, note=note, slot_time=slot_time, extra=extra
        )

    def skip(
        self,
        name: str,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        slot_time: time | None = None,
    ) -> Record:
        """See :func:`adherelog.doses.skip`."""
        return doses.skip(self, name, at=at, reason=reason, slot_time=slot_time)

    def due(self) -> DueView:
        """See :func:`adherelog.due.due`."""
        return due.due(self)

    def history(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        med: str | None = None,
    ) -> list[Record]:
        """See :func:`adherelog.history.history`."""
        return history.history(self, since=since, until=until, med=med)
