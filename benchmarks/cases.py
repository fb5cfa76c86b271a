"""Benchmark journals (built through adherelog's own code) and the cases timed on them."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adherelog import schedule
from adherelog.journal import Journal, ScheduleOptions, new_id
from adherelog.storage import open_store

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 22, 9, 10, tzinfo=ZONE)


def build_journal(path: Path, *, years: int, meds: int, per_day: int, seed: int = 1) -> Path:
    """A journal of ``meds`` medications with ``per_day`` daily doses for ``years`` years:
    about 93% taken (some late), 3% skipped, the rest missed."""
    rng = random.Random(seed)
    store = open_store(path, write=True)
    try:
        journal = Journal(store, NOW, ZONE)
        start = NOW.date() - timedelta(days=365 * years)
        times = [time(7 + (14 * i) // max(per_day - 1, 1), 0) for i in range(per_day)]
        for index in range(meds):
            journal.add_med(
                f"Medication {index + 1}",
                ScheduleOptions(dose="10 mg", times=times),
                start=start,
                supply=90.0,
            )
        until = NOW.astimezone(UTC).replace(hour=0, minute=0)
        with store.write() as conn:
            for med in journal.meds():
                for slot in schedule.slots_between(med.versions, med.versions[0].start, until):
                    roll = rng.random()
                    if roll > 0.96:
                        continue
                    kind = "skip" if roll > 0.93 else "dose"
                    late = rng.choice((-5, 0, 0, 3, 10, 20, 75))
                    at = slot.scheduled.astimezone(UTC) + timedelta(minutes=late)
                    journal._insert_record(
                        conn,
                        new_id(),
                        kind,
                        med.id,
                        at,
                        slot,
                        amount=1.0 if kind == "dose" else None,
                    )
    finally:
        store.close()
    return path


def cases(work: Path) -> list[dict[str, Any]]:
    """The timed cases: name, budget (× python -c pass), argv, db, optional setup."""
    from bench import adherelog

    small = build_journal(work / "small.db", years=1, meds=6, per_day=3)
    ten = build_journal(work / "ten-years.db", years=10, meds=6, per_day=3)
    scratch = work / "scratch.db"

    def fresh_copy() -> None:
        shutil.copyfile(small, scratch)

    return [
        {
            "name": "take (1-year journal, 6 meds x 3/day)",
            "budget": 6,
            "argv": adherelog(scratch, "take", "medication 1"),
            "db": scratch,
            "before": fresh_copy,
            "memory_budget_mib": 25,
        },
        {
            "name": "take --json",
            "budget": 6,
            "argv": adherelog(scratch, "take", "medication 2", "--json"),
            "db": scratch,
            "before": fresh_copy,
            "memory_budget_mib": 25,
        },
        {
            "name": "skip (1-year journal)",
            "budget": 6,
            "argv": adherelog(scratch, "skip", "medication 3"),
            "db": scratch,
            "before": fresh_copy,
            "memory_budget_mib": 25,
        },
        {"name": "due, 1-year journal", "budget": 8, "argv": adherelog(small, "due"), "db": small},
        {
            "name": "due, 10-year journal (6 meds x 3/day)",
            "budget": 8,
            "argv": adherelog(ten, "due"),
            "db": ten,
        },
        {
            "name": "due --json, 10-year journal",
            "budget": 8,
            "argv": adherelog(ten, "due", "--json"),
            "db": ten,
        },
    ]
