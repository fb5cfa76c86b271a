"""The ``remind_config`` and ``notifications`` tables: the channels and the discreet switch
``remind config`` keeps, and what each reminder pass claimed, sent or failed to send.

A notification row is keyed by what it is about (``kind``, ``subject``), its ``round`` (the
first reminder of a dose, the first repeat, …) and the channel (``via``, a key that holds no
secret). Its ``state`` goes ``claimed`` → ``sent`` or ``failed``; a claim that a dead pass
left behind is ``claimed`` again once (``reclaimed``), then ``lost``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from adherelog.storage.rows import select

VIA = "via"
DISCREET = "discreet"


class Row:
    """One notification on one channel, as stored. (A plain class: a dataclass costs a
    reminder pass a millisecond and more of start-up.)"""

    __slots__ = (
        "kind",
        "lease_until",
        "owner",
        "reclaimed",
        "round",
        "round_at",
        "state",
        "subject",
        "via",
    )

    def __init__(
        self,
        kind: str,
        subject: str,
        round: int,
        via: str,
        state: str,
        round_at: str,  # UTC text, the journal's clock when the round started
        owner: str | None = None,
        lease_until: float | None = None,
        reclaimed: bool = False,
    ) -> None:
        self.kind, self.subject, self.round, self.via = kind, subject, round, via
        self.state, self.round_at, self.owner = state, round_at, owner
        self.lease_until, self.reclaimed = lease_until, reclaimed


def config(conn: sqlite3.Connection) -> tuple[list[str], bool]:
    """The stored channels (empty: the default) and whether reminders are discreet."""
    values = {
        row["key"]: row["value"] for row in select(conn, "SELECT key, value FROM remind_config")
    }
    channels = json.loads(values[VIA]) if VIA in values else []
    return [str(c) for c in channels], values.get(DISCREET) == "1"


def set_channels(conn: sqlite3.Connection, channels: Sequence[str]) -> None:
    """Keep ``channels`` (an empty list: back to the default)."""
    if channels:
        conn.execute(
            "INSERT INTO remind_config (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (VIA, json.dumps(list(channels))),
        )
    else:
        conn.execute("DELETE FROM remind_config WHERE key = ?", (VIA,))


def set_discreet(conn: sqlite3.Connection, discreet: bool) -> None:
    conn.execute(
        "INSERT INTO remind_config (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (DISCREET, "1" if discreet else "0"),
    )


def recent(conn: sqlite3.Connection, since: str) -> list[Row]:
    """Every notification whose round started at ``since`` (UTC text) or later."""
    return [
        Row(
            kind=row["kind"],
            subject=row["subject"],
            round=int(row["round"]),
            via=row["via"],
            state=row["state"],
            round_at=row["round_at"],
            owner=row["owner"],
            lease_until=row["lease_until"],
            reclaimed=bool(row["reclaimed"]),
        )
        for row in select(
            conn,
            "SELECT kind, subject, round, via, state, round_at, owner, lease_until, reclaimed"
            " FROM notifications WHERE round_at >= ?",
            (since,),
        )
    ]


def claim(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
    """Write each row as claimed (a new one, or over a failed or dead claim)."""
    conn.executemany(
        "INSERT INTO notifications (kind, subject, round, via, state, round_at, owner,"
        " lease_until, reclaimed) VALUES (?, ?, ?, ?, 'claimed', ?, ?, ?, ?)"
        " ON CONFLICT (kind, subject, round, via) DO UPDATE SET state = 'claimed',"
        " owner = excluded.owner, lease_until = excluded.lease_until,"
        " reclaimed = excluded.reclaimed, error = NULL",
        [
            (r.kind, r.subject, r.round, r.via, r.round_at, r.owner, r.lease_until, r.reclaimed)
            for r in rows
        ],
    )


def give_up(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
    """Mark dead claims that were already retried once as lost: never sent again."""
    conn.executemany(
        "UPDATE notifications SET state = 'lost', owner = NULL, lease_until = NULL"
        " WHERE kind = ? AND subject = ? AND round = ? AND via = ? AND state = 'claimed'",
        [(r.kind, r.subject, r.round, r.via) for r in rows],
    )


def finish(
    conn: sqlite3.Connection, row: Row, owner: str, *, sent_at: str, error: str | None
) -> bool:
    """Record how this pass's claim ended: sent, or failed with ``error``. False when the
    claim is no longer this pass's (it took too long and another pass took it over)."""
    cursor = conn.execute(
        "UPDATE notifications SET state = ?, owner = NULL, lease_until = NULL,"
        " sent_at = ?, error = ?"
        " WHERE kind = ? AND subject = ? AND round = ? AND via = ?"
        " AND state = 'claimed' AND owner = ?",
        (
            "sent" if error is None else "failed",
            sent_at if error is None else None,
            error,
            row.kind,
            row.subject,
            row.round,
            row.via,
            owner,
        ),
    )
    return cursor.rowcount == 1


def forget_before(conn: sqlite3.Connection, before: str) -> None:
    """Drop rows whose round started before ``before`` (UTC text): they decide nothing."""
    conn.execute("DELETE FROM notifications WHERE round_at < ?", (before,))


CARD_NAMES = "card_names"


def card_names(conn: sqlite3.Connection) -> set[str]:
    """The buddies (ids) whose weekly card from reminders names the medications."""
    row = conn.execute("SELECT value FROM remind_config WHERE key = ?", (CARD_NAMES,)).fetchone()
    return set() if row is None else {str(v) for v in json.loads(row[0])}


def set_card_names(conn: sqlite3.Connection, buddy_id: str, names: bool) -> None:
    """Name the medications on ``buddy_id``'s weekly card, or hide them (the default)."""
    kept = card_names(conn)
    kept = kept | {buddy_id} if names else kept - {buddy_id}
    if kept:
        conn.execute(
            "INSERT INTO remind_config (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (CARD_NAMES, json.dumps(sorted(kept))),
        )
    else:
        conn.execute("DELETE FROM remind_config WHERE key = ?", (CARD_NAMES,))
