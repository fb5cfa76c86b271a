"""Slot status, and (built on it) day classification, streaks and adherence (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adherelog.model import Slot, SlotStatus


def slot_status(slot: Slot, record_kind: str | None, now: datetime) -> SlotStatus:
    """The status of ``slot`` at ``now`` given the kind of record that fills it, if any
    (SPEC §5): taken/skipped when filled; otherwise upcoming before its time, due within
    the grace period, overdue later the same local day, missed once that day is over."""
    if record_kind == "dose":
        return SlotStatus.TAKEN
    if record_kind == "skip":
        return SlotStatus.SKIPPED
    now_utc, scheduled = now.astimezone(UTC), slot.scheduled.astimezone(UTC)
    if now_utc < scheduled:
        return SlotStatus.UPCOMING
    if now_utc <= scheduled + timedelta(minutes=slot.grace):
        return SlotStatus.DUE
    if now.astimezone(slot.scheduled.tzinfo).date() <= slot.local_date:
        return SlotStatus.OVERDUE
    return SlotStatus.MISSED
