"""Help pages generated from Typer's own ``--help`` output (run with ``cog``): the command
reference in the README, and :mod:`adherelog.cli.help_pages`, which the start-up path
prints without importing Typer."""

from __future__ import annotations

from typing import Any


def _paths(command: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = [path]
    for name in sorted(getattr(command, "commands", {})):
        sub = command.commands[name]
        if not getattr(sub, "hidden", False):
            found += _paths(sub, (*path, name))
    return found


# Click lays help out at the terminal's width, at most 80 columns, less a 2-column margin.
TERMINAL_LAYOUT = 78


def help_texts(width: int = 80) -> list[tuple[tuple[str, ...], str]]:
    """``(command path, help text)`` for every command, laid out ``width`` columns wide
    (``TERMINAL_LAYOUT``: exactly as adherelog prints it on a terminal of 80 columns or
    more)."""
    import typer
    from typer.testing import CliRunner

    from adherelog.cli.app import app

    runner = CliRunner()
    root = typer.main.get_command(app)
    out: list[tuple[tuple[str, ...], str]] = []
    for path in _paths(root, ()):
        result = runner.invoke(
            app,
            [*path, "--help"],
            prog_name="adherelog",
            terminal_width=width,
            env={"COLUMNS": "80"},
        )
        out.append((path, result.output))
    return out


def reference() -> str:
    """Markdown: one section per command with its ``--help`` output."""
    parts: list[str] = []
    for path, text in help_texts():
        name = " ".join(["adherelog", *path])
        parts.append(f"### `{name}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def pages_source() -> str:
    """The body of :mod:`adherelog.cli.help_pages`, one page an entry."""
    lines = ["PAGES: dict[tuple[str, ...], str] = {"]
    lines += [f"    {path!r}: {text!r}," for path, text in help_texts(TERMINAL_LAYOUT)]
    return "\n".join([*lines, "}"]) + "\n"
