"""The write paths and the importer keep the same limits (adherelog.rules).

For every field a person types, the command that writes it and the check an imported file
gets accept and refuse the same boundary values; and whatever a write path stores, an
export of it imports again.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adherelog import clock, importing, rules, storage
from adherelog.effects import add_effect
from adherelog.errors import UsageError
from adherelog.export import journal_tables, write_json
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions, add_med, refill
from adherelog.tips import add_tip

Write = Callable[[Journal, Any], object]


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    zone = clock.local_zone()
    store = storage.open_store(tmp_path / "rules.db", write=True)
    try:
        yield Journal(store, datetime(2026, 11, 22, 9, 10, tzinfo=zone), zone)
    finally:
        store.close()


def import_check(j: Journal, table: str, column: str) -> Callable[[Any], str | None]:
    """The importer's check of one column of this journal's schema."""
    found = next(t for t in journal_tables(j.conn) if t.name == table)
    return rules.column_checks(found)[column]


def med(options: ScheduleOptions | None = None, **kwargs: Any) -> Write:
    def write(j: Journal, value: Any) -> object:
        return add_med(j, "Metformin", options or ScheduleOptions(times=[time(8)]), **kwargs)

    return write


TEXT_BOUNDS = ["a", "a" * 79, "a" * 80, "a" * 81, "", "a\u200bb", "a\x1bb", "a\u202eb", "a\nb"]
NOTE_BOUNDS = ["a", "a" * 2000, "a" * 2001, "line\nline", "a\x1bb", "a\u200db"]


def _name(j: Journal, v: Any) -> object:
    return add_med(j, v, ScheduleOptions(times=[time(8)]))


def _dose(j: Journal, v: Any) -> object:
    return add_med(j, "Metformin", ScheduleOptions(times=[time(8)], dose=v))


def _med_note(j: Journal, v: Any) -> object:
    return add_med(j, "Metformin", ScheduleOptions(times=[time(8)]), note=v)


def _grace(j: Journal, v: Any) -> object:
    return add_med(j, "Metformin", ScheduleOptions(times=[time(8)], grace=v))


def _every(j: Journal, v: Any) -> object:
    return add_med(j, "Metformin", ScheduleOptions(times=[time(8)], every=v))


def _per_dose(j: Journal, v: Any) -> object:
    return add_med(j, "Metformin", ScheduleOptions(times=[time(8)]), per_dose=v)


def _refill(j: Journal, v: Any) -> object:
    add_med(j, "Metformin", ScheduleOptions(times=[time(8)]))
    return refill(j, "Metformin", v)


def _effect(j: Journal, v: Any) -> object:
    return add_effect(j, v)


def _severity(j: Journal, v: Any) -> object:
    return add_effect(j, "Nausea", severity=v)


def _effect_note(j: Journal, v: Any) -> object:
    return add_effect(j, "Nausea", note=v)


def _tip(j: Journal, v: Any) -> object:
    return add_tip(j, v)


def _tip_med(j: Journal, v: Any) -> object:
    return add_tip(j, "Take it with food.", medication=v)


def _tip_effect(j: Journal, v: Any) -> object:
    return add_tip(j, "Take it with food.", side_effect=v)


def _tags(j: Journal, v: Any) -> object:
    return add_tip(j, "Take it with food.", tags=v)


def _tags_text(tags: list[str]) -> str:
    return json.dumps(tags, ensure_ascii=False)


# (table, column, write, value typed, value stored: None when the write stores nothing)
CASES: list[tuple[str, str, Write, Any, Any]] = [
    *[("meds", "name", _name, v, v) for v in TEXT_BOUNDS],
    *[("schedules", "dose", _dose, v, v or None) for v in TEXT_BOUNDS],
    *[("meds", "note", _med_note, v, v or None) for v in [*NOTE_BOUNDS, ""]],
    *[("schedules", "grace", _grace, v, v) for v in (-1, 0, 1, 60, 719, 720, 721)],
    *[
        ("schedules", "every", _every, v, None if v == 1 else v)
        for v in (-1, 0, 1, 2, 99_999, 100_000, 100_001)
    ],
    *[("meds", "per_dose", _per_dose, v, v) for v in (-1, 0, 0.25, 1, 2.5)],
    *[("refills", "count", _refill, v, v) for v in (-1, 0, 0.5, 30)],
    *[("records", "effect", _effect, v, v) for v in TEXT_BOUNDS],
    *[("records", "severity", _severity, v, v) for v in (-1, 0, 1, 3, 5, 6)],
    *[("records", "note", _effect_note, v, v or None) for v in [*NOTE_BOUNDS, ""]],
    *[
        ("tips", "text", _tip, v, v)
        for v in ("a", "a" * 1000, "a" * 1001, "", "two\nlines", "a\x1bb", "a\u2066b")
    ],
    *[("tips", "medication", _tip_med, v, v) for v in TEXT_BOUNDS],
    *[("tips", "side_effect", _tip_effect, v, v) for v in TEXT_BOUNDS],
    *[
        ("tips", "tags", _tags, v, _tags_text(v))
        for v in (
            [],
            ["food"],
            [f"t{i}" for i in range(10)],
            [f"t{i}" for i in range(11)],
            ["a" * 32],
            ["a" * 33],
            ["fo\u200bod"],
        )
    ],
]


def _id(case: tuple[str, str, Write, Any, Any]) -> str:
    table, column, _, value, _ = case
    shown = repr(value)
    return f"{table}.{column}={shown if len(shown) < 20 else shown[:16] + '…'}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_the_write_path_and_the_importer_agree_on_each_boundary(
    journal: Journal, case: tuple[str, str, Write, Any, Any]
) -> None:
    table, column, write, typed, stored = case
    try:
        write(journal, typed)
        written = True
    except UsageError:
        written = False
    problem = import_check(journal, table, column)(stored)
    assert written == (problem is None), (typed, problem)


def test_a_supply_may_fall_below_zero_once_stored_but_is_typed_as_zero_or_more(
    journal: Journal,
) -> None:
    """The one limit the two sides hold differently, on purpose: doses taken past the
    supply leave it below zero, so a stored supply may be negative (down to a floor)."""
    check = import_check(journal, "meds", "supply")
    with pytest.raises(UsageError):
        med(supply=-1)(journal, None)
    med(supply=0)(journal, None)
    assert check(0) is None
    assert check(-1) is None
    assert check(rules.SUPPLY_FLOOR) is None
    assert check(rules.SUPPLY_FLOOR * 2) is not None


def test_everything_the_write_paths_store_imports_again(journal: Journal, tmp_path: Path) -> None:
    add_med(
        journal,
        "a" * rules.MAX_NAME,
        ScheduleOptions(
            times=[time(8)], dose="d" * rules.MAX_NAME, grace=rules.MAX_GRACE, every=100_000
        ),
        note="n" * rules.MAX_NOTE,
        supply=0,
        per_dose=0.5,
    )
    add_effect(journal, "e" * rules.MAX_NAME, severity=rules.MAX_SEVERITY, note="x\ny")
    add_tip(
        journal,
        "t" * rules.MAX_TIP_TEXT,
        medication="m" * rules.MAX_NAME,
        tags=["g" * rules.MAX_TAG] + [f"t{i}" for i in range(rules.MAX_TAGS - 1)],
    )
    out = io.StringIO()
    write_json(journal, out)
    staged = importing.read_export(out.getvalue().encode())
    try:
        assert staged.rows == 4
    finally:
        staged.close()


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        max_size=rules.MAX_NAME + 3,
    )
)
def test_any_name_a_person_types_is_stored_only_when_an_import_would_take_it(
    text: str,
) -> None:
    """The write path cleans a name (strip, NFC) and checks it; the cleaned form is what
    the importer sees, and it agrees."""
    from adherelog.text import check_text

    try:
        cleaned = check_text(text, "name", max_len=rules.MAX_NAME)
    except UsageError:
        cleaned = None
    if cleaned is not None:
        assert rules.NAME(cleaned) is None
    else:
        import unicodedata

        assert rules.NAME(unicodedata.normalize("NFC", text.strip())) is not None


_RECORD = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["dose", "skip", "effect"]),
        "med_id": st.sampled_from([None, "m"]),
        "effect": st.sampled_from([None, "Nausea"]),
        "slot_at": st.sampled_from([None, "2026-11-01T08:00:00Z"]),
        "slot_zone": st.sampled_from([None, "Europe/London"]),
        "slot_date": st.sampled_from([None, "2026-11-01"]),
    }
)


@given(st.lists(_RECORD, min_size=1, max_size=6))
def test_a_batch_of_records_passes_at_once_only_when_each_row_passes(
    rows: list[dict[str, Any]],
) -> None:
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    if rules.records_all_pass(columns):
        assert all(rules.ROW_RULES["records"](row) is None for row in rows)
