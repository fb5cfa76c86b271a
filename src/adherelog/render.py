"""Human output for the journal commands, as styled lines (see :mod:`adherelog.output`).

Every user-typed text goes through :func:`adherelog.text.one_line` here.
"""

from __future__ import annotations

from adherelog import schedule
from adherelog.model import SlotStatus
from adherelog.output import table
from adherelog.schedule import schedule_text
from adherelog.text import one_line
from adherelog.views import clock_text, day_text, is_active, moment_text, number

DEFAULT_GRACE = 60  # minutes, when a record's schedule is not at hand (SPEC §4)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from adherelog.due import DueView
    from adherelog.model import Med, Record
    from adherelog.output import Line, Segment
    from adherelog.undo import Undone

STATUS_STYLE = {
    SlotStatus.UPCOMING: "dim",
    SlotStatus.DUE: "bold yellow",
    SlotStatus.OVERDUE: "bold red",
    SlotStatus.MISSED: "red",
    SlotStatus.TAKEN: "green",
    SlotStatus.SKIPPED: "yellow",
}
KIND_STYLE = {"dose": "green", "skip": "yellow", "missed": "red", "effect": "magenta"}


def when(
    moment: datetime,
    zone: ZoneInfo,
    now: datetime,
    own_zone: str | None = None,
    *,
    dated: bool = False,
) -> str:
    """The one date style (see :func:`adherelog.views.moment_text`): 'today 08:05',
    'yesterday 21:10', 'Mon 16 Nov 08:00', '13:00 (08:00 America/New_York)'; ``dated`` (a
    column of a table) always with the day, never 'today'."""
    return moment_text(moment, zone, now, own_zone=own_zone, words=not dated, dated=dated)


def lateness(minutes: int | None, grace: int | None) -> str:
    """'on time', 'on time, 5 min after', '2 h late', '5 h early' (SPEC §5: early is not
    late; within the grace period a dose is on time, whichever side of its slot)."""
    if minutes is None:
        return ""
    if minutes == 0:
        return "on time"
    if abs(minutes) <= (DEFAULT_GRACE if grace is None else grace):
        return f"on time, {_span(minutes)} {'after' if minutes > 0 else 'before'}"
    return f"{_span(minutes)} {'late' if minutes > 0 else 'early'}"


