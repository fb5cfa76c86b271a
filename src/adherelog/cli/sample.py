"""``adherelog sample``: a realistic sample journal to try adherelog on."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import sample as actions
from adherelog.cli.options import JsonFlag, finish, settings


def sample(
    ctx: typer.Context,
    *,
    days: Annotated[
        int, typer.Option("--days", min=7, max=366, help="How many days of history to create.")
    ] = 28,
    json_flag: JsonFlag = False,
) -> None:
    """Create a sample journal to try adherelog on.

    Fills an EMPTY journal with three medications and a few weeks of doses, late doses,
    skips, missed doses and a schedule change. Refuses a journal that already has
    medications, so point --db or ADHERELOG_DB at a new file.

    Example: adherelog --db /tmp/sample.db sample
    """
    finish(actions.sample(settings(ctx, json_flag), days=days))


def register(app: typer.Typer) -> None:
    app.command()(sample)
