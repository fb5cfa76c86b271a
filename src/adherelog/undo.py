"""``undo``: take back the most recent change, through the handler of its kind.

Each feature that logs changes registers the handler that takes them back with
:func:`register` (doses and skips in :mod:`adherelog.doses`, refills in
:mod:`adherelog.meds`, side effects in :mod:`adherelog.effects`, tips in
:mod:`adherelog.tips`); the command must have imported the features whose changes it may
meet. The supply a change moved is restored here, for every kind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from adherelog.errors import ConflictError, NotFoundError
from adherelog.model import Record, Refill
from adherelog.session import Session
from adherelog.storage import meds as stored_meds
from adherelog.storage import undo as undo_log
from adherelog.valueclass import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.tips import Tip


@dataclass(frozen=True)
class Undone:
    """What ``undo`` removed: its kind, a one-line description, its id and the thing itself
    (None when it was already gone)."""

    kind: str
    summary: str
    id: str
    removed: Record | Refill | Tip | None


UndoHandler = Callable[[Session, sqlite3.Connection, str], Undone]
"""Removes what a change of its kind wrote (given the row id), inside the undo's write."""

HANDLERS: dict[str, UndoHandler] = {}


def register(kind: str, handler: UndoHandler) -> None:
    """Have ``undo`` take back changes of ``kind`` with ``handler``."""
    HANDLERS[kind] = handler


def log_change(
    session: Session,
    conn: sqlite3.Connection,
    kind: str,
    ref_id: str,
    med_id: str | None,
    supply_delta: float | None,
) -> None:
    """Log a change that ``undo`` may take back, inside the write that made it."""
    undo_log.log_change(conn, kind, ref_id, med_id, supply_delta, session.now)


def undo_last(session: Session) -> Undone:
    """``undo``: remove the most recent record written and restore what it changed."""
    with session.store.write() as conn:
        change = undo_log.last_change(conn)
        if change is None:
            raise NotFoundError("Nothing to undo: the journal has no records.")
        handler = HANDLERS.get(change.kind)
        if handler is None:
            raise ConflictError(f"The last change ({change.kind}) cannot be undone.")
        undone = handler(session, conn, change.ref_id)
        if change.supply_delta is not None and change.med_id is not None:
            stored_meds.take_back_supply(conn, change.med_id, change.supply_delta)
        undo_log.forget(conn, change.seq)
    return undone
