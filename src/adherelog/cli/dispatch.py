"""The start-up path: run a plain command line without importing Typer, Click or Rich.

Typer and Rich together take longer to import than the budget of a whole ``take`` (SPEC
§10). This reads the command line with the table derived from the Typer application
(:mod:`adherelog.cli.dispatch_table`) and calls the same action, with the same keyword
arguments, as the Typer command would. Anything it does not fully understand (help, an
unknown option or command, a missing or unreadable value, a value out of range, ``--``,
short options with attached values, shell completion, an option the table leaves to Typer)
makes :func:`try_run` return ``None``, and the Typer application runs the command line, its
errors and messages included.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from adherelog.cli.common import PROG, Settings
from adherelog.cli.dispatch_table import COMMANDS, GROUPS, ROOT_OPTIONS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from adherelog.cli.dispatch_table import Option

TYPER = "typer"
JSON_PARAM = "json_flag"
COMPLETE_VAR = f"_{PROG.upper()}_COMPLETE"


class Defer(Exception):
    """The command line is left to Typer."""


def _convert(kind: str, low: Any, high: Any, raw: str) -> Any:
    """``raw`` read as Click would read it for ``kind``, or :class:`Defer`."""
    if kind == "str":
        return raw
    try:
        if kind == "int":
            value: int | float = int(raw)
        elif kind == "float":
            value = float(raw)
        else:
            raise Defer
    except ValueError:
        raise Defer from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Defer
    return value


def _options(
    args: Sequence[str], options: Sequence[Option], *, stop_at_positional: bool
) -> tuple[dict[str, Any], list[str], int]:
    """The options' values (defaults filled in), the positionals, and where reading stopped."""
    by_flag = {flag: option for option in options for flag in option[0]}
    values: dict[str, Any] = {}
    positionals: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("-") or arg == "-":
            if stop_at_positional:
                break
            positionals.append(arg)
            index += 1
            continue
        flag, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = by_flag.get(flag)
        if option is None:
            raise Defer
        _, name, kind, low, high, multiple, _ = option
        if kind == TYPER:
            raise Defer
        if kind == "flag":
            if eq:
                raise Defer
            value: Any = True
        else:
            if not eq:
                index += 1
                if index >= len(args):
                    raise Defer
                inline = args[index]
            value = _convert(kind, low, high, inline)
        if multiple:
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
        index += 1
    for _, name, *_, default in options:
        values.setdefault(name, default)
    return values, positionals, index


def _command(settings: Settings, path: tuple[str, ...], args: Sequence[str]) -> int:
    action, arguments, options = COMMANDS[path]
    if action == TYPER:
        raise Defer
    values, positionals, _ = _options(args, options, stop_at_positional=False)
    for name, kind, low, high, nargs, required, default in arguments:
        if nargs == -1:
            taken, positionals = positionals, []
            values[name] = [_convert(kind, low, high, raw) for raw in taken] or default
            if required and not taken:
                raise Defer
        elif positionals:
            values[name] = _convert(kind, low, high, positionals.pop(0))
        elif required:
            raise Defer
        else:
            values[name] = default
    if positionals:
        raise Defer
    json_flag = bool(values.pop(JSON_PARAM))
    settings.json = settings.json or json_flag
    module, function = action.split(":")
    run = getattr(importlib.import_module(module), function)
    code: int = run(settings, **values)
    return code


HELP_FLAGS = ("--help", "-h")
# Click lays help out at the terminal's width up to 80 columns (less 2); at 80 or more the
# page is the one generated for 80.
HELP_COLUMNS = 80


def _help_page(argv: Sequence[str]) -> str | None:
    """The page for ``COMMAND... --help`` as Typer would print it, or None to defer."""
    if not argv or argv[-1] not in HELP_FLAGS:
        return None
    # Only on the help path: the pages and shutil are not needed to run a command.
    import shutil

    from adherelog.cli.help_pages import PAGES

    path = list(argv[:-1])
    while path[:1] == ["--json"] or (path[:1] == ["--db"] and len(path) > 1):
        del path[: 1 if path[0] == "--json" else 2]  # global options change no page
    page = PAGES.get(tuple(path))
    if page is None or shutil.get_terminal_size().columns < HELP_COLUMNS:
        return None
    formatting = sys.modules.get("typer._click.formatting")
    if getattr(formatting, "FORCED_WIDTH", None) is not None:
        return None  # a caller (Typer's test runner) has fixed Click's layout otherwise
    return page


def try_run(argv: Sequence[str]) -> int | None:
    """Run ``argv`` on the start-up path and return the exit code, or None to defer."""
    if COMPLETE_VAR in os.environ:
        return None
    page = _help_page(argv)
    if page is not None:
        sys.stdout.write(page)
        return 0
    try:
        found, _, index = _options(argv, ROOT_OPTIONS, stop_at_positional=True)
        settings = Settings(db=found["db"], json=bool(found[JSON_PARAM]))
        path: tuple[str, ...] = ()
        while index < len(argv) and (path == () or path in GROUPS):
            step = (*path, argv[index])
            if path in COMMANDS and step not in COMMANDS and step not in GROUPS:
                break  # a group that is also a command (``remind``), run with its options
            path = (*path, argv[index])
            index += 1
        if path not in COMMANDS:
            return None
        return _command(settings, path, argv[index:])
    except Defer:
        return None
