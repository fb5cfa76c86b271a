"""Numbered schema migrations (SPEC §9).

Each ``mNNN_*`` function receives a :class:`sqlite_utils.Database` wrapping a connection that
already holds the write lock (``BEGIN IMMEDIATE``); :func:`adherelog.storage.migrate` runs
the pending ones in order and records the schema version in ``PRAGMA user_version`` inside
the same transaction, so a migration is all or nothing. Released migrations are never edited:
a change is a new function appended to ``MIGRATIONS``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
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


def m002_tips(db: Any) -> None:
    """Coping tips (mine and peers'), the peer bundles imported, and which bundle said which
    tip worked (the "worked for N peers" count is the number of such rows)."""
    db.execute(
        "CREATE TABLE tips ("
        " id TEXT PRIMARY KEY,"
        " text TEXT NOT NULL,"
        " identity TEXT NOT NULL UNIQUE,"
        " medication TEXT,"
        " side_effect TEXT,"
        " tags TEXT NOT NULL DEFAULT '[]',"
        " source TEXT NOT NULL CHECK (source IN ('mine', 'peer')),"
        " from_label TEXT,"
        " imported_at TEXT,"
        " worked INTEGER CHECK (worked IN (0, 1)),"
        " created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE tip_bundles ("
        " fingerprint TEXT PRIMARY KEY,"
        " label TEXT NOT NULL,"
        " imported_at TEXT NOT NULL,"
        " tip_count INTEGER NOT NULL)"
    )
    db.execute(
        "CREATE TABLE tip_bundle_worked ("
        " fingerprint TEXT NOT NULL REFERENCES tip_bundles(fingerprint),"
        " identity TEXT NOT NULL,"
        " PRIMARY KEY (fingerprint, identity))"
    )
    db.execute("CREATE INDEX idx_tip_bundle_worked_identity ON tip_bundle_worked(identity)")


# The day (a date ordinal, as Python's ``date.toordinal``) of an ISO date text in SQL.
_ORDINAL = "(CAST(julianday({0}) + 0.5 AS INTEGER) - 1721425)"
# The grace (minutes) of the schedule version in force at a record's slot.
_GRACE = (
    "coalesce((SELECT s.grace FROM schedules s WHERE s.med_id = {0}.med_id"
    " AND s.start_at <= {0}.slot_at ORDER BY s.start_at DESC LIMIT 1), 60)"
)
_IS_LATE = "({0}.kind = 'dose' AND abs(coalesce({0}.late_minutes, 0)) > " + _GRACE + ")"
# Taken more than the grace before the slot (m010_early_counts); such a dose is late too.
_IS_EARLY = "({0}.kind = 'dose' AND coalesce({0}.late_minutes, 0) < -" + _GRACE + ")"
# The same rules, for the storage code that does the triggers' work set-based.
DAY_ORDINAL = _ORDINAL
IS_LATE = _IS_LATE
IS_EARLY = _IS_EARLY


# A record that day_counts counts.
_COUNTED = "{0}.slot_date IS NOT NULL AND {0}.med_id IS NOT NULL AND {0}.kind IN ('dose', 'skip')"


def _record_triggers(db: Any, add: str, remove: str) -> None:
    """The triggers on ``records`` that keep ``day_counts``: ``add`` counts a new row (NEW),
    ``remove`` uncounts an old one (OLD)."""
    db.execute(
        "CREATE TRIGGER day_counts_insert AFTER INSERT ON records"
        f" WHEN {_COUNTED.format('NEW')} BEGIN {add} END"
    )
    db.execute(
        "CREATE TRIGGER day_counts_delete AFTER DELETE ON records"
        f" WHEN {_COUNTED.format('OLD')} BEGIN {remove} END"
    )
    db.execute(
        "CREATE TRIGGER day_counts_update_old AFTER UPDATE OF kind, med_id, slot_date,"
        f" slot_at, late_minutes ON records WHEN {_COUNTED.format('OLD')} BEGIN {remove} END"
    )
    db.execute(
        "CREATE TRIGGER day_counts_update_new AFTER UPDATE OF kind, med_id, slot_date,"
        f" slot_at, late_minutes ON records WHEN {_COUNTED.format('NEW')} BEGIN {add} END"
    )


def _schedule_triggers(db: Any, judged_again: str) -> None:
    """The triggers on ``schedules`` for a schedule version written (NEW): lateness may now be
    judged with another grace (``judged_again`` recounts it), the streaks from its start on
    are stale, and records already made from its start may fill no slot."""
    start_day = _ORDINAL.format("substr(NEW.start_at, 1, 10)")
    changed = (
        f"{judged_again}"
        " DELETE FROM streak_cache WHERE scope IN (NEW.med_id, '*')"
        f" AND through >= {start_day} - 1;"
        " INSERT INTO exact_ranges (med_id, from_at, to_at)"
        " SELECT NEW.med_id, NEW.start_at, max(slot_at) FROM records"
        " WHERE med_id = NEW.med_id AND slot_at >= NEW.start_at"
        " HAVING max(slot_at) IS NOT NULL;"
    )
    db.execute(f"CREATE TRIGGER schedules_insert AFTER INSERT ON schedules BEGIN {changed} END")
    db.execute(f"CREATE TRIGGER schedules_update AFTER UPDATE ON schedules BEGIN {changed} END")


def m003_day_counts(db: Any) -> None:
    """Derived tables that let summaries and streaks skip reading every record (see
    docs/design-adherence.md): doses, skips and late doses per medication and day, kept by
    triggers; the streak state up to a settled day; and the time ranges a later schedule
    change may have left with records that match no slot. Filled from existing records."""
    day = _ORDINAL.format("NEW.slot_date")
    old_day = _ORDINAL.format("OLD.slot_date")
    db.execute(
        "CREATE TABLE day_counts ("
        " med_id TEXT NOT NULL,"
        " day INTEGER NOT NULL,"
        " doses INTEGER NOT NULL DEFAULT 0,"
        " skips INTEGER NOT NULL DEFAULT 0,"
        " lates INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (med_id, day)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE streak_cache ("
        " scope TEXT PRIMARY KEY,"
        " through INTEGER NOT NULL,"
        " state TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE exact_ranges ("
        " med_id TEXT NOT NULL,"
        " from_at TEXT NOT NULL,"
        " to_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_exact_ranges_med ON exact_ranges(med_id)")
    # Doses without a slot (as needed, extra) and side effects, by kind and local day.
    db.execute(
        "CREATE INDEX idx_records_unslotted ON records(kind, med_id, local_date)"
        " WHERE slot_at IS NULL"
    )
    add = (
        "INSERT INTO day_counts (med_id, day, doses, skips, lates)"
        f" VALUES (NEW.med_id, {day}, NEW.kind = 'dose', NEW.kind = 'skip',"
        f" {_IS_LATE.format('NEW')})"
        " ON CONFLICT (med_id, day) DO UPDATE SET doses = doses + excluded.doses,"
        " skips = skips + excluded.skips, lates = lates + excluded.lates;"
        " DELETE FROM streak_cache WHERE scope IN (NEW.med_id, '*')"
        f" AND through >= {day};"
    )
    remove = (
        "UPDATE day_counts SET doses = doses - (OLD.kind = 'dose'),"
        f" skips = skips - (OLD.kind = 'skip'), lates = lates - {_IS_LATE.format('OLD')}"
        f" WHERE med_id = OLD.med_id AND day = {old_day};"
        " DELETE FROM day_counts WHERE med_id = OLD.med_id"
        f" AND day = {old_day} AND doses <= 0 AND skips <= 0;"
        " DELETE FROM streak_cache WHERE scope IN (OLD.med_id, '*')"
        f" AND through >= {old_day};"
    )
    _record_triggers(db, add, remove)
    # A schedule change: lateness may now be judged with another grace, the streaks from
    # its start on are stale, and records already made from its start may fill no slot.
    start_day = _ORDINAL.format("substr(NEW.start_at, 1, 10)")
    late_again = (
        "UPDATE day_counts SET lates = (SELECT count(*) FROM records r"
        " WHERE r.med_id = day_counts.med_id AND r.slot_date = date(day_counts.day + 1721424.5)"
        f" AND {_IS_LATE.format('r')})"
        f" WHERE med_id = NEW.med_id AND day >= {start_day} - 1;"
    )
    _schedule_triggers(db, late_again)
    db.execute(
        "CREATE TRIGGER schedules_delete AFTER DELETE ON schedules BEGIN"
        " DELETE FROM streak_cache WHERE scope IN (OLD.med_id, '*'); END"
    )
    db.execute(
        "CREATE TRIGGER meds_delete AFTER DELETE ON meds BEGIN"
        " DELETE FROM day_counts WHERE med_id = OLD.id;"
        " DELETE FROM exact_ranges WHERE med_id = OLD.id;"
        " DELETE FROM streak_cache WHERE scope IN (OLD.id, '*'); END"
    )
    # Existing journals: counts from the records so far, and, for every later schedule
    # version made after records it covers, the range those records span (a medication's
    # first version is made with it, before any record).
    db.execute(
        "INSERT INTO day_counts (med_id, day, doses, skips, lates)"
        f" SELECT r.med_id, {_ORDINAL.format('r.slot_date')}, sum(r.kind = 'dose'),"
        f" sum(r.kind = 'skip'), sum({_IS_LATE.format('r')})"
        f" FROM records r WHERE {_COUNTED.format('r')} GROUP BY 1, 2"
    )
    db.execute(
        "INSERT INTO exact_ranges (med_id, from_at, to_at)"
        " SELECT s.med_id, s.start_at, (SELECT max(r.slot_at) FROM records r"
        " WHERE r.med_id = s.med_id AND r.slot_at >= s.start_at"
        " AND r.created_at <= s.created_at) AS last_at"
        " FROM schedules s WHERE last_at IS NOT NULL AND s.start_at >"
        " (SELECT min(f.start_at) FROM schedules f WHERE f.med_id = s.med_id)"
    )


def m004_identity(db: Any) -> None:
    """The journal's own keys (SPEC §11): one row, made the first time something is signed or
    encrypted. ``signing_key`` is the 32-byte Ed25519 private key (the pseudonym),
    ``age_identity`` the X25519 age secret key (``AGE-SECRET-KEY-1…``), ``serial`` the last
    serial number a signed bundle or card used."""
    db.execute(
        "CREATE TABLE journal_keys ("
        " id INTEGER PRIMARY KEY CHECK (id = 1),"
        " signing_key BLOB NOT NULL CHECK (length(signing_key) = 32),"
        " age_identity TEXT NOT NULL,"
        " serial INTEGER NOT NULL DEFAULT 0 CHECK (serial >= 0),"
        " created_at TEXT NOT NULL)"
    )


def m005_reminders(db: Any) -> None:
    """Reminders (SPEC §13): the channels and the discreet switch ``remind config`` keeps,
    and one row per notification and channel, claimed before it is sent and marked sent
    after, so that no two passes send the same notification (see :mod:`adherelog.remind`)."""
    db.execute("CREATE TABLE remind_config (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE notifications ("
        " kind TEXT NOT NULL,"
        " subject TEXT NOT NULL,"
        " round INTEGER NOT NULL CHECK (round >= 1),"
        " via TEXT NOT NULL,"
        " state TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed', 'lost')),"
        " round_at TEXT NOT NULL,"
        " owner TEXT,"
        " lease_until REAL,"
        " reclaimed INTEGER NOT NULL DEFAULT 0 CHECK (reclaimed IN (0, 1)),"
        " sent_at TEXT,"
        " error TEXT,"
        " PRIMARY KEY (kind, subject, round, via)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_notifications_round_at ON notifications(round_at)")


def m006_schedule_kinds(db: Any) -> None:
    """The schedules people have (SPEC §4): an RFC 5545 recurrence rule, an on/off cycle
    (``21/7``) and the amounts of times whose dose differs from the per-dose amount (JSON,
    ``{"08:00": 2}``). Existing versions keep NULL in all three: their days and amounts
    are unchanged."""
    db.execute("ALTER TABLE schedules ADD COLUMN rrule TEXT")
    db.execute("ALTER TABLE schedules ADD COLUMN cycle TEXT")
    db.execute("ALTER TABLE schedules ADD COLUMN amounts TEXT")


def m007_peer_counts(db: Any) -> None:
    """Count people, not files (SPEC §7). ``tip_peers`` holds each contributor a bundle came
    from (``ed25519:…``, or ``v1:`` + a digest for a version 1 bundle, which counts as one
    unnamed contributor) with the highest serial imported from it; ``tip_ratings`` that
    contributor's latest rating of each tip its bundles listed (NULL: listed, not rated).
    ``tip_digests`` holds the latest digest from each maker and ``tip_group_counts`` its
    figures per tip. The bundles and "worked" rows of ``tip_bundles`` and
    ``tip_bundle_worked`` move here, each bundle as one contributor, so the counts of an old
    journal stay as they were (its "tried" equals its "worked": old journals kept no more);
    the two old tables stay, empty."""
    db.execute(
        "CREATE TABLE tip_peers ("
        " contributor TEXT PRIMARY KEY,"
        " serial INTEGER NOT NULL CHECK (serial >= 1),"
        " label TEXT NOT NULL,"
        " imported_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE tip_ratings ("
        " contributor TEXT NOT NULL REFERENCES tip_peers(contributor),"
        " identity TEXT NOT NULL,"
        " worked INTEGER CHECK (worked IN (0, 1)),"
        " PRIMARY KEY (contributor, identity))"
    )
    db.execute("CREATE INDEX idx_tip_ratings_identity ON tip_ratings(identity)")
    db.execute(
        "CREATE TABLE tip_digests ("
        " maker TEXT PRIMARY KEY,"
        " serial INTEGER NOT NULL CHECK (serial >= 1),"
        " group_label TEXT NOT NULL,"
        " label TEXT NOT NULL,"
        " peers INTEGER NOT NULL,"
        " imported_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE tip_group_counts ("
        " maker TEXT NOT NULL REFERENCES tip_digests(maker),"
        " identity TEXT NOT NULL,"
        " shared_by INTEGER NOT NULL,"
        " tried INTEGER NOT NULL,"
        " worked INTEGER NOT NULL,"
        " PRIMARY KEY (maker, identity))"
    )
    db.execute("CREATE INDEX idx_tip_group_counts_identity ON tip_group_counts(identity)")
    db.execute(
        "INSERT INTO tip_peers (contributor, serial, label, imported_at)"
        " SELECT 'v1:' || fingerprint, 1, label, imported_at FROM tip_bundles"
    )
    db.execute(
        "INSERT INTO tip_ratings (contributor, identity, worked)"
        " SELECT 'v1:' || fingerprint, identity, 1 FROM tip_bundle_worked"
    )
    db.execute("DELETE FROM tip_bundle_worked")
    db.execute("DELETE FROM tip_bundles")


def m008_buddies(db: Any) -> None:
    """Buddies and goals (SPEC §12): each buddy with the key their cards are signed by and
    the age recipient to answer to, the cards received from them (kept whole, as verified,
    for the trend), the contacts (a card received or sent, a check-in with its private
    note), and the user's own goals."""
    db.execute(
        "CREATE TABLE buddies ("
        " id TEXT PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " name_key TEXT NOT NULL UNIQUE,"
        " contributor TEXT NOT NULL UNIQUE,"
        " reply_to TEXT,"
        " every INTEGER NOT NULL DEFAULT 7 CHECK (every >= 1),"
        " send_via TEXT,"
        " created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE buddy_cards ("
        " id TEXT PRIMARY KEY,"
        " buddy_id TEXT NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
        " contributor TEXT NOT NULL,"
        " serial INTEGER NOT NULL CHECK (serial >= 1),"
        " period_from TEXT NOT NULL,"
        " period_to TEXT NOT NULL,"
        " adherence REAL,"
        " current_streak INTEGER,"
        " document TEXT NOT NULL,"
        " received_at TEXT NOT NULL,"
        " UNIQUE (buddy_id, contributor, serial))"
    )
    db.execute(
        "CREATE TABLE buddy_contacts ("
        " id TEXT PRIMARY KEY,"
        " buddy_id TEXT NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
        " kind TEXT NOT NULL CHECK (kind IN ('card_received', 'card_sent', 'checkin')),"
        " at TEXT NOT NULL,"
        " zone TEXT NOT NULL,"
        " note TEXT)"
    )
    db.execute("CREATE INDEX buddy_contacts_by_buddy ON buddy_contacts (buddy_id, at)")
    db.execute(
        "CREATE TABLE goals ("
        " id INTEGER PRIMARY KEY,"
        " text TEXT NOT NULL,"
        " med_id TEXT REFERENCES meds (id) ON DELETE SET NULL,"
        " target INTEGER CHECK (target BETWEEN 1 AND 100),"
        " created_at TEXT NOT NULL,"
        " done_at TEXT)"
    )


def m009_views(db: Any) -> None:
    """Read-only views with readable names for people who open the journal in Datasette or
    ``sqlite-utils`` (docs/journal-format.md): doses and skips with the medication's name,
    every schedule version, and side effects. Views hold nothing; exports skip them."""
    db.execute(
        "CREATE VIEW dose_log AS SELECT r.id AS id, m.name AS medication,"
        " CASE r.kind WHEN 'dose' THEN 'taken' ELSE 'skipped' END AS status,"
        " r.local_date AS local_date, r.zone AS zone, r.at AS at_utc,"
        " r.slot_date AS scheduled_date, r.slot_at AS scheduled_utc,"
        " r.late_minutes AS late_minutes, r.amount AS amount, r.note AS note"
        " FROM records r JOIN meds m ON m.id = r.med_id WHERE r.kind IN ('dose', 'skip')"
    )
    db.execute(
        "CREATE VIEW schedule_versions AS SELECT m.name AS medication, s.dose AS dose,"
        " s.times AS times, s.on_days AS weekdays, s.every AS every_n_days,"
        " s.rrule AS rrule, s.cycle AS cycle, s.amounts AS amounts,"
        " s.as_needed AS as_needed, s.zone AS zone, s.start_at AS from_utc,"
        " s.end_at AS until_utc FROM schedules s JOIN meds m ON m.id = s.med_id"
    )
    db.execute(
        "CREATE VIEW side_effect_log AS SELECT r.id AS id, r.effect AS effect,"
        " r.severity AS severity, m.name AS medication, r.local_date AS local_date,"
        " r.zone AS zone, r.at AS at_utc, r.note AS note"
        " FROM records r LEFT JOIN meds m ON m.id = r.med_id WHERE r.kind = 'effect'"
    )


def m010_early_counts(db: Any) -> None:
    """``day_counts.earlies``: of a day's off-time doses (``lates``, both sides of the grace
    period), those taken before it, so a summary tells early from late (SPEC §5) without
    reading the records of every regular day. The triggers of ``m003_day_counts`` that keep
    ``lates`` are made again keeping both; existing days are counted from their records."""
    day = _ORDINAL.format("NEW.slot_date")
    old_day = _ORDINAL.format("OLD.slot_date")
    db.execute("ALTER TABLE day_counts ADD COLUMN earlies INTEGER NOT NULL DEFAULT 0")
    for name in (
        "day_counts_insert",
        "day_counts_delete",
        "day_counts_update_old",
        "day_counts_update_new",
        "schedules_insert",
        "schedules_update",
    ):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")  # a staging journal has none
    add = (
        "INSERT INTO day_counts (med_id, day, doses, skips, lates, earlies)"
        f" VALUES (NEW.med_id, {day}, NEW.kind = 'dose', NEW.kind = 'skip',"
        f" {_IS_LATE.format('NEW')}, {_IS_EARLY.format('NEW')})"
        " ON CONFLICT (med_id, day) DO UPDATE SET doses = doses + excluded.doses,"
        " skips = skips + excluded.skips, lates = lates + excluded.lates,"
        " earlies = earlies + excluded.earlies;"
        " DELETE FROM streak_cache WHERE scope IN (NEW.med_id, '*')"
        f" AND through >= {day};"
    )
    remove = (
        "UPDATE day_counts SET doses = doses - (OLD.kind = 'dose'),"
        f" skips = skips - (OLD.kind = 'skip'), lates = lates - {_IS_LATE.format('OLD')},"
        f" earlies = earlies - {_IS_EARLY.format('OLD')}"
        f" WHERE med_id = OLD.med_id AND day = {old_day};"
        " DELETE FROM day_counts WHERE med_id = OLD.med_id"
        f" AND day = {old_day} AND doses <= 0 AND skips <= 0;"
        " DELETE FROM streak_cache WHERE scope IN (OLD.med_id, '*')"
        f" AND through >= {old_day};"
    )
    _record_triggers(db, add, remove)
    start_day = _ORDINAL.format("substr(NEW.start_at, 1, 10)")
    same_day = "r.med_id = day_counts.med_id AND r.slot_date = date(day_counts.day + 1721424.5)"
    judged_again = (
        f"UPDATE day_counts SET lates = (SELECT count(*) FROM records r WHERE {same_day}"
        f" AND {_IS_LATE.format('r')}), earlies = (SELECT count(*) FROM records r"
        f" WHERE {same_day} AND {_IS_EARLY.format('r')})"
        f" WHERE med_id = NEW.med_id AND day >= {start_day} - 1;"
    )
    _schedule_triggers(db, judged_again)
    db.execute(
        "UPDATE day_counts SET earlies = (SELECT count(*) FROM records r"
        f" WHERE {same_day} AND {_IS_EARLY.format('r')}) WHERE lates > 0"
    )


LOCAL_TIMES_SCHEMA = 11  # the schema from which zone_offsets is kept
# The local clock time (HH:MM) of a stored instant in a zone, from ``zone_offsets``; NULL
# for a zone the table does not know.
_LOCAL_TIME = (
    "strftime('%H:%M', {0}, (SELECT o.offset_seconds FROM zone_offsets o"
    " WHERE o.zone = {1} AND o.from_utc <= {0} ORDER BY o.from_utc DESC LIMIT 1) || ' seconds')"
)


def m011_local_times(db: Any) -> None:
    """Local clock times in the views of ``m009_views`` (docs/journal-format.md): SQLite
    knows no time zones, so ``zone_offsets`` keeps the UTC offsets of the zones the records
    name, in the years they fall in (filled by :mod:`adherelog.storage.zones`, for a journal
    file's existing records by ``storage.migrate``); ``dose_log`` gains ``local_time`` and
    ``scheduled_time``, ``side_effect_log`` ``local_time``."""
    db.execute(
        "CREATE TABLE zone_offsets ("
        " zone TEXT NOT NULL,"
        " from_utc TEXT NOT NULL,"
        " offset_seconds INTEGER NOT NULL,"
        " PRIMARY KEY (zone, from_utc)) WITHOUT ROWID"
    )
    db.execute("DROP VIEW dose_log")
    db.execute("DROP VIEW side_effect_log")
    db.execute(
        "CREATE VIEW dose_log AS SELECT r.id AS id, m.name AS medication,"
        " CASE r.kind WHEN 'dose' THEN 'taken' ELSE 'skipped' END AS status,"
        f" r.local_date AS local_date, {_LOCAL_TIME.format('r.at', 'r.zone')} AS local_time,"
        " r.zone AS zone, r.at AS at_utc, r.slot_date AS scheduled_date,"
        f" {_LOCAL_TIME.format('r.slot_at', 'r.slot_zone')} AS scheduled_time,"
        " r.slot_at AS scheduled_utc, r.late_minutes AS late_minutes, r.amount AS amount,"
        " r.note AS note FROM records r JOIN meds m ON m.id = r.med_id"
        " WHERE r.kind IN ('dose', 'skip')"
    )
    db.execute(
        "CREATE VIEW side_effect_log AS SELECT r.id AS id, r.effect AS effect,"
        " r.severity AS severity, m.name AS medication, r.local_date AS local_date,"
        f" {_LOCAL_TIME.format('r.at', 'r.zone')} AS local_time, r.zone AS zone,"
        " r.at AS at_utc, r.note AS note"
        " FROM records r LEFT JOIN meds m ON m.id = r.med_id WHERE r.kind = 'effect'"
    )


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_tips,
    m003_day_counts,
    m004_identity,
    m005_reminders,
    m006_schedule_kinds,
    m007_peer_counts,
    m008_buddies,
    m009_views,
    m010_early_counts,
    m011_local_times,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_statements() -> list[str]:
    """The statements that make a new journal at :data:`SCHEMA_VERSION`, as every migration
    run in turn leaves it: its tables, then indexes, views and triggers, each kind in the
    order SQLite holds them (the order they were made in). For
    :mod:`adherelog.storage.new_journal`, which holds them so that a new journal is made
    without loading sqlite-utils."""
    import sqlite3

    import sqlite_utils

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db = sqlite_utils.Database(conn)
        for migration in MIGRATIONS:
            migration(db)
        rows = conn.execute(
            "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    kinds = ("table", "index", "view", "trigger")
    return [str(sql) for kind in kinds for found, sql in rows if found == kind]


def schema_source() -> str:
    """The body of :mod:`adherelog.storage.new_journal`."""
    lines = ["STATEMENTS: tuple[str, ...] = ("]
    lines += [f"    {sql!r}," for sql in schema_statements()]
    return "\n".join([*lines, ")"]) + "\n"
