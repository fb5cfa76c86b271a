"""The ``tips`` table and the peer counts: ``tip_peers`` (each contributor a bundle came
from, with the highest serial imported), ``tip_ratings`` (each contributor's latest rating
of each tip), ``tip_digests`` and ``tip_group_counts`` (the latest digest of each maker and
its figures). ``tip_bundles`` and ``tip_bundle_worked`` are kept, empty, for old exports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from adherelog.clock import to_utc_text
from adherelog.storage.rows import select

# Peer counts per identity, and the group figures shown for a tip: those of the digest with
# the most members who tried it (the latest imported among equals).
_SELECT = (
    "SELECT t.id, t.text, t.medication, t.side_effect, t.tags, t.source, t.from_label,"
    " t.imported_at, t.worked, t.created_at, t.identity,"
    " coalesce(c.worked, 0) AS peers_worked, coalesce(c.tried, 0) AS peers_tried,"
    " coalesce(c.shared, 0) AS peers_shared,"
    " g.group_label, g.worked AS group_worked, g.tried AS group_tried"
    " FROM tips t"
    " LEFT JOIN (SELECT identity, sum(worked = 1) AS worked, count(worked) AS tried,"
    "  count(*) AS shared FROM tip_ratings GROUP BY identity) c ON c.identity = t.identity"
    " LEFT JOIN (SELECT x.identity, y.group_label, x.worked, x.tried, row_number() OVER ("
    "  PARTITION BY x.identity ORDER BY x.tried DESC, y.imported_at DESC, x.maker) AS rank"
    "  FROM tip_group_counts x JOIN tip_digests y ON y.maker = x.maker) g"
    "  ON g.identity = t.identity AND g.rank = 1"
)


def all_tips(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every tip (the columns of the table, the peer counts and the group figures), oldest
    first."""
    return select(conn, f"{_SELECT} ORDER BY t.created_at, t.rowid").fetchall()


def tip_by_id(conn: sqlite3.Connection, tip_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = select(conn, f"{_SELECT} WHERE t.id = ?", (tip_id,)).fetchone()
    return row


def tip_ids(conn: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in conn.execute("SELECT id FROM tips")]


def ids_starting(conn: sqlite3.Connection, prefix: str) -> list[str]:
    """The ids whose hex digits (dashes left out, lower case) start with ``prefix``."""
    rows = select(
        conn,
        "SELECT id FROM tips WHERE substr(lower(replace(id, '-', '')), 1, ?) = ? ORDER BY id",
        (len(prefix), prefix),
    )
    return [row["id"] for row in rows]


def id_of_identity(conn: sqlite3.Connection, identity: str) -> str | None:
    row = select(conn, "SELECT id FROM tips WHERE identity = ?", (identity,)).fetchone()
    return None if row is None else str(row["id"])


def ids_of_identities(conn: sqlite3.Connection, identities: Iterable[str]) -> dict[str, str]:
    """identity → id for the tips held among ``identities``."""
    wanted = list(identities)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ",".join("?" * len(part))
        for row in conn.execute(f"SELECT identity, id FROM tips WHERE identity IN ({marks})", part):
            found[str(row[0])] = str(row[1])
    return found


def insert_tip(
    conn: sqlite3.Connection,
    tip_id: str,
    *,
    text: str,
    identity: str,
    medication: str | None,
    side_effect: str | None,
    tags: Sequence[str],
    source: str,
    from_label: str | None,
    imported_at: datetime | None,
    created_at: datetime,
) -> None:
    conn.execute(
        "INSERT INTO tips (id, text, identity, medication, side_effect, tags, source,"
        " from_label, imported_at, worked, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        (
            tip_id,
            text,
            identity,
            medication,
            side_effect,
            json.dumps(list(tags), ensure_ascii=False),
            source,
            from_label,
            None if imported_at is None else to_utc_text(imported_at),
            to_utc_text(created_at),
        ),
    )


def set_worked(conn: sqlite3.Connection, tip_id: str, worked: bool) -> None:
    conn.execute("UPDATE tips SET worked = ? WHERE id = ?", (int(worked), tip_id))


