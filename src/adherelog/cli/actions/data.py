"""Your data is yours: ``export``, ``import``, ``backup``, ``check``, ``report``,
``calendar`` and ``fhir``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from adherelog.cli.common import (
    Settings,
    Shown,
    command,
    deliver,
    moment,
    open_journal,
    open_session,
    unsealer,
    until,
)
from adherelog.errors import UsageError
from adherelog.output import Line, message
from adherelog.text import plural

if TYPE_CHECKING:
    from adherelog.export import Progress
    from adherelog.importers import ForeignImport
    from adherelog.importing import ImportResult
    from adherelog.maintenance import CheckResult

# Progress bars appear for runs over this many rows, and only when stderr is a terminal.
PROGRESS_ROWS = 5000


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


def _check_output(output: str | None, force: bool, settings: Settings) -> None:
    """Refuse a bad ``-o`` target before any work is done."""
    if output is not None:
        from adherelog.outfile import check_target
        from adherelog.paths import journal_path

        check_target(Path(output), force=force, journal=journal_path(settings.db))


@contextlib.contextmanager
def _progress(label: str, *, shown: bool = True) -> Iterator[Progress | None]:
    """A progress callback that shows a bar on stderr once a run is known to be long;
    None where no bar can show (not ``shown``: with ``--json``; stderr not a terminal),
    which spares the work of counting."""
    if not shown or not sys.stderr.isatty():
        yield None
        return
    bar = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < PROGRESS_ROWS:
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


def export(
    settings: Settings,
    *,
    format_: str = "json",
    output: str | None = None,
    force: bool = False,
    encrypt: bool = False,
    to: str | None = None,
    no_bom: bool = False,
) -> int:
    """``export``: see :mod:`adherelog.export`."""

    def work() -> None:
        from adherelog import export as exporting
        from adherelog import paths

        fmt = _choice(format_, tuple(exporting.EXPORTERS), "--format")
        _check_output(output, force, settings)
        seal = _sealer(settings, encrypt, to)
        if seal is not None:
            _export_sealed(settings, fmt, output, force, seal, bom=fmt == "csv" and not no_bom)
            return
        with open_session(settings, write=False) as journal, _progress("Exporting") as progress:
            if output is None:
                # A bar beside the document would garble a terminal; piped, it may show.
                shown = None if sys.stdout.isatty() else progress
                if fmt == "csv" and not no_bom:
                    sys.stdout.write(exporting.BOM)
                exporting.EXPORTERS[fmt](journal, sys.stdout, shown)
                return
            exporting.export_file(
                journal,
                fmt,
                Path(output),
                force=force,
                journal_file=paths.journal_path(settings.db),
                progress=progress,
                bom=fmt == "csv" and not no_bom,
            )
        what = "the journal" if fmt == "json" else "the doses and skips"
        message(f"Wrote {what} ({fmt.upper()}) to {_shown(output)}.")

    return command(settings, work)


def _sealer(settings: Settings, encrypt: bool, to: str | None) -> Callable[[bytes], bytes] | None:
    """How an encrypted copy is sealed: with a passphrase (``--encrypt``), to a buddy's age
    key (``--to NAME``), or not at all."""
    if encrypt and to is not None:
        raise UsageError("Give either --to NAME or --encrypt, not both.")
    if not encrypt and to is None:
        return None
    from adherelog import agefile

    if encrypt:
        passphrase = agefile.ask_passphrase(True)
        return lambda data: agefile.encrypt_with_passphrase(data, passphrase)
    assert to is not None
    from adherelog import buddies

    with open_session(settings, write=False) as session:
        recipient = str(buddies.recipient_of(session, to).reply_to)
    return lambda data: agefile.encrypt_to(data, [recipient])


def _export_sealed(
    settings: Settings,
    fmt: str,
    output: str | None,
    force: bool,
    seal: Callable[[bytes], bytes],
    *,
    bom: bool,
) -> None:
    """``export --encrypt`` or ``--to NAME``: the export made in memory, written only as an
    age file."""
    import io

    from adherelog import export as exporting

    buffer = io.StringIO(newline="")
    if bom:
        buffer.write(exporting.BOM)
    with open_session(settings, write=False) as journal:
        exporting.EXPORTERS[fmt](journal, buffer, None)
    sealed = seal(buffer.getvalue().encode("utf-8"))
    what = "the journal" if fmt == "json" else "the doses and skips"
    deliver(sealed, output, settings, force=force, what=f"{what} ({fmt.upper()}, age)")


def _import_lines(result: ImportResult, source: str) -> list[Line]:
    def counts(values: dict[str, int]) -> str:
        from adherelog.views import row_count

        shown = [row_count(table, n) for table, n in values.items() if n]
        return ", ".join(shown) if shown else "nothing"

    head = "Dry run, nothing was written: would add " if result.dry_run else "Added "
    lines: list[Line] = [
        [(head, "bold"), (counts(result.added), None), (f" from {_shown(source)}.", None)],
        [(f"Already held: {counts(result.already_held)}.", "dim")],
    ]
    if result.keys == "adopted":
        lines.append([("The journal took the file's keys: its pseudonym is now the file's.", None)])
    elif result.keys == "kept":
        lines.append(
            [
                (
                    "The file holds another journal's keys; this journal keeps its own"
                    " pseudonym (peers count the two as different people).",
                    "yellow",
                )
            ]
        )
    if result.conflicts:
        lines.append(
            [
                (
                    f"{plural(len(result.conflicts), 'conflict')}; the journal's data was kept:",
                    "yellow",
                )
            ]
        )
        from adherelog.views import row_word

        for conflict in result.conflicts[:20]:
            what = f"{row_word(conflict.table)} {_shown(conflict.id)}"
            lines.append([(f"  {what}: {conflict.reason}", None)])
        if len(result.conflicts) > 20:
            lines.append([(f"  … and {len(result.conflicts) - 20} more (see --json).", "dim")])
    return lines


def import_(
    settings: Settings, *, file: str, dry_run: bool = False, from_app: str | None = None
) -> int:
    """``import``: see :func:`adherelog.importing.merge`; with ``from_app``,
    :func:`adherelog.importers.import_from`."""
    if from_app is not None:
        return _import_from(settings, file=file, app=from_app, dry_run=dry_run)

    def work() -> Shown:
        from adherelog import filekind, importing, infile, jsonshape, paths, portability

        kind = filekind.detect(infile.head(file))
        wanted = frozenset({filekind.Kind.JOURNAL_EXPORT})
        what = "an adherelog journal export"
        data: bytes | None = None
        if kind is filekind.Kind.AGE:
            from adherelog import agefile

            sealed = infile.read_all(file, agefile.sealed_limit(importing.MAX_BYTES), what)
            data = unsealer(settings, _shown(file))(sealed)
            filekind.expect(filekind.detect(data[: infile.HEAD_BYTES]), wanted, _shown(file), what)
        else:
            filekind.expect(kind, wanted, _shown(file), what)
            if file == infile.STDIN:
                data = portability.read_input(file)

        with _progress("Importing", shown=not settings.json) as progress:
            result = None
            new = not os.path.lexists(paths.journal_path(settings.db))
            if data is None and not dry_run and new:
                # A new journal (a journal moved to this machine): written straight from the
                # file, which is checked as it goes; a failure removes the journal again.
                try:
                    with open_journal(settings, write=True) as journal:
                        result = importing.import_into_new(journal, file, progress)
                except importing.NotThisWay:
                    result = None
            if result is None:
                # The file is checked in full before the journal is opened (or created): line
                # by line where it is laid out as export writes it, else read whole.
                staged = None if data is not None else importing.read_export_file(file, progress)
                if staged is None:
                    if data is None:
                        data = portability.read_input(file)
                    staged = importing.read_export(data, progress)
                try:
                    with open_journal(settings, write=not dry_run, scratch=dry_run) as journal:
                        result = importing.merge(
                            journal, staged, dry_run=dry_run, progress=progress
                        )
                finally:
                    staged.close()
        return Shown(
            json=lambda: jsonshape.journal_import(result), lines=lambda: _import_lines(result, file)
        )

    return command(settings, work)


def _foreign_lines(result: ForeignImport, source: str) -> list[Line]:
    lines = _import_lines(result.result, source)
    if result.unmapped:
        lines.append(
            [
                (
                    f"{plural(len(result.unmapped), 'record')} of the file could not be mapped:",
                    "yellow",
                )
            ]
        )
        for item in result.unmapped:
            lines.append([(f"  {_shown(item.where)}: {_shown(item.reason)}", None)])
    return lines


def _import_from(settings: Settings, *, file: str, app: str, dry_run: bool) -> int:
    """``import --from APP``: see :func:`adherelog.importers.import_from`."""

    def work() -> Shown:
        from adherelog import importers, jsonshape

        _choice(app, tuple(importers.READERS), "--from")
        converted = importers.read(app, file)
        with open_journal(settings, write=not dry_run, scratch=dry_run) as journal:
            result = importers.import_from(journal, converted, dry_run=dry_run)
        return Shown(
            json=lambda: jsonshape.foreign_import(result),
            lines=lambda: _foreign_lines(result, file),
        )

    return command(settings, work)


def backup(
    settings: Settings,
    *,
    path: str | None = None,
    force: bool = False,
    encrypt: bool = False,
    to: str | None = None,
) -> int:
    """``backup``: see :func:`adherelog.maintenance.backup_journal`."""

    def work() -> Shown:
        from adherelog import clock, jsonshape, maintenance, paths

        if path == "":
            raise UsageError("PATH '' names no file or folder; give one (or none).")
        made = maintenance.backup_journal(
            paths.journal_path(settings.db),
            path,
            clock.now(),
            force=force,
            seal=_sealer(settings, encrypt, to),
        )
        size = f"{made.size / 1024:.0f} KiB" if made.size >= 1024 else f"{made.size} bytes"
        return Shown(
            json=lambda: jsonshape.backup(made),
            lines=lambda: [
                [
                    ("Backed up the journal to ", "green"),
                    (_shown(made.path), "bold"),
                    (f" ({size}, schema {made.schema_version}", None),
                    (", encrypted with age)." if made.encrypted else ").", None),
                ]
            ],
        )

    return command(settings, work)


def restore(settings: Settings, *, backup_file: str) -> int:
    """``restore``: see :func:`adherelog.restore.restore`."""

    def work() -> Shown:
        from adherelog import clock, jsonshape, paths
        from adherelog import restore as restoring

        done = restoring.restore(
            paths.journal_path(settings.db),
            backup_file,
            clock.now(),
            unseal=unsealer(settings, _shown(backup_file)),
        )
        lines: list[Line] = [
            [
                ("Restored the journal from ", "green"),
                (_shown(done.source), "bold"),
                (f" (schema {done.schema_version}).", None),
            ]
        ]
        if done.kept is not None:
            lines.append(
                [("The journal it replaced is kept at ", None), (_shown(done.kept), "bold")]
            )
        return Shown(json=lambda: jsonshape.restore(done), lines=lambda: lines)

    return command(settings, work)


def check(settings: Settings) -> int:
    """``check``: see :func:`adherelog.maintenance.check`; exit 1 on any problem."""

    def work() -> Shown:
        from adherelog import jsonshape, maintenance, paths

        result = maintenance.check(paths.journal_path(settings.db))
        return Shown(
            json=lambda: jsonshape.check(result),
            lines=lambda: _check_lines(result),
            code=0 if result.ok else 1,
        )

    return command(settings, work)


def _check_lines(result: CheckResult) -> list[Line]:
    where = _shown(result.path)
    if result.ok:
        from adherelog.export import EXPORTED_TABLES

        shown = [t for t in EXPORTED_TABLES if t in result.tables]
        from adherelog.views import row_count

        rows = ", ".join(row_count(t, result.tables[t]) for t in shown)
        return [
            [("OK ", "green"), (where, "bold"), (f" (schema {result.schema_version})", None)],
            [(f"  {rows}", "dim")],
        ]
    lines: list[Line] = [
        [(f"{plural(len(result.problems), 'problem')} in ", "bold red"), (where, "bold")]
    ]
    for problem in result.problems:
        lines.append([(f"  {problem.check}: ", "red"), (_shown(problem.message), None)])
    return lines


def report(
    settings: Settings,
    *,
    since: str | None = None,
    until_: str | None = None,
    format_: str = "md",
    output: str | None = None,
    force: bool = False,
) -> int:
    """``report``: see :func:`adherelog.report.build_report`."""

    def work() -> None:
        from adherelog import report as reports

        fmt = _choice(format_, tuple(reports.RENDERERS), "--format")
        _check_output(output, force, settings)
        with open_journal(settings, write=False) as journal:
            data = reports.build_report(
                journal,
                since=moment(journal, since, "--since"),
                until=until(journal, until_, "--until"),
            )
        document = reports.RENDERERS[fmt](data)
        deliver(document, output, settings, force=force, what=f"the {fmt.upper()} report")

    return command(settings, work)


def calendar(
    settings: Settings, *, days: int = 7, output: str | None = None, force: bool = False
) -> int:
    """``calendar``: see :func:`adherelog.calendar_ics.build_calendar`."""

    def work() -> None:
        from adherelog import calendar_ics

        if not 1 <= days <= calendar_ics.MAX_DAYS:
            raise UsageError(f"--days must be from 1 to {calendar_ics.MAX_DAYS}, not {days}.")
        _check_output(output, force, settings)
        with open_journal(settings, write=False) as journal:
            document = calendar_ics.build_calendar(journal, days)
        deliver(
            document, output, settings, force=force, what=f"reminders for {plural(days, 'day')}"
        )

    return command(settings, work)


def fhir(
    settings: Settings,
    *,
    since: str | None = None,
    until_: str | None = None,
    output: str | None = None,
    force: bool = False,
) -> int:
    """``fhir``: see :func:`adherelog.fhir.build_bundle`."""

    def work() -> None:
        from datetime import timedelta

        from adherelog import fhir as fhir_bundle
        from adherelog.output import json_text

        _check_output(output, force, settings)
        with open_journal(settings, write=False) as journal:
            start = moment(journal, since, "--since") or journal.now - timedelta(
                days=fhir_bundle.DEFAULT_DAYS
            )
            end = until(journal, until_, "--until")
            bundle = fhir_bundle.build_bundle(journal, start, end)
        document = json_text(bundle) + "\n"
        deliver(document, output, settings, force=force, what="the FHIR bundle")

    return command(settings, work)
