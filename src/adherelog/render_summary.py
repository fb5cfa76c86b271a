"""``summary`` and ``streak`` as styled lines (80 columns, readable without colour) and as
the JSON documents of SPEC §6.

Every medication or side-effect name goes through :func:`adherelog.text.one_line`. The
wording describes what happened; it never advises changing a dose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from adherelog.adherence import DayClass, Streak
from adherelog.explain import day_text, percent, slot_sentences, streak_sentences
from adherelog.model import Med
from adherelog.output import Line, Segment, pad, table, truncate
from adherelog.summary_values import CalendarDay, Counts, MedSummary, Summary
from adherelog.text import one_line, plural
from adherelog.views import month_day, number

REFERENCE = 0.8  # the adherence reference line (80%)
BAR_CELLS = 20  # 5% a cell
NAME_WIDTH = 16
TABLE_NAME_WIDTH = 15  # the table has nine columns: unindented, it fits 80
WIDTH = 79  # every line fits an 80-column terminal
ALL = "all medications"

CELL_KEPT, CELL_PARTLY, CELL_NONE, CELL_EMPTY, CELL_LATER = "■", "◩", "□", "·", " "
LEGEND = (
    f"{CELL_KEPT} all taken   {CELL_PARTLY} partly taken   {CELL_NONE} none taken",
    f"{CELL_EMPTY} no doses   blank: still to come   [ ] today",
)
CELL_STYLE = {
    CELL_KEPT: "green",
    CELL_PARTLY: "yellow",
    CELL_NONE: "red",
    CELL_EMPTY: "dim",
    CELL_LATER: None,
}


# --------------------------------------------------------------------------- pieces


def bar(value: float | None) -> str:
    """A 20-cell bar (5% a cell) with ``│`` at 80%: ``████████████████│███░``."""
    if value is None:
        return " " * (BAR_CELLS + 1)
    filled = round(max(0.0, min(1.0, value)) * BAR_CELLS)
    cells = "█" * filled + "░" * (BAR_CELLS - filled)
    mark = round(REFERENCE * BAR_CELLS)
    return cells[:mark] + "│" + cells[mark:]


def cell(item: CalendarDay) -> str:
    """One heatmap cell, told apart by shape, not only by colour."""
    if item.future:
        return CELL_LATER
    if item.expected == 0:
        return CELL_EMPTY
    if item.cls == DayClass.KEPT:
        return CELL_KEPT
    if item.taken:
        return CELL_PARTLY
    if item.cls == DayClass.BROKEN:
        return CELL_NONE
    return CELL_LATER  # today, nothing taken yet and nothing missed


# ----------------------------------------------------------------------- human text


def _name(med: Med | None) -> str:
    return ALL if med is None else one_line(med.name)


def summary_lines(summary: Summary, *, explain: bool = False) -> list[Line]:
    """``summary``: the table, the 80% reference, streaks, calendar, supply, effects."""
    today = summary.today
    days = (summary.last - summary.first).days + 1
    lines: list[Line] = [
        [
            (
                f"Adherence, {day_text(summary.first, today)} – {day_text(summary.last, today)}"
                f" {summary.last.year} ({plural(days, 'day')})",
                "bold",
            )
        ]
    ]
    scheduled = [row for row in summary.meds if not row.as_needed or row.counts.scheduled]
    if not summary.meds:
        lines.append(
            [("  No medications yet. Add one with: adherelog med add NAME --time 08:00", "dim")]
        )
        return lines
    if not scheduled:  # only medications taken as needed: no slots, so no adherence
        lines.append([])
        for row in summary.meds:
            lines.append(
                [
                    (f"  {one_line(row.med.name)}", "bold"),
                    (
                        f", as needed: {plural(row.as_needed_doses, 'dose')} in this period,"
                        " not part of adherence",
                        None,
                    ),
                ]
            )
        lines += _supply(summary)
        lines += _effects(summary)
        return lines
    lines.append([])
    lines += _table(summary, scheduled)
    lines += _notes(summary)
    lines.append([])
    lines += _bars(summary, scheduled)
    lines.append([])
    lines += _streaks(summary, scheduled)
    lines.append([])
    lines += calendar_lines(summary.calendar, today, _name(summary.med))
    lines += _supply(summary)
    lines += _as_needed(summary)
    lines += _effects(summary)
    if explain:
        lines.append([])
        lines += _explain(summary, scheduled)
    return lines


def _table(summary: Summary, rows: Sequence[MedSummary]) -> list[Line]:
    cells: list[list[Segment]] = []

    def row(name: str, counts: Counts, style: str | None) -> list[Segment]:
        return [
            (truncate(name, TABLE_NAME_WIDTH), style),
            (str(counts.scheduled), None),
            (str(counts.taken), None),
            (str(counts.on_time), None),
            (str(counts.early), None),
            (str(counts.late), None),
            (str(counts.skipped), None),
            (str(counts.missed), None),
            (percent(counts.adherence), "bold"),
        ]

    for item in rows:
        cells.append(row(one_line(item.med.name), item.counts, None))
    if summary.med is None and len(rows) > 1:
        cells.append(row(ALL, summary.overall, "bold"))
    return table(
        [
            "medication",
            "slots",
            "taken",
            "on time",
            "early",
            "late",
            "skipped",
            "missed",
            "adherence",
        ],
        cells,
        aligns="<>>>>>>>>",
        indent="",
    )


def _notes(summary: Summary) -> list[Line]:
    out: list[Line] = []
    pending = summary.overall.pending
    if pending:
        out.append(
            [
                (
                    f"  {plural(pending, 'dose')} still to come or within its time "
                    f"{'is' if pending == 1 else 'are'} not counted yet.",
                    "dim",
                )
            ]
        )
    for row in summary.meds:
        if row.extra_doses:
            out.append(
                [
                    (
                        f"  {one_line(row.med.name)}: {plural(row.extra_doses, 'additional dose')}"
                        " (no slot; not part of adherence).",
                        "dim",
                    )
                ]
            )
    return out


def _bars(summary: Summary, rows: Sequence[MedSummary]) -> list[Line]:
    label = "adherence"
    scale = pad("0%", 14) + "80%" + " " * 4 + "100%"  # 80% ends above the │
    out: list[Line] = [[("  " + pad(label, NAME_WIDTH) + "  " + scale, "bold")]]
    items: list[tuple[str, float | None]] = [
        (one_line(r.med.name), r.counts.adherence) for r in rows
    ]
    if summary.med is None and len(rows) > 1:
        items.append((ALL, summary.overall.adherence))
    for name, value in items:
        out.append(
            [
                ("  " + pad(truncate(name, NAME_WIDTH), NAME_WIDTH) + "  ", None),
                (bar(value), "cyan"),
                (f"  {percent(value)}", "bold"),
            ]
        )
    out.append([(f"  │ marks {REFERENCE:.0%}, a common reference line for adherence.", "dim")])
    return out


def _streaks(summary: Summary, rows: Sequence[MedSummary]) -> list[Line]:
    today = summary.today
    out: list[Line] = [[("Streaks", "bold"), (" (days with every dose taken, all history)", None)]]
    items: list[tuple[str, Streak]] = []
    if summary.med is None:
        items.append((ALL, summary.streak))
    items += [(one_line(r.med.name), r.streak) for r in rows]
    for name, streak in items:
        longest = f"longest {streak.longest}"
        if streak.longest:
            longest += (
                f" ({day_text(streak.longest_from, today)} – {day_text(streak.longest_to, today)})"
            )
        out.append(
            [
                ("  " + pad(truncate(name, NAME_WIDTH), NAME_WIDTH) + "  ", None),
                (f"{streak.current:>4} now", "bold"),
                (f"   {longest}", None),
            ]
        )
    return out


def calendar_lines(days: Sequence[CalendarDay], today: date, whose: str) -> list[Line]:
    """A heatmap: one row a week (Monday first), one cell a day, and a legend."""
    if not days:
        return []
    out: list[Line] = [
        [(f"Last {len(days) // 7} weeks, {whose}", "bold")],
        [("  " + " " * 8 + "  Mon Tue Wed Thu Fri Sat Sun", "dim")],
    ]
    for start in range(0, len(days), 7):
        week = days[start : start + 7]
        first = week[0].day
        line: Line = [("  " + pad(month_day(first), 8) + "  ", "dim")]
        for item in week:
            symbol = cell(item)
            if item.day == today:
                line.append(("[", None))
                line.append((symbol, CELL_STYLE[symbol]))
                line.append(("]", None))
            else:
                line.append((f" {symbol} ", CELL_STYLE[symbol]))
            line.append((" ", None))
        out.append(_rstrip(line))
    out += [[("  " + text, "dim")] for text in LEGEND]
    return out


def _rstrip(line: Line) -> Line:
    while line and not line[-1][0].strip():
        line.pop()
    if line:
        line[-1] = (line[-1][0].rstrip(), line[-1][1])
    return line


def _supply(summary: Summary) -> list[Line]:
    tracked = [row for row in summary.meds if row.supply is not None]
    if not tracked:
        return []
    out: list[Line] = [[]]
    out.append([("Supply", "bold")])
    for row in tracked:
        left = f"{number(row.supply)} left"
        style: str | None = None
        if row.supply is not None and row.supply < row.med.per_dose:
            left += ", used up"
            style = "yellow"
        elif row.runs_out is not None:
            left += f", enough until {day_text(row.runs_out, summary.today)}"
            remaining = (row.runs_out - summary.today).days
            style = "yellow" if remaining < 7 else None
        out.append(
            [
                ("  " + pad(truncate(one_line(row.med.name), NAME_WIDTH), NAME_WIDTH) + "  ", None),
                (left, style),
            ]
        )
    return out


def _as_needed(summary: Summary) -> list[Line]:
    rows = [row for row in summary.meds if row.as_needed]
    if not rows:
        return []
    out: list[Line] = [[], [("As needed", "bold"), (" (not part of adherence)", None)]]
    for row in rows:
        out.append(
            [
                ("  " + pad(truncate(one_line(row.med.name), NAME_WIDTH), NAME_WIDTH) + "  ", None),
                (f"{plural(row.as_needed_doses, 'dose')} in this period", None),
            ]
        )
    return out


def _effects(summary: Summary) -> list[Line]:
    if not summary.effects:
        return []
    out: list[Line] = [[], [("Side effects", "bold")]]
    for effect in summary.effects:
        text = plural(effect.count, "time")
        if effect.mean_severity is not None:
            text += f", mean severity {effect.mean_severity:g} of 5"
        out.append(
            [
                ("  " + pad(truncate(one_line(effect.name), NAME_WIDTH), NAME_WIDTH) + "  ", None),
                (text, None),
            ]
        )
    return out


def _explain(summary: Summary, rows: Sequence[MedSummary]) -> list[Line]:
    today = summary.today
    out: list[Line] = [[("How the numbers were worked out", "bold")]]
    items: list[tuple[str, Counts, Streak]] = [
        (one_line(r.med.name), r.counts, r.streak) for r in rows
    ]
    if summary.med is None:
        items.append((ALL, summary.overall, summary.streak))
    for name, counts, streak in items:
        out.append([(f"  {name}", "bold")])
        for sentence in slot_sentences(counts) + streak_sentences(streak, today):
            out += _wrapped(sentence, "    ", None)
    out += _wrapped(
        "Pending doses (later today, or still within their time) count once they are taken,"
        " skipped or missed. Streaks cover the whole history, day by day in each schedule's"
        " time zone; days without doses neither break nor lengthen a run.",
        "  ",
        "dim",
    )
    return out


def _wrapped(text: str, indent: str, style: str | None) -> list[Line]:
    """``text`` as lines of at most 79 columns, continued two spaces further in."""
    import textwrap

    return [
        [(chunk, style)]
        for chunk in textwrap.wrap(
            text, width=WIDTH, initial_indent=indent, subsequent_indent=indent + "  "
        )
    ]


# -------------------------------------------------------------------------- streak


def streak_lines(med: Med | None, streak: Streak, today: date) -> list[Line]:
    """``streak``: the current and the longest run of kept days (none for a medication
    only ever taken as needed)."""
    whose = _name(med)
    lines: list[Line] = [[(f"Streak, {whose}", "bold")]]
    if med is not None and med.versions and all(v.as_needed for v in med.versions):
        lines.append(
            [("  taken as needed: no scheduled doses, so no streak (not part of adherence)", None)]
        )
        return lines
    current = f"  now: {plural(streak.current, 'day')} with every dose taken"
    if streak.current and streak.current_from is not None:
        current += f", since {day_text(streak.current_from, today)}"
    lines.append([(current, None)])
    longest = f"  longest: {plural(streak.longest, 'day')}"
    if streak.longest:
        longest += (
            f", {day_text(streak.longest_from, today)} – {day_text(streak.longest_to, today)}"
        )
    lines.append([(longest, None)])
    return lines
