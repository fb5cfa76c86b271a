"""``history``: what was recorded in a period, with the slots that were missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adherelog import schedule
from adherelog.adherence import slot_status
from adherelog.errors import UsageError
from adherelog.model import Record, SlotStatus
from adherelog.session import FUTURE_TOLERANCE, Session
from adherelog.storage import records as stored_records


def history(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    med: str | None = None,
) -> list[Record]:
    """``history``: doses, skips, side effects and missed slots in ``[since, until)``
    (default: the last 7 days, including what was just recorded), in time order."""
    now = session.now
    if until is None:
        # Doses may be recorded up to FUTURE_TOLERANCE ahead; the default end keeps them.
        until = now.astimezone(UTC) + FUTURE_TOLERANCE + timedelta(seconds=1)
    until = until.astimezone(UTC)
    since = (since or (now.astimezone(UTC) - timedelta(days=7))).astimezone(UTC)
    if since >= until:
        raise UsageError("--since must be before --until.")
    meds = session.meds()
    med_id = None
    if med is not None:
        chosen = session.med(med)
        meds = [chosen]
        med_id = chosen.id
    records = stored_records.records_between(session.conn, since, until, med_id=med_id)
    for each in meds:
        for slot in schedule.slots_between(each.versions, since, min(until, now)):
            if slot_status(slot, None, now) is not SlotStatus.MISSED:
                continue
            if stored_records.record_for_slot(session.conn, each.id, slot.scheduled) is not None:
                continue
            records.append(
                Record(
                    id="",
                    kind="missed",
                    med_id=each.id,
                    med_name=each.name,
                    at=slot.scheduled.astimezone(UTC),
                    zone=slot.zone,
                    local_date=slot.local_date,
                    slot_at=slot.scheduled.astimezone(UTC),
                    slot_zone=slot.zone,
                    slot_date=slot.local_date,
                )
            )
    records.sort(key=lambda r: (r.at, r.kind))
    return records
