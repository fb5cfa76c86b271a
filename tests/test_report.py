"""report: the clinic report in Markdown and as one self-contained HTML page (SPEC §8)."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from adherelog import clock, report, storage, summary
from adherelog.journal import Journal
from helpers import invoke, journal, ok, one_error_line

_TEMPLATE: dict[str, bytes] = {}


def make_journal() -> None:
    """Three weeks of doses, a skip, a dose change and two side effects: built through the
    commands once, then copied for each test."""
    path = journal()
    if "db" in _TEMPLATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_TEMPLATE["db"])
        return
    build()
    _TEMPLATE["db"] = path.read_bytes()


def build() -> None:
    ok("med", "add", "Metformin", "--dose", "500 mg", "--time", "08:00", "--time", "20:00",
       "--start", "2026-11-01", "--supply", "60")  # fmt: skip
    ok("med", "add", "Sertraline", "--dose", "50 mg", "--time", "08:00", "--start", "2026-11-01")
    ok("med", "add", "Ibuprofen", "--as-needed", "--start", "2026-11-01")
    for day in range(1, 22):
        ok("take", "metformin", "--at", f"2026-11-{day:02d} 08:05")
        if day % 5:
            ok("take", "metformin", "--at", f"2026-11-{day:02d} 20:{day:02d}")
        if day == 7:
            ok("skip", "sertraline", "--at", "2026-11-07 09:00", "--reason", "felt sick")
        elif day != 12:
            ok("take", "sertraline", "--at", f"2026-11-{day:02d} 08:30")
    ok("take", "metformin", "sertraline")
    ok("take", "ibuprofen", "--at", "2026-11-15 13:00")
    ok("med", "edit", "sertraline", "--dose", "75 mg", "--from", "2026-11-15")
    ok("effect", "add", "Nausea", "--severity", "3", "--med", "sertraline", "--at",
       "2026-11-08 10:00", "--note", "after breakfast")  # fmt: skip
    ok("effect", "add", "headache", "--severity", "2", "--at", "2026-11-18 16:00")
    assert not Path(str(journal()) + "-wal").exists()  # every change is in the main file


def data_for(first: str | None = None) -> report.ReportData:
    zone = clock.local_zone()
    store = storage.open_store(journal(), write=False)
    try:
        opened = Journal(store, clock.now(zone), zone)
        since = None
        if first is not None:
            from adherelog.timeparse import parse_moment

            since = parse_moment(first, opened.now).at
        return report.build_report(opened, since=since)
    finally:
        store.close()


class Page(HTMLParser):
    """Collects what a page would load or run."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "data"):
                self.loads.append(f"{tag} {name}={value}")
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    page.close()
    return page


# --- the numbers ------------------------------------------------------------------------------


def test_the_report_numbers_are_the_summary_numbers() -> None:
    make_journal()
    data = data_for()
    # The real period: from the journal's first medication (1 Nov), not 90 days back.
    assert data.since == date(2026, 11, 1)
    assert data.until == date(2026, 11, 22)
    zone = clock.local_zone()
    store = storage.open_store(journal(), write=False)
    try:
        expected = summary.summarize(
            Journal(store, clock.now(zone), zone), first=data.since, last=data.until
        )
    finally:
        store.close()
    assert data.overall == expected.overall
    assert data.current_streak == expected.streak.current
    assert data.longest_streak == expected.streak.longest
    by_name = {m.name: m for m in data.meds}
    assert set(by_name) == {"Ibuprofen", "Metformin", "Sertraline"}
    metformin = by_name["Metformin"].counts
    assert metformin is not None
    # 21 days × 2 doses + today's 08:00 and 20:00; the evening dose missed every 5th day.
    assert (metformin.taken, metformin.missed, metformin.skipped, metformin.pending) == (
        22 + 17,
        4,
        0,
        1,
    )
    assert metformin.late == 1  # today's morning dose, taken at 09:10
    sertraline = by_name["Sertraline"].counts
    assert sertraline is not None
    assert (sertraline.taken, sertraline.skipped, sertraline.missed) == (20, 1, 1)
    assert by_name["Ibuprofen"].counts is None
    assert by_name["Ibuprofen"].as_needed_doses == 1
    assert by_name["Sertraline"].dose == "75 mg"
    assert [(c.start, c.dose) for c in by_name["Sertraline"].changes] == [
        (date(2026, 11, 15), "75 mg")
    ]


def test_days_effects_and_skips() -> None:
    make_journal()
    data = data_for()
    # The calendar starts with the first medication, not 90 days back.
    assert data.days[0].day == date(2026, 11, 1)
    assert data.days[-1].day == date(2026, 11, 22)
    states = {d.day.day: d.state for d in data.days}
    assert states[1] == "kept"
    assert states[5] == "broken"  # the evening dose missed
    assert states[7] == "broken"  # skipped
    assert states[22] == "open"  # today, the evening dose to come
    assert {d.day.day: (d.taken, d.expected) for d in data.days}[5] == (2, 3)
    assert [(e.name, e.severity, e.med, e.note) for e in data.effects] == [
        ("Nausea", 3, "Sertraline", "after breakfast"),
        ("headache", 2, None, None),
    ]
    assert [(s.at.isoformat(), s.med, s.reason) for s in data.skips] == [
        ("2026-11-07T08:00:00+00:00", "Sertraline", "felt sick")
    ]


