"""Numbered schema migrations (SPEC §9).

Each ``mNNN_*`` function receives a :class:`sqlite_utils.Database` wrapping a connection that
already holds the write lock (``BEGIN IMMEDIATE``); :func:`adherelog.storage.migrate` runs
the pending ones in order and records the schema version in ``PRAGMA user_version`` inside
the same transaction, so a migration is all or nothing. Released migrations are never edited:
a change is a new function appended to ``MIGRATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Migration = Callable[[Any], None]


def m001_initial(db: Any) -> None:
    """Medications, schedule versions, records (doses, skips, side effects), refills and the
    undo log."""
    db["meds"].create(
        {
            "id": str,
            "name": str,
            "name_key": str,
            "per_dose": float,
            "supply": float,
            "note": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "name_key", "per_dose", "created_at"},
        defaults={"per_dose": 1.0},
    )
    db["meds"].create_index(["name_key"], unique=True)
    db["schedules"].create(
        {
            "id": str,
            "med_id": str,
            "start_at": str,
            "end_at": str,
            "zone": str,
            "times": str,
            "every": int,
            "anchor": str,
            "on_days": str,
            "dose": str,
            "grace": int,
            "as_needed": int,
            "active": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("med_id", "meds", "id")],
        not_null={"med_id", "start_at", "zone", "times", "anchor", "grace", "as_needed", "active"},
    )
    db["schedules"].create_index(["med_id", "start_at"], unique=True)
    db["records"].create(
        {
            "id": str,
            "kind": str,
            "med_id": str,
            "at": str,
            "zone": str,
            "local_date": str,
            "slot_at": str,
            "slot_zone": str,
            "slot_date": str,
            "late_minutes": int,
            "amount": float,
            "note": str,
            "effect": str,
            "severity": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("med_id", "meds", "id")],
        not_null={"kind", "at", "zone", "local_date", "created_at"},
    )
    # One record per slot: the database itself refuses a second fill of the same slot.
    db.execute(
        "CREATE UNIQUE INDEX idx_records_slot ON records(med_id, slot_at) WHERE slot_at IS NOT NULL"
    )
    db["records"].create_index(["med_id", "slot_date", "kind"])
    db["records"].create_index(["at"])
    db["records"].create_index(["med_id", "at"])
    db["refills"].create(
        {
            "id": str,
            "med_id": str,
            "count": float,
            "at": str,
            "zone": str,
            "local_date": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("med_id", "meds", "id")],
        not_null={"med_id", "count", "at", "zone", "local_date", "created_at"},
    )
    db.execute(
        "CREATE TABLE undo_log ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " kind TEXT NOT NULL,"
        " ref_id TEXT NOT NULL,"
        " med_id TEXT REFERENCES meds(id),"
        " supply_delta REAL,"
        " created_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_undo_log_ref ON undo_log(ref_id)")


MIGRATIONS: list[Migration] = [m001_initial]
SCHEMA_VERSION = len(MIGRATIONS)
