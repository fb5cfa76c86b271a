"""``buddy import``, ``list``, ``show``, ``checkin``, ``set`` and ``rm``; ``goal add``,
``list``, ``done`` and ``rm`` (SPEC §12)."""

from __future__ import annotations

import sys

from adherelog.cli.common import Settings, Shown, command, moment, open_session, session_command

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.buddies import BuddyView
    from adherelog.goals import Goal
    from adherelog.session import Session


def _buddy(view: BuddyView, session: Session, head: str) -> Shown:
    from adherelog import jsonshape, render_buddies

    return Shown(
        json=lambda: jsonshape.buddy(view, session.zone.key),
        lines=lambda: render_buddies.one_buddy(view, session.zone, head),
    )


def import_(
    settings: Settings, *, file: str, as_: str | None = None, replace_key: bool = False
) -> int:
    """``buddy import``: see :func:`adherelog.buddies.import_card`."""

    def work() -> Shown:
        from adherelog import buddies, jsonshape, render_buddies

        data = buddies.read_source(file, sys.stdin.buffer.read)
        with open_session(settings, write=True) as session:
            outcome = buddies.import_card(
                session, data, source=file, as_name=as_, replace_key=replace_key
            )
            return Shown(
                json=lambda: jsonshape.buddy_import(outcome),
                lines=lambda: render_buddies.import_lines(outcome),
            ).ready(settings)

    return command(settings, work)


def list_(settings: Settings) -> int:
    """``buddy list``."""

    def work(session: Session) -> Shown:
        from adherelog import buddies, jsonshape, render_buddies

        found = buddies.list_buddies(session)
        return Shown(
            json=lambda: jsonshape.buddy_list(found, session.zone.key),
            lines=lambda: render_buddies.buddy_lines(found, session.zone),
        )

    return session_command(settings, work, write=False)


def show(settings: Settings, *, name: str) -> int:
    """``buddy show NAME``."""

    def work(session: Session) -> Shown:
        from adherelog import buddies, jsonshape, render_buddies

        found = buddies.show(session, name)
        return Shown(
            json=lambda: jsonshape.buddy_show(found, session.zone.key),
            lines=lambda: render_buddies.show_lines(found, session.zone),
        )

    return session_command(settings, work, write=False)


def checkin(
    settings: Settings, *, name: str, at: str | None = None, note: str | None = None
) -> int:
    """``buddy checkin NAME``."""

    def work(session: Session) -> Shown:
        from adherelog import buddies

        when = moment(session, at, "--at")
        view = buddies.checkin(session, name, at=when, note=note)
        return _buddy(view, session, "Checked in with ")

    return session_command(settings, work, write=True)


def set_(
    settings: Settings,
    *,
    name: str,
    every: int | None = None,
    send_via: str | None = None,
    card_names: bool | None = None,
) -> int:
    """``buddy set NAME``."""

    def work(session: Session) -> Shown:
        from adherelog import buddies

        view = buddies.configure(
            session, name, every=every, send_via=send_via, card_names=card_names
        )
        return _buddy(view, session, "Updated ")

    return session_command(settings, work, write=True)


def rm(settings: Settings, *, name: str) -> int:
    """``buddy rm NAME``."""

    def work(session: Session) -> Shown:
        from adherelog import buddies

        view = buddies.remove(session, name)
        return _buddy(view, session, "Removed buddy ")

    return session_command(settings, work, write=True)


# ------------------------------------------------------------------------------ goals


def _goal(goal: Goal, head: str) -> Shown:
    from adherelog import jsonshape, render_buddies

    return Shown(
        json=lambda: jsonshape.goal(goal), lines=lambda: render_buddies.goal_line(goal, head)
    )


def goal_add(
    settings: Settings, *, text: str, med: str | None = None, target: int | None = None
) -> int:
    """``goal add TEXT``."""

    def work(session: Session) -> Shown:
        from adherelog import goals

        return _goal(goals.add_goal(session, text, med=med, target=target), "Added goal ")

    return session_command(settings, work, write=True)


def goal_list(settings: Settings) -> int:
    """``goal list``."""

    def work(session: Session) -> Shown:
        from adherelog import goals, jsonshape, render_buddies
        from adherelog.cli.common import as_journal

        found = goals.list_goals(as_journal(session))
        return Shown(
            json=lambda: jsonshape.goal_list(found),
            lines=lambda: render_buddies.goal_lines(found),
        )

    return session_command(settings, work, write=False)


def goal_done(settings: Settings, *, goal_id: str) -> int:
    """``goal done ID``."""

    def work(session: Session) -> Shown:
        from adherelog import goals

        return _goal(goals.mark_done(session, goal_id), "Done: goal ")

    return session_command(settings, work, write=True)


def goal_rm(settings: Settings, *, goal_id: str) -> int:
    """``goal rm ID``."""

    def work(session: Session) -> Shown:
        from adherelog import goals

        return _goal(goals.remove(session, goal_id), "Removed goal ")

    return session_command(settings, work, write=True)
