"""``adherelog share ...``: summaries to send a peer support partner."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import guarded, open_journal

app = typer.Typer(
    help="Make a check-in card to send a support buddy.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    no_args_is_help=True,
)


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
        typer.Option("--format", metavar="md|json", help="md (default) or json (also --json)."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Print a short check-in card for a peer: adherence and streak for the last days (per
    medication), the most frequent side effects and the tips that helped you.

    It holds no notes, clock times, dates or dose amounts; --no-names also hides the
    medication names, in tip texts too. The output is the card itself; --json picks the
    JSON format when --format is not given.

    Example: adherelog share card --days 7 --no-names
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import card as cards
        from adherelog.cli.common import deliver

        fmt = format_ or ("json" if opts.json else "md")
        with open_journal(opts, write=False) as journal:
            built = cards.build_card(journal, days=days, names=not no_names)
            document = cards.render_card(built, fmt)
        deliver(
            document, output, force=force, what=f"a {days}-day check-in card", announce_stdout=True
        )

    finish(guarded(run))
