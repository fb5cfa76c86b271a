"""The Typer application: global options, the error exit point, and the noun sub-apps.

Imported only when the start-up dispatcher (:mod:`adherelog.cli.dispatch`) hands a command
line over, so Typer's import cost is paid only by the command lines that need it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from adherelog import __version__
from adherelog.cli import (
    buddy,
    data,
    doses,
    effects,
    identity,
    meds,
    remind,
    sample,
    share,
    summary,
    tips,
)
from adherelog.cli.common import PROG, Settings, error
from adherelog.cli.options import JsonFlag


class Group(TyperGroup):
    """A command group whose errors leave as one plain line and an exit code (SPEC §1)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        code = 0
        try:
            result = super().main(
                args=args,
                prog_name=prog_name or PROG,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            if isinstance(result, int):
                code = result
        except click_exceptions.NoArgsIsHelpError as exc:
            # A group without its command (``adherelog med``): its help as --help prints
            # it, on stderr with exit 2, as Click's no_args_is_help does (README).
            sys.stderr.write(exc.format_message().rstrip("\n") + "\n")
            code = 2
        except click_exceptions.NoSuchOption as exc:
            where = exc.ctx.command_path if exc.ctx is not None else PROG
            if _is_negative_number(exc.option_name):  # 'med refill metformin -5'
                error(
                    f"A count must be more than zero, not {exc.option_name} (see '{where} --help')."
                )
            else:
                error(f"{exc.format_message().rstrip('.')} (see '{where} --help').")
            code = 2
        except click_exceptions.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else PROG
            error(f"{exc.format_message().rstrip('.')} (see '{where} --help').")
            code = 2
        except click_exceptions.ClickException as exc:
            error(exc.format_message())
            code = 1
        except typer.Abort:
            error("Aborted; nothing was written.")
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


def _is_negative_number(text: str) -> bool:
    """True for '-5' or '-2.5': a number Click took for an option."""
    try:
        return float(text) < 0
    except ValueError:
        return False


app = typer.Typer(
    cls=Group,
    name=PROG,
    help=(
        "A personal medication adherence journal: log doses, skips and side effects, see "
        "what is due and how you are doing, and swap coping tips with peers."
    ),
    epilog="Example: adherelog med add Sertraline --dose '50 mg' --time 08:00",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Journal file to use (default: $ADHERELOG_DB, else the user data folder).",
        ),
    ] = None,
    json_flag: JsonFlag = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A personal medication adherence journal.

    Example: adherelog take sertraline
    """
    ctx.obj = Settings(db=db, json=json_flag)


doses.register(app)
data.register(app)
sample.register(app)
summary.register(app)
app.add_typer(meds.app, name="med")
app.add_typer(effects.app, name="effect")
app.add_typer(tips.app, name="tip")
app.add_typer(share.app, name="share")
app.add_typer(identity.app, name="identity")
app.add_typer(remind.app, name="remind")
app.add_typer(buddy.app, name="buddy")
app.add_typer(buddy.goal_app, name="goal")


@functools.cache
def click_command() -> Any:
    """The Click command of the whole application, built once (building it costs ~0.1 s)."""
    return typer.main.get_command(app)


def run_app(args: list[str]) -> int:
    """Run the full application on ``args`` and return the exit code."""
    result = click_command().main(args=args, prog_name=PROG, standalone_mode=False)
    return result if isinstance(result, int) else 0
