"""``adherelog share ...``: summaries to send a peer support partner."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import share as actions
from adherelog.cli.options import Force, JsonFlag, Output, finish, format_option, settings, sub_app

app = sub_app("Make a check-in card to send a support buddy.")


@app.command("card")
def card(
    ctx: typer.Context,
    *,
    days: Annotated[
        int, typer.Option("--days", metavar="N", help="The last N days, today included.")
    ] = 7,
    no_names: Annotated[
        bool,
        typer.Option(
            "--no-names", help="Call medications 'medication A', 'medication B', … everywhere."
        ),
    ] = False,
    format_: Annotated[
        str | None, format_option("md|json", "md (default) or json (also --json).")
    ] = None,
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Print a short check-in card for a peer: adherence and streak for the last days (per
    medication), the most frequent side effects and the tips that helped you.

    It holds no notes, clock times, dates or dose amounts; --no-names also hides the
    medication names, in tip texts too. The output is the card itself; --json picks the
    JSON format when --format is not given.

    Example: adherelog share card --days 7 --no-names
    """
    finish(
        actions.card(
            settings(ctx, json_flag),
            days=days,
            no_names=no_names,
            format_=format_,
            output=output,
            force=force,
        )
    )
