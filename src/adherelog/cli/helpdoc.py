"""The command reference in the README, generated from ``--help`` (run with ``cog``)."""

from __future__ import annotations

from typing import Any


def _paths(command: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    for name in sorted(getattr(command, "commands", {})):
        sub = command.commands[name]
        if not getattr(sub, "hidden", False):
            found += _paths(sub, [*path, name])
    return found


def help_texts() -> list[tuple[str, str]]:
    """``(command path, help text)`` for every command, 80 columns wide."""
    import typer
    from typer.testing import CliRunner

    from adherelog.cli.app import app

    runner = CliRunner()
    root = typer.main.get_command(app)
    out: list[tuple[str, str]] = []
    for path in _paths(root, []):
        result = runner.invoke(
            app, [*path, "--help"], prog_name="adherelog", terminal_width=80, env={"COLUMNS": "80"}
        )
        out.append((" ".join(["adherelog", *path]), result.output))
    return out


def reference() -> str:
    """Markdown: one section per command with its ``--help`` output."""
    parts: list[str] = []
    for name, text in help_texts():
        parts.append(f"### `{name}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)
