"""The clinic report as one self-contained HTML page: inline CSS and SVG, no script, nothing
fetched from anywhere (a Content-Security-Policy says so to the browser too), laid out to
print on A4 or Letter paper.

Every text a person typed goes through :func:`adherelog.text.printable` and is then
HTML-escaped, in element content and in attributes alike.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, timedelta

from adherelog.report_data import TARGET, Day, EffectItem, MedRow, ReportData
from adherelog.report_text import (
    DAY_WORDS,
    DISCLAIMER,
    long_date,
    long_moment,
    number_text,
    percent,
    period_text,
    severity_text,
)
from adherelog.summary_values import Counts
from adherelog.text import printable
from adherelog.views import month_day

# Colours chosen to stay apart for the common colour-vision deficiencies and in greyscale
# (broken days also carry a mark, so a black-and-white print keeps the meaning).
KEPT = "#1b7837"
PARTIAL = "#e08214"
NONE_TAKEN = "#b2182b"
NEUTRAL = "#e8e8e8"
OPEN = "#9ecae1"
ON_TIME = "#1b7837"
LATE = "#7fbc41"
EARLY = "#5aae61"
SKIPPED = "#e08214"
MISSED = "#b2182b"
SEVERITY = ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f4; color: #1a1a1a;
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 820px; margin: 24px auto; padding: 28px 36px; background: #fff;
  box-shadow: 0 1px 4px rgba(0,0,0,.15); }
header { border-bottom: 2px solid #1a1a1a; margin-bottom: 18px; padding-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
p { margin: 4px 0; }
.muted { color: #555; font-size: 12px; }
.tiles { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; }
.tile { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; min-width: 0;
  overflow-wrap: anywhere; }
.tile b { display: block; font-size: 20px; }
.tile span { color: #555; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e2e2e2;
  vertical-align: top; overflow-wrap: anywhere; }
th { font-weight: 600; border-bottom: 1px solid #999; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.changes { margin: 6px 0 0; padding-left: 18px; font-size: 12px; color: #333; }
svg { display: block; max-width: 100%; height: auto; margin: 6px 0; }
svg text { font-family: inherit; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: #333;
  margin: 0; padding: 0; list-style: none; }
.legend i { display: inline-block; width: 11px; height: 11px; margin-right: 4px;
  vertical-align: -1px; border-radius: 2px; }
footer { margin-top: 24px; border-top: 1px solid #ccc; padding-top: 6px; }
svg, .tiles, .legend { break-inside: avoid; page-break-inside: avoid; }
@page { margin: 11mm; }
@media print {
  body { background: #fff; font-size: 9pt; line-height: 1.3; }
  h1 { font-size: 16pt; }
  h2 { font-size: 11pt; margin: 10px 0 4px; }
  header { margin-bottom: 8px; padding-bottom: 4px; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 4px; }
  .tile { padding: 4px 6px; }
  .tile b { font-size: 14pt; }
  .tile span, .muted, .legend { font-size: 8pt; }
  footer { display: none; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
}
"""

LISTED = 8  # side effects and skips listed on paper; the timeline shows every one

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"


def esc(value: object) -> str:
    """User or stored text, made printable and HTML-escaped (quotes too, for attributes)."""
    return html.escape(printable(str(value)), quote=True)


