"""``import --from APP FILE``: another app's export merged into the journal (SPEC §8
"Coming from another app").

Each reader (:mod:`.medtimer`, :mod:`.loop`) turns the other app's file into an adherelog
export document with ids derived from the source, so the merge of
:mod:`adherelog.portability` does the rest: all or nothing, re-importing the same file adds
nothing, ``--dry-run`` rolls back. A medication the journal already has under the same
name receives the file's doses (its schedule stays the journal's). What a reader cannot
map is listed, never dropped silently. Nothing here prints.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from adherelog import clock, filekind, infile, portability
from adherelog.errors import InvalidFileError
from adherelog.importers import loop, medtimer
from adherelog.importers.common import Converted, Unmapped
from adherelog.journal import Journal
from adherelog.storage import meds as stored_meds
from adherelog.text import printable
from adherelog.valueclass import dataclass, field

MAX_BYTES = 256 * 1024 * 1024
MAX_FILES = 10_000


@dataclass
class ForeignImport:
    app: str
    result: portability.ImportResult
    unmapped: list[Unmapped] = field(default_factory=list)


def _read_medtimer(path: str) -> Converted:
    shown = printable(path)
    kind = filekind.detect(infile.head(path))
    filekind.expect(kind, frozenset({filekind.Kind.MEDTIMER}), shown, "a MedTimer JSON backup")
    data = infile.read_all(path, MAX_BYTES, "a MedTimer backup")
    return medtimer.convert(data, clock.local_zone(), clock.now())


def _loop_entries(path: str) -> dict[str, bytes]:
    shown = printable(path)
    if os.path.isdir(path):
        entries: dict[str, bytes] = {}
        root = Path(path)
        for found in sorted(root.rglob("*.csv")):
            if len(entries) >= MAX_FILES:
                break
            if found.is_file() and not found.is_symlink():
                entries[found.relative_to(root).as_posix()] = infile.read_all(
                    str(found), MAX_BYTES, "a Loop CSV file"
                )
        return entries
    kind = filekind.detect(infile.head(path))
    if kind is filekind.Kind.ZIP:
        try:
            with zipfile.ZipFile(path) as archive:
                entries = {}
                total = 0
                for info in archive.infolist()[:MAX_FILES]:
                    if info.is_dir() or not info.filename.endswith(".csv"):
                        continue
                    total += info.file_size
                    if total > MAX_BYTES:
                        raise InvalidFileError(f"{shown} unpacks to more than 256 MiB.")
                    entries[info.filename] = archive.read(info)
                return entries
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise InvalidFileError(f"{shown} is a damaged zip file ({exc}).") from None
    filekind.expect(kind, frozenset({filekind.Kind.LOOP_CSV}), shown, "a Loop Habit Tracker export")
    # A CSV of the export (Habits.csv or a Checkmarks.csv): the folder it is in is read.
    folder = Path(path).parent
    if not (folder / loop.HABITS).is_file():
        folder = folder.parent
    if not (folder / loop.HABITS).is_file():
        return {Path(path).name: infile.read_all(path, MAX_BYTES, "a Loop CSV file")}
    return _loop_entries(str(folder))


def _read_loop(path: str) -> Converted:
    if not os.path.isdir(path):
        infile.check_readable(path)
    files = loop.files_of(_loop_entries(path))
    try:
        return loop.convert(files, clock.local_zone(), clock.now())
    except loop.NoHabitsError as exc:
        raise InvalidFileError(f"{printable(path)}: {exc}") from None


READERS: dict[str, Callable[[str], Converted]] = {
    "medtimer": _read_medtimer,
    "loop": _read_loop,
}
"""``import --from`` choices: app name → reader of its export."""


def read(app: str, path: str) -> Converted:
    """Read and convert ``path`` as ``app``'s export (checked in full before the journal is
    opened)."""
    if path == infile.STDIN:
        raise InvalidFileError("import --from reads a file; '-' (standard input) is not one.")
    return READERS[app](path)


def _join_held_meds(journal: Journal, converted: Converted) -> list[Unmapped]:
    """Point the file's medications the journal already has (by name, another id) at the
    journal's; their schedules stay the journal's."""
    notes: list[Unmapped] = []
    renamed: dict[str, str] = {}
    kept = []
    for med in converted.meds:
        held = stored_meds.find_med(journal.conn, str(med["name"]))
        if held is not None and held.id != med["id"]:
            renamed[str(med["id"])] = held.id
        else:
            kept.append(med)
    if not renamed:
        return notes
    converted.meds = kept
    schedules = []
    for schedule in converted.schedules:
        if schedule["med_id"] in renamed:
            name = next((m["name"] for m in converted.meds if m["id"] == schedule["med_id"]), None)
            notes.append(
                Unmapped(
                    f"schedule of {printable(str(name or schedule['med_id']))}",
                    "the journal already has this medication; its schedule was kept",
                )
            )
        else:
            schedules.append(schedule)
    converted.schedules = schedules
    for record in converted.records:
        record["med_id"] = renamed.get(str(record["med_id"]), record["med_id"])
    return notes


def import_from(journal: Journal, converted: Converted, *, dry_run: bool) -> ForeignImport:
    """Merge a converted export into the journal (see the module's docstring)."""
    notes = _join_held_meds(journal, converted)
    exported = clock.local_iso(clock.now(), clock.local_zone())
    data = converted.json_bytes(exported)
    result = portability.import_journal(journal, data, dry_run=dry_run)
    return ForeignImport(converted.app, result, [*converted.unmapped, *notes])
