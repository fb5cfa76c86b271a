"""The benchmark journals (SPEC §10), built through adherelog's own code.

The journals are built through adherelog's own code: ``Journal.add_med`` with a start years
back, then the schedule's own slots (``schedule.slots_between``) filled by
``bulk.bulk_record_doses``, which stores exactly what ``take`` and ``skip`` store.

``benchmarks/bench.py`` builds them (or reuses them with ``--keep DIR``) and times the cases.
"""

from __future__ import annotations

import heapq
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from adherelog import schedule, summary
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions, TaperStep, taper_med
from adherelog.model import Med
from adherelog.storage import open_store
from bulk import BulkRecord, bulk_record_doses

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 22, 9, 10, tzinfo=ZONE)
LATENESS = (-5, 0, 0, 3, 10, 20, 75)  # minutes; 75 is past the default grace


def _records(journal: Journal, rng: random.Random, until: datetime) -> Iterator[BulkRecord]:
    """About 93% of slots taken (some late), 3% skipped, the rest missed: in the order of
    their moments, as a journal written day by day holds them (each day's doses of every
    medication together, not one medication's years after another's)."""
    streams = [_med_records(med, rng, until) for med in journal.meds()]
    return heapq.merge(*streams, key=lambda record: record.at)


def _med_records(med: Med, rng: random.Random, until: datetime) -> Iterator[BulkRecord]:
    """The records of one medication, in time order."""
    for slot in schedule.slots_between(med.versions, med.versions[0].start, until):
        roll = rng.random()
        if roll > 0.96:
            continue
        kind = "skip" if roll > 0.93 else "dose"
        at = slot.scheduled.astimezone(UTC)
        if kind == "dose":
            at += timedelta(minutes=rng.choice(LATENESS))
        amount = (slot.amount or 1.0) if kind == "dose" else None
        yield BulkRecord(kind, med.id, at, slot, amount)


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


