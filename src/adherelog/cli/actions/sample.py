"""``sample``: a realistic sample journal to try adherelog on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adherelog.cli.common import Settings, Shown, journal_command

if TYPE_CHECKING:
    from adherelog.journal import Journal


def sample(settings: Settings, *, days: int = 28) -> int:
    """``sample``: see :func:`adherelog.sample.fill_sample`."""

    def work(journal: Journal) -> Shown:
        from adherelog import jsonshape
        from adherelog.sample import fill_sample

        made = fill_sample(journal, days=days)
        path = journal.store.path
        return Shown(
            json=lambda: jsonshape.sample(made, path),
            lines=lambda: [
                [
                    (f"Sample journal written to {path}: ", "bold"),
                    (
                        f"{made.meds} medications, {made.days} days, {made.doses} doses, "
                        f"{made.skips} skips, {made.missed} missed.",
                        None,
                    ),
                ]
            ],
        )

    return journal_command(settings, work, write=True)
