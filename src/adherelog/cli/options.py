"""What the Typer commands share: the ``--json`` flag, option declarations used by several
commands, and the two steps around every command's one call into its action."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from adherelog.cli.common import Settings


def finish(code: int) -> None:
    """End a command with ``code`` (Typer commands return through an exception)."""
    if code:
        raise typer.Exit(code)


def settings(ctx: typer.Context, json_flag: bool) -> Settings:
    """The global settings, with a command's own ``--json`` folded in."""
    found = ctx.find_root().obj
    base = found if isinstance(found, Settings) else Settings()
    return Settings(db=base.db, json=base.json or json_flag)


def sub_app(help_text: str) -> typer.Typer:
    """The sub-app of one noun (``med``, ``effect``, ``tip``, ``share``); ``--json`` may
    also come before its command (``adherelog med --json list``)."""
    app = typer.Typer(
        help=help_text,
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode=None,
        no_args_is_help=True,
    )
    app.callback()(_group_json)
    return app


def _group_json(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """``--json`` given between a noun and its command: fold it into the global settings."""
    if json_flag:
        root = ctx.find_root()
        base = root.obj if isinstance(root.obj, Settings) else Settings()
        root.obj = Settings(db=base.db, json=True)


def since_option(help_text: str) -> Any:
    """``--since WHEN``, with the command's own default in its help."""
    return typer.Option("--since", metavar="WHEN", help=help_text)


def until_option(help_text: str) -> Any:
    """``--until WHEN``, with the command's own default in its help."""
    return typer.Option("--until", metavar="WHEN", help=help_text)


def output_option(help_text: str) -> Any:
    """``-o/--output FILE``."""
    return typer.Option("-o", "--output", metavar="FILE", help=help_text)


def format_option(metavar: str, help_text: str) -> Any:
    """``--format``, with the command's own formats."""
    return typer.Option("--format", metavar=metavar, help=help_text)


JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of text.")
]
MedFilter = Annotated[
    str | None, typer.Option("--med", metavar="MED", help="Only this medication.")
]
Until = Annotated[str | None, until_option("End (default: now); a date includes that day.")]
Output = Annotated[str | None, output_option("Write to FILE instead of stdout.")]
Force = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


def encrypt_option(help_text: str) -> Any:
    """``--encrypt``: an age file made with a passphrase."""
    return typer.Option("--encrypt", help=help_text)


def to_option(help_text: str) -> Any:
    """``--to NAME``: an age file only that buddy can read."""
    return typer.Option("--to", metavar="NAME", help=help_text)


Encrypt = Annotated[
    bool,
    encrypt_option(
        "Write an age file encrypted with a passphrase ($ADHERELOG_PASSPHRASE, else asked);"
        " the plain copy never touches the disk."
    ),
]
EncryptTo = Annotated[str | None, to_option("Write an age file encrypted to this buddy's key.")]
