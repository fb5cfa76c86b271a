"""The export writes each row exactly as one ``json.dumps`` of it would, however many rows
are encoded at once (adherelog.export)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

import pytest

from adherelog import clock, export, storage
from adherelog.effects import add_effect
from adherelog.journal import Journal
from adherelog.meds import ScheduleOptions, add_med
from adherelog.text import is_forbidden_char


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    zone = clock.local_zone()
    store = storage.open_store(tmp_path / "export.db", write=True)
    try:
        yield Journal(store, datetime(2026, 11, 22, 9, 10, tzinfo=zone), zone)
    finally:
        store.close()


def reference_line(item: dict[str, object]) -> str:
    """One row as the export has always written it."""
    line = json.dumps(item, ensure_ascii=False, allow_nan=False)
    if line.isascii():
        return line
    return "".join(json.dumps(c)[1:-1] if is_forbidden_char(c) else c for c in line)


NOTES = ["plain", "a }, { b", "del \x7f", "Café", 'quote " and \\ slash', "tab\tline\nx", None]


@pytest.mark.parametrize("batch", [1, 2, 3, 2000])
def test_every_row_is_written_as_json_dumps_writes_it(
    journal: Journal, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", batch)
    add_med(journal, "Metformin", ScheduleOptions(times=[time(8)]), supply=0.1, per_dose=2.5)
    for index, note in enumerate(NOTES * 2):
        made = add_effect(journal, "Nausea", note=f"note {index}")
        # Text no write path accepts, as a journal written elsewhere may hold it.
        with journal.store.write() as conn:
            conn.execute("UPDATE records SET note = ? WHERE id = ?", (note, made.id))
    out = io.StringIO()
    export.write_json(journal, out)
    document = out.getvalue()
    lines = [line.strip().rstrip(",") for line in document.splitlines()]
    rows = [row for table in export.EXPORTED_TABLES for row in json.loads(document)[table]]
    written = [line for line in lines if line.startswith('{"')]
    assert written == [reference_line(row) for row in rows]
    assert len(written) == 1 + 1 + 2 * len(NOTES)


def test_no_progress_bar_beside_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from adherelog.cli.actions import data

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for shown in (True, False):
        terminal = Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        with data._progress("Importing", shown=shown) as progress:
            progress(data.PROGRESS_ROWS, 2 * data.PROGRESS_ROWS)
            progress(2 * data.PROGRESS_ROWS, 2 * data.PROGRESS_ROWS)
        assert bool(terminal.getvalue()) is shown
