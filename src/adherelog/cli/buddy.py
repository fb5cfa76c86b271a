"""``adherelog buddy ...`` and ``adherelog goal ...``: reciprocal peer support (SPEC §12)."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import buddy as actions
from adherelog.cli.options import JsonFlag, finish, settings, sub_app

app = sub_app("Keep a support buddy's cards, your check-ins and how often you talk.")
goal_app = sub_app("Goals to keep up, with progress on your card and in 'summary'.")

Name = Annotated[str, typer.Argument(metavar="NAME", help="The buddy's name.")]
GoalId = Annotated[str, typer.Argument(metavar="ID", help="The goal's number (see goal list).")]


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A buddy's card, plain or encrypted to this journal ('-' reads stdin).",
        ),
    ],
    *,
    as_: Annotated[
        str | None,
        typer.Option("--as", metavar="NAME", help="Name the buddy (needed for a new key)."),
    ] = None,
    replace_key: Annotated[
        bool,
        typer.Option("--replace-key", help="Accept a new key for a known buddy's name."),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Import a buddy's check-in card: decrypted with this journal's key (or a passphrase)
    when it is an age file, and its signature checked.

    The first card from a key needs --as NAME; later cards from the same key update that
    buddy. A card for NAME signed by another key is refused unless --replace-key (check the
    fingerprint with your buddy first). A card that is not newer than the last one changes
    nothing. Cards are kept for the trend; an import counts as contact.

    Example: adherelog buddy import ana-card.json --as ana
    """
    finish(actions.import_(settings(ctx, json_flag), file=file, as_=as_, replace_key=replace_key))


@app.command("list")
def list_(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """List buddies: fingerprint, last card, last contact, how often you mean to talk, and
    adherence and streak from their latest card.

    Example: adherelog buddy list
    """
    finish(actions.list_(settings(ctx, json_flag)))


@app.command("show")
def show(ctx: typer.Context, name: Name, *, json_flag: JsonFlag = False) -> None:
    """Show a buddy's latest card and their adherence per card over time. Their text is
    shown as plain text.

    Example: adherelog buddy show ana
    """
    finish(actions.show(settings(ctx, json_flag), name=name))


@app.command("checkin")
def checkin(
    ctx: typer.Context,
    name: Name,
    *,
    at: Annotated[
        str | None, typer.Option("--at", metavar="WHEN", help="When you talked (default now).")
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", metavar="TEXT", help="A private note; never put on a card."),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Record that you and a buddy talked (the note stays in this journal).

    Example: adherelog buddy checkin ana --note "talked about the evening dose"
    """
    finish(actions.checkin(settings(ctx, json_flag), name=name, at=at, note=note))


@app.command("set")
def set_(
    ctx: typer.Context,
    name: Name,
    *,
    every: Annotated[
        int | None,
        typer.Option("--every", metavar="DAYS", help="Check in every DAYS days (default 7)."),
    ] = None,
    send_via: Annotated[
        str | None,
        typer.Option(
            "--send-via",
            metavar="URL",
            help="Where reminders send this buddy your card (an Apprise URL; shown masked).",
        ),
    ] = None,
    card_names: Annotated[
        bool | None,
        typer.Option(
            "--card-names/--no-card-names",
            help="Name your medications on the card reminders send (default: hidden).",
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Set how often you and a buddy mean to talk, and a channel for reminders.

    With --send-via, 'adherelog remind' sends this buddy your check-in card (Markdown,
    medication names hidden unless --card-names) when no card went to them in the last
    --every days; the card counts as contact.

    Example: adherelog buddy set ana --every 7 --send-via ntfy://ntfy.sh/ana
    """
    finish(
        actions.set_(
            settings(ctx, json_flag),
            name=name,
            every=every,
            send_via=send_via,
            card_names=card_names,
        )
    )


@app.command("rm")
def rm(ctx: typer.Context, name: Name, *, json_flag: JsonFlag = False) -> None:
    """Remove a buddy, the cards kept from them and your check-ins with them.

    Example: adherelog buddy rm ana
    """
    finish(actions.rm(settings(ctx, json_flag), name=name))


@goal_app.command("add")
def goal_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The goal, in your words.")],
    *,
    med: Annotated[
        str | None, typer.Option("--med", metavar="MED", help="The medication it is about.")
    ] = None,
    target: Annotated[
        int | None,
        typer.Option(
            "--target", metavar="PERCENT", help="Adherence to reach, 1-100 (needs --med)."
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Add a goal. With --med and --target it shows progress: that medication's adherence
    over the card's (or summary's) period against the target.

    Example: adherelog goal add "Evening metformin on time" --med metformin --target 90
    """
    finish(actions.goal_add(settings(ctx, json_flag), text=text, med=med, target=target))


@goal_app.command("list")
def goal_list(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """List goals, with progress over the last 7 days.

    Example: adherelog goal list
    """
    finish(actions.goal_list(settings(ctx, json_flag)))


@goal_app.command("done")
def goal_done(ctx: typer.Context, goal_id: GoalId, *, json_flag: JsonFlag = False) -> None:
    """Mark a goal done: it stays in the list and leaves your card.

    Example: adherelog goal done 1
    """
    finish(actions.goal_done(settings(ctx, json_flag), goal_id=goal_id))


@goal_app.command("rm")
def goal_rm(ctx: typer.Context, goal_id: GoalId, *, json_flag: JsonFlag = False) -> None:
    """Remove a goal.

    Example: adherelog goal rm 1
    """
    finish(actions.goal_rm(settings(ctx, json_flag), goal_id=goal_id))