def _attr(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- SVG pieces


# The share of a day's doses taken, from none to all: five shades, light to dark, so a
# day of 6 doses taken out of 7 reads as almost full, and the page prints in grey too.
SHADES = ("#fde0dd", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837")


def share_shade(taken: int, expected: int) -> str:
    """The fill of a day with ``taken`` of ``expected`` doses taken."""
    if expected <= 0:
        return NEUTRAL
    share = min(1.0, taken / expected)
    if share >= 1:
        return SHADES[4]
    if share == 0:
        return SHADES[0]
    return SHADES[1 + min(2, int(share * 3))]


def _day_colour(day: Day) -> str:
    if day.state == "open":
        return OPEN
    if day.expected == 0:
        return NEUTRAL
    return share_shade(day.taken, day.expected)


def _day_title(day: Day) -> str:
    when = long_date(day.day)
    if day.expected == 0:
        return f"{when}: no doses scheduled"
    return f"{when}: {day.taken} of {day.expected} doses taken ({DAY_WORDS[day.state]})"


def heatmap_svg(days: Sequence[Day]) -> str:
    """A calendar heatmap: one column per week (Monday at the top), one square per day."""
    if not days:
        return ""
    cell, gap, left, top = 14, 3, 30, 18
    first = days[0].day - timedelta(days=days[0].day.weekday())
    weeks = (days[-1].day - first).days // 7 + 1
    width = left + weeks * (cell + gap) + 4
    height = top + 7 * (cell + gap) + 2
    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width * 1.5:.0f}" role="img" aria-labelledby="heatmap-title">',
        '<title id="heatmap-title">Calendar of the period, one square per day</title>',
    ]
    for row, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        if name:
            y = top + row * (cell + gap) + cell - 2
            parts.append(f'<text x="0" y="{y}" font-size="9" fill="#555">{name}</text>')
    month, labelled = None, -3
    for day in days:
        column = (day.day - first).days // 7
        row = day.day.weekday()
        x = left + column * (cell + gap)
        y = top + row * (cell + gap)
        # A month's name over its first week, unless the previous name is too close.
        if day.day.month != month and column - labelled >= 3:
            month, labelled = day.day.month, column
            name = month_day(day.day).split()[1]
            parts.append(f'<text x="{x}" y="11" font-size="9" fill="#555">{name}</text>')
        parts.append(
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" '
            f'fill="{_day_colour(day)}"><title>{esc(_day_title(day))}</title></rect>'
        )
        if day.state != "open" and day.expected and day.taken == 0:
            # No dose taken at all: a thin outline, visible in black-and-white prints.
            parts.append(
                f'<rect x="{x + 0.5}" y="{y + 0.5}" width="{cell - 1}" height="{cell - 1}" '
                'rx="2" fill="none" stroke="#b2182b" stroke-width="1"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def adherence_svg(meds: Sequence[MedRow]) -> str:
    """One bar per medication: on time, late, skipped and missed as parts of the doses
    decided so far, with the reference line at 80 %."""
    rows = [(m.name, m.counts) for m in meds if m.counts is not None]
    if not rows:
        return ""
    label_w, bar_w, value_w, row_h, top = 170, 380, 110, 26, 22
    width = label_w + bar_w + value_w
    height = top + row_h * len(rows) + 6
    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" role="img" aria-labelledby="bars-title">',
        '<title id="bars-title">Adherence per medication</title>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_w + bar_w * tick
        parts.append(
            f'<text x="{_attr(x)}" y="12" font-size="9" fill="#555" '
            f'text-anchor="middle">{round(tick * 100)}%</text>'
        )
    for index, (name, counts) in enumerate(rows):
        assert counts is not None
        y = top + index * row_h
        label = printable(name)
        shown = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"<title>{esc(label)}</title>{esc(shown)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="14" fill="#f0f0f0"/>'
        )
        decided = counts.taken + counts.skipped + counts.missed
        x = float(label_w)
        for part, colour, what in (
            (counts.on_time, ON_TIME, "on time"),
            (counts.early, EARLY, "early"),
            (counts.late, LATE, "late"),
            (counts.skipped, SKIPPED, "skipped"),
            (counts.missed, MISSED, "missed"),
        ):
            if not decided or not part:
                continue
            w = bar_w * part / decided
            parts.append(
                f'<rect x="{_attr(x)}" y="{y + 4}" width="{_attr(w)}" height="14" '
                f'fill="{colour}"><title>{part} {what}</title></rect>'
            )
            x += w
        value = percent(counts.adherence)
        detail = f" ({counts.taken}/{decided})" if decided else ""
        parts.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 15}" font-size="12">'
            f"<tspan font-weight="
            f'"600">{value}</tspan>{detail}</text>'
        )
    x = label_w + bar_w * TARGET
    parts.append(
        f'<line x1="{_attr(x)}" y1="{top - 4}" x2="{_attr(x)}" y2="{height - 2}" '
        'stroke="#1a1a1a" stroke-width="1.2" stroke-dasharray="4 3">'
        f"<title>Reference line at {percent(TARGET)}</title></line>"
    )
    parts.append("</svg>")
    return "".join(parts)


