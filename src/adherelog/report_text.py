"""The words both renderers of the clinic report use: numbers, dates, day states, the
disclaimer."""

from __future__ import annotations

from datetime import date, datetime

from adherelog.report_data import ReportData
from adherelog.views import clock_text, day_text, severity_word


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def number_text(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def long_date(day: date) -> str:
    """'Sun 22 Nov 2026': the one date style, always with the year in a document that is
    read later (README, "Dates and times on screen")."""
    return day_text(day, date.min)


def long_moment(moment: datetime) -> str:
    """'Sun 22 Nov 2026 09:10' for a moment already in the report's zone."""
    return f"{long_date(moment.date())} {clock_text(moment)}"


def period_text(data: ReportData) -> str:
    return (
        f"{long_date(data.since)} to {long_date(data.until)} "
        f"({data.day_count} days, times in {data.zone})"
    )


def severity_text(severity: int | None) -> str:
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
