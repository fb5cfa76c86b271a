"""Long benchmark journals for summaries and streaks (SPEC §10), and their timings.

The journals are built through adherelog's own code: ``Journal.add_med`` with a start years
back, then the schedule's own slots (``schedule.slots_between``) filled by
``bulk.bulk_record_doses``, which stores exactly what ``take`` and ``skip`` store.

    python benchmarks/journals.py               # build (or reuse) and time everything
    python benchmarks/journals.py --keep DIR    # keep the journals in DIR for next time
    python benchmarks/journals.py summary-30    # only cases whose name starts with this
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from adherelog import schedule
from adherelog.bulk import BulkRecord, bulk_record_doses
from adherelog.journal import Journal, ScheduleOptions
from adherelog.storage import open_store

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 22, 9, 10, tzinfo=ZONE)
LATENESS = (-5, 0, 0, 3, 10, 20, 75)  # minutes; 75 is past the default grace


def _records(journal: Journal, rng: random.Random, until: datetime) -> Iterator[BulkRecord]:
    """About 93% of slots taken (some late), 3% skipped, the rest missed."""
    for med in journal.meds():
        for slot in schedule.slots_between(med.versions, med.versions[0].start, until):
            roll = rng.random()
            if roll > 0.96:
                continue
            kind = "skip" if roll > 0.93 else "dose"
            at = slot.scheduled.astimezone(UTC)
            if kind == "dose":
                at += timedelta(minutes=rng.choice(LATENESS))
            yield BulkRecord(kind, med.id, at, slot, 1.0 if kind == "dose" else None)


def build(path: Path, *, days: int, meds: int, per_day: int, seed: int = 1) -> Path:
    """A journal of ``meds`` medications taken ``per_day`` times a day for ``days`` days
    up to yesterday, with a tracked supply."""
    rng = random.Random(seed)
    store = open_store(path, write=True)
    try:
        journal = Journal(store, NOW, ZONE)
        start = NOW.date() - timedelta(days=days)
        times = [time(7 + (14 * i) // max(per_day - 1, 1), 0) for i in range(per_day)]
        for index in range(meds):
            journal.add_med(
                f"Medication {index + 1}",
                ScheduleOptions(dose="10 mg", times=times),
                start=start,
                supply=90.0,
            )
        until = NOW.astimezone(UTC).replace(hour=0, minute=0)
        bulk_record_doses(journal, _records(journal, rng, until))
    finally:
        store.close()
    return path


@dataclass(frozen=True)
class Spec:
    name: str
    days: int
    meds: int
    per_day: int


JOURNALS = (
    Spec("one-year-6x3", 365, 6, 3),
    Spec("ten-years-6x3", 3653, 6, 3),
    Spec("ten-years-10x4", 3653, 10, 4),
    # 25 medications, 4 a day, 10,800 days: about 1,004,000 dose records (and 32,000 skips).
    Spec("million-doses", 10_800, 25, 4),
)


def journal(folder: Path, spec: Spec) -> Path:
    """The journal ``spec`` in ``folder``, built unless it is already there."""
    path = folder / f"{spec.name}.db"
    if not path.exists():
        print(f"building {spec.name} ...", flush=True)
        partial = folder / f"{spec.name}.partial.db"
        for leftover in folder.glob(f"{spec.name}.partial.db*"):
            leftover.unlink()
        build(partial, days=spec.days, meds=spec.meds, per_day=spec.per_day)
        partial.rename(path)
    return path


def forget_streaks(db: Path) -> Callable[[], None]:
    """Before each run: drop the kept streak state, as a backdated record would."""

    def run() -> None:
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("DELETE FROM streak_cache")
        conn.close()

    return run


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("selected", nargs="*", help="case name prefixes")
    parser.add_argument("--keep", type=Path, help="folder to build journals in and reuse")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench import ENV, adherelog, measure

    folder = args.keep or Path(tempfile.mkdtemp(prefix="adherelog-journals-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        dbs = {spec.name: journal(folder, spec) for spec in JOURNALS}
        for db in dbs.values():  # migrate, and keep the streak state once
            measure(adherelog(db, "streak"), ENV, 1)
        one, ten, big, million = (dbs[s.name] for s in JOURNALS)
        cases: list[tuple[str, float, list[str], Callable[[], None] | None]] = [
            ("summary-30 days, 1 year 6x3", 8, adherelog(one, "summary"), None),
            ("summary-30 days, 10 years 6x3", 8, adherelog(ten, "summary"), None),
            ("summary-30 days --json, 10 years 6x3", 8, adherelog(ten, "summary", "--json"), None),
            ("streak, 1 year 6x3", 8, adherelog(one, "streak"), None),
            ("streak, 10 years 6x3", 8, adherelog(ten, "streak"), None),
            ("due, 10 years 6x3 (with the supply warning)", 8, adherelog(ten, "due"), None),
            (
                "summary-all, 10 years 10x4",
                12,
                adherelog(big, "summary", "--since", "1990-01-01"),
                None,
            ),
            (
                "summary-all, 10 years 10x4, streaks folded anew",
                12,
                adherelog(big, "summary", "--since", "1990-01-01"),
                forget_streaks(big),
            ),
            (
                "summary-all, 1,000,000 doses",
                30,
                adherelog(million, "summary", "--since", "1990-01-01"),
                None,
            ),
            (
                "summary-all, 1,000,000 doses, streaks folded anew",
                30,
                adherelog(million, "summary", "--since", "1990-01-01"),
                forget_streaks(million),
            ),
            (
                "summary-30 days, 1,000,000 doses",
                8,
                adherelog(million, "summary"),
                None,
            ),
        ]
        chosen = [c for c in cases if not args.selected or c[0].startswith(tuple(args.selected))]
        baseline = measure([sys.executable, "-c", "pass"], ENV, 25)
        print(f"python -c pass: median {baseline.median * 1000:.1f} ms\n")
        print(f"{'case':52} {'median':>9} {'ratio':>6} {'budget':>6}  ok")
        failures = 0
        for name, budget, argv_case, before in chosen:
            timing = measure(argv_case, ENV, args.runs, before)
            ratio = timing.median / baseline.median
            ok = ratio <= budget
            failures += not ok
            print(
                f"{name:52} {timing.median * 1000:7.1f}ms {ratio:5.1f}x {budget:5.0f}x"
                f"  {'yes' if ok else 'NO'}",
                flush=True,
            )
        print(f"\n{len(chosen) - failures} of {len(chosen)} within budget")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
