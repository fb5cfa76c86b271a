"""The clinic report (SPEC §8): what a person brings to a visit.

:func:`build_report` gathers plain values for a period — the current medications and their
schedules, adherence per medication, each day's state for the calendar heatmap, the side
effects and the skipped doses with their reasons — and the renderers in :data:`RENDERERS`
turn them into Markdown or one self-contained HTML page (:mod:`adherelog.report_html`).
The numbers are those of ``adherelog summary`` for the same period. The report describes;
it never advises changing a dose. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from adherelog.adherence import DayClass
from adherelog.errors import UsageError
from adherelog.journal import Journal
from adherelog.model import Med, ScheduleVersion
from adherelog.summary import Counts, MedSummary
from adherelog.tipfile import md_escape

DEFAULT_DAYS = 90
TARGET = 0.8  # the reference line drawn at 80 % (SPEC §6)
MAX_LISTED = 200  # side effects and skips listed in full; older ones are counted


@dataclass(frozen=True)
class ScheduleChange:
    """A schedule version that started inside the period (a taper, a new time, a stop)."""

    start: date
    text: str
    dose: str | None


@dataclass(frozen=True)
class MedRow:
    name: str
    dose: str | None
    schedule: str  # "daily at 08:00, 20:00", "as needed", "stopped"
    zone: str
    since: date
    supply: float | None
    active: bool
    as_needed: bool
    counts: Counts | None  # None for a medication without slots in the period
    as_needed_doses: int
    extra_doses: int  # additional doses of a scheduled medication, filling no slot
    changes: tuple[ScheduleChange, ...] = ()


@dataclass(frozen=True)
class Day:
    """One calendar day: ``state`` is kept, broken, open (doses still pending today) or
    none (nothing scheduled)."""

    day: date
    state: str
    expected: int
    taken: int


@dataclass(frozen=True)
class EffectItem:
    at: datetime  # local
    name: str
    severity: int | None
    med: str | None
    note: str | None


@dataclass(frozen=True)
class SkipItem:
    at: datetime  # local: the scheduled moment that was skipped
    med: str
    reason: str | None


@dataclass(frozen=True)
class ReportData:
    generated: datetime  # local
    since: date
    until: date  # inclusive
    zone: str
    overall: Counts
    current_streak: int
    longest_streak: int
    meds: tuple[MedRow, ...]
    days: tuple[Day, ...]
    effects: tuple[EffectItem, ...]
    skips: tuple[SkipItem, ...]
    effects_total: int
    skips_total: int

    @property
    def day_count(self) -> int:
        return (self.until - self.since).days + 1


# --------------------------------------------------------------------------- shared words


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def number_text(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def period_text(data: ReportData) -> str:
    return (
        f"{long_date(data.since)} to {long_date(data.until)} "
        f"({data.day_count} days, times in {data.zone})"
    )


def severity_text(severity: int | None) -> str:
    from adherelog.effects import severity_word

    word = severity_word(severity)
    return "–" if severity is None else f"{severity} ({word})" if word else str(severity)


DAY_SYMBOLS = {"kept": "✓", "broken": "✗", "open": "…", "none": "·"}
DAY_WORDS = {
    "kept": "all doses taken",
    "broken": "a dose skipped or missed",
    "open": "doses still to come",
    "none": "no doses scheduled",
}
DISCLAIMER = (
    "Recorded by the patient with adherelog. A record of what happened, for discussion "
    "with a clinician; it is not medical advice."
)


# --------------------------------------------------------------------------- Markdown


def _md(value: str | None) -> str:
    return "" if not value else md_escape(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    align = align or "l" * len(header)
    marks = [":--" if a == "l" else "--:" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def _weeks(days: Sequence[Day]) -> list[tuple[date, list[Day | None]]]:
    """The days as weeks from Monday: (the Monday, seven days or None outside the period)."""
    if not days:
        return []
    by_day = {d.day: d for d in days}
    monday = days[0].day - timedelta(days=days[0].day.weekday())
    weeks: list[tuple[date, list[Day | None]]] = []
    while monday <= days[-1].day:
        weeks.append((monday, [by_day.get(monday + timedelta(days=i)) for i in range(7)]))
        monday += timedelta(days=7)
    return weeks


def render_markdown(data: ReportData) -> str:
    """The report as Markdown: every user-typed text escaped so it renders as plain text."""
    o = data.overall
    out = [
        "# Medication report",
        "",
        f"**Period:** {period_text(data)}  ",
        f"Generated {data.generated.strftime('%Y-%m-%d %H:%M')}. {DISCLAIMER}",
        "",
        "## Summary",
        "",
    ]
    out += _table(
        ["", ""],
        [
            ["Adherence (taken of scheduled doses so far)", percent(o.adherence)],
            ["Doses taken", f"{o.taken} of {o.taken + o.skipped + o.missed}"],
            ["… on time / late", f"{o.on_time} / {o.late}"],
            ["Skipped / missed", f"{o.skipped} / {o.missed}"],
            ["Still to come today", str(o.pending)],
            ["Current streak / longest", f"{data.current_streak} / {data.longest_streak} days"],
        ],
        "lr",
    )
    out += ["", "## Current medications", ""]
    if data.meds:
        out += _table(
            ["Medication", "Dose", "Schedule", "Since", "Supply"],
            [
                [
                    _md(m.name),
                    _md(m.dose),
                    _md(m.schedule) + ("" if m.zone == data.zone else f" ({_md(m.zone)})"),
                    m.since.isoformat(),
                    number_text(m.supply) if m.supply is not None else "",
                ]
                for m in data.meds
            ],
        )
        changes = [(med, change) for med in data.meds for change in med.changes]
        if changes:
            out += ["", "Schedule changes in this period:", ""]
        for med, change in changes:
            dose = f", {_md(change.dose)}" if change.dose else ""
            out.append(
                f"- {_md(med.name)}: from {change.start.isoformat()}, {_md(change.text)}{dose}"
            )
    else:
        out.append("No medications.")
    out += ["", "## Adherence by medication", ""]
    scheduled = [m for m in data.meds if m.counts is not None]
    if scheduled:
        out += _table(
            ["Medication", "Taken", "On time", "Late", "Skipped", "Missed", "Adherence"],
            [
                [
                    _md(m.name),
                    f"{c.taken} of {c.taken + c.skipped + c.missed}",
                    str(c.on_time),
                    str(c.late),
                    str(c.skipped),
                    str(c.missed),
                    percent(c.adherence),
                ]
                for m in scheduled
                if (c := m.counts) is not None
            ],
            "lrrrrrr",
        )
        out.append("")
        out.append(f"The reference line in the HTML report is at {percent(TARGET)}.")
    else:
        out.append("No scheduled doses in this period.")
    unscheduled = [m for m in data.meds if m.as_needed_doses or m.extra_doses]
    if unscheduled:
        out.append("")
        for med in unscheduled:
            if med.as_needed_doses:
                out.append(f"- {_md(med.name)}: {med.as_needed_doses} as-needed dose(s)")
            if med.extra_doses:
                out.append(f"- {_md(med.name)}: {med.extra_doses} additional dose(s)")
    out += ["", "## Calendar", ""]
    weeks = _weeks(data.days) if any(d.expected for d in data.days) else []
    if not weeks:
        out.append("No doses were scheduled in this period.")
    else:
        out += _table(
            ["Week of", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            [
                [monday.isoformat()] + ["" if d is None else DAY_SYMBOLS[d.state] for d in week]
                for monday, week in weeks
            ],
            "llllllll",
        )
        out.append("")
        out.append("; ".join(f"{DAY_SYMBOLS[k]} {v}" for k, v in DAY_WORDS.items()) + ".")
    out += ["", "## Side effects", ""]
    if data.effects:
        out += _table(
            ["Date", "Side effect", "Severity", "Medication", "Note"],
            [
                [
                    e.at.strftime("%Y-%m-%d %H:%M"),
                    _md(e.name),
                    severity_text(e.severity),
                    _md(e.med),
                    _md(e.note),
                ]
                for e in data.effects
            ],
        )
        if data.effects_total > len(data.effects):
            out += ["", f"… and {data.effects_total - len(data.effects)} earlier ones."]
    else:
        out.append("No side effects recorded in this period.")
    out += ["", "## Skipped doses", ""]
    if data.skips:
        out += _table(
            ["Dose of", "Medication", "Reason"],
            [[s.at.strftime("%Y-%m-%d %H:%M"), _md(s.med), _md(s.reason)] for s in data.skips],
        )
        if data.skips_total > len(data.skips):
            out += ["", f"… and {data.skips_total - len(data.skips)} earlier ones."]
    else:
        out.append("No doses were skipped in this period.")
    return "\n".join(out) + "\n"


def render_html(data: ReportData) -> str:
    from adherelog.report_html import render

    return render(data)


Renderer = Callable[[ReportData], str]
RENDERERS: dict[str, Renderer] = {"md": render_markdown, "html": render_html}
"""``report --format`` choices: format name → renderer of the whole document."""


# --------------------------------------------------------------------------- gathering


def _calendar_weeks(first: date, last: date) -> int:
    """Weeks of calendar, ending with the week of ``last``, that reach back to ``first``."""
    before = (last - first).days - last.weekday()
    return max(1, -(-before // 7) + 1)


def _version_text(med: Med, version: ScheduleVersion) -> str:
    from dataclasses import replace

    from adherelog.render import schedule_text

    return schedule_text(replace(med, versions=(version,)), version.start)


def _med_row(journal: Journal, row: MedSummary, first: date, last: date) -> MedRow:
    from adherelog import schedule
    from adherelog.render import schedule_text
    from adherelog.views import is_active

    med = row.med
    now = journal.now
    current = med.version_at(now) or med.versions[-1]
    origin = med.versions[0]
    changes = []
    for version in med.versions[1:]:
        start = version.start.astimezone(schedule.zone(version.zone)).date()
        if first <= start <= last:
            changes.append(ScheduleChange(start, _version_text(med, version), version.dose))
    return MedRow(
        name=med.name,
        dose=current.dose,
        schedule=schedule_text(med, now),
        zone=current.zone,
        since=origin.start.astimezone(schedule.zone(origin.zone)).date(),
        supply=med.supply,
        active=is_active(med, now),
        as_needed=row.as_needed,
        counts=row.counts if row.counts.scheduled else None,
        as_needed_doses=row.as_needed_doses,
        extra_doses=row.extra_doses,
        changes=tuple(changes),
    )


_STATES = {
    DayClass.KEPT: "kept",
    DayClass.BROKEN: "broken",
    DayClass.OPEN: "open",
    DayClass.NONE: "none",
}


def build_report(
    journal: Journal, *, since: datetime | None = None, until: datetime | None = None
) -> ReportData:
    """The report's values for the local days from ``since`` to ``until`` (default: the
    last 90 days, today included). The numbers are those of ``summary`` for those days."""
    from adherelog import schedule, summary
    from adherelog.clock import localize

    zone = journal.zone
    today = journal.now.astimezone(zone).date()
    last = today
    if until is not None:
        last = min(today, (until - timedelta(microseconds=1)).astimezone(zone).date())
    first = today - timedelta(days=DEFAULT_DAYS - 1)
    if since is not None:
        first = since.astimezone(zone).date()
    if first > last:
        raise UsageError("The report period is empty: --since must be before --until and today.")
    found = summary.summarize(
        journal, first=first, last=last, calendar_weeks=_calendar_weeks(first, last)
    )
    meds = tuple(_med_row(journal, row, first, last) for row in found.meds)
    # The calendar starts with the first medication, not with empty weeks before it.
    shown_from = max(first, min((m.since for m in meds), default=first))
    days = tuple(
        Day(c.day, _STATES.get(c.cls, "none"), c.expected, c.taken)
        for c in found.calendar
        if shown_from <= c.day <= last
    )
    start = localize(first, datetime.min.time(), zone)
    end = localize(last + timedelta(days=1), datetime.min.time(), zone)
    records = journal.history(since=start, until=end)
    effects = [
        EffectItem(r.at.astimezone(zone), r.effect or "", r.severity, r.med_name, r.note)
        for r in records
        if r.kind == "effect"
    ]
    skips = [
        SkipItem(
            (r.slot_at or r.at).astimezone(schedule.zone(r.slot_zone or r.zone)),
            r.med_name or "",
            r.note,
        )
        for r in records
        if r.kind == "skip"
    ]
    return ReportData(
        generated=journal.now.astimezone(zone),
        since=first,
        until=last,
        zone=zone.key,
        overall=found.overall,
        current_streak=found.streak.current,
        longest_streak=found.streak.longest,
        meds=meds,
        days=days,
        effects=tuple(effects[-MAX_LISTED:]),
        skips=tuple(skips[-MAX_LISTED:]),
        effects_total=len(effects),
        skips_total=len(skips),
    )
