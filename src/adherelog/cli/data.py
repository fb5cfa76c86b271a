"""Your data is yours: export, import, backup, check, report, calendar, fhir."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import deliver, guarded, moment, open_journal, until
from adherelog.errors import UsageError
from adherelog.output import emit_json, message, write_lines

if TYPE_CHECKING:
    from adherelog.maintenance import CheckResult
    from adherelog.portability import ImportResult, Progress

# Progress bars appear for runs over this many rows, and only when stderr is a terminal.
PROGRESS_ROWS = 5000

Output = Annotated[
    str | None,
    typer.Option(
        "-o", "--output", metavar="FILE", help="Write to FILE (created 0600) instead of stdout."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]
Since = Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Start of the period.")]
Until = Annotated[
    str | None,
    typer.Option("--until", metavar="WHEN", help="End (default: now); a date includes that day."),
]


def _choice(value: str, choices: tuple[str, ...], option: str) -> str:
    if value not in choices:
        from adherelog.text import one_line

        raise UsageError(
            f"{option}: '{one_line(value)}' is not a format; choose {' or '.join(choices)}."
        )
    return value


def _shown(path: Path | str) -> str:
    from adherelog.text import one_line

    return one_line(str(path))


def _check_output(output: str | None, force: bool) -> None:
    """Refuse a bad ``-o`` target before any work is done."""
    if output is not None:
        from adherelog.outfile import check_target

        check_target(Path(output), force=force)


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Progress]:
    """A progress callback that shows a bar on stderr once a run is known to be long."""
    bar = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < PROGRESS_ROWS or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress as Bar

            bar = Bar(console=Console(file=sys.stderr), transient=True)
            bar.start()
            task = bar.add_task(label, total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


# --------------------------------------------------------------------------- export


def export(
    ctx: typer.Context,
    *,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="json (everything, re-importable) or csv (doses and skips).",
        ),
    ] = "json",
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Export the whole journal: medications with their schedule history, doses, skips,
    side effects, refills and tips.

    The JSON document is versioned and can be imported again (see docs/journal-format.md).
    CSV holds doses and skips, with text cells guarded against spreadsheet formulas.
    --json changes nothing: the output is already a document.

    Example: adherelog export -o journal.json
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import portability

        fmt = _choice(format_, tuple(portability.EXPORTERS), "--format")
        _check_output(output, force)
        with open_journal(opts, write=False) as journal, _progress("Exporting") as progress:
            if output is None:
                # A bar beside the document would garble a terminal; piped, it may show.
                shown = None if sys.stdout.isatty() else progress
                portability.EXPORTERS[fmt](journal, sys.stdout, shown)
                return
            portability.export_file(journal, fmt, Path(output), force=force, progress=progress)
        what = "the journal" if fmt == "json" else "the doses and skips"
        message(f"Wrote {what} ({fmt.upper()}) to {_shown(output)}.")

    finish(guarded(run))


def _import_lines(result: ImportResult, source: str) -> list[list[tuple[str, str | None]]]:
    def counts(values: dict[str, int]) -> str:
        shown = [f"{n} {table}" for table, n in values.items() if n]
        return ", ".join(shown) if shown else "nothing"

    head = "Dry run, nothing was written: would add " if result.dry_run else "Added "
    lines: list[list[tuple[str, str | None]]] = [
        [(head, "bold"), (counts(result.added), None), (f" from {_shown(source)}.", None)],
        [(f"Already held: {counts(result.already_held)}.", "dim")],
    ]
    if result.conflicts:
        lines.append(
            [(f"{len(result.conflicts)} conflict(s); the journal's data was kept:", "yellow")]
        )
        for conflict in result.conflicts[:20]:
            lines.append([(f"  {conflict.table} {_shown(conflict.id)}: {conflict.reason}", None)])
        if len(result.conflicts) > 20:
            lines.append([(f"  … and {len(result.conflicts) - 20} more (see --json).", "dim")])
    return lines


def import_(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A JSON export ('-' reads standard input).")
    ],
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Merge a JSON export into the journal, all or nothing.

    Rows are matched by id: new ones are added, ones already held are left alone, and a row
    that differs from the journal's copy (or fills a dose the journal already has) is
    reported as a conflict and the journal's data is kept. Importing the same file twice
    changes nothing. Imported rows are not undoable with 'undo'.

    Example: adherelog import journal-from-laptop.json --dry-run
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import portability

        with _progress("Importing") as progress:
            # The file is checked in full before the journal is opened (or created).
            staged = portability.read_export(portability.read_input(file), progress)
            try:
                with open_journal(opts, write=not dry_run) as journal:
                    result = portability.merge(journal, staged, dry_run=dry_run, progress=progress)
            finally:
                staged.close()
        if opts.json:
            emit_json(result.to_json())
        else:
            write_lines(_import_lines(result, file))

    finish(guarded(run))


# --------------------------------------------------------------------------- backup, check


def backup(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="A folder (a dated file is made inside) or a file; default: 'backups' "
            "beside the journal.",
        ),
    ] = None,
    *,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it is a file.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Back up the journal with SQLite's backup API: one consistent copy even while another
    adherelog writes, 0600, checked before it is kept.

    Example: adherelog backup ~/backups/
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import clock, maintenance, paths

        made = maintenance.backup_journal(
            paths.journal_path(opts.db), path, clock.now(), force=force
        )
        if opts.json:
            emit_json(made.to_json())
            return
        size = f"{made.size / 1024:.0f} KiB" if made.size >= 1024 else f"{made.size} bytes"
        write_lines(
            [
                [
                    ("Backed up the journal to ", "green"),
                    (_shown(made.path), "bold"),
                    (f" ({size}, schema {made.schema_version}).", None),
                ]
            ]
        )

    finish(guarded(run))


def check(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Check the journal: SQLite integrity and foreign keys, the schema version, orphaned
    rows, doses filled twice and values adherelog cannot read. Exit 1 on any problem.
    Changes nothing.

    Example: adherelog check
    """
    opts = settings(ctx, json_flag)
    code = 0

    def run() -> None:
        nonlocal code
        from adherelog import maintenance, paths

        result = maintenance.check(paths.journal_path(opts.db))
        code = 0 if result.ok else 1
        if opts.json:
            emit_json(result.to_json())
            return
        write_lines(_check_lines(result))

    failed = guarded(run)
    finish(failed or code)


