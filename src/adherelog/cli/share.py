"""``adherelog share ...``: summaries to send a peer support partner."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import share as actions
from adherelog.cli.options import (
    Force,
    JsonFlag,
    Output,
    encrypt_option,
    finish,
    format_option,
    settings,
    sub_app,
    to_option,
)

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
        str | None,
        format_option("md|json", "md (default) or json (also --json, --to and --encrypt)."),
    ] = None,
    to: Annotated[
        str | None,
        to_option("Encrypt the card to this buddy's key (age, armored); counts as contact."),
    ] = None,
    encrypt: Annotated[
        bool, encrypt_option("Encrypt with a passphrase ($ADHERELOG_PASSPHRASE, else asked).")
    ] = False,
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Print a check-in card for a buddy: the period's dates, adherence and streak (per
    medication), the most frequent side effects, the tips that helped you and your goals
    with their progress.

    It holds no notes, clock times or dose amounts; --no-names hides the medication names
    everywhere, in tips and goals too. The JSON card is signed with this journal's key and
    carries its age recipient so the buddy can answer encrypted. --to NAME encrypts it to
    that buddy; --encrypt with a passphrase. The output is the card itself; --json picks
    the JSON format when --format is not given.

    Example: adherelog share card --to ana -o for-ana.age
    """
    finish(
        actions.card(
            settings(ctx, json_flag),
            days=days,
            no_names=no_names,
            format_=format_,
            to=to,
            encrypt=encrypt,
            output=output,
            force=force,
        )
    )
