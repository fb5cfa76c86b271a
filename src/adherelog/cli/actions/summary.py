"""``summary`` and ``streak``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adherelog.cli.common import Settings, Shown, journal_command, moment

if TYPE_CHECKING:
    from adherelog.journal import Journal
    from adherelog.output import Line


def summary(
    settings: Settings,
    *,
    since: str | None = None,
    days: int | None = None,
    med: str | None = None,
    explain: bool = False,
) -> int:
    """``summary``: see :func:`adherelog.summary.summarize`."""

    def work(journal: Journal) -> Shown:
        from adherelog import goals as goal_list
        from adherelog import jsonshape, render_summary
        from adherelog import summary as domain

        first, last = domain.period(journal, since=moment(journal, since, "--since"), days=days)
        result = domain.summarize(journal, first=first, last=last, med=med)
        goals = goal_list.open_goals(journal, result.meds, of_rows_only=med is not None)

        def lines() -> list[Line]:
            shown = render_summary.summary_lines(result, explain=explain)
            if goals:
                from adherelog import render_buddies

                shown = [*shown, [("Goals", "bold")], *render_buddies.goal_lines(goals)]
            return shown

        return Shown(
            json=lambda: jsonshape.summary(result, explain=explain, goals=goals),
            lines=lines,
            warnings=lambda: result.warnings,
        )

    return journal_command(settings, work, write=False)


def streak(settings: Settings, *, med: str | None = None) -> int:
    """``streak``: see :func:`adherelog.summary.streak`."""

    def work(journal: Journal) -> Shown:
        from adherelog import jsonshape, render_summary
        from adherelog import summary as domain

        chosen, found = domain.streak(journal, med=med)
        today = journal.now.astimezone(journal.zone).date()
        return Shown(
            json=lambda: jsonshape.streak(chosen, found),
            lines=lambda: render_summary.streak_lines(chosen, found, today),
        )

    return journal_command(settings, work, write=False)
