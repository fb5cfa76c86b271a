"""``adherelog med ...``: medications and their schedules."""

from __future__ import annotations

from datetime import time
from typing import Annotated

import typer

from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import Settings, day, guarded, open_journal
from adherelog.errors import UsageError
from adherelog.journal import Journal, ScheduleOptions, parse_weekdays
from adherelog.model import Med
from adherelog.output import emit_json, write_lines

app = typer.Typer(
    help="Add, change, stop and list medications and their schedules.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    no_args_is_help=True,
)

Name = Annotated[str, typer.Argument(metavar="NAME", help="Medication name (any case).")]
Dose = Annotated[
    str | None, typer.Option("--dose", metavar="TEXT", help="Dose text, e.g. '50 mg'.")
]
Times = Annotated[
    list[str] | None,
    typer.Option("--time", metavar="HH:MM", help="A daily time; repeat for several."),
]
Every = Annotated[
    int | None,
    typer.Option("--every", metavar="N", help="Only every N days, counted from the start."),
]
On = Annotated[
    str | None,
    typer.Option("--on", metavar="DAYS", help="Only on these weekdays, e.g. mon,wed,fri."),
]
AsNeeded = Annotated[
    bool | None, typer.Option("--as-needed", help="No schedule: taken when needed.")
]
End = Annotated[str | None, typer.Option("--end", metavar="DATE", help="Last day of the schedule.")]
Grace = Annotated[
    int | None,
    typer.Option(
        "--grace",
        metavar="MINUTES",
        help="How late a dose may be and still be on time (default 60).",
    ),
]
Supply = Annotated[
    float | None, typer.Option("--supply", metavar="N", help="Units on hand (tracks supply).")
]
PerDose = Annotated[
    float | None, typer.Option("--per-dose", metavar="N", help="Units per dose (default 1).")
]
Zone = Annotated[
    str | None,
    typer.Option("--tz", metavar="ZONE", help="IANA time zone of the schedule (default: local)."),
]
Note = Annotated[
    str | None, typer.Option("--note", metavar="TEXT", help="A note about the medication.")
]


def _options(
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
) -> ScheduleOptions:
    from adherelog.timeparse import parse_clock

    parsed: list[time] | None = None
    if times:
        parsed = []
        for value in times:
            try:
                parsed.append(parse_clock(value))
            except UsageError as exc:
                raise UsageError(f"--time: {exc}") from None
    return ScheduleOptions(
        dose=dose,
        times=parsed,
        every=every,
        on_days=None if on is None else parse_weekdays(on),
        as_needed=as_needed,
        end=day(journal, end, "--end"),
        grace=grace,
        zone=tz,
    )


def _show(opts: Settings, journal: Journal, med: Med) -> None:
    from adherelog import render, views

    if opts.json:
        emit_json(views.med_json(med, journal.now))
    else:
        write_lines(render.med_lines(med, journal.now))


