"""``effect add`` and ``effect list``."""

from __future__ import annotations

from adherelog.cli.common import Settings, Shown, journal_command, moment, session_command, until

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.journal import Journal
    from adherelog.session import Session


def add(
    settings: Settings,
    *,
    name: str,
    severity: str | None = None,
    med: str | None = None,
    at: str | None = None,
    note: str | None = None,
) -> int:
    """``effect add``: see :func:`adherelog.effects.add_effect`."""

    def work(journal: Journal) -> Shown:
        from adherelog import effects, jsonshape, render_tips

        record = effects.add_effect(
            journal,
            name,
            severity=effects.parse_severity(severity),
            med=med,
            at=moment(journal, at, "--at"),
            note=note,
        )
        return Shown(
            json=lambda: jsonshape.side_effect_added(record),
            lines=lambda: render_tips.effect_added_lines(record, journal.zone, journal.now),
        )

    return journal_command(settings, work, write=True)


def list_(
    settings: Settings,
    *,
    since: str | None = None,
    until_: str | None = None,
    med: str | None = None,
    name: str | None = None,
) -> int:
    """``effect list``: see :func:`adherelog.effects.list_effects`."""

    def work(session: Session) -> Shown:
        from adherelog import effects, jsonshape, render_tips

        records = effects.list_effects(
            session,
            since=moment(session, since, "--since"),
            until=until(session, until_, "--until"),
            med=med,
            name=name,
        )
        return Shown(
            json=lambda: jsonshape.side_effects(records),
            lines=lambda: render_tips.effect_list_lines(records, session.zone, session.now),
        )

    return session_command(settings, work, write=False)
