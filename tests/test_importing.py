"""An import file is checked by batches, column by column, yet every problem is told as the
row-by-row check tells it: the first in file order, with the same words (adherelog.importing).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from adherelog import clock, export, importing, storage
from adherelog.errors import InvalidFileError
from adherelog.journal import Journal
from adherelog.sample import fill_sample

_DOC: dict[str, str] = {}


def sample_document(tmp_path: Path) -> dict[str, Any]:
    if "doc" not in _DOC:
        zone = clock.local_zone()
        store = storage.open_store(tmp_path / "sample.db", write=True)
        try:
            journal = Journal(store, datetime(2026, 11, 22, 9, 10, tzinfo=zone), zone)
            fill_sample(journal, days=14)
            out = io.StringIO()
            export.write_json(journal, out)
        finally:
            store.close()
        _DOC["doc"] = out.getvalue()
    loaded: dict[str, Any] = json.loads(_DOC["doc"])
    return loaded


def _null_kind_and_no_at(doc: dict[str, Any]) -> None:
    doc["records"][7]["kind"] = None
    del doc["records"][7]["at"]


def _late_fraction(doc: dict[str, Any]) -> None:
    doc["records"][9]["late_minutes"] = 1.5


def _repeated_id_then_bad_value(doc: dict[str, Any]) -> None:
    doc["records"][4]["id"] = doc["records"][3]["id"]
    doc["records"][6]["zone"] = "Mars/Olympus"


def _unknown_key(doc: dict[str, Any]) -> None:
    doc["records"][5]["mood"] = "fine"


def _int_for_float_and_true(doc: dict[str, Any]) -> None:
    doc["records"][2]["amount"] = 1
    doc["records"][8]["severity"] = True


DAMAGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "null kind, missing at": _null_kind_and_no_at,
    "late fraction": _late_fraction,
    "repeated id, then bad zone": _repeated_id_then_bad_value,
    "unknown key": _unknown_key,
    "int amount, bool severity": _int_for_float_and_true,
}


def message(document: bytes) -> str:
    try:
        importing.read_export(document).close()
    except InvalidFileError as exc:
        return str(exc)
    return "accepted"


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_batches_tell_the_same_first_problem_as_rows_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    doc = sample_document(tmp_path)
    DAMAGES[damage](doc)
    document = json.dumps(doc).encode()
    told = []
    for batch in (3, 5000):
        monkeypatch.setattr(importing, "BATCH", batch)
        told.append(message(document))
    monkeypatch.setattr(importing._Stager, "stage_batch", lambda *args: False)
    one_by_one = message(document)
    assert told == [one_by_one, one_by_one]
    assert one_by_one != "accepted" or damage == "int amount, bool severity"


def test_a_null_is_told_before_a_later_missing_column(tmp_path: Path) -> None:
    doc = sample_document(tmp_path)
    _null_kind_and_no_at(doc)
    assert message(json.dumps(doc).encode()) == "records[7].kind: must not be null."
