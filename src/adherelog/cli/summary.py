"""``summary`` and ``streak``: how the doses went, per medication and overall."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import summary as actions
from adherelog.cli.options import JsonFlag, MedFilter, finish, settings, since_option


def summary(
    ctx: typer.Context,
    *,
    since: Annotated[
        str | None, since_option("First day of the period, e.g. 2026-01-01 or mon.")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", metavar="N", help="The last N days, today included (default 30)."),
    ] = None,
    med: MedFilter = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the arithmetic behind every number.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Show adherence per medication and overall: doses taken, on time, late, skipped and
    missed, streaks, a calendar of recent weeks, supply and side effects.

    Adherence is taken / (taken + skipped + missed); doses still to come today are not
    counted yet. Streaks count days with every dose taken, over the whole history.

    Example: adherelog summary --since 2026-01-01 --med metformin
    """
    finish(
        actions.summary(settings(ctx, json_flag), since=since, days=days, med=med, explain=explain)
    )


def streak(ctx: typer.Context, *, med: MedFilter = None, json_flag: JsonFlag = False) -> None:
    """Show the current and the longest run of days with every dose taken.

    Days without doses neither break nor lengthen a run; today counts once its doses are
    all taken.

    Example: adherelog streak --med sertraline
    """
    finish(actions.streak(settings(ctx, json_flag), med=med))


def register(app: typer.Typer) -> None:
    for command in (summary, streak):
        app.command()(command)
