"""``adherelog remind [...]``: a reminder pass, and ``remind config``, ``install``,
``uninstall``."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import remind as actions
from adherelog.cli.options import JsonFlag, finish, settings

app = typer.Typer(
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    no_args_is_help=False,
)

ViaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--via",
        metavar="URL",
        help="'desktop' (notify-send) or an Apprise URL such as ntfy://ntfy.sh/TOPIC; "
        "repeat for several.",
    ),
]


@app.callback(invoke_without_command=True)
def remind(
    ctx: typer.Context,
    *,
    via: Annotated[
        list[str] | None,
        typer.Option(
            "--via",
            metavar="URL",
            help="Send to these channels instead of the ones kept: 'desktop' "
            "(notify-send) or an Apprise URL; repeat for several.",
        ),
    ] = None,
    discreet: Annotated[
        bool,
        typer.Option("--discreet", help="Say only 'A dose is due': no name, dose or count."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and record nothing.")
    ] = False,
    repeat: Annotated[
        int,
        typer.Option(
            "--repeat", metavar="MINUTES", min=1, help="Minutes between repeats of a reminder."
        ),
    ] = 30,
    max_: Annotated[
        int, typer.Option("--max", metavar="N", min=1, help="Reminders of one dose at most.")
    ] = 3,
    json_flag: JsonFlag = False,
) -> None:
    """Send the reminders that are due now: one pass, meant to run every few minutes
    from a timer ('remind install').

    For each of today's doses that is due or overdue it sends one notification, repeated
    while the dose stays open, and nothing once it is taken or skipped; once a day it warns
    when a supply has 7 days or less left and nudges you about each buddy you are due to
    check in with. A buddy with a channel ('buddy set NAME --send-via URL') gets your
    check-in card there when no card went to them in their --every days. What was sent
    is kept in the journal, so two passes at once never send the same notification
    twice. A channel that fails is
    reported (exit 1) and tried again on the next pass; the others still send.

    Example: adherelog remind --dry-run
    """
    if ctx.invoked_subcommand is None:
        finish(
            actions.run(
                settings(ctx, json_flag),
                via=via,
                discreet=discreet,
                dry_run=dry_run,
                repeat=repeat,
                max_=max_,
            )
        )


@app.command("config")
def config(
    ctx: typer.Context,
    *,
    via: ViaOption = None,
    discreet: Annotated[
        bool,
        typer.Option("--discreet", help="From now on, say only 'A dose is due'."),
    ] = False,
    no_discreet: Annotated[
        bool,
        typer.Option("--no-discreet", help="Name the medication and dose again."),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Show or change where reminders go and whether they are discreet.

    The channels given replace the ones kept ('--via desktop' alone goes back to the
    default); secrets in their URLs are masked whenever they are printed.

    Example: adherelog remind config --via "ntfy://ntfy.sh/my-secret-topic" --discreet
    """
    finish(
        actions.config(
            settings(ctx, json_flag), via=via, discreet=discreet, no_discreet=no_discreet
        )
    )


@app.command("install")
def install(
    ctx: typer.Context,
    *,
    every: Annotated[
        int,
        typer.Option(
            "--every", metavar="MINUTES", min=1, max=60, help="Minutes between passes (1-60)."
        ),
    ] = 5,
    cron: Annotated[
        bool, typer.Option("--cron", help="Print a crontab line instead of writing units.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Run a reminder pass every few minutes: write a systemd user service and timer
    (adherelog-remind.service, adherelog-remind.timer) under
    $XDG_CONFIG_HOME/systemd/user, naming this adherelog and this journal. Running it
    again replaces them.

    Example: adherelog remind install --every 5
    """
    finish(actions.install(settings(ctx, json_flag), every=every, cron=cron))


@app.command("uninstall")
def uninstall(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Remove the reminder service and timer that 'remind install' wrote.

    Example: adherelog remind uninstall
    """
    finish(actions.uninstall(settings(ctx, json_flag)))
