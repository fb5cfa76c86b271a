"""``med add``, ``edit``, ``stop``, ``resume``, ``list``, ``show``, ``rm`` and ``refill``."""

from __future__ import annotations

from datetime import date, time

from adherelog.cli.common import Settings, Shown, day, journal_command, session_command
from adherelog.errors import UsageError
from adherelog.text import plural
from adherelog.valueclass import replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.journal import Journal
    from adherelog.meds import Edited, ScheduleOptions
    from adherelog.model import Med
    from adherelog.session import Session


def _schedule(
    journal: Journal,
    *,
    dose: str | None,
    times: list[str] | None,
    every: int | None,
    on: str | None,
    as_needed: bool | None,
    end: str | None,
    grace: int | None,
    tz: str | None,
    rrule: str | None = None,
    cycle: str | None = None,
) -> ScheduleOptions:
    from adherelog.meds import ScheduleOptions, parse_weekdays
    from adherelog.recurrence import parse_cycle

    parsed: list[time] | None = None
    amounts: dict[time, float] | None = None
    if times:
        parsed, amounts = [], {}
        for value in times:
            wall, amount = _time_and_amount(value)
            if wall in amounts or (amount is not None and wall in parsed):
                raise UsageError(f"--time {value}: the time {wall:%H:%M} is given twice.")
            parsed.append(wall)
            if amount is not None:
                amounts[wall] = amount
    return ScheduleOptions(
        rrule=rrule,
        cycle=None if cycle is None else parse_cycle(cycle),
        amounts=amounts,
        dose=dose,
        times=parsed,
        every=every,
        on_days=None if on is None else parse_weekdays(on),
        as_needed=as_needed,
        end=day(journal, end, "--end"),
        grace=grace,
        zone=tz,
    )


def _time_and_amount(value: str) -> tuple[time, float | None]:
    """``08:00`` or ``08:00=2``: a time and the amount of its dose, if given."""
    import math

    from adherelog.timeparse import parse_clock

    clock, sep, amount_text = value.partition("=")
    try:
        wall = parse_clock(clock.strip())
    except UsageError as exc:
        raise UsageError(f"--time: {exc}") from None
    if not sep:
        return wall, None
    try:
        amount = float(amount_text.strip())
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount <= 0:
        raise UsageError(
            f"--time {value}: the amount '{amount_text}' must be a number above zero,"
            " e.g. --time 08:00=2."
        )
    return wall, amount


def _backdated_warning(journal: Journal, edited: Edited) -> list[str]:
    """The warning of an edit whose new schedule reaches back over days already recorded
    (SPEC §4: they are judged anew by it)."""
    from adherelog.text import one_line
    from adherelog.views import day_text

    if not edited.rejudged_days or edited.start is None:
        return []
    zone = journal.zone
    start = day_text(edited.start.astimezone(zone).date(), journal.now.astimezone(zone).date())
    return [
        f"{one_line(edited.med.name)}'s new schedule starts {start}, so"
        f" {plural(edited.rejudged_days, 'day')} already recorded will be judged anew by it"
        " (a dose it does not schedule no longer counts)."
    ]


def _med(journal: Journal, med: Med) -> Shown:
    from adherelog import jsonshape, render

    return Shown(
        json=lambda: jsonshape.med(med, journal.now),
        lines=lambda: render.med_lines(med, journal.now),
    )


def add(
    settings: Settings,
    *,
    name: str,
    dose: str | None = None,
    time_: list[str] | None = None,
    every: int | None = None,
    on: str | None = None,
    as_needed: bool | None = None,
    start: str | None = None,
    end: str | None = None,
    grace: int | None = None,
    supply: float | None = None,
    per_dose: float | None = None,
    tz: str | None = None,
    note: str | None = None,
    rrule: str | None = None,
    cycle: str | None = None,
) -> int:
    """``med add``: see :meth:`adherelog.journal.Journal.add_med`."""

    def work(journal: Journal) -> Shown:
        schedule = _schedule(
            journal,
            dose=dose,
            times=time_,
            every=every,
            on=on,
            as_needed=as_needed,
            end=end,
            grace=grace,
            tz=tz,
            rrule=rrule,
            cycle=cycle,
        )
        med = journal.add_med(
            name,
            schedule,
            start=day(journal, start, "--start"),
            supply=supply,
            per_dose=per_dose,
            note=note,
        )
        return _med(journal, med)

    return journal_command(settings, work, write=True)


def edit(
    settings: Settings,
    *,
    name: str,
    dose: str | None = None,
    time_: list[str] | None = None,
    every: int | None = None,
    on: str | None = None,
    as_needed: bool | None = None,
    end: str | None = None,
    grace: int | None = None,
    tz: str | None = None,
    from_: str | None = None,
    supply: float | None = None,
    per_dose: float | None = None,
    note: str | None = None,
    rrule: str | None = None,
    cycle: str | None = None,
) -> int:
    """``med edit``: see :meth:`adherelog.journal.Journal.edit_med`."""

    def work(journal: Journal) -> Shown:
        schedule = _schedule(
            journal,
            dose=dose,
            times=time_,
            every=every,
            on=on,
            as_needed=as_needed,
            end=end,
            grace=grace,
            tz=tz,
            rrule=rrule,
            cycle=cycle,
        )
        edited = journal.edit(
            name,
            schedule,
            from_date=day(journal, from_, "--from"),
            supply=supply,
            per_dose=per_dose,
            note=note,
        )
        shown = _med(journal, edited.med)
        if not edited.changed:
            from adherelog.output import plain
            from adherelog.text import one_line

            said = f"{one_line(edited.med.name)}: nothing to change; its schedule stays as it is."
            return replace(shown, lines=lambda: [plain(said)])
        notes = _backdated_warning(journal, edited)
        return replace(shown, warnings=lambda: notes)

    return journal_command(settings, work, write=True)


