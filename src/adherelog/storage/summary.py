"""What summaries read: the ``day_counts`` kept by triggers, the ``exact_ranges`` whose days
are looked at slot by slot, the slotted records of such days, unslotted doses and side
effects, and the streak state kept in ``streak_cache`` (see :mod:`adherelog.summary`).

The day filters are built from integers only; everything else is a bound parameter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from adherelog.storage.rows import select
from adherelog.storage.streak_cache import SETTLED_LAG as SETTLED_LAG
from adherelog.storage.streak_cache import settled_day as settled_day


class ExactRange(NamedTuple):
    """Instants (stored UTC text) around which one medication's days are read slot by slot."""

    med_id: str
    from_at: str
    to_at: str


class SlotFill(NamedTuple):
    """A record that fills a slot: its slot instant (stored UTC text), kind and lateness."""

    slot_at: str
    kind: str
    late_minutes: int | None


class RegularDays(NamedTuple):
    """The ``day_counts`` rows of one medication on the days ``[first, last]`` its schedule
    has doses on (``slots`` a day), leaving out ``skip``: every ``every`` days from
    ``anchor`` (a date ordinal) and on the ISO ``weekdays`` (1 Monday … 7 Sunday), when
    given; on the ON days of a ``cycle`` from ``anchor``; only on the days in ``only``."""

    med_id: str
    first: int
    last: int
    skip: tuple[int, ...]
    slots: int
    anchor: int
    every: int | None
    weekdays: tuple[int, ...] | None
    cycle: tuple[int, int] | None = None  # (days on, days off) from ``anchor``
    only: tuple[int, ...] | None = None  # the days of a recurrence rule, when it has one


class DaySums(NamedTuple):
    """Rows, doses, skips and off-time doses of some days, at most one record a slot:
    ``lates`` counts both sides of the grace period, ``earlies`` the doses of them taken
    before it."""

    rows: int
    doses: int
    skips: int
    lates: int
    earlies: int


class EffectRow(NamedTuple):
    effect: str | None
    severity: int | None


class StreakState(NamedTuple):
    """A kept streak state: its scope (a medication id, or ``*``), the settled day (a date
    ordinal) it was folded through and the state as JSON."""

    scope: str
    through: int
    state: str


# ------------------------------------------------------------------------ day_counts


def _where(days: RegularDays) -> tuple[str, tuple[object, ...]]:
    """The filter of ``days`` and its parameters."""
    not_special = f" AND day NOT IN ({','.join('?' * len(days.skip))})" if days.skip else ""
    off = ["0"]
    if days.every is not None:
        off.append(f"(day - {days.anchor:d}) % {days.every:d} != 0")
    if days.weekdays is not None:
        off.append(f"(day + 6) % 7 NOT IN ({','.join(str(int(d)) for d in days.weekdays)})")
    if days.cycle is not None:
        on, period = int(days.cycle[0]), int(days.cycle[0]) + int(days.cycle[1])
        off.append(f"((day - {days.anchor:d}) % {period:d} + {period:d}) % {period:d} >= {on:d}")
    params: tuple[object, ...] = (days.med_id, days.first, days.last, *days.skip)
    if days.only is not None:  # the days of a rule, as one JSON list: any number of them
        off.append("day NOT IN (SELECT value FROM json_each(?))")
        params = (*params, "[" + ",".join(str(int(d)) for d in days.only) + "]")
    where = f"med_id = ? AND day BETWEEN ? AND ?{not_special} AND NOT ({' OR '.join(off)})"
    return where, params


def _capped(slots: int) -> tuple[str, str]:
    """Skips and doses of a row, counted at most one a slot, skips first (records left by a
    schedule change that removed their slot)."""
    skips = f"min(skips, {slots:d})"
    return skips, f"min(doses, {slots:d} - {skips})"


def day_sums(conn: sqlite3.Connection, days: RegularDays) -> DaySums:
    """The sums of the rows of ``days``."""
    where, params = _where(days)
    k = days.slots
    row = select(
        conn,
        "SELECT count(*) AS n, coalesce(sum(doses), 0) AS doses,"
        " coalesce(sum(skips), 0) AS skips, coalesce(sum(lates), 0) AS lates,"
        " coalesce(sum(earlies), 0) AS earlies,"
        f" coalesce(sum(doses + skips > {k:d}), 0) AS over FROM day_counts WHERE {where}",
        params,
    ).fetchone()
    if row["over"]:  # some day has more records than slots: count at most one per slot
        skips, doses = _capped(k)
        row = select(
            conn,
            f"SELECT count(*) AS n, coalesce(sum({doses}), 0) AS doses,"
            f" coalesce(sum({skips}), 0) AS skips,"
            f" coalesce(sum(min(lates, {doses})), 0) AS lates,"
            f" coalesce(sum(min(earlies, lates, {doses})), 0) AS earlies"
            f" FROM day_counts WHERE {where}",
            params,
        ).fetchone()
    return DaySums(
        int(row["n"]), int(row["doses"]), int(row["skips"]), int(row["lates"]), int(row["earlies"])
    )


