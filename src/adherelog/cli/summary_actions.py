"""The work of ``summary`` and ``streak``, shared by the Typer commands and the fast path."""

from __future__ import annotations

from adherelog.cli.common import Settings, guarded, moment, open_journal
from adherelog.output import emit_json, message, write_lines


def summary(
    settings: Settings,
    *,
    since: str | None = None,
    days: int | None = None,
    med: str | None = None,
    explain: bool = False,
) -> int:
    """``summary``: see :func:`adherelog.summary.summarize`."""

    def run() -> None:
        from adherelog import render_summary
        from adherelog import summary as domain

        with open_journal(settings, write=False) as journal:
            first, last = domain.period(journal, since=moment(journal, since, "--since"), days=days)
            result = domain.summarize(journal, first=first, last=last, med=med)
            if settings.json:
                emit_json(render_summary.summary_json(result, explain=explain))
                return
            write_lines(render_summary.summary_lines(result, explain=explain))
            for warning in result.warnings:
                message(f"warning: {warning}")

    return guarded(run)


def streak(settings: Settings, *, med: str | None = None) -> int:
    """``streak``: see :func:`adherelog.summary.streak`."""

    def run() -> None:
        from adherelog import render_summary
        from adherelog import summary as domain

        with open_journal(settings, write=False) as journal:
            chosen, found = domain.streak(journal, med=med)
            if settings.json:
                emit_json(render_summary.streak_json(chosen, found))
                return
            today = journal.now.astimezone(journal.zone).date()
            write_lines(render_summary.streak_lines(chosen, found, today))

    return guarded(run)
