"""The read-only views for Datasette and sqlite-utils (migration m009_views)."""

from __future__ import annotations

import sqlite3

from adherelog import portability
from helpers import journal, ok


def test_dose_log_names_the_medication_and_the_status() -> None:
    ok("med", "add", "Metformin", "--dose", "500 mg", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "Metformin", "--at", "2026-11-21 08:10", "--note", "with tea")
    ok("skip", "Metformin", "--at", "2026-11-22 08:00")
    ok("effect", "add", "nausea", "--severity", "2", "--med", "Metformin")
    conn = sqlite3.connect(journal())
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM dose_log ORDER BY at_utc")]
    assert [(r["medication"], r["status"], r["local_date"]) for r in rows] == [
        ("Metformin", "taken", "2026-11-21"),
        ("Metformin", "skipped", "2026-11-22"),
    ]
    assert rows[0]["late_minutes"] == 10
    assert rows[0]["note"] == "with tea"
    assert rows[0]["zone"] == "Europe/London"
    versions = [dict(r) for r in conn.execute("SELECT * FROM schedule_versions")]
    assert versions[0]["medication"] == "Metformin"
    assert versions[0]["dose"] == "500 mg"
    effects = [dict(r) for r in conn.execute("SELECT * FROM side_effect_log")]
    assert [(e["effect"], e["severity"], e["medication"]) for e in effects] == [
        ("nausea", 2, "Metformin")
    ]
    conn.close()


def test_views_are_not_exported_tables() -> None:
    ok("med", "add", "Metformin", "--as-needed")
    conn = sqlite3.connect(journal())
    names = {t.name for t in portability.journal_tables(conn)}
    conn.close()
    assert not names & {"dose_log", "schedule_versions", "side_effect_log"}
