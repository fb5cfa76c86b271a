"""Recording many doses and skips at once (benchmark journals, tests of long histories).

Each record is built by :func:`adherelog.doses.new_record`, so it is exactly what ``take``
and ``skip`` store, and stored by :func:`adherelog.storage.records.insert_records` in
batches inside one write transaction. Unlike ``take``, nothing here checks slots, changes
the supply or can be undone: the caller passes slots it got from the schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from adherelog.doses import new_record
from adherelog.model import Slot
from adherelog.session import Session, new_record_id
from adherelog.storage.records import insert_records

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


def bulk_record_doses(session: Session, records: Iterable[BulkRecord]) -> int:
    """Store ``records`` in one transaction; return how many were written."""
    written = 0
    pending = iter(records)
    with session.store.write() as conn:
        while batch := list(islice(pending, BATCH)):
            rows = []
            for record in batch:
                if record.kind not in ("dose", "skip"):
                    raise ValueError(f"bulk records are doses or skips, not {record.kind!r}")
                rows.append(
                    new_record(
                        session, new_record_id(record.at), record.kind, record.med_id,
                        record.at, record.slot, amount=record.amount,
                    )
                )  # fmt: skip
            insert_records(conn, rows, session.now)
            written += len(rows)
    return written
