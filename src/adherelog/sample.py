"""A realistic sample journal for trying adherelog without touching a real one."""

from __future__ import annotations

import random
from datetime import UTC, time, timedelta

from adherelog.errors import ConflictError
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions
from adherelog.valueclass import dataclass

SKIP_REASONS = ("stomach bug", "ran out at work", "felt too sick", None)


@dataclass(frozen=True)
class SampleSummary:
    meds: int
    doses: int
    skips: int
    missed: int
    days: int


def fill_sample(journal: Journal, *, days: int = 28, seed: int = 7) -> SampleSummary:
    """Fill an empty journal with ``days`` days of three medications: mostly on-time doses,
    some late ones, a few skips with reasons, a few missed doses and a schedule change.
    Refuses a journal that already has medications. All or nothing: one write."""
    with journal.store.write():
        return _fill(journal, days, seed)


def _fill(journal: Journal, days: int, seed: int) -> SampleSummary:
    if journal.meds():
        raise ConflictError(
            "This journal already has medications; the sample only fills an empty journal "
            "(point --db or ADHERELOG_DB at a new file)."
        )
    rng = random.Random(seed)  # noqa: S311 - sample data, not a secret
    today = journal.now.astimezone(journal.zone).date()
    start = today - timedelta(days=days)
    change = today - timedelta(days=days // 2)
    journal.add_med(
        "Sertraline", ScheduleOptions(dose="50 mg", times=[time(8, 0)]), start=start, supply=None
    )
    journal.add_med(
        "Metformin",
        ScheduleOptions(dose="500 mg", times=[time(8, 0), time(20, 0)]),
        start=start,
        supply=2 * days + 30.0,
    )
    journal.add_med("Ibuprofen", ScheduleOptions(dose="200 mg", as_needed=True), start=start)
    journal.edit_med(
        "Metformin", ScheduleOptions(times=[time(8, 0), time(21, 0)]), from_date=change
    )

    from adherelog import schedule

    doses = skips = missed = 0
    now = journal.now.astimezone(UTC)
    for med in journal.meds():
        for slot in schedule.slots_between(med.versions, med.versions[0].start, now):
            roll = rng.random()
            due_at = slot.scheduled.astimezone(UTC)
            if roll < 0.05:
                missed += 1
                continue
            if roll < 0.09:
                reason = rng.choice(SKIP_REASONS)
                journal.skip(med.name, at=min(due_at + timedelta(minutes=30), now), reason=reason)
                skips += 1
                continue
            late = (
                rng.choice((-10, -5, 0, 0, 5, 10, 15, 25, 40))
                if roll < 0.9
                else rng.randint(70, 180)
            )
            at = min(due_at + timedelta(minutes=late), now)
            journal.take([med.name], at=at)
            doses += 1
    for offset in (3, 9, 17):
        journal.take(["Ibuprofen"], at=now - timedelta(days=offset, hours=rng.randint(1, 9)))
        doses += 1
    return SampleSummary(meds=3, doses=doses, skips=skips, missed=missed, days=days)
