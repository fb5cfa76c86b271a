"""A start-up fast path for the hot commands (``take``, ``skip``, ``due``).

Typer and Rich together take longer to import than the budget for a whole ``take``
(SPEC §10). For argument lists that use only the documented options of these commands, this
module reads them directly and calls the same action as the Typer command; for anything else
(``--help``, an unknown option, a missing value, a number that does not parse) it returns
``None`` and the full Typer application handles the command, usage errors included. Tests
check that both paths give the same output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adherelog.cli.common import Settings

# option name -> takes a value?
TAKE_OPTIONS = {
    "--at": True,
    "--amount": True,
    "--note": True,
    "--slot": True,
    "--extra": False,
    "--json": False,
}
SKIP_OPTIONS = {"--at": True, "--reason": True, "--json": False}
DUE_OPTIONS = {"--json": False}


def _parse(
    args: Sequence[str], spec: dict[str, bool]
) -> tuple[list[str], dict[str, str | bool]] | None:
    """Positionals and options of one command, or None when anything is unusual."""
    positionals: list[str] = []
    options: dict[str, str | bool] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-") and arg != "-":
            name, eq, inline = arg.partition("=")
            if name not in spec or name in options:
                return None
            if spec[name]:
                if eq:
                    options[name] = inline
                elif index + 1 < len(args):
                    index += 1
                    options[name] = args[index]
                else:
                    return None
            elif eq:
                return None
            else:
                options[name] = True
        else:
            positionals.append(arg)
        index += 1
    return positionals, options


def _str(options: dict[str, str | bool], name: str) -> str | None:
    value = options.get(name)
    return value if isinstance(value, str) else None


def try_run(argv: Sequence[str]) -> int | None:
    """Run ``argv`` on the fast path and return the exit code, or None to defer to Typer."""
    settings = Settings()
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        arg = argv[index]
        if arg == "--json":
            settings.json = True
        elif arg == "--db" and index + 1 < len(argv):
            index += 1
            settings.db = argv[index]
        elif arg.startswith("--db="):
            settings.db = arg[len("--db=") :]
        else:
            return None
        index += 1
    if index >= len(argv):
        return None
    command, rest = argv[index], argv[index + 1 :]
    handler = HANDLERS.get(command)
    return None if handler is None else handler(settings, rest)


def _take(settings: Settings, args: Sequence[str]) -> int | None:
    parsed = _parse(args, TAKE_OPTIONS)
    if parsed is None or not parsed[0]:
        return None
    meds, options = parsed
    amount = None
    if (raw := _str(options, "--amount")) is not None:
        try:
            amount = float(raw)
        except ValueError:
            return None
    from adherelog.cli import actions

    settings.json = settings.json or bool(options.get("--json"))
    return actions.take(
        settings,
        meds,
        at=_str(options, "--at"),
        amount=amount,
        note=_str(options, "--note"),
        slot=_str(options, "--slot"),
        extra=bool(options.get("--extra")),
    )


def _skip(settings: Settings, args: Sequence[str]) -> int | None:
    parsed = _parse(args, SKIP_OPTIONS)
    if parsed is None or len(parsed[0]) != 1:
        return None
    (med,), options = parsed
    from adherelog.cli import actions

    settings.json = settings.json or bool(options.get("--json"))
    return actions.skip(settings, med, at=_str(options, "--at"), reason=_str(options, "--reason"))


def _due(settings: Settings, args: Sequence[str]) -> int | None:
    parsed = _parse(args, DUE_OPTIONS)
    if parsed is None or parsed[0]:
        return None
    from adherelog.cli import actions

    settings.json = settings.json or bool(parsed[1].get("--json"))
    return actions.due(settings)


SUMMARY_OPTIONS = {
    "--since": True,
    "--days": True,
    "--med": True,
    "--explain": False,
    "--json": False,
}
STREAK_OPTIONS = {"--med": True, "--json": False}


def _summary(settings: Settings, args: Sequence[str]) -> int | None:
    parsed = _parse(args, SUMMARY_OPTIONS)
    if parsed is None or parsed[0]:
        return None
    options = parsed[1]
    days = None
    if (raw := _str(options, "--days")) is not None:
        if not (raw.isascii() and raw.isdigit()):
            return None  # Typer reports the value it cannot read
        days = int(raw)
    from adherelog.cli import summary_actions

    settings.json = settings.json or bool(options.get("--json"))
    return summary_actions.summary(
        settings,
        since=_str(options, "--since"),
        days=days,
        med=_str(options, "--med"),
        explain=bool(options.get("--explain")),
    )


def _streak(settings: Settings, args: Sequence[str]) -> int | None:
    parsed = _parse(args, STREAK_OPTIONS)
    if parsed is None or parsed[0]:
        return None
    from adherelog.cli import summary_actions

    settings.json = settings.json or bool(parsed[1].get("--json"))
    return summary_actions.streak(settings, med=_str(parsed[1], "--med"))


HANDLERS: dict[str, Callable[[Settings, Sequence[str]], int | None]] = {
    "take": _take,
    "skip": _skip,
    "due": _due,
    "summary": _summary,
    "streak": _streak,
}