def set_text(conn: sqlite3.Connection, tip_id: str, text: str, old: str, new: str) -> None:
    """Change a tip's text and identity; its peer and group counts move with it."""
    conn.execute("UPDATE tips SET text = ?, identity = ? WHERE id = ?", (text, new, tip_id))
    if new != old:
        conn.execute("DELETE FROM tip_ratings WHERE identity = ?", (new,))
        conn.execute("UPDATE tip_ratings SET identity = ? WHERE identity = ?", (new, old))
        conn.execute("DELETE FROM tip_group_counts WHERE identity = ?", (new,))
        conn.execute("UPDATE tip_group_counts SET identity = ? WHERE identity = ?", (new, old))


def delete_tip(conn: sqlite3.Connection, tip_id: str, identity: str) -> None:
    """Delete the tip and the peer and group counts that belong to it."""
    conn.execute("DELETE FROM tip_ratings WHERE identity = ?", (identity,))
    conn.execute("DELETE FROM tip_group_counts WHERE identity = ?", (identity,))
    conn.execute("DELETE FROM tips WHERE id = ?", (tip_id,))


# ------------------------------------------------------------------- contributors, ratings


def peer(conn: sqlite3.Connection, contributor: str) -> sqlite3.Row | None:
    """The ``serial``, ``label`` and ``imported_at`` of a contributor imported before."""
    row: sqlite3.Row | None = select(
        conn,
        "SELECT serial, label, imported_at FROM tip_peers WHERE contributor = ?",
        (contributor,),
    ).fetchone()
    return row


def ratings_of(conn: sqlite3.Connection, contributor: str) -> dict[str, bool | None]:
    """A contributor's latest rating of each tip its bundles listed (None: not rated)."""
    rows = select(
        conn, "SELECT identity, worked FROM tip_ratings WHERE contributor = ?", (contributor,)
    )
    return {row["identity"]: None if row["worked"] is None else bool(row["worked"]) for row in rows}


def keep_peer(
    conn: sqlite3.Connection,
    contributor: str,
    serial: int,
    label: str,
    imported_at: datetime,
    ratings: dict[str, bool | None],
) -> None:
    """Remember a contributor's newest bundle: its serial and its ratings of the tips it
    lists (ratings of tips it does not list stay as they were)."""
    conn.execute(
        "INSERT INTO tip_peers (contributor, serial, label, imported_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (contributor) DO UPDATE SET serial = excluded.serial,"
        " label = excluded.label, imported_at = excluded.imported_at",
        (contributor, serial, label, to_utc_text(imported_at)),
    )
    conn.executemany(
        "INSERT INTO tip_ratings (contributor, identity, worked) VALUES (?, ?, ?)"
        " ON CONFLICT (contributor, identity) DO UPDATE SET worked = excluded.worked",
        [
            (contributor, identity, None if worked is None else int(worked))
            for identity, worked in ratings.items()
        ],
    )


# ----------------------------------------------------------------------------- digests


def digest(conn: sqlite3.Connection, maker: str) -> sqlite3.Row | None:
    """The ``serial``, ``group_label``, ``label`` and ``imported_at`` of a maker's digest."""
    row: sqlite3.Row | None = select(
        conn,
        "SELECT serial, group_label, label, imported_at FROM tip_digests WHERE maker = ?",
        (maker,),
    ).fetchone()
    return row


def keep_digest(
    conn: sqlite3.Connection,
    maker: str,
    *,
    serial: int,
    group_label: str,
    label: str,
    peers: int,
    imported_at: datetime,
    counts: dict[str, tuple[int, int, int]],
) -> None:
    """Keep a maker's newest digest, replacing its figures: per identity
    ``(shared_by, tried, worked)``."""
    conn.execute("DELETE FROM tip_group_counts WHERE maker = ?", (maker,))
    conn.execute(
        "INSERT INTO tip_digests (maker, serial, group_label, label, peers, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (maker) DO UPDATE SET serial = excluded.serial,"
        " group_label = excluded.group_label, label = excluded.label, peers = excluded.peers,"
        " imported_at = excluded.imported_at",
        (maker, serial, group_label, label, peers, to_utc_text(imported_at)),
    )
    conn.executemany(
        "INSERT INTO tip_group_counts (maker, identity, shared_by, tried, worked)"
        " VALUES (?, ?, ?, ?, ?)",
        [(maker, identity, *figures) for identity, figures in counts.items()],
    )
