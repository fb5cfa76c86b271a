"""``adherelog sample``: a realistic sample journal to try adherelog on."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import guarded, open_journal
from adherelog.output import emit_json, write_lines


def sample(
    ctx: typer.Context,
    *,
    days: Annotated[
        int, typer.Option("--days", min=7, max=366, help="How many days of history to create.")
    ] = 28,
    json_flag: JsonFlag = False,
) -> None:
    """Create a sample journal to try adherelog on.

    Fills an EMPTY journal with three medications and a few weeks of doses, late doses,
    skips, missed doses and a schedule change. Refuses a journal that already has
    medications, so point --db or ADHERELOG_DB at a new file.

    Example: adherelog --db /tmp/sample.db sample
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog.sample import fill_sample

        with open_journal(opts, write=True) as journal:
            made = fill_sample(journal, days=days)
            path = journal.store.path
            if opts.json:
                emit_json({**made.__dict__, "journal": str(path)})
                return
            write_lines(
                [
                    [
                        (f"Sample journal written to {path}: ", "bold"),
                        (
                            f"{made.meds} medications, {made.days} days, {made.doses} doses, "
                            f"{made.skips} skips, {made.missed} missed.",
                            None,
                        ),
                    ]
                ]
            )

    finish(guarded(run))


def register(app: typer.Typer) -> None:
    app.command()(sample)
