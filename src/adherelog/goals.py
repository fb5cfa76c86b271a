"""Goals (SPEC §12): what I want to keep up, shown on my card and in ``summary``.

A goal with a medication and a target shows progress: that medication's adherence over a
period (the card's, the summary's) against the target. No printing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from adherelog import rules
from adherelog.errors import NotFoundError, UsageError
from adherelog.journal import Journal
from adherelog.model import Med
from adherelog.session import Session
from adherelog.storage import buddies as stored
from adherelog.summary_values import MedSummary
from adherelog.text import check_text
from adherelog.valueclass import dataclass

MAX_TEXT = rules.MAX_GOAL
PROGRESS_DAYS = 7


@dataclass(frozen=True)
class Goal:
    id: int
    text: str
    med: str | None
    target: int | None
    done: bool
    created_at: datetime
    adherence: float | None = None  # over the period asked for, when there is a med

    @property
    def met(self) -> bool | None:
        """Whether the adherence reaches the target; None without both."""
        if self.target is None or self.adherence is None:
            return None
        return self.adherence * 100 >= self.target


def _goals(
    session: Session, rows: Iterable[MedSummary] = (), *, of_rows_only: bool = False
) -> list[Goal]:
    rows = list(rows)
    held = stored.all_goals(session.conn)
    if of_rows_only:
        ids = {row.med.id for row in rows}
        held = [g for g in held if g.med_id in ids]
    if not held:
        return []
    names = {m.id: m.name for m in session.meds()}
    rates = {row.med.id: row.counts.adherence for row in rows if not row.as_needed}
    return [
        Goal(
            id=g.id,
            text=g.text,
            med=names.get(g.med_id) if g.med_id else None,
            target=g.target,
            done=g.done_at is not None,
            created_at=g.created_at,
            adherence=rates.get(g.med_id) if g.med_id else None,
        )
        for g in held
    ]


def open_goals(
    session: Session, rows: Iterable[MedSummary] = (), *, of_rows_only: bool = False
) -> list[Goal]:
    """The goals not yet done, with progress from the summary ``rows`` of a period; with
    ``of_rows_only``, only the goals of the medications of ``rows`` (a summary of one
    medication shows its goals, not those of others or of no medication)."""
    return [g for g in _goals(session, rows, of_rows_only=of_rows_only) if not g.done]


def list_goals(journal: Journal, days: int = PROGRESS_DAYS) -> list[Goal]:
    """Every goal, with progress over the last ``days`` days (a card's default period)."""
    rows: list[MedSummary] = []
    if any(g.med_id is not None for g in stored.all_goals(journal.conn)):
        from adherelog import summary  # Imported here: only goals with a medication need it.

        first, last = summary.period(journal, days=days)
        rows = summary.summarize(journal, first=first, last=last).meds
    return _goals(journal, rows)


def _check_target(target: int | None) -> int | None:
    if target is not None and not 1 <= target <= 100:
        raise UsageError(f"--target must be a percentage from 1 to 100, not {target}.")
    return target


def add_goal(session: Session, text: str, *, med: str | None, target: int | None) -> Goal:
    cleaned = check_text(text, "goal", max_len=MAX_TEXT)
    _check_target(target)
    if target is not None and med is None:
        raise UsageError("--target needs --med: a target is that medication's adherence.")
    found: Med | None = session.med(med) if med is not None else None
    with session.store.write() as conn:
        goal_id = stored.insert_goal(
            conn,
            text=cleaned,
            med_id=None if found is None else found.id,
            target=target,
            created_at=session.now,
        )
    return Goal(goal_id, cleaned, None if found is None else found.name, target, False, session.now)


def _goal_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(
            f"'{text[:20]}' is not a goal id; 'adherelog goal list' shows them."
        ) from None
    return value


def _find(session: Session, goal_id: str) -> Goal:
    number = _goal_id(goal_id)
    for goal in _goals(session):
        if goal.id == number:
            return goal
    raise NotFoundError(f"There is no goal {number}; 'adherelog goal list' shows them.")


def mark_done(session: Session, goal_id: str) -> Goal:
    goal = _find(session, goal_id)
    with session.store.write() as conn:
        stored.mark_done(conn, goal.id, session.now)
    return Goal(goal.id, goal.text, goal.med, goal.target, True, goal.created_at)


def remove(session: Session, goal_id: str) -> Goal:
    goal = _find(session, goal_id)
    with session.store.write() as conn:
        stored.delete_goal(conn, goal.id)
    return goal