def test_since_sets_the_period_and_a_future_start_is_refused() -> None:
    make_journal()
    data = data_for("2026-11-10")
    assert (data.since, data.day_count) == (date(2026, 11, 10), 13)
    assert data.effects[0].name == "headache"
    result = invoke("report", "--since", "2026-12-01")
    assert result.exit_code == 2
    assert "The report period is empty" in one_error_line(result.stderr)


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_has_every_section() -> None:
    make_journal()
    text = ok("report").stdout
    assert text.startswith("# Medication report\n\n**Period:** Sun 1 Nov 2026 to Sun 22 Nov 2026")
    for heading in (
        "## Summary",
        "## Current medications",
        "## Adherence by medication",
        "## Calendar",
        "## Side effects",
        "## Skipped doses",
    ):
        assert f"\n{heading}\n" in text
    assert "| Metformin | 500 mg | daily at 08:00, 20:00 | Sun 1 Nov 2026 | 21 |" in text
    assert "| Metformin | 39 of 43 | 38 | 0 | 1 | 0 | 4 | 91% |" in text
    assert "| Mon 2 Nov 2026 | ✓ | ✓ | ✓ | 2/3 | ✓ | 2/3 | ✓ |" in text
    assert "| Sat 7 Nov 2026 09:00 | Sertraline | felt sick |" not in text  # the dose, not the skip
    assert "| Sat 7 Nov 2026 08:00 | Sertraline | felt sick |" in text
    # Every schedule version in the period, with its dose: the change is visible.
    assert "- Sertraline: Sun 1 Nov 2026 to Sat 14 Nov 2026: 50 mg, daily at 08:00" in text
    assert "- Sertraline: from Sun 15 Nov 2026: 75 mg, daily at 08:00" in text
    assert "## Missed doses by time of day" in text
    assert "not medical advice" in text
    assert ok("report", "--json").stdout == text


def test_markdown_escapes_what_people_typed() -> None:
    ok("med", "add", "[x](http://evil.example)", "--time", "08:00", "--start", "2026-11-20")
    ok("skip", "[x](http://evil.example)", "--reason", "| cell | <b>bold</b> *em*")
    text = ok("report").stdout
    assert "](http" not in text
    assert "\\[x\\]\\(http\\[://\\]evil\\[.\\]example\\)" in text
    assert "\\| cell \\| &lt;b&gt;bold&lt;/b&gt; \\*em\\*" in text


# --- HTML -------------------------------------------------------------------------------------


def test_html_is_one_self_contained_page_without_scripts() -> None:
    make_journal()
    text = ok("report", "--format", "html").stdout
    page = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags
    assert page.loads == []
    assert page.handlers == []
    assert not re.search(r"https?:|//[a-z]|url\(|@import", text, re.IGNORECASE)
    assert page.tags.count("svg") == 3  # adherence bars, calendar, side effects
    assert page.tags.count("style") == 1
    assert "Content-Security-Policy" in text
    assert "default-src 'none'" in text
    assert "@media print" in text
    words = " ".join(page.text)
    for heading in ("Summary", "Current medications", "Adherence by medication", "Calendar"):
        assert heading in words
    assert "Side effects" in words
    assert "Skipped doses" in words
    assert "Dashed line: 80%" in words


def test_html_heatmap_has_a_square_per_day_with_its_meaning() -> None:
    make_journal()
    text = ok("report", "--format", "html").stdout
    squares = re.findall(r'<rect x="\d+" y="\d+" width="14" height="14" rx="2" fill="(#\w+)">'
                         r"<title>([^<]*)</title>", text)  # fmt: skip
    assert len(squares) == 22
    assert squares[0] == ("#1b7837", "Sun 1 Nov 2026: 3 of 3 doses taken (all doses taken)")
    titles = dict((t.split(":")[0], c) for c, t in squares)
    assert titles["Thu 5 Nov 2026"] == "#5aae61"  # two of three taken: the second shade
    assert titles["Sun 22 Nov 2026"] == "#9ecae1"  # still to come


def test_html_escapes_hostile_text_everywhere() -> None:
    evil = '<script>alert(1)</script>"onload="x'
    ok("med", "add", evil, "--time", "08:00", "--start", "2026-11-20", "--dose", "<img src=x>")
    ok("take", evil, "--at", "2026-11-21 08:00")
    ok("effect", "add", "<svg onload=alert(1)>", "--severity", "5", "--note", "</title><script>")
    text = ok("report", "--format", "html").stdout
    page = parse(text)
    assert "script" not in page.tags
    assert "img" not in page.tags
    assert page.tags.count("svg") == 3
    assert page.handlers == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=&quot;x" in text
    assert "&lt;img src=x&gt;" in text


def test_an_empty_journal_still_gives_a_page() -> None:
    text = ok("report", "--format", "html").stdout
    page = parse(text)
    assert "No medications." in " ".join(page.text)
    assert "No doses were scheduled in this period." in " ".join(page.text)
    md = ok("report").stdout
    assert "No doses were scheduled in this period." in md


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_writes_with_o(tmp_path: Path, fmt: str) -> None:
    make_journal()
    target = tmp_path / f"visit.{fmt}"
    result = invoke("report", "--format", fmt, "-o", str(target))
    assert result.exit_code == 0
    assert result.stderr == f"Wrote the {fmt.upper()} report to {target}.\n"
    assert target.read_text(encoding="utf-8") == ok("report", "--format", fmt).stdout


def test_an_unknown_report_format_is_a_usage_error() -> None:
    result = invoke("report", "--format", "pdf")
    assert result.exit_code == 2
    assert "choose md or html" in one_error_line(result.stderr)


def test_the_renderers_are_the_format_choices() -> None:
    assert set(report.RENDERERS) == {"md", "html"}
    assert "md (Markdown) or html" in ok("report", "--help").stdout
