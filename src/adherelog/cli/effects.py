"""``adherelog effect ...``: side effects."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import effects as actions
from adherelog.cli.options import (
    JsonFlag,
    MedFilter,
    finish,
    settings,
    since_option,
    sub_app,
    until_option,
)

app = sub_app("Record and list side effects (severity 1 mild … 5 severe).")


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
    finish(
        actions.add(
            settings(ctx, json_flag),
            name=name,
            severity=severity,
            med=med,
            at=at,
            note=note,
        )
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    since: Annotated[str | None, since_option("Start (default: all).")] = None,
    until_: Annotated[str | None, until_option("End; a date includes that day.")] = None,
    med: MedFilter = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Only this side effect (any case).")
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List side effects in time order (all of them unless --since/--until).

    Example: adherelog effect list --since "30d ago" --name nausea
    """
    finish(actions.list_(settings(ctx, json_flag), since=since, until_=until_, med=med, name=name))