def effects_svg(effects: Sequence[EffectItem], since: date, until: date) -> str:
    """The side effects on a time line: one lane per side effect, a dot per occurrence,
    darker and larger for higher severity."""
    if not effects:
        return ""
    since = min(since, *(e.at.date() for e in effects))
    names: dict[str, str] = {}
    for effect in effects:  # the latest spelling of each name
        names[effect.name.casefold()] = effect.name
    lanes = sorted(names, key=lambda key: names[key].casefold())
    label_w, plot_w, lane_h, top = 150, 500, 24, 22
    width = label_w + plot_w + 20
    height = top + lane_h * len(lanes) + 8
    span = max(1, (until - since).days + 1)

    def x_of(day: date, hour: float = 12) -> float:
        return label_w + plot_w * ((day - since).days + hour / 24) / span

    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" role="img" aria-labelledby="effects-title">',
        '<title id="effects-title">Side effects over the period</title>',
    ]
    day = since
    while day <= until:
        # A tick at the start and at each month; none just before a month's own tick.
        first_tick = day == since and (day.day == 1 or day.day < 24)
        if day.day == 1 or first_tick:
            x = x_of(day, 0)
            parts.append(
                f'<line x1="{_attr(x)}" y1="{top - 4}" x2="{_attr(x)}" y2="{height - 4}" '
                'stroke="#ddd"/>'
                f'<text x="{_attr(x + 2)}" y="12" font-size="9" fill="#555">'
                f"{month_day(day)}</text>"
            )
        day += timedelta(days=1)
    for index, key in enumerate(lanes):
        y = top + index * lane_h + lane_h / 2
        label = printable(names[key])
        shown = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{_attr(y + 4)}" font-size="12" text-anchor="end">'
            f"{esc(shown)}</text>"
            f'<line x1="{label_w}" y1="{_attr(y)}" x2="{label_w + plot_w}" y2="{_attr(y)}" '
            'stroke="#eee"/>'
        )
    for effect in effects:
        y = top + lanes.index(effect.name.casefold()) * lane_h + lane_h / 2
        x = x_of(effect.at.date(), effect.at.hour + effect.at.minute / 60)
        title = f"{long_moment(effect.at)}: {effect.name}, severity " + (
            severity_text(effect.severity)
        )
        if effect.severity is None:
            parts.append(
                f'<circle cx="{_attr(x)}" cy="{_attr(y)}" r="4" fill="#fff" stroke="#555" '
                f'stroke-width="1.5"><title>{esc(title)}</title></circle>'
            )
        else:
            level = min(max(effect.severity, 1), 5)
            parts.append(
                f'<circle cx="{_attr(x)}" cy="{_attr(y)}" r="{3 + level}" '
                f'fill="{SEVERITY[level - 1]}" stroke="#7f2704" stroke-width="0.8" '
                f'fill-opacity="0.9"><title>{esc(title)}</title></circle>'
            )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- the page


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return (
        '<ul class="legend">'
        + "".join(
            f'<li><i style="background:{colour}"></i>{esc(text)}</li>' for colour, text in items
        )
        + "</ul>"
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: str = "") -> str:
    """A table; ``numeric`` marks right-aligned columns with "n". Cells are already HTML."""
    numeric = numeric.ljust(len(header))

    def cls(i: int) -> str:
        return ' class="n"' if numeric[i] == "n" else ""

    head = "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tiles(data: ReportData) -> str:
    o: Counts = data.overall
    decided = o.taken + o.skipped + o.missed
    tiles = [
        (percent(o.adherence), "adherence (doses taken of those due so far)"),
        (
            f"{o.taken} / {decided}",
            f"doses taken ({o.on_time} on time, {o.early} early, {o.late} late)",
        ),
        (f"{o.skipped} / {o.missed}", "skipped / missed"),
        (
            f"{data.current_streak} day{'' if data.current_streak == 1 else 's'}",
            f"current run of days with every dose taken (longest {data.longest_streak})",
        ),
    ]
    return (
        '<div class="tiles">'
        + "".join(f'<div class="tile"><b>{v}</b><span>{esc(t)}</span></div>' for v, t in tiles)
        + "</div>"
    )


def _meds_section(data: ReportData) -> str:
    if not data.meds:
        return "<p>No medications.</p>"
    rows = []
    for med in data.meds:
        schedule = esc(med.schedule)
        if med.zone != data.zone:
            schedule += f' <span class="muted">({esc(med.zone)})</span>'
        if len(med.versions) > 1:
            schedule += (
                '<ul class="changes">'
                + "".join(
                    f"<li>{esc(_span(c.start, c.until))}: "
                    + (f"<strong>{esc(c.dose)}</strong>, " if c.dose else "")
                    + f"{esc(c.text)}</li>"
                    for c in med.versions
                )
                + "</ul>"
            )
        rows.append(
            [
                f"<strong>{esc(med.name)}</strong>",
                esc(med.dose or ""),
                schedule,
                long_date(med.since),
                number_text(med.supply) if med.supply is not None else "",
            ]
        )
    return _table(["Medication", "Dose", "Schedule", "Since", "Supply"], rows, "    n")


def _span(start: date, until: date | None) -> str:
    return f"{short_date(start)} – {short_date(until)}" if until else f"from {short_date(start)}"


