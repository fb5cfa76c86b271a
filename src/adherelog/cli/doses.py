"""Top-level verbs: take, skip, undo, due, history."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli import actions
from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import guarded, moment, open_journal, until
from adherelog.output import emit_json, write_lines

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

    The dose fills the nearest scheduled slot within 12 hours. Taking a slot that is already
    taken or skipped is refused unless --extra says it is an additional dose.

    Example: adherelog take metformin --at "yesterday 21:10"
    """
    finish(
        actions.take(
            settings(ctx, json_flag), meds, at=at, amount=amount, note=note, slot=slot, extra=extra
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
    json_flag: JsonFlag = False,
) -> None:
    """Mark the nearest open dose as skipped.

    Example: adherelog skip metformin --reason "stomach bug"
    """
    finish(actions.skip(settings(ctx, json_flag), med, at=at, reason=reason))


def due(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Show today's doses (upcoming, due, overdue, missed, taken, skipped) and as-needed
    medications.

    Example: adherelog due
    """
    finish(actions.due(settings(ctx, json_flag)))


def undo(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Remove the most recent record (dose, skip, side effect, tip or refill) and restore
    the supply it changed. Run it again to go further back.

    Example: adherelog undo
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render

        with open_journal(opts, write=True) as journal:
            undone = journal.undo()
            if opts.json:
                emit_json({"undone": undone.data, "kind": undone.kind})
                return
            write_lines(render.undone_lines(undone))

    finish(guarded(run))


def history(
    ctx: typer.Context,
    *,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="Start (default: 7 days ago).")
    ] = None,
    until_: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="WHEN", help="End (default: now); a date includes that day."
        ),
    ] = None,
    med: Annotated[
        str | None, typer.Option("--med", metavar="MED", help="Only this medication.")
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List doses, skips, missed doses and side effects in time order.

    Example: adherelog history --since "7d ago" --med metformin
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render, views

        with open_journal(opts, write=False) as journal:
            records = journal.history(
                since=moment(journal, since, "--since"),
                until=until(journal, until_, "--until"),
                med=med,
            )
            if opts.json:
                emit_json({"records": [views.record_json(r) for r in records]})
                return
            write_lines(render.history_lines(records, journal.zone, journal.now))

    finish(guarded(run))


def register(app: typer.Typer) -> None:
    for command in (take, skip, undo, due, history):
        app.command()(command)
