"""Recording many doses and skips at once (benchmark journals, tests of long histories).

The rows are made by the journal's own :meth:`~adherelog.journal.Journal._insert_record`,
so they are exactly what ``take`` and ``skip`` store; they are then written with one
``executemany`` inside one write transaction. Unlike ``take``, nothing here checks slots,
changes the supply or can be undone: the caller passes slots it got from the schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from adherelog.journal import Journal, new_id
from adherelog.model import Slot

BATCH = 20_000


@dataclass(frozen=True)
class BulkRecord:
    """One dose or skip: ``kind`` is ``"dose"`` or ``"skip"``; ``slot`` None for an
    additional or as-needed dose."""

    kind: str
    med_id: str
    at: datetime
    slot: Slot | None
    amount: float | None = None


class _Collect:
    """Stands in for the connection: keeps the statement and its values."""

    def __init__(self) -> None:
        self.sql = ""
        self.rows: list[Sequence[Any]] = []

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        self.sql = sql
        self.rows.append(params)


def bulk_record_doses(journal: Journal, records: Iterable[BulkRecord]) -> int:
    """Store ``records`` in one transaction; return how many were written."""
    written = 0
    collect = _Collect()
    with journal.store.write() as conn:
        for record in records:
            if record.kind not in ("dose", "skip"):
                raise ValueError(f"bulk records are doses or skips, not {record.kind!r}")
            journal._insert_record(
                cast(Any, collect),
                new_id(),
                record.kind,
                record.med_id,
                record.at,
                record.slot,
                amount=record.amount,
            )
            if len(collect.rows) >= BATCH:
                conn.executemany(collect.sql, collect.rows)
                written += len(collect.rows)
                collect.rows = []
        if collect.rows:
            conn.executemany(collect.sql, collect.rows)
            written += len(collect.rows)
    return written
