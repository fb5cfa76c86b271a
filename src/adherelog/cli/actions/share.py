"""``share card``: a check-in card for a support buddy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adherelog.cli.common import Settings, deliver, journal_command

if TYPE_CHECKING:
    from adherelog.journal import Journal


def card(
    settings: Settings,
    *,
    days: int = 7,
    no_names: bool = False,
    format_: str | None = None,
    output: str | None = None,
    force: bool = False,
) -> int:
    """``share card``: see :func:`adherelog.card.build_card`."""

    def work(journal: Journal) -> None:
        from adherelog import card as cards

        fmt = format_ or ("json" if settings.json else "md")
        document = cards.render_card(cards.build_card(journal, days=days, names=not no_names), fmt)
        deliver(
            document,
            output,
            settings,
            force=force,
            what=f"a {days}-day check-in card",
            announce_stdout=True,
        )

    return journal_command(settings, work, write=False)