# Ten medications, one of each schedule kind and more (SPEC §4), over ten years.
KINDS = Spec("ten-years-kinds", 3653, 10, 0)
KIND_MEDS: tuple[tuple[str, ScheduleOptions], ...] = (
    ("Daily", ScheduleOptions(times=[time(8), time(20)])),
    ("Split dose", ScheduleOptions(times=[time(8), time(21)], amounts={time(8): 2.0})),
    ("Every 3 days", ScheduleOptions(times=[time(9)], every=3)),
    ("Weekdays", ScheduleOptions(times=[time(7), time(19)], on_days=frozenset({0, 2, 4}))),
    ("Cyclic pill", ScheduleOptions(times=[time(8)], cycle=(21, 7))),
    ("Weekly injection", ScheduleOptions(times=[time(19)], rrule="FREQ=WEEKLY;BYDAY=MO")),
    (
        "Biweekly injection",
        ScheduleOptions(times=[time(19)], rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ),
    ("Monthly shot", ScheduleOptions(times=[time(10)], rrule="FREQ=MONTHLY;BYMONTHDAY=1")),
    ("Last friday", ScheduleOptions(times=[time(2, 30)], rrule="FREQ=MONTHLY;BYDAY=-1FR")),
    (
        "Every other day",
        ScheduleOptions(times=[time(1, 30), time(13)], rrule="FREQ=DAILY;INTERVAL=2"),
    ),
)


def build_kinds(path: Path, *, days: int, seed: int = 1) -> Path:
    """:data:`KINDS`: the medications of :data:`KIND_MEDS` (ten years, London, with DST
    changes), the last four weeks of one of them as a four-step taper."""
    rng = random.Random(seed)
    store = open_store(path, write=True)
    try:
        journal = Journal(store, NOW, ZONE)
        start = NOW.date() - timedelta(days=days)
        for name, options in KIND_MEDS:
            journal.add_med(name, options, start=start, supply=90.0)
        steps = [TaperStep(NOW.date() - timedelta(days=7 * k), f"{5 * k} mg") for k in (4, 3, 2, 1)]
        taper_med(journal, "Daily", steps)
        until = NOW.astimezone(UTC).replace(hour=0, minute=0)
        bulk_record_doses(journal, _records(journal, rng, until))
    finally:
        store.close()
    return path


def journal(folder: Path, spec: Spec) -> Path:
    """The journal ``spec`` in ``folder``, built unless it is already there."""
    path = folder / f"{spec.name}.db"
    if not path.exists():
        print(f"building {spec.name} ...", flush=True)
        partial = folder / f"{spec.name}.partial.db"
        for leftover in folder.glob(f"{spec.name}.partial.db*"):
            leftover.unlink()
        if spec is KINDS:
            build_kinds(partial, days=spec.days)
        else:
            build(partial, days=spec.days, meds=spec.meds, per_day=spec.per_day)
        partial.rename(path)
    return path


def keep_streaks(db: Path) -> Callable[[], None]:
    """Before each run: migrate and keep the streak state, as every writing command does
    (quick when it is already kept: it folds only the days since)."""

    def run() -> None:
        store = open_store(db, write=True)
        try:
            with store.write():
                summary.keep_streaks(Journal(store, NOW, ZONE))
        finally:
            store.close()

    return run


def forget_streaks(db: Path) -> Callable[[], None]:
    """Before each run: drop the kept streak state, as a backdated record would."""

    def run() -> None:
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("DELETE FROM streak_cache")
        conn.close()

    return run


# ----------------------------------------------------------------------- the tip exchange


def _signed_bundle(n: int, serial: int, tips: list[dict[str, object]]) -> bytes:
    """A version 2 bundle of ``tips`` signed by benchmark key ``n``."""
    from adherelog import signing

    private = (n + 1).to_bytes(4, "big") * 8
    doc: dict[str, object] = {
        "format": "adherelog-tips",
        "version": 2,
        "language": "en",
        "tips": tips,
        "contributor": signing.contributor(signing.public_bytes(private)),
        "serial": serial,
    }
    doc["signature"] = signing.sign(private, doc)
    return json.dumps(doc, indent=2).encode("utf-8")


def _tip(n: int, rng: random.Random) -> dict[str, object]:
    return {
        "text": f"Coping tip number {n}: take it with food and a glass of water",
        "medication": f"medication {n % 7}",
        "side_effect": "nausea" if n % 3 else None,
        "tags": ["food"],
        "worked": rng.choice([True, False, None]),
    }


def tip_exchange(folder: Path, *, build: bool = True) -> tuple[Path, Path, Path]:
    """A journal holding 10,000 tips from 200 peers (50 each), a signed 500-tip bundle from
    a new peer (half of its tips already held), and a folder of 1,000 signed bundles of 50
    tips drawn from 300 tips (SPEC §10). Built unless already there (or ``build`` is
    False: their paths only)."""
    from adherelog import tips

    db = folder / "tips.db"
    one_bundle = folder / "bundle-500.json"
    group = folder / "group"
    if not build:
        return db, one_bundle, group
    rng = random.Random(7)
    if not db.exists():
        print("building the tip journal ...", flush=True)
        partial = folder / "tips.partial.db"
        for leftover in folder.glob("tips.partial.db*"):
            leftover.unlink()
        store = open_store(partial, write=True)
        try:
            session = Journal(store, NOW, ZONE)
            for peer in range(200):
                raw = _signed_bundle(peer, 1, [_tip(peer * 50 + i, rng) for i in range(50)])
                tips.import_bundle(session, tips.load_bundle(raw), label=f"peer {peer}")
        finally:
            store.close()
        partial.rename(db)
    if not one_bundle.exists():
        half = [_tip(n, rng) for n in range(0, 500)]
        one_bundle.write_bytes(
            _signed_bundle(999, 1, half[:250] + [_tip(20_000 + n, rng) for n in range(250)])
        )
    if not group.exists():
        print("building 1,000 bundles ...", flush=True)
        partial_group = folder / "group.partial"
        if partial_group.exists():
            for leftover in partial_group.iterdir():
                leftover.unlink()
        partial_group.mkdir(exist_ok=True)
        for member in range(1000):
            chosen = rng.sample(range(300), 50)
            raw = _signed_bundle(5000 + member, 1, [_tip(n, rng) for n in chosen])
            (partial_group / f"member-{member:04}.json").write_bytes(raw)
        partial_group.rename(group)
    return db, one_bundle, group
