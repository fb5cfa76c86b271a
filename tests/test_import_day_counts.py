"""An import adds records without the ``day_counts_insert`` trigger's work per row and does
that work once, set-based, at the end (``storage.portability.day_counts_at_the_end``): the
derived tables must end exactly as the trigger would have left them, on random journals
that already hold some of the file's rows, late doses judged by several grace periods,
skips, extra doses and a warm streak cache."""

from __future__ import annotations

import contextlib
import io
import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adherelog import importing, schedule
from adherelog.clock import localize
from adherelog.export import write_json
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions
from adherelog.storage import open_store
from adherelog.storage import portability as stored

LONDON = ZoneInfo("Europe/London")
NOW = localize(date(2026, 11, 22), time(9, 10), LONDON)
DERIVED = {
    "day_counts": "SELECT med_id, day, doses, skips, lates, earlies FROM day_counts ORDER BY 1, 2",
    "exact_ranges": "SELECT med_id, from_at, to_at FROM exact_ranges ORDER BY 1, 2, 3",
    "streak_cache": "SELECT scope, through, state FROM streak_cache ORDER BY 1",
}


def opened(path: Path) -> Journal:
    return Journal(open_store(path, write=True), NOW, LONDON)


def fill(journal: Journal, rng: random.Random, names: list[str], first: date, last: date) -> None:
    """Doses (on time, early, very early, late, very late), skips and extra doses of
    ``names`` on the slots between two dates."""
    for name in names:
        med = journal.med(name)
        lo = localize(first, time(0), LONDON)
        hi = min(localize(last + timedelta(days=1), time(0), LONDON), NOW)
        for slot in schedule.slots_between(med.versions, lo, hi):
            roll = rng.random()
            if roll < 0.15:
                continue
            clock = slot.scheduled.astimezone(LONDON).time()
            if roll < 0.3:
                journal.skip(name, at=slot.scheduled, slot_time=clock)
                continue
            late = rng.choice([0, 5, 45, 90, 150, -20, -100, -170])
            at = min(slot.scheduled + timedelta(minutes=late), NOW)
            journal.take([name], at=at, slot_time=clock)
        if rng.random() < 0.5:
            journal.take([name], at=hi - timedelta(hours=3), extra=True)


def random_journal(path: Path, rng: random.Random) -> tuple[list[str], date]:
    """A journal of 2–4 medications over a few weeks with schedule changes (other times,
    other grace periods) part-way; returns the names and the day the changes start."""
    journal = opened(path)
    start = date(2026, 10, 1) + timedelta(days=rng.randrange(10))
    names = [f"Med{i}" for i in range(rng.randint(2, 4))]
    for name in names:
        times = sorted(rng.sample(["07:00", "08:00", "12:30", "18:00", "20:15"], rng.randint(1, 3)))
        options = ScheduleOptions(
            times=[time.fromisoformat(t) for t in times], grace=rng.choice([15, 60, 120])
        )
        journal.add_med(name, options, start=start)
    journal.store.close()
    return names, start


def derived(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in DERIVED.items()}
    finally:
        conn.close()


def warm_streak_cache(path: Path, names: list[str], rng: random.Random) -> None:
    """Streak states through various days, for every medication and for all of them."""
    conn = sqlite3.connect(path, isolation_level=None)
    ids = [row[0] for row in conn.execute("SELECT id FROM meds")]
    base = date(2026, 10, 1).toordinal()
    for scope in [*ids, "*"]:
        conn.execute(
            "INSERT OR REPLACE INTO streak_cache (scope, through, state) VALUES (?, ?, '{}')",
            (scope, base + rng.randrange(60)),
        )
    conn.close()


@contextlib.contextmanager
def row_by_row(conn: sqlite3.Connection, *, suspend: bool = True) -> Iterator[None]:
    """The trigger kept, doing its work for each record as it arrives."""
    del conn, suspend
    yield


def import_into(path: Path, data: bytes) -> importing.ImportResult:
    journal = opened(path)
    try:
        return importing.import_journal(journal, data)
    finally:
        journal.store.close()


