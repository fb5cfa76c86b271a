"""Your data is yours: export, import, backup, check, report, calendar, fhir."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from adherelog.cli.actions import data as actions
from adherelog.cli.options import (
    Encrypt,
    EncryptTo,
    Force,
    JsonFlag,
    Until,
    finish,
    format_option,
    output_option,
    settings,
    since_option,
)

Output = Annotated[str | None, output_option("Write to FILE (created 0600) instead of stdout.")]
Since = Annotated[str | None, since_option("Start of the period.")]


# --------------------------------------------------------------------------- export


def export(
    ctx: typer.Context,
    *,
    format_: Annotated[
        str, format_option("FORMAT", "json (everything, re-importable) or csv (doses and skips).")
    ] = "json",
    output: Output = None,
    force: Force = False,
    encrypt: Encrypt = False,
    to: EncryptTo = None,
    no_bom: Annotated[
        bool,
        typer.Option(
            "--no-bom", help="CSV without the UTF-8 byte-order mark spreadsheets look for."
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Export the whole journal: medications with their schedule history, doses, skips,
    side effects, refills and tips.

    The JSON document is versioned and can be imported again (see docs/journal-format.md).
    CSV holds doses and skips, with text cells guarded against spreadsheet formulas; it
    starts with a UTF-8 byte-order mark so spreadsheet programs show names like "Ácido
    fólico" right (--no-bom leaves it out).
    --json changes nothing: the output is already a document.

    Example: adherelog export -o journal.json
    """
    finish(
        actions.export(
            settings(ctx, json_flag),
            format_=format_,
            output=output,
            force=force,
            encrypt=encrypt,
            to=to,
            no_bom=no_bom,
        )
    )


def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help=(
                "A JSON export ('-' reads standard input), plain or age-encrypted (to this"
                " journal, or with the passphrase of ADHERELOG_PASSPHRASE or the terminal);"
                " with --from, another app's file."
            ),
        ),
    ],
    *,
    from_app: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="APP",
            help="Read another app's export: medtimer (a MedTimer JSON backup) or loop (a "
            "Loop Habit Tracker CSV export: the zip, its folder or its Habits.csv).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Merge a JSON export into the journal, all or nothing.

    Rows are matched by id: new ones are added, ones already held are left alone, and a row
    that differs from the journal's copy (or fills a dose the journal already has) is
    reported as a conflict and the journal's data is kept. Importing the same file twice
    changes nothing. Imported rows are not undoable with 'undo'. Unless it goes straight
    into a new journal, the file is checked in a private copy in the temporary folder
    (TMPDIR), removed once merged.

    With --from, medications, schedules, taken and skipped doses come from another app's
    export, with ids derived from the file so that importing it again adds nothing; every
    record that cannot be mapped is listed (see docs/importing.md). A backup is brought
    back with 'restore', a tip bundle with 'tip import'.

    Example: adherelog import journal-from-laptop.json --dry-run
    """
    finish(actions.import_(settings(ctx, json_flag), file=file, dry_run=dry_run, from_app=from_app))


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
    encrypt: Encrypt = False,
    to: EncryptTo = None,
    json_flag: JsonFlag = False,
) -> None:
    """Back up the journal with SQLite's backup API: one consistent copy even while another
    adherelog writes, 0600, checked before it is kept. With --encrypt the file is an age
    file (adherelog-….db.age) that 'age -d' decrypts.

    Example: adherelog backup ~/backups/ --encrypt
    """
    finish(actions.backup(settings(ctx, json_flag), path=path, force=force, encrypt=encrypt, to=to))


def restore(
    ctx: typer.Context,
    backup_file: Annotated[
        str,
        typer.Argument(
            metavar="BACKUP",
            help="A backup made by 'adherelog backup', plain or age-encrypted (as for import).",
        ),
    ],
    *,
    json_flag: JsonFlag = False,
) -> None:
    """Replace the journal with a backup, after checking it: an adherelog journal, not
    damaged, not from a newer adherelog, not the journal itself.

    The journal as it was is kept beside it as JOURNAL.before-restore-YYYYMMDD-HHMMSS
    (0600); the backup is written over the journal in one step, so an interruption leaves
    the old journal or the restored one. To merge a JSON export instead, use 'import'.

    Example: adherelog restore ~/backups/adherelog-20261122-091000.db
    """
    finish(actions.restore(settings(ctx, json_flag), backup_file=backup_file))


def check(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Check the journal: SQLite integrity and foreign keys, the schema version, orphaned
    rows, doses filled twice and values adherelog cannot read. Exit 1 on any problem.
    Changes nothing.

    Example: adherelog check
    """
    finish(actions.check(settings(ctx, json_flag)))


# --------------------------------------------------------------------------- documents


def report(
    ctx: typer.Context,
    *,
    since: Since = None,
    until_: Until = None,
    format_: Annotated[
        str, format_option("FORMAT", "md (Markdown) or html (one self-contained page).")
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
    finish(
        actions.report(
            settings(ctx, json_flag),
            since=since,
            until_=until_,
            format_=format_,
            output=output,
            force=force,
        )
    )


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
    finish(actions.calendar(settings(ctx, json_flag), days=days, output=output, force=force))


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
    finish(
        actions.fhir(
            settings(ctx, json_flag),
            since=since,
            until_=until_,
            output=output,
            force=force,
        )
    )


COMMANDS: dict[str, Callable[..., None]] = {
    "export": export,
    "import": import_,
    "backup": backup,
    "restore": restore,
    "check": check,
    "report": report,
    "calendar": calendar,
    "fhir": fhir,
}


def register(app: typer.Typer) -> None:
    for name, command in COMMANDS.items():
        app.command(name)(command)
