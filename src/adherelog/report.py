"""The clinic report (SPEC §8): :func:`build_report` gathers its values
(:mod:`adherelog.report_data`), and a renderer from :data:`RENDERERS` turns them into
Markdown (:mod:`adherelog.report_md`) or one self-contained HTML page
(:mod:`adherelog.report_html`). The report describes; it never advises changing a dose."""

from __future__ import annotations

from collections.abc import Callable

from adherelog import report_html, report_md
from adherelog.report_data import ReportData, build_report

Renderer = Callable[[ReportData], str]
RENDERERS: dict[str, Renderer] = {"md": report_md.render, "html": report_html.render}
"""``report --format`` choices: format name → renderer of the whole document."""

__all__ = ["RENDERERS", "Renderer", "ReportData", "build_report"]