@pytest.mark.parametrize("seed", range(8))
def test_counting_at_the_end_leaves_what_the_trigger_leaves(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    middle = start + timedelta(days=rng.randint(5, 20))
    journal = opened(source)
    fill(journal, rng, names, start, middle)
    journal.store.close()
    # The other journal: the same medications and the records so far, or nothing at all.
    target = tmp_path / "target.db"
    if seed % 4 == 0:
        opened(target).store.close()
    else:
        shutil.copyfile(source, target)
    journal = opened(source)
    changed = rng.choice(names)
    journal.edit_med(
        changed,
        ScheduleOptions(grace=rng.choice([10, 30, 240])),
        from_date=middle - timedelta(days=rng.randint(0, 4)),
    )
    fill(journal, rng, names, middle + timedelta(days=1), NOW.date())
    out = io.StringIO()
    write_json(journal, out)
    journal.store.close()
    data = out.getvalue().encode()
    if seed % 4:
        warm_streak_cache(target, names, rng)
    twin = tmp_path / "twin.db"
    shutil.copyfile(target, twin)

    at_the_end = import_into(target, data)
    with monkeypatch.context() as patched:
        patched.setattr(stored, "day_counts_at_the_end", row_by_row)
        one_by_one = import_into(twin, data)

    assert at_the_end == one_by_one
    assert at_the_end.added.get("records", 0) > 0
    assert derived(target) == derived(twin)
    # Both equal the counts made from scratch, as the m003 migration makes them.
    counts = derived(target)["day_counts"]
    assert counts == _from_scratch(target)
    # The trigger is back, word for word.
    assert _trigger_sql(target) == _trigger_sql(twin) == _trigger_sql(source)


def _from_scratch(path: Path) -> list[tuple[object, ...]]:
    from adherelog.migrations import DAY_ORDINAL, IS_EARLY, IS_LATE

    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            f"SELECT r.med_id, {DAY_ORDINAL.format('r.slot_date')}, sum(r.kind = 'dose'),"
            f" sum(r.kind = 'skip'), sum({IS_LATE.format('r')}), sum({IS_EARLY.format('r')})"
            " FROM records r"
            " WHERE r.slot_date IS NOT NULL AND r.med_id IS NOT NULL"
            " AND r.kind IN ('dose', 'skip') GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    finally:
        conn.close()


def _trigger_sql(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'day_counts_insert'"
        ).fetchone()
        return str(row[0])
    finally:
        conn.close()


def test_a_failed_import_keeps_the_trigger_and_the_counts(tmp_path: Path) -> None:
    """An import refused while records are merged rolls everything back, the dropped
    trigger and indexes included."""
    rng = random.Random(99)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, NOW.date())
    out = io.StringIO()
    write_json(journal, out)
    journal.store.close()
    target = tmp_path / "target.db"
    opened(target).store.close()
    before = derived(target)
    schema = _schema(target)

    class Boom(Exception):
        pass

    original = importing._merge_table

    def failing(table, *args, **kwargs):  # type: ignore[no-untyped-def]  # test stand-in
        original(table, *args, **kwargs)
        if table.name == "records":
            raise Boom

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(importing, "_merge_table", failing)
        with pytest.raises(Boom):
            import_into(target, out.getvalue().encode())
    assert derived(target) == before
    assert _schema(target) == schema  # the trigger and the indexes too
    assert _trigger_sql(target) == _trigger_sql(source)
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0
    conn.close()


def test_a_record_added_after_the_import_is_counted_by_the_trigger(tmp_path: Path) -> None:
    rng = random.Random(7)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, NOW.date() - timedelta(days=3))
    out = io.StringIO()
    write_json(journal, out)
    journal.store.close()
    target = tmp_path / "target.db"
    opened(target).store.close()
    import_into(target, out.getvalue().encode())
    journal = opened(target)
    lo = localize(NOW.date() - timedelta(days=2), time(0), LONDON)
    slot = schedule.slots_between(journal.med(names[0]).versions, lo, NOW)[0]
    journal.take([names[0]], at=slot.scheduled + timedelta(minutes=1))
    journal.store.close()
    assert derived(target)["day_counts"] == _from_scratch(target)


@pytest.mark.parametrize("seed", range(4))
def test_the_set_based_work_is_the_triggers_on_the_journal_itself(
    tmp_path: Path, seed: int
) -> None:
    """Records moved back into a journal by plain INSERTs, once with the trigger and once
    inside ``day_counts_at_the_end``: the same day counts and the same streak states left
    (refresh_derived, which an import also runs, is not involved here)."""
    rng = random.Random(seed)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, NOW.date())
    journal.store.close()
    warm_streak_cache(source, names, rng)
    conn = sqlite3.connect(source, isolation_level=None)
    rows = conn.execute("SELECT * FROM records ORDER BY rowid").fetchall()
    keep = rng.randrange(len(rows) // 2)
    conn.execute("DELETE FROM records WHERE rowid > ?", (keep,))
    warm_streak_cache(source, names, rng)  # states the deletion left alone, or new ones
    conn.close()
    results = []
    for deferred in (False, True):
        copy = tmp_path / f"copy{deferred}.db"
        shutil.copyfile(source, copy)
        conn = sqlite3.connect(copy, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        holder = stored.day_counts_at_the_end(conn) if deferred else contextlib.nullcontext()
        with holder:
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO records VALUES ({marks})", rows[keep:])
        conn.execute("COMMIT")
        conn.close()
        results.append(derived(copy))
    assert results[0] == results[1]
    assert results[0]["day_counts"] == _from_scratch(tmp_path / "copyTrue.db")


def _schema(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def test_an_import_into_an_empty_journal_makes_its_indexes_again_word_for_word(
    tmp_path: Path,
) -> None:
    """The plain indexes of ``records`` are dropped while an empty table is filled and
    made again afterwards: the schema ends as a new journal's, the indexes whole, and
    the queries that use them answer as before."""
    rng = random.Random(5)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, NOW.date())
    out = io.StringIO()
    write_json(journal, out)
    journal.store.close()
    target = tmp_path / "target.db"
    opened(target).store.close()
    fresh = _schema(target)
    import_into(target, out.getvalue().encode())
    assert _schema(target) == fresh
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    indexed = conn.execute(
        "SELECT count(*) FROM records INDEXED BY idx_records_at WHERE at >= ''"
    ).fetchone()[0]
    assert indexed == conn.execute("SELECT count(*) FROM records").fetchone()[0] > 0
    conn.close()


def test_a_re_import_leaves_the_journal_file_as_it_was(tmp_path: Path) -> None:
    rng = random.Random(7)
    source = tmp_path / "source.db"
    names, start = random_journal(source, rng)
    journal = opened(source)
    fill(journal, rng, names, start, NOW.date())
    out = io.StringIO()
    write_json(journal, out)
    journal.store.close()
    data = out.getvalue().encode()
    import_into(source, data)  # the journal's own export: nothing to add
    before = source.read_bytes()
    result = import_into(source, data)
    assert sum(result.added.values()) == 0
    assert source.read_bytes() == before