def _span(minutes: int) -> str:
    minutes = abs(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _grace_for(med: Med | None, record: Record) -> int | None:
    if med is None or record.slot_at is None:
        return None
    version = med.version_at(record.slot_at)
    return None if version is None else version.grace


def taken_lines(
    records: Sequence[Record], meds: dict[str, Med], zone: ZoneInfo, now: datetime
) -> list[Line]:
    """What ``take`` / ``skip`` recorded, echoing the parsed moment (SPEC §2)."""
    lines: list[Line] = []
    for record in records:
        name = one_line(record.med_name or "")
        med = meds.get(record.med_id or "")
        at = when(record.at, zone, now, record.zone)
        if record.kind == "skip":
            slot = _slot_in_row(record, zone, now) if record.slot_at else ""
            line: Line = [
                ("Skipped ", "yellow"),
                (name, "bold"),
                (f" {at}, the {slot} dose", None),
            ]
            if record.note:
                line.append((f": {one_line(record.note)}", None))
            lines.append(line)
            continue
        line = [("Took ", "green"), (name, "bold")]
        if record.amount is not None and med is not None and record.amount != med.per_dose:
            line.append((f" ×{number(record.amount)}", None))
        line.append((f" {at}", None))
        if record.slot_at is not None:
            scheduled = _slot_in_row(record, zone, now)
            late = lateness(record.late_minutes, _grace_for(med, record))
            style = "green" if late.startswith("on time") else "yellow"
            line += [(f", for the {scheduled} dose (", None), (late, style), (")", None)]
        elif med is not None and (version := med.version_at(record.at)) and version.as_needed:
            line.append((" (as needed)", "dim"))
        else:
            line.append((" (an additional dose, no slot)", "yellow"))
        lines.append(line)
        if med is not None and med.supply is not None:
            lines.append([(f"  {number(med.supply)} left", "dim")])
    return lines


def due_lines(view: DueView, zone: ZoneInfo) -> list[Line]:
    """``due``: today's slots and the as-needed medications."""
    now_local = view.now.astimezone(zone)
    lines: list[Line] = [
        [
            (
                f"Today, {day_text(now_local.date(), now_local.date())} — "
                f"now {clock_text(now_local)} ({zone.key})",
                "bold",
            )
        ]
    ]
    if not view.slots and not view.as_needed:
        lines.append([("  Nothing is scheduled today.", "dim")])
        return lines + buddy_due_lines(view)
    if view.slots:
        rows: list[list[Segment]] = []
        for item in view.slots:
            version = item.med.version_at(item.slot.scheduled)
            dose = one_line(version.dose) if version and version.dose else ""
            detail = ""
            if item.record is not None and item.record.kind == "dose":
                at = moment_text(item.record.at, zone, view.now, own_zone=item.record.zone)
                detail = f"at {at}, " + lateness(item.record.late_minutes, item.slot.grace)
            elif item.record is not None and item.record.note:
                detail = one_line(item.record.note)
            label = moment_text(item.slot.scheduled, zone, view.now, own_zone=item.slot.zone)
            rows.append(
                [
                    (label, None),
                    (one_line(item.med.name), "bold"),
                    (dose, None),
                    (item.status.value, STATUS_STYLE[item.status]),
                    (detail, "dim"),
                ]
            )
        lines += table(
            ["time", "medication", "dose", "status", ""],
            rows,
            max_widths=[40, 24, 16, 8, 0],
            fill=True,
        )
    if view.as_needed:
        lines.append([("As needed", "bold")])
        rows = [
            [
                (one_line(entry.med.name), "bold"),
                (
                    "never taken"
                    if entry.last_taken is None
                    else "last taken "
                    + when(entry.last_taken.at, zone, view.now, entry.last_taken.zone),
                    "dim",
                ),
            ]
            for entry in view.as_needed
        ]
        lines += table(["medication", "last dose"], rows, max_widths=[24, 0], fill=True)[1:]
    return lines + buddy_due_lines(view)


def buddy_due_lines(view: DueView) -> list[Line]:
    """The buddy nudges of ``due``: "It's 9 days since you and ana checked in"."""
    lines: list[Line] = []
    for buddy in view.buddies:
        name = one_line(buddy.name)
        if buddy.days is None:
            text = f"You and {name} have not been in touch yet; time for a check-in."
        else:
            days = "a day" if buddy.days == 1 else f"{buddy.days} days"
            text = f"It's {days} since you and {name} checked in."
        lines.append([(text, "yellow")])
    return lines


def _slot_in_row(record: Record, zone: ZoneInfo, now: datetime) -> str:
    """A record's slot beside its moment: '08:00' on the same local day, else with its day;
    its own zone's clock in brackets when that zone is another one."""
    assert record.slot_at is not None
    same_day = record.slot_at.astimezone(zone).date() == record.at.astimezone(zone).date()
    return moment_text(
        record.slot_at,
        zone,
        record.at if same_day else now,
        own_zone=record.slot_zone,
        dated=not same_day,
    )


def history_lines(
    records: Sequence[Record],
    zone: ZoneInfo,
    now: datetime,
    meds: dict[str, Med] | None = None,
) -> list[Line]:
    """``history``: one line per record, oldest first; notes wrap within the terminal's
    width (``meds``, by id, give each dose's grace period)."""
    if not records:
        return [[("No records in this period.", "dim")]]
    meds = meds or {}
    rows: list[list[Segment]] = []
    for record in records:
        moment = record.slot_at if record.kind == "missed" and record.slot_at else record.at
        what = one_line(record.med_name or "")
        if record.kind == "effect":
            what = one_line(record.effect or "") + (
                f" ({one_line(record.med_name)})" if record.med_name else ""
            )
        detail = ""
        if record.kind == "dose":
            if record.slot_at is None:
                detail = "no slot"
            else:
                grace = _grace_for(meds.get(record.med_id or ""), record)
                detail = f"for {_slot_in_row(record, zone, now)}, " + lateness(
                    record.late_minutes, grace
                )
        elif record.kind == "skip" and record.slot_at is not None:
            detail = f"the {_slot_in_row(record, zone, now)} dose"
        elif record.kind == "effect" and record.severity is not None:
            detail = f"severity {record.severity}"
        if record.note:
            detail = (detail + ": " if detail else "") + one_line(record.note)
        own = record.slot_zone if record.kind == "missed" else record.zone
        rows.append(
            [
                (when(moment, zone, now, own, dated=True), None),
                (record.kind, KIND_STYLE.get(record.kind)),
                (what, "bold"),
                (detail, None),
            ]
        )
    return table(
        ["when", "kind", "what", "details"],
        rows,
        max_widths=[56, 6, 28, 0],
        indent="",
        fill=True,
    )


def med_list_lines(meds: Sequence[Med], now: datetime) -> list[Line]:
    if not meds:
        return [[("No medications yet. Add one with: adherelog med add NAME --time 08:00", "dim")]]
    rows: list[list[Segment]] = []
    for med in meds:
        version = med.version_at(now) or med.versions[0]
        state = "active" if is_active(med, now) else "stopped"
        rows.append(
            [
                (one_line(med.name), "bold"),
                (one_line(version.dose or ""), None),
                (schedule_text(med, now), None),
                ("" if med.supply is None else str(number(med.supply)), None),
                (state, "green" if state == "active" else "dim"),
            ]
        )
    return table(
        ["name", "dose", "schedule", "supply", "state"],
        rows,
        aligns="<<<><",
        max_widths=[24, 16, 30, 6, 7],
        indent="",
    )


def med_lines(med: Med, now: datetime) -> list[Line]:
    """``med show`` / ``med add``: the medication and its schedule history."""
    version = med.version_at(now) or med.versions[0]
    lines: list[Line] = [[(one_line(med.name), "bold")]]
    if version.dose:
        lines[0].append((f"  {one_line(version.dose)}", None))
    grace = "" if version.as_needed else f", grace {version.grace} min"
    lines.append([(f"  schedule: {schedule_text(med, now)} ({version.zone}){grace}", None)])
    if med.supply is not None:
        lines.append(
            [(f"  supply: {number(med.supply)} left, {number(med.per_dose)} per dose", None)]
        )
    if med.note:
        lines.append([(f"  note: {one_line(med.note)}", "dim")])
    lines.append([("  history:", "bold")])
    rows: list[list[Segment]] = []
    for v, start, end in schedule.spans(med.versions):
        tz = schedule.zone(v.zone)
        shown = med.__class__(
            med.id, med.name, med.per_dose, med.supply, med.note, med.created_at, (v,)
        )
        rows.append(
            [
                (moment_text(start, tz, now, dated=True), None),
                ("" if end is None else moment_text(end, tz, now, dated=True), None),
                (schedule_text(shown, start) + (" (planned)" if start > now else ""), None),
                (one_line(v.dose or ""), None),
            ]
        )
    lines += table(
        ["from", "until", "schedule", "dose"], rows, indent="    ", max_widths=[22, 22, 34, 16]
    )
    return lines


def taper_lines(med: Med, now: datetime, *, dry_run: bool) -> list[Line]:
    """``med taper``: the medication with its versions, past and planned."""
    head = "Plan only, nothing changed:" if dry_run else "Taper entered:"
    return [[(head, "yellow" if dry_run else "green")], *med_lines(med, now)]


def undone_lines(undone: Undone) -> list[Line]:
    return [[("Removed ", "yellow"), (one_line(undone.summary), None)]]
