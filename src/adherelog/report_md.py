"""The clinic report as Markdown: every text a person typed escaped so that it renders as
plain text (no markup, no links)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from adherelog.report_data import TARGET, Day, ReportData
from adherelog.report_text import (
    DAY_SYMBOLS,
    DAY_WORDS,
    DISCLAIMER,
    long_date,
    long_moment,
    number_text,
    percent,
    period_text,
    severity_text,
)
from adherelog.text import plural
from adherelog.tipfile import md_escape


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


def _day_cell(day: Day) -> str:
    """A day of the calendar: a symbol when it says everything, else the share taken."""
    if day.state == "broken" and day.expected:
        return f"{day.taken}/{day.expected}"
    return DAY_SYMBOLS[day.state]


def render(data: ReportData) -> str:
    """The report as Markdown: every user-typed text escaped so it renders as plain text."""
    o = data.overall
    out = [
        "# Medication report",
        "",
        f"**Period:** {period_text(data)}  ",
        f"Generated {long_moment(data.generated)}. {DISCLAIMER}",
        "",
        "## Summary",
        "",
    ]
    out += _table(
        ["", ""],
        [
            ["Adherence (taken of scheduled doses so far)", percent(o.adherence)],
            ["Doses taken", f"{o.taken} of {o.taken + o.skipped + o.missed}"],
            ["… on time / early / late", f"{o.on_time} / {o.early} / {o.late}"],
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
                    long_date(m.since),
                    number_text(m.supply) if m.supply is not None else "",
                ]
                for m in data.meds
            ],
        )
        changed = [med for med in data.meds if len(med.versions) > 1]
        if changed:
            out += ["", "Doses and schedules in this period:", ""]
        for med in changed:
            for version in med.versions:
                dose = f"{_md(version.dose)}, " if version.dose else ""
                span = (
                    f"{long_date(version.start)} to {long_date(version.until)}"
                    if version.until
                    else f"from {long_date(version.start)}"
                )
                out.append(f"- {_md(med.name)}: {span}: {dose}{_md(version.text)}")
    else:
        out.append("No medications.")
    out += ["", "## Adherence by medication", ""]
    scheduled = [m for m in data.meds if m.counts is not None]
    if scheduled:
        out += _table(
            ["Medication", "Taken", "On time", "Early", "Late", "Skipped", "Missed", "Adherence"],
            [
                [
                    _md(m.name),
                    f"{c.taken} of {c.taken + c.skipped + c.missed}",
                    str(c.on_time),
                    str(c.early),
                    str(c.late),
                    str(c.skipped),
                    str(c.missed),
                    percent(c.adherence),
                ]
                for m in scheduled
                if (c := m.counts) is not None
            ],
            "lrrrrrrr",
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
                out.append(f"- {_md(med.name)}: {plural(med.as_needed_doses, 'as-needed dose')}")
            if med.extra_doses:
                out.append(f"- {_md(med.name)}: {plural(med.extra_doses, 'additional dose')}")
    out += ["", "## Missed doses by time of day", ""]
    timed = [t for t in data.by_time if t.due]
    if timed:
        out += _table(
            ["Time of day", "Due", "Missed", "Skipped", "Not taken"],
            [
                [t.clock, str(t.due), str(t.missed), str(t.skipped), percent(t.not_taken / t.due)]
                for t in timed
            ],
            "lrrrr",
        )
    else:
        out.append("No scheduled doses in this period.")
    out += ["", "## Calendar", ""]
    weeks = _weeks(data.days) if any(d.expected for d in data.days) else []
    if not weeks:
        out.append("No doses were scheduled in this period.")
    else:
        out += _table(
            ["Week of", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            [
                [long_date(monday)] + ["" if d is None else _day_cell(d) for d in week]
                for monday, week in weeks
            ],
            "llllllll",
        )
        out.append("")
        out.append(
            "; ".join(f"{DAY_SYMBOLS[k]} {v}" for k, v in DAY_WORDS.items())
            + "; 5/7: doses taken of those due that day."
        )
    out += ["", "## Side effects", ""]
    if data.effects:
        out += _table(
            ["Date", "Side effect", "Severity", "Medication", "Note"],
            [
                [
                    long_moment(e.at),
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
            [[long_moment(s.at), _md(s.med), _md(s.reason)] for s in data.skips],
        )
        if data.skips_total > len(data.skips):
            out += ["", f"… and {data.skips_total - len(data.skips)} earlier ones."]
    else:
        out.append("No doses were skipped in this period.")
    return "\n".join(out) + "\n"
