"""Top-level verbs: take, skip, undo, due, history."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import doses
from adherelog.cli.options import JsonFlag, MedFilter, Until, finish, settings, since_option

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="When it happened: '2026-11-01 08:15', 'yesterday 21:30', '8pm', '2h ago', 'mon 8am'.",
    ),
]


def take(
    ctx: typer.Context,
    meds: Annotated[list[str], typer.Argument(metavar="MED...", help="Medication name(s).")],
    *,
    at: AtOption = None,
    amount: Annotated[
        float | None,
        typer.Option("--amount", metavar="N", help="Units taken (default: the per-dose amount)."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note.")] = None,
    slot: Annotated[
        str | None,
        typer.Option(
            "--slot",
            metavar="HH:MM",
            help="Fill this slot of the day (e.g. the evening dose, early).",
        ),
    ] = None,
    extra: Annotated[
        bool, typer.Option("--extra", help="Record an additional dose that fills no slot.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Record a dose of one or more medications.

    The dose fills the nearest scheduled slot within 12 hours, or the one --slot names.
    Taking a slot that is already taken or skipped is refused unless --extra says it is an
    additional dose.

    Example: adherelog take metformin --at "yesterday 21:10"
    """
    finish(
        doses.take(
            settings(ctx, json_flag),
            meds=meds,
            at=at,
            amount=amount,
            note=note,
            slot=slot,
            extra=extra,
        )
    )


def skip(
    ctx: typer.Context,
    med: Annotated[str, typer.Argument(metavar="MED", help="Medication name.")],
    *,
    at: AtOption = None,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why it was skipped.")
    ] = None,
    slot: Annotated[
        str | None,
        typer.Option(
            "--slot",
            metavar="HH:MM",
            help="Skip this slot of the day (e.g. tonight's dose, in the morning).",
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Mark a dose as skipped.

    It picks the nearest scheduled slot within 12 hours, as take does; a slot already
    taken or skipped is refused rather than another one skipped.

    Example: adherelog skip metformin --reason "stomach bug"
    """
    finish(doses.skip(settings(ctx, json_flag), med=med, at=at, reason=reason, slot=slot))


def due(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Show today's doses (upcoming, due, overdue, missed, taken, skipped) and as-needed
    medications.

    Example: adherelog due
    """
    finish(doses.due(settings(ctx, json_flag)))


def undo(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Remove the most recent record (dose, skip, side effect, tip or refill) and restore
    the supply it changed. Run it again to go further back.

    Example: adherelog undo
    """
    finish(doses.undo(settings(ctx, json_flag)))


def history(
    ctx: typer.Context,
    *,
    since: Annotated[str | None, since_option("Start (default: 7 days ago).")] = None,
    until_: Until = None,
    med: MedFilter = None,
    json_flag: JsonFlag = False,
) -> None:
    """List doses, skips, missed doses and side effects in time order.

    Example: adherelog history --since "7d ago" --med metformin
    """
    finish(doses.history(settings(ctx, json_flag), since=since, until_=until_, med=med))


def register(app: typer.Typer) -> None:
    for command in (take, skip, undo, due, history):
        app.command()(command)
