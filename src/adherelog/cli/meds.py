"""``adherelog med ...``: medications and their schedules."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import meds as actions
from adherelog.cli.options import JsonFlag, finish, settings, sub_app

app = sub_app("Add, change, stop and list medications and their schedules.")

Name = Annotated[str, typer.Argument(metavar="NAME", help="Medication name (any case).")]
Dose = Annotated[
    str | None, typer.Option("--dose", metavar="TEXT", help="Dose text, e.g. '50 mg'.")
]
Times = Annotated[
    list[str] | None,
    typer.Option(
        "--time",
        metavar="HH:MM[=N]",
        help="A time of the dose days; repeat for several. =N gives that dose its own amount.",
    ),
]
Rrule = Annotated[
    str | None,
    typer.Option(
        "--rrule",
        metavar="RULE",
        help="The dose days as an RFC 5545 RRULE, e.g. 'FREQ=MONTHLY;BYMONTHDAY=1'.",
    ),
]
Cycle = Annotated[
    str | None,
    typer.Option(
        "--cycle",
        metavar="ON/OFF",
        help="ON days with doses, then OFF days without, from the start, e.g. 21/7.",
    ),
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


@app.command("add")
def add(
    ctx: typer.Context,
    name: Name,
    *,
    dose: Dose = None,
    time_: Times = None,
    every: Every = None,
    on: On = None,
    rrule: Rrule = None,
    cycle: Cycle = None,
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
    dose); --start DATE begins at that day's 00:00. The days are every day, or one of
    --every, --on, --rrule and --cycle.

    Example: adherelog med add Metformin --dose "500 mg" --time 08:00 --time 20:00 --supply 60
    """
    finish(
        actions.add(
            settings(ctx, json_flag),
            name=name,
            dose=dose,
            time_=time_,
            every=every,
            on=on,
            rrule=rrule,
            cycle=cycle,
            as_needed=as_needed,
            start=start,
            end=end,
            grace=grace,
            supply=supply,
            per_dose=per_dose,
            tz=tz,
            note=note,
        )
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: Name,
    *,
    dose: Dose = None,
    time_: Times = None,
    every: Every = None,
    on: On = None,
    rrule: Rrule = None,
    cycle: Cycle = None,
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
    finish(
        actions.edit(
            settings(ctx, json_flag),
            name=name,
            dose=dose,
            time_=time_,
            every=every,
            on=on,
            rrule=rrule,
            cycle=cycle,
            as_needed=as_needed,
            end=end,
            grace=grace,
            tz=tz,
            from_=from_,
            supply=supply,
            per_dose=per_dose,
            note=note,
        )
    )


@app.command("taper")
def taper(
    ctx: typer.Context,
    name: Name,
    *,
    step: Annotated[
        list[str] | None,
        typer.Option(
            "--step",
            metavar="'DATE DOSE'",
            help="From this day on, this dose; repeat for each step, in date order.",
        ),
    ] = None,
    stop: Annotated[
        str | None,
        typer.Option("--stop", metavar="DATE", help="Stop the medication from this day."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan and change nothing.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Enter a taper: one schedule version per step, all at once.

    Times and other options carry over from the schedule in force; --stop ends the taper.

    Example: adherelog med taper prednisone --step "2026-12-01 20 mg" --stop 2026-12-15
    """
    finish(
        actions.taper(settings(ctx, json_flag), name=name, step=step, stop=stop, dry_run=dry_run)
    )


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
    finish(actions.stop(settings(ctx, json_flag), name=name, from_=from_))


@app.command("resume")
def resume(
    ctx: typer.Context, name: Name, *, from_: FromOption = None, json_flag: JsonFlag = False
) -> None:
    """Resume a stopped medication with the schedule it had before.

    Example: adherelog med resume ibuprofen
    """
    finish(actions.resume(settings(ctx, json_flag), name=name, from_=from_))


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
    finish(actions.list_(settings(ctx, json_flag), all_=all_))


@app.command("show")
def show(ctx: typer.Context, name: Name, *, json_flag: JsonFlag = False) -> None:
    """Show a medication with its schedule history.

    Example: adherelog med show metformin
    """
    finish(actions.show(settings(ctx, json_flag), name=name))


@app.command("rm")
def rm(ctx: typer.Context, name: Name, *, json_flag: JsonFlag = False) -> None:
    """Remove a medication that has nothing recorded (otherwise use 'med stop').

    Example: adherelog med rm "vitamin d"
    """
    finish(actions.rm(settings(ctx, json_flag), name=name))


@app.command("refill")
def refill(
    ctx: typer.Context,
    name: Name,
    count: Annotated[str, typer.Argument(metavar="COUNT", help="Units added to the supply.")],
    *,
    json_flag: JsonFlag = False,
) -> None:
    """Add a refill to a medication's supply (undo removes it again).

    Example: adherelog med refill metformin 60
    """
    finish(actions.refill(settings(ctx, json_flag), name=name, count=count))
