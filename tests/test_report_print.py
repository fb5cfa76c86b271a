"""The clinic report printed the way a person prints it: the HTML page through headless
Chromium to PDF on A4 and Letter, then counted with pdfinfo and read with pdftotext
(SPEC §8: at most two pages for 90 days of 5 medications, nothing cut off).

Run alone: ``pytest tests/test_report_print.py``. Skipped only where Chromium, pdfinfo or
pdftotext is not installed."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import ok

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFINFO = shutil.which("pdfinfo") or "pdfinfo"
PDFTOTEXT = shutil.which("pdftotext") or "pdftotext"
TOOLS = CHROMIUM and shutil.which("pdfinfo") and shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    not TOOLS, reason="Chromium, pdfinfo or pdftotext is not installed; the print check needs them"
)

NOW = "2026-11-13T21:00:00"
MEDS = {
    "Metformin": ("500 mg", ["08:00", "20:00"]),
    "Lisinopril": ("10 mg", ["08:00"]),
    "Atorvastatin": ("20 mg", ["21:00"]),
    "Levothyroxine": ("50 µg", ["06:30"]),
    "Prednisolone": ("20 mg", ["08:00", "13:00", "18:00"]),
}


def _build(start: date, days: int) -> None:
    """90 days of 5 medications, 8 doses a day, evening doses missed more often, a dose
    change of Metformin (500, 1000, back to 500 mg) and a taper, skips and side effects."""
    rng = random.Random(4)
    for name, (dose, times) in MEDS.items():
        args = ["med", "add", name, "--dose", dose, "--start", start.isoformat()]
        for t in times:
            args += ["--time", t]
        ok(*args)
    ok("med", "edit", "Metformin", "--dose", "1000 mg", "--from", "2026-10-05")
    ok("med", "edit", "Metformin", "--dose", "500 mg", "--from", "2026-10-26")
    ok("med", "edit", "Prednisolone", "--dose", "10 mg", "--from", "2026-09-20")
    for n in range(days):
        day = start + timedelta(days=n)
        by_time: dict[str, list[str]] = {}
        for name, (_, times) in MEDS.items():
            for t in times:
                if rng.random() < (0.3 if t >= "18:00" else 0.08):
                    if rng.random() < 0.2:
                        ok("skip", name, "--at", f"{day} {t}", "--reason", "felt sick")
                    continue
                by_time.setdefault(t, []).append(name)
        for t, names in by_time.items():
            ok("take", *names, "--at", f"{day} {t}")
        if n % 10 == 0:
            ok("effect", "add", "nausea", "--severity", "2", "--med", "Metformin",
               "--at", f"{day} 10:00", "--note", "after breakfast")  # fmt: skip


def _print(html: str, paper: str, folder: Path) -> tuple[int, str]:
    page = folder / f"report-{paper}.html"
    # The paper a person's printer uses, as the print dialog would set it.
    page.write_text(html.replace("@page {", f"@page {{ size: {paper};", 1), encoding="utf-8")
    pdf = folder / f"report-{paper}.pdf"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pdf.exists(), "Chromium wrote no PDF"
    info = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, " ".join(text.split())


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_90_days_of_5_medications_print_on_two_pages(
    paper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", NOW)
    _build(date(2026, 8, 16), 89)
    html = ok("report", "--format", "html").stdout
    tiles = re.findall(r'<div class="tile"><b>([^<]*)</b><span>([^<]*)</span>', html)
    assert len(tiles) == 4
    pages, text = _print(html, paper, tmp_path)
    assert pages <= 2, f"{pages} pages on {paper}"
    for value, label in tiles:
        assert value in text, f"summary box {value!r} is not on the page"
        # The last words of each box's label: a box cut off at the edge loses them.
        assert " ".join(label.split()[-2:]) in text, label
    assert "Sun 16 Aug 2026 to Fri 13 Nov 2026" in text
    assert "5 Oct – 25 Oct: 1000 mg" in text
    assert "from 26 Oct: 500 mg" in text
    assert "Missed doses by time of day" in text


def test_the_period_starts_when_the_journal_began(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", NOW)
    _build(date(2026, 10, 5), 39)
    html = ok("report", "--format", "html").stdout
    pages, text = _print(html, "Letter", tmp_path)
    assert pages <= 2
    assert "Mon 5 Oct 2026 to Fri 13 Nov 2026 (40 days" in text
