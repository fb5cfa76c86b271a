"""``adherelog effect ...``: side effects."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import guarded, moment, open_journal, until
from adherelog.output import emit_json, write_lines

app = typer.Typer(
    help="Record and list side effects (severity 1 mild … 5 severe).",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The side effect, e.g. nausea.")],
    *,
    severity: Annotated[
        str | None,
        typer.Option(
            "--severity",
            metavar="1-5",
            help="1 mild, 2 noticeable, 3 moderate, 4 strong, 5 severe (number or word).",
        ),
    ] = None,
    med: Annotated[
        str | None,
        typer.Option("--med", metavar="MED", help="The medication it may come from."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="WHEN", help="When it happened: 'yesterday 21:30', '2h ago'."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Record a side effect, now or backdated with --at (undo removes it again).

    Example: adherelog effect add nausea --severity 3 --med sertraline --note "after breakfast"
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import effects, render_tips, views

        with open_journal(opts, write=True) as journal:
            record = effects.add_effect(
                journal,
                name,
                severity=effects.parse_severity(severity),
                med=med,
                at=moment(journal, at, "--at"),
                note=note,
            )
            if opts.json:
                emit_json(views.record_json(record))
                return
            write_lines(render_tips.effect_added_lines(record, journal.zone, journal.now))

    finish(guarded(run))


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="Start (default: all).")
    ] = None,
    until_: Annotated[
        str | None,
        typer.Option("--until", metavar="WHEN", help="End; a date includes that day."),
    ] = None,
    med: Annotated[
        str | None, typer.Option("--med", metavar="MED", help="Only this medication.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Only this side effect (any case).")
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List side effects in time order (all of them unless --since/--until).

    Example: adherelog effect list --since "30d ago" --name nausea
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import effects, render_tips

        with open_journal(opts, write=False) as journal:
            records = effects.list_effects(
                journal,
                since=moment(journal, since, "--since"),
                until=until(journal, until_, "--until"),
                med=med,
                name=name,
            )
            if opts.json:
                emit_json({"effects": [effects.effect_json(r) for r in records]})
                return
            write_lines(render_tips.effect_list_lines(records, journal.zone, journal.now))

    finish(guarded(run))
