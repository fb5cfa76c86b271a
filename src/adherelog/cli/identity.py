"""``adherelog identity``: the journal's pseudonym (SPEC §11)."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.actions import identity as actions
from adherelog.cli.options import JsonFlag, finish, settings

app = typer.Typer(
    help="Show this journal's pseudonym and age recipient, or make new keys.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    invoke_without_command=True,
)


@app.callback()
def show(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Show this journal's pseudonym: the public key that signs its tip bundles and cards,
    its short fingerprint to read to a buddy, the age recipient others encrypt to, and the
    last serial used. The keys are made the first time they are needed; the secret keys
    never leave the journal except in a full export and in backups.

    Example: adherelog identity
    """
    if ctx.invoked_subcommand is None:
        finish(actions.show(settings(ctx, json_flag)))


@app.command("new")
def new(
    ctx: typer.Context,
    *,
    yes: Annotated[bool, typer.Option("--yes", help="Replace the keys for good.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Replace this journal's keys. Bundles signed before keep the old pseudonym: peers will
    count you as a new person, and buddies need a new card from you.

    Example: adherelog identity new --yes
    """
    finish(actions.renew(settings(ctx, json_flag), yes=yes))