def short_date(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def _by_time_section(data: ReportData) -> str:
    rows = [t for t in data.by_time if t.due]
    if not rows:
        return "<p>No scheduled doses in this period.</p>"
    shown = [
        [
            f"<strong>{esc(t.clock)}</strong>",
            str(t.due),
            str(t.missed),
            str(t.skipped),
            f"<strong>{percent(t.not_taken / t.due)}</strong>",
        ]
        for t in rows[:8]
    ]
    more = ""
    if len(rows) > 8:
        more = f'<p class="muted">… and {len(rows) - 8} other times, each missed less.</p>'
    return _table(["Time of day", "Due", "Missed", "Skipped", "Not taken"], shown, " nnnn") + more


def _adherence_section(data: ReportData) -> str:
    scheduled = [m for m in data.meds if m.counts is not None]
    if not scheduled:
        return "<p>No scheduled doses in this period.</p>"
    rows = []
    for med in scheduled:
        c = med.counts
        assert c is not None
        rows.append(
            [
                esc(med.name),
                str(c.on_time),
                str(c.early),
                str(c.late),
                str(c.skipped),
                str(c.missed),
                str(c.pending),
                f"<strong>{percent(c.adherence)}</strong>",
            ]
        )
    legend = _legend(
        [
            (ON_TIME, "on time"),
            (EARLY, "early"),
            (LATE, "late"),
            (SKIPPED, "skipped"),
            (MISSED, "missed"),
        ]
    )
    note = (
        f'<p class="muted">Dashed line: {percent(TARGET)}. Adherence is doses taken (on time or '
        "early or late) of the doses skipped, missed or taken; doses still to come today are not "
        "counted yet.</p>"
    )
    table = _table(
        ["Medication", "On time", "Early", "Late", "Skipped", "Missed", "To come", "Adherence"],
        rows,
        " nnnnnnn",
    )
    extra = ""
    as_needed = [m for m in data.meds if m.as_needed_doses]
    if as_needed:
        extra = (
            "<p>As needed: "
            + "; ".join(f"{esc(m.name)} {m.as_needed_doses}×" for m in as_needed)
            + ".</p>"
        )
    return adherence_svg(data.meds) + legend + note + table + extra


def _calendar_section(data: ReportData) -> str:
    if not any(d.expected for d in data.days):
        return "<p>No doses were scheduled in this period.</p>"
    legend = _legend(
        [
            (SHADES[4], "every dose taken"),
            (SHADES[3], "two thirds or more"),
            (SHADES[2], "a third or more"),
            (SHADES[1], "fewer than a third"),
            (SHADES[0], "no dose taken (outlined)"),
            (OPEN, DAY_WORDS["open"]),
            (NEUTRAL, DAY_WORDS["none"]),
        ]
    )
    return heatmap_svg(data.days) + legend


def _effects_section(data: ReportData) -> str:
    if not data.effects:
        return "<p>No side effects recorded in this period.</p>"
    rows = [
        [
            long_moment(e.at),
            esc(e.name),
            esc(severity_text(e.severity)),
            esc(e.med or ""),
            esc(e.note or ""),
        ]
        for e in data.effects[-LISTED:]
    ]
    more = ""
    if data.effects_total > len(rows):
        more = (
            f'<p class="muted">The last {len(rows)} of {data.effects_total}; every one is '
            "in 'adherelog effect list'.</p>"
        )
    return (
        effects_svg(data.effects, data.days[0].day if data.days else data.since, data.until)
        + _table(["When", "Side effect", "Severity", "Medication", "Note"], rows)
        + more
    )


def _skips_section(data: ReportData) -> str:
    if not data.skips:
        return "<p>No doses were skipped in this period.</p>"
    listed = data.skips[-LISTED:]
    rows = [[long_moment(s.at), esc(s.med), esc(s.reason or "")] for s in listed]
    more = ""
    if data.skips_total > len(listed):
        more = (
            f'<p class="muted">The last {len(listed)} of {data.skips_total}; every one is '
            "in 'adherelog history'.</p>"
        )
    return _table(["Dose of", "Medication", "Reason"], rows) + more


def render(data: ReportData) -> str:
    """The whole page."""
    title = f"Medication report, {long_date(data.since)} to {long_date(data.until)}"
    sections = [
        ("summary", "Summary", _tiles(data)),
        ("medications", "Current medications", _meds_section(data)),
        ("adherence", "Adherence by medication", _adherence_section(data)),
        ("by-time", "Missed doses by time of day", _by_time_section(data)),
        ("calendar", "Calendar: share of each day's doses taken", _calendar_section(data)),
        ("effects", "Side effects", _effects_section(data)),
        ("skips", "Skipped doses", _skips_section(data)),
    ]
    body = "".join(
        f'<section id="{key}"><h2>{heading}</h2>{content}</section>'
        for key, heading, content in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body><main>"
        "<header><h1>Medication report</h1>"
        f"<p><strong>{esc(period_text(data))}</strong></p>"
        f'<p class="muted">Generated {long_moment(data.generated)}. '
        f"{esc(DISCLAIMER)}</p></header>"
        f"{body}"
        f'<footer><p class="muted">{esc(DISCLAIMER)}</p></footer>'
        "</main></body></html>\n"
    )