def taper(
    settings: Settings,
    *,
    name: str,
    step: list[str] | None = None,
    stop: str | None = None,
    dry_run: bool = False,
) -> int:
    """``med taper``: see :func:`adherelog.meds.taper_med`."""

    def work(session: Session) -> Shown:
        from adherelog import jsonshape, render
        from adherelog.meds import TaperStep, taper_med

        steps = []
        for text in step or []:
            date_text, _, dose = text.strip().partition(" ")
            if not date_text:
                raise UsageError(f"Cannot understand the step '{text}'; use \"2026-12-01 20 mg\".")
            steps.append(TaperStep(_step_day(session, date_text, text), dose.strip()))
        med = taper_med(session, name, steps, stop=day(session, stop, "--stop"), dry_run=dry_run)
        return Shown(
            json=lambda: {**jsonshape.med(med, session.now), "dry_run": dry_run},
            lines=lambda: render.taper_lines(med, session.now, dry_run=dry_run),
        )

    # A dry run makes the versions in a transaction it rolls back: the same checks, no change.
    return session_command(settings, work, write=True)


def _step_day(session: Session, date_text: str, text: str) -> date:
    try:
        found = day(session, date_text, "--step")
    except UsageError:
        raise UsageError(
            f"Cannot understand the date of the step '{text}'; "
            'give it like "2026-12-01 20 mg" or "today 10 mg".'
        ) from None
    assert found is not None
    return found


def stop(settings: Settings, *, name: str, from_: str | None = None) -> int:
    """``med stop``: see :meth:`adherelog.journal.Journal.stop_med`."""
    return journal_command(
        settings,
        lambda journal: _med(
            journal, journal.stop_med(name, from_date=day(journal, from_, "--from"))
        ),
        write=True,
    )


def resume(settings: Settings, *, name: str, from_: str | None = None) -> int:
    """``med resume``: see :meth:`adherelog.journal.Journal.resume_med`."""
    return journal_command(
        settings,
        lambda journal: _med(
            journal, journal.resume_med(name, from_date=day(journal, from_, "--from"))
        ),
        write=True,
    )


def list_(settings: Settings, *, all_: bool = False) -> int:
    """``med list``: active medications, or all of them."""

    def work(session: Session) -> Shown:
        from adherelog import jsonshape, render, views
        from adherelog.output import Line

        every = session.meds()
        meds = [m for m in every if all_ or views.is_active(m, session.now)]

        def lines() -> list[Line]:
            if every and not meds:
                hint = "No active medications; 'adherelog med list --all' shows the stopped ones."
                return [[(hint, "dim")]]
            return render.med_list_lines(meds, session.now)

        return Shown(json=lambda: jsonshape.meds(meds, session.now), lines=lines)

    return session_command(settings, work, write=False)


def show(settings: Settings, *, name: str) -> int:
    """``med show``: one medication with its schedule history."""
    return journal_command(settings, lambda journal: _med(journal, journal.med(name)), write=False)


def rm(settings: Settings, *, name: str) -> int:
    """``med rm``: see :meth:`adherelog.journal.Journal.remove_med`."""

    def work(journal: Journal) -> Shown:
        from adherelog import jsonshape
        from adherelog.text import one_line

        med = journal.remove_med(name)
        return Shown(
            json=lambda: jsonshape.med_removed(med),
            lines=lambda: [[("Removed ", "yellow"), (one_line(med.name), "bold")]],
        )

    return journal_command(settings, work, write=True)


def _refill_count(text: str) -> float:
    """COUNT of ``med refill`` as a number, or a usage error naming the value in words."""
    from adherelog.text import one_line

    try:
        value = float(text.strip())
    except ValueError:
        raise UsageError(
            f"The refill count is the number of units added, such as 60; "
            f"'{one_line(text)}' is not a number."
        ) from None
    if value < 0:
        raise UsageError(
            f"The refill count is the number of units added, so it must be more than zero,"
            f" not {one_line(text.strip())}; to correct a supply use"
            " 'adherelog med edit NAME --supply N'."
        )
    return value


def refill(settings: Settings, *, name: str, count: str | float) -> int:
    """``med refill``: see :meth:`adherelog.journal.Journal.refill`."""

    def work(journal: Journal) -> Shown:
        from adherelog import jsonshape, views
        from adherelog.text import one_line

        med, added = journal.refill(name, _refill_count(str(count)))
        return Shown(
            json=lambda: jsonshape.med(med, journal.now),
            lines=lambda: [
                [
                    ("Refilled ", "green"),
                    (one_line(med.name), "bold"),
                    (f": +{views.number(added)}, {views.number(med.supply)} on hand", None),
                ]
            ],
        )

    return journal_command(settings, work, write=True)