@app.command("add")
def add(
    ctx: typer.Context,
    name: Name,
    *,
    dose: Dose = None,
    time_: Times = None,
    every: Every = None,
    on: On = None,
    as_needed: AsNeeded = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", metavar="DATE", help="First day (default: now; past dates backfill)."
        ),
    ] = None,
    end: End = None,
    grace: Grace = None,
    supply: Supply = None,
    per_dose: PerDose = None,
    tz: Zone = None,
    note: Note = None,
    json_flag: JsonFlag = False,
) -> None:
    """Add a medication with a schedule (one or more --time) or --as-needed.

    Slots start when the medication is added (adding it at 14:00 creates no missed 08:00
    dose); --start DATE begins at that day's 00:00.

    Example: adherelog med add Metformin --dose "500 mg" --time 08:00 --time 20:00 --supply 60
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        with open_journal(opts, write=True) as journal:
            options = _options(
                journal,
                dose=dose,
                times=time_,
                every=every,
                on=on,
                as_needed=as_needed,
                end=end,
                grace=grace,
                tz=tz,
            )
            med = journal.add_med(
                name,
                options,
                start=day(journal, start, "--start"),
                supply=supply,
                per_dose=per_dose,
                note=note,
            )
            _show(opts, journal, med)

    finish(guarded(run))


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: Name,
    *,
    dose: Dose = None,
    time_: Times = None,
    every: Every = None,
    on: On = None,
    as_needed: AsNeeded = None,
    end: End = None,
    grace: Grace = None,
    tz: Zone = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="The new schedule starts at this day's 00:00 (default today).",
        ),
    ] = None,
    supply: Supply = None,
    per_dose: PerDose = None,
    note: Note = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change a schedule from a date on; earlier days keep the schedule they had.

    The options given replace the old ones (--time gives the whole new set of times). A
    change of --dose with --from is how a taper is entered. --supply, --per-dose and --note
    change at once.

    Example: adherelog med edit metformin --time 09:00 --from 2026-12-01
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        with open_journal(opts, write=True) as journal:
            options = _options(
                journal,
                dose=dose,
                times=time_,
                every=every,
                on=on,
                as_needed=as_needed,
                end=end,
                grace=grace,
                tz=tz,
            )
            med = journal.edit_med(
                name,
                options,
                from_date=day(journal, from_, "--from"),
                supply=supply,
                per_dose=per_dose,
                note=note,
            )
            _show(opts, journal, med)

    finish(guarded(run))


FromOption = Annotated[
    str | None,
    typer.Option("--from", metavar="DATE", help="From the start of this day (default: now)."),
]


@app.command("stop")
def stop(
    ctx: typer.Context, name: Name, *, from_: FromOption = None, json_flag: JsonFlag = False
) -> None:
    """Stop scheduling a medication (a doctor's hold, a hospital stay); history stays.

    Example: adherelog med stop ibuprofen --from 2026-12-01
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        with open_journal(opts, write=True) as journal:
            _show(opts, journal, journal.stop_med(name, from_date=day(journal, from_, "--from")))

    finish(guarded(run))


@app.command("resume")
def resume(
    ctx: typer.Context, name: Name, *, from_: FromOption = None, json_flag: JsonFlag = False
) -> None:
    """Resume a stopped medication with the schedule it had before.

    Example: adherelog med resume ibuprofen
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        with open_journal(opts, write=True) as journal:
            _show(opts, journal, journal.resume_med(name, from_date=day(journal, from_, "--from")))

    finish(guarded(run))


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    all_: Annotated[
        bool, typer.Option("--all", help="Include stopped and ended medications.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """List medications (active ones unless --all).

    Example: adherelog med list --all
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render, views

        with open_journal(opts, write=False) as journal:
            every = journal.meds()
            meds = [m for m in every if all_ or views.is_active(m, journal.now)]
            if opts.json:
                emit_json({"meds": [views.med_json(m, journal.now) for m in meds]})
                return
            if every and not meds:
                hint = "No active medications; 'adherelog med list --all' shows the stopped ones."
                write_lines([[(hint, "dim")]])
                return
            write_lines(render.med_list_lines(meds, journal.now))

    finish(guarded(run))


@app.command("show")
def show(ctx: typer.Context, name: Name, *, json_flag: JsonFlag = False) -> None:
    """Show a medication with its schedule history.

    Example: adherelog med show metformin
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        with open_journal(opts, write=False) as journal:
            _show(opts, journal, journal.med(name))

    finish(guarded(run))


@app.command("rm")
def rm(ctx: typer.Context, name: Name, *, json_flag: JsonFlag = False) -> None:
    """Remove a medication that has nothing recorded (otherwise use 'med stop').

    Example: adherelog med rm "vitamin d"
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        with open_journal(opts, write=True) as journal:
            med = journal.remove_med(name)
            if opts.json:
                emit_json({"removed": med.name})
            else:
                from adherelog.text import one_line

                write_lines([[("Removed ", "yellow"), (one_line(med.name), "bold")]])

    finish(guarded(run))


@app.command("refill")
def refill(
    ctx: typer.Context,
    name: Name,
    count: Annotated[float, typer.Argument(metavar="COUNT", help="Units added to the supply.")],
    *,
    json_flag: JsonFlag = False,
) -> None:
    """Add a refill to a medication's supply (undo removes it again).

    Example: adherelog med refill metformin 60
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import views
        from adherelog.text import one_line

        with open_journal(opts, write=True) as journal:
            med, added = journal.refill(name, count)
            if opts.json:
                emit_json(views.med_json(med, journal.now))
                return
            write_lines(
                [
                    [
                        ("Refilled ", "green"),
                        (one_line(med.name), "bold"),
                        (f": +{views.number(added)}, {views.number(med.supply)} on hand", None),
                    ]
                ]
            )

    finish(guarded(run))