def _check_lines(result: CheckResult) -> list[list[tuple[str, str | None]]]:
    where = _shown(result.path)
    if result.ok:
        from adherelog.portability import EXPORTED_TABLES

        shown = [t for t in EXPORTED_TABLES if t in result.tables]
        rows = ", ".join(f"{result.tables[t]} {t}" for t in shown)
        return [
            [("OK ", "green"), (where, "bold"), (f" (schema {result.schema_version})", None)],
            [(f"  {rows}", "dim")],
        ]
    lines: list[list[tuple[str, str | None]]] = [
        [(f"{len(result.problems)} problem(s) in ", "bold red"), (where, "bold")]
    ]
    for problem in result.problems:
        lines.append([(f"  {problem.check}: ", "red"), (_shown(problem.message), None)])
    return lines


# --------------------------------------------------------------------------- documents


def report(
    ctx: typer.Context,
    *,
    since: Since = None,
    until_: Until = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format", metavar="FORMAT", help="md (Markdown) or html (one self-contained page)."
        ),
    ] = "md",
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """A report for a clinic visit: current medications and schedules, adherence per
    medication, a calendar heatmap and the side-effect timeline (default: the last 90 days).

    The HTML page is one file with inline SVG and CSS, no scripts and nothing fetched from
    the network; it prints well on paper. --json changes nothing.

    Example: adherelog report --since "90d ago" --format html -o visit.html
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import report as reports

        fmt = _choice(format_, tuple(reports.RENDERERS), "--format")
        _check_output(output, force)
        with open_journal(opts, write=False) as journal:
            data = reports.build_report(
                journal,
                since=moment(journal, since, "--since"),
                until=until(journal, until_, "--until"),
            )
        document = reports.RENDERERS[fmt](data)
        deliver(document, output, force=force, what=f"the {fmt.upper()} report")

    finish(guarded(run))


def calendar(
    ctx: typer.Context,
    *,
    days: Annotated[
        int,
        typer.Option("--days", metavar="N", help="How many days ahead (default 7, up to 366)."),
    ] = 7,
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Reminders for the coming doses as an iCalendar (.ics) file for any calendar app: one
    event per dose, with an alarm at its time. --json changes nothing.

    Example: adherelog calendar -o meds.ics
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import calendar_ics

        if not 1 <= days <= calendar_ics.MAX_DAYS:
            raise UsageError(f"--days must be from 1 to {calendar_ics.MAX_DAYS}, not {days}.")
        _check_output(output, force)
        with open_journal(opts, write=False) as journal:
            document = calendar_ics.build_calendar(journal, days)
        deliver(document, output, force=force, what=f"reminders for {days} day(s)")

    finish(guarded(run))


def fhir(
    ctx: typer.Context,
    *,
    since: Since = None,
    until_: Until = None,
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Doses and skips as a FHIR R4 Bundle of MedicationAdministration resources, for a
    health record system (default: the last 30 days). --json changes nothing.

    Example: adherelog fhir --since "30d ago" -o doses.fhir.json
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from datetime import timedelta

        from adherelog import fhir as fhir_bundle
        from adherelog.output import json_text

        _check_output(output, force)
        with open_journal(opts, write=False) as journal:
            start = moment(journal, since, "--since") or journal.now - timedelta(
                days=fhir_bundle.DEFAULT_DAYS
            )
            end = until(journal, until_, "--until")
            bundle = fhir_bundle.build_bundle(journal, start, end)
        document = json_text(bundle) + "\n"
        deliver(document, output, force=force, what="the FHIR bundle")

    finish(guarded(run))


COMMANDS: dict[str, Callable[..., None]] = {
    "export": export,
    "import": import_,
    "backup": backup,
    "check": check,
    "report": report,
    "calendar": calendar,
    "fhir": fhir,
}


def register(app: typer.Typer) -> None:
    for name, command in COMMANDS.items():
        app.command(name)(command)
