"""Loop Habit Tracker's CSV export (iSoron/uhabits) as an adherelog export. Pure.

The export (``HabitsCSVExporter``, see ``docs/importing.md``) is a zip, or its unpacked
folder, holding ``Habits.csv`` (``Position,Name,Type,Question,Description,
FrequencyNumerator,FrequencyDenominator,Color,Unit,Target Type,Target Value,Archived?``)
and for each habit a folder ``NNN Name/`` with ``Checkmarks.csv`` (``Date,Value,Notes``:
``YES_MANUAL``, ``YES_AUTO``, ``NO``, ``SKIP``, ``UNKNOWN`` or a number for a numerical
habit). Loop keeps days, not clock times, so:

- a yes/no habit becomes a medication; one done every day (frequency 1/1) or every N days
  (1/N) gets a schedule with one daily time, 12:00 local (change it with ``med edit``),
  from its first entry on; other frequencies (2 times in 3 days) become as-needed;
- ``YES_MANUAL`` is a dose at 12:00 of that day, ``SKIP`` a skip of that day's slot;
  ``NO`` and ``UNKNOWN`` days have no record (a scheduled day without a record is a missed
  dose); ``YES_AUTO`` (not expected that day) is nothing;
- a numerical habit, a value that is not one of these, or a row that is not a date is
  listed as not mapped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from adherelog.clock import localize
from adherelog.errors import InvalidFileError
from adherelog.importers.common import (
    Converted,
    day_start,
    med_row,
    record_row,
    schedule_row,
    stable_id,
)
from adherelog.text import printable

APP = "loop"
HABITS = "Habits.csv"
CHECKMARKS = "Checkmarks.csv"
HABIT_COLUMNS = (
    "Position",
    "Name",
    "Type",
    "Question",
    "Description",
    "FrequencyNumerator",
    "FrequencyDenominator",
    "Color",
    "Unit",
    "Target Type",
    "Target Value",
    "Archived?",
)
ENTRY_COLUMNS = ("Date", "Value", "Notes")
DOSE_TIME = time(12, 0)


def _rows(text: str, where: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidFileError(
            f"{where} is empty; it is not a Loop Habit Tracker export."
        ) from None
    except csv.Error as exc:
        raise InvalidFileError(f"{where} is not CSV ({exc}).") from None
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise InvalidFileError(
            f"{where} has the column '{printable(unknown[0])}', which a Loop Habit Tracker "
            f"export does not have; expected {', '.join(columns)}."
        )
    missing = [c for c in columns if c not in header and c not in ("Archived?", "Notes")]
    if missing:
        raise InvalidFileError(f"{where} lacks the column '{missing[0]}'.")
    rows = []
    try:
        for values in reader:
            if not any(values):
                continue
            rows.append(dict(zip(header, values, strict=False)))
    except csv.Error as exc:
        raise InvalidFileError(f"{where} is not CSV ({exc}).") from None
    return rows


def _habit_folder(files: Mapping[str, str], position: str) -> str | None:
    """The ``NNN Name/Checkmarks.csv`` of the habit at ``position``."""
    for path in files:
        parts = path.split("/")
        if len(parts) >= 2 and parts[-1] == CHECKMARKS and parts[-2].startswith(position + " "):
            return path
    return None


class NoHabitsError(InvalidFileError):
    """The files hold no Habits.csv (told of "it": the caller names the file)."""


def convert(files: Mapping[str, str], zone: ZoneInfo, now: datetime) -> Converted:
    """The habits of a Loop export: ``files`` maps each CSV's path inside the export (with
    ``/``) to its text. Raises InvalidFileError when it is not what Loop writes
    (:class:`NoHabitsError` when there is no Habits.csv)."""
    habits_path = next((p for p in files if p.split("/")[-1] == HABITS), None)
    if habits_path is None:
        raise NoHabitsError(
            f"there is no {HABITS} in it; give the zip Loop Habit Tracker exported, its "
            "folder, or its Habits.csv."
        )
    root = habits_path[: -len(HABITS)]
    out = Converted(APP)
    for index, habit in enumerate(_rows(files[habits_path], HABITS, HABIT_COLUMNS)):
        where = f"{HABITS} row {index + 2}"
        name = habit.get("Name", "").strip()
        position = habit.get("Position", "").strip()
        if not name:
            out.skip(where, "has no name")
            continue
        shown = f"{where} ({printable(name)})"
        if habit.get("Type", "YES_NO") not in ("YES_NO", ""):
            out.skip(shown, "is a numerical habit (an amount per day), not doses")
            continue
        path = _habit_folder(
            {p[len(root) :]: t for p, t in files.items() if p.startswith(root)}, position
        )
        entries: list[dict[str, str]] = []
        if path is None:
            out.skip(shown, f"has no {position} {printable(name)}/{CHECKMARKS}; no days were read")
        else:
            entries = _rows(files[root + path], path, ENTRY_COLUMNS)
        days: list[tuple[date, str, str]] = []
        for e_index, entry in enumerate(entries):
            e_where = f"{path} row {e_index + 2}"
            try:
                day = date.fromisoformat(entry.get("Date", ""))
            except ValueError:
                out.skip(
                    e_where, f"has the date '{printable(entry.get('Date', ''))}', not YYYY-MM-DD"
                )
                continue
            days.append((day, entry.get("Value", "").strip(), entry.get("Notes", "").strip()))
        marked = [d for d, v, _ in days if v in ("YES_MANUAL", "SKIP", "NO")]
        start = min(marked) if marked else now.astimezone(zone).date()
        description = habit.get("Description", "").strip() or None
        med = med_row(APP, name, day_start(start, zone), description)
        out.meds.append(med)
        numerator = habit.get("FrequencyNumerator", "1").strip()
        denominator = habit.get("FrequencyDenominator", "1").strip()
        every: int | None = None
        scheduled = numerator == "1" and denominator.isdigit() and int(denominator) >= 1
        if scheduled:
            every = int(denominator) if int(denominator) > 1 else None
            out.schedules.append(
                schedule_row(
                    APP,
                    med,
                    key="main",
                    start=start,
                    zone=zone,
                    times=["12:00"],
                    dose=None,
                    every=every,
                    anchor=start,
                )
            )
        else:
            out.skip(
                shown,
                f"is done {numerator} times in {denominator} days, which is not a fixed "
                "schedule; it was imported as taken when needed",
            )
        for day, value, notes in sorted(days):
            e_where = f"{path} {day.isoformat()}"
            if value in ("NO", "UNKNOWN", "YES_AUTO"):
                continue
            if value not in ("YES_MANUAL", "SKIP"):
                out.skip(e_where, f"has the value '{printable(value)}', which is not a dose")
                continue
            moment = localize(day, DOSE_TIME, zone)
            on_schedule = scheduled and (every is None or (day - start).days % every == 0)
            if value == "SKIP" and not on_schedule:
                out.skip(e_where, "skips a day the schedule has no dose on")
                continue
            out.records.append(
                record_row(
                    record_id=stable_id(APP, "entry", position, name, day.isoformat()),
                    kind="dose" if value == "YES_MANUAL" else "skip",
                    med_id=str(med["id"]),
                    at=moment,
                    zone=zone,
                    slot=moment if on_schedule else None,
                    amount=1.0 if value == "YES_MANUAL" else None,
                    note=notes or None,
                )
            )
    return out


def files_of(entries: Mapping[str, bytes]) -> dict[str, str]:
    """The CSV files of an export (path → bytes) as text (UTF-8, an optional BOM)."""
    out: dict[str, str] = {}
    for path, data in entries.items():
        if not path.endswith(".csv"):
            continue
        try:
            out[path] = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidFileError(
                f"{printable(path)} is not UTF-8 text (byte 0x{data[exc.start]:02X} at "
                f"{exc.start}); it is not what Loop Habit Tracker writes."
            ) from None
    return out