def broken_day_doses(conn: sqlite3.Connection, days: RegularDays) -> list[tuple[int, int]]:
    """(day, doses taken) of the days of ``days`` with a skip or fewer doses than slots."""
    where, params = _where(days)
    _, doses = _capped(days.slots)
    return [
        (int(row["day"]), int(row["taken"]))
        for row in select(
            conn,
            f"SELECT day, {doses} AS taken FROM day_counts"
            f" WHERE {where} AND (skips > 0 OR doses < {days.slots:d})",
            params,
        )
    ]


def broken_day_offsets(conn: sqlite3.Connection, days: RegularDays, origin: int) -> list[int]:
    """The days of ``days`` with a skip or fewer doses than slots, less ``origin``: read as
    one text of offsets, much faster than a row per day for long histories."""
    where, params = _where(days)
    row = select(
        conn,
        f"SELECT group_concat(day - {origin:d}) AS offsets FROM day_counts"
        f" WHERE {where} AND (skips > 0 OR doses < {days.slots:d})",
        params,
    ).fetchone()
    joined = row["offsets"]
    return [int(part) for part in str(joined).split(",")] if joined else []


def days_with_records(conn: sqlite3.Connection, days: RegularDays) -> set[int]:
    """The days of ``days`` that have a row (any record)."""
    where, params = _where(days)
    return {
        int(row["day"]) for row in select(conn, f"SELECT day FROM day_counts WHERE {where}", params)
    }


# ------------------------------------------------------------------ records, ranges


def exact_ranges(conn: sqlite3.Connection) -> list[ExactRange]:
    return [
        ExactRange(str(row["med_id"]), str(row["from_at"]), str(row["to_at"]))
        for row in select(conn, "SELECT med_id, from_at, to_at FROM exact_ranges")
    ]


def slot_fills(conn: sqlite3.Connection, med_id: str, first: str, last: str) -> list[SlotFill]:
    """The slotted records of a medication whose slot dates are ``[first, last]`` (ISO)."""
    return [
        SlotFill(str(row["slot_at"]), str(row["kind"]), row["late_minutes"])
        for row in select(
            conn,
            "SELECT slot_at, kind, late_minutes FROM records WHERE med_id = ?"
            " AND slot_date BETWEEN ? AND ? AND slot_at IS NOT NULL",
            (med_id, first, last),
        )
    ]


def unslotted_dose_count(conn: sqlite3.Connection, med_id: str, first: str, last: str) -> int:
    """Doses that fill no slot on the local dates ``[first, last]`` (ISO)."""
    row = select(
        conn,
        "SELECT count(*) AS n FROM records WHERE kind = 'dose' AND med_id = ?"
        " AND slot_at IS NULL AND local_date BETWEEN ? AND ?",
        (med_id, first, last),
    ).fetchone()
    return int(row["n"])


def effect_rows(
    conn: sqlite3.Connection, first: str, last: str, med_id: str | None
) -> list[EffectRow]:
    """Side effects on the local dates ``[first, last]`` (ISO), of one medication when
    ``med_id`` is given, in time order."""
    where = "kind = 'effect' AND slot_at IS NULL AND local_date BETWEEN ? AND ?"
    params: list[object] = [first, last]
    if med_id is not None:
        where += " AND med_id = ?"
        params.append(med_id)
    return [
        EffectRow(row["effect"], None if row["severity"] is None else int(row["severity"]))
        for row in select(
            conn, f"SELECT effect, severity FROM records WHERE {where} ORDER BY at", params
        )
    ]


# ---------------------------------------------------------------------- streak state


def streak_states(conn: sqlite3.Connection, scopes: Sequence[str]) -> list[StreakState]:
    marks = ",".join("?" * len(scopes))
    return [
        StreakState(str(row["scope"]), int(row["through"]), str(row["state"]))
        for row in select(
            conn,
            f"SELECT scope, through, state FROM streak_cache WHERE scope IN ({marks})",
            scopes,
        )
    ]


def save_streak_states(conn: sqlite3.Connection, states: Sequence[StreakState]) -> None:
    """Keep streak states, inside a write."""
    conn.executemany(
        "INSERT OR REPLACE INTO streak_cache (scope, through, state) VALUES (?, ?, ?)", states
    )
