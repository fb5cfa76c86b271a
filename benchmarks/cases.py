"""The timed cases and their SPEC §10 budgets (ratios to ``python -c pass``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from adherelog.session import new_id
from journals import JOURNALS, KINDS, forget_streaks, journal, keep_streaks, tip_exchange


def cases(work: Path, selected: Sequence[str] = ()) -> list[dict[str, Any]]:
    """List the cases to time (those whose names start with one of ``selected``, or all),
    building (or reusing) in ``work`` only the journals they use."""
    listed = [
        case
        for case in _cases(work)
        if not selected or any(case["name"].startswith(s) for s in selected)
    ]
    used = {part for case in listed for part in (*case["argv"], *case.get("needs", ()))}
    if str(work / "scratch.db") in used:
        used.add(str(work / f"{JOURNALS[0].name}.db"))
    for spec in (*JOURNALS, KINDS):
        if str(work / f"{spec.name}.db") in used:
            # migrate, and keep the streak state once, before timing
            keep_streaks(journal(work, spec))()
    return listed


def once(action: Callable[[], object]) -> Callable[[], None]:
    """``action``, run the first time only (a case's set-up, before its first timed run)."""
    done: list[bool] = []

    def run() -> None:
        if not done:
            action()
            done.append(True)

    return run


def _cases(work: Path) -> list[dict[str, Any]]:
    from bench import ENV, adherelog

    one, ten, big, million = (work / f"{spec.name}.db" for spec in JOURNALS)
    kinds = work / f"{KINDS.name}.db"
    scratch = work / "scratch.db"
    kinds_scratch = work / "kinds-scratch.db"

    def kinds_copy() -> None:
        shutil.copyfile(kinds, kinds_scratch)

    tips_db, tip_bundle, group = tip_exchange(work, build=False)
    tips_scratch = work / "tips-scratch.db"

    def build_tips() -> None:
        tip_exchange(work)
        keep_streaks(tips_db)()  # as the other journals: the day's first write has been made

    built_tips = once(build_tips)

    def fresh_tips() -> None:
        """A copy of the tip journal, built (with the bundles) by the first case that
        uses it."""
        built_tips()
        shutil.copyfile(tips_db, tips_scratch)

    def fresh_copy() -> None:
        shutil.copyfile(one, scratch)

    def reminded(source: Path) -> Path:
        """A copy of ``source`` whose reminders due now a pass has already sent (through a
        stand-in ``notify-send``): the next pass, the one timed, has nothing to send."""
        return work / f"reminded-{source.name}"

    def with_buddies(source: Path) -> Path:
        """A copy of ``source`` with two buddies: ana, with a channel for her weekly card,
        and bo, without."""
        return work / f"buddies-{source.name}"

    def add_buddies(db: Path) -> None:
        """Two buddies in ``db``; ana had her card (sent now, by hand) and bo was in touch
        now: a pass has neither a nudge nor a card to send."""

        def quiet(*args: str, db: Path = db) -> None:
            subprocess.run(adherelog(db, *args), env=ENV, check=True, capture_output=True)

        for name in ("ana", "bo"):
            card = work / f"{name}-card.json"
            if not card.exists():
                other = work / f"{name}-journal.db"
                other.unlink(missing_ok=True)
                quiet("share", "card", "--format", "json", "-o", str(card), db=other)
            quiet("buddy", "import", str(card), "--as", name)
        quiet("buddy", "set", "ana", "--send-via", "json://127.0.0.1:9/bench")
        quiet("share", "card", "--to", "ana", "-o", str(work / "ana-card.age"), "--force")

    def remind_once(source: Path, db: Path | None = None) -> None:
        db = db or reminded(source)
        shutil.copyfile(source, db)
        if db == with_buddies(source):
            add_buddies(db)
        stub = work / "stub-bin"
        stub.mkdir(exist_ok=True)
        (stub / "notify-send").write_text("#!/bin/sh\nexit 0\n")
        (stub / "notify-send").chmod(0o755)
        env = {**ENV, "PATH": f"{stub}{os.pathsep}{ENV.get('PATH', '')}"}
        subprocess.run(adherelog(db, "remind"), env=env, check=True, stdout=subprocess.DEVNULL)

    big_export = work / f"{big.stem}.json"

    def export_once() -> None:
        """The JSON export of the big journal, made once."""
        if not big_export.exists():
            print(f"exporting {big.stem} ...", flush=True)
            partial = work / f"{big.stem}.partial.json"
            subprocess.run(
                adherelog(big, "export", "-o", str(partial), "--force"), env=ENV, check=True
            )
            partial.rename(big_export)

    older_export = work / f"{big.stem}-random-ids.json"

    def older_export_once() -> None:
        """The export of the big journal as adherelog wrote it before record ids were timed
        by their moments: every record with a random (version 4) id; made once."""
        export_once()
        if older_export.exists():
            return
        print(f"exporting {big.stem} with random record ids ...", flush=True)
        older = work / f"{big.stem}-random-ids.db"
        shutil.copyfile(big, older)
        conn = sqlite3.connect(older, isolation_level=None)
        try:
            conn.create_function("random_id", 0, new_id)
            conn.execute("UPDATE records SET id = random_id()")
        finally:
            conn.close()
        partial = work / f"{big.stem}-random-ids.partial.json"
        subprocess.run(
            adherelog(older, "export", "-o", str(partial), "--force"), env=ENV, check=True
        )
        partial.rename(older_export)
        older.unlink()

    older_target = work / "imported-older.db"

    def empty_older_target() -> None:
        older_export_once()
        for leftover in work.glob("imported-older.db*"):
            leftover.unlink()

    target = work / "imported.db"

    def empty_target() -> None:
        export_once()
        for leftover in work.glob("imported.db*"):
            leftover.unlink()

    def imported_target() -> None:
        export_once()
        if not target.exists():
            subprocess.run(adherelog(target, "import", str(big_export)), env=ENV, check=True)

    copied = work / "copied.db"

    def no_copy() -> None:
        """The import's own journal, whose records are in the order of the file, to copy
        from (made once), and no copy yet."""
        imported_target()
        for leftover in work.glob("copied.db*"):
            leftover.unlink()

    million_export = work / f"{million.stem}.json"
    million_target = work / "million-imported.db"

    def empty_million_target() -> None:
        """The JSON export of the million-dose journal (made once), and no journal yet."""
        if not million_export.exists():
            print(f"exporting {million.stem} ...", flush=True)
            partial = work / f"{million.stem}.partial.json"
            subprocess.run(
                adherelog(million, "export", "-o", str(partial), "--force"), env=ENV, check=True
            )
            partial.rename(million_export)
        for leftover in work.glob("million-imported.db*"):
            leftover.unlink()

    def big_import(
        name: str, into: Path, export: Path, before: Callable[[], None]
    ) -> dict[str, Any]:
        """A timed import of an export of the big journal into ``into`` (SPEC §10: 150×)."""
        return {
            "name": name,
            "budget": 150,
            "argv": adherelog(into, "import", str(export)),
            "before": before,
            "needs": [str(big)],
            "runs": 3,
        }

    def write_case(name: str, *args: str) -> dict[str, Any]:
        argv = adherelog(scratch, *args)
        return {
            "name": name,
            "budget": 6,
            "argv": argv,
            "before": fresh_copy,
            "memory_budget_mib": 25,
        }

    return [
        write_case("take, 1-year journal (6 meds x 3/day)", "take", "medication 1"),
        write_case("take --json", "take", "medication 2", "--json"),
        write_case("skip, 1-year journal", "skip", "medication 3"),
        {
            "name": "take, 10-year journal of every schedule kind",
            "budget": 6,
            "argv": adherelog(kinds_scratch, "take", "split dose"),
            "before": kinds_copy,
            "needs": [str(kinds)],
            "memory_budget_mib": 25,
        },
        {
            "name": "due, 10-year journal of every schedule kind",
            "budget": 8,
            "argv": adherelog(kinds, "due"),
        },
        {
            "name": "summary 30 days, 10 years of every schedule kind",
            "budget": 8,
            "argv": adherelog(kinds, "summary"),
        },
        {
            "name": "summary --since start, 10 years of every schedule kind",
            "budget": 12,
            "argv": adherelog(kinds, "summary", "--since", "1990-01-01"),
        },
        {"name": "due, 1-year journal", "budget": 8, "argv": adherelog(one, "due")},
        {
            "name": "due, 10-year journal (6 meds x 3/day)",
            "budget": 8,
            "argv": adherelog(ten, "due"),
        },
        {
            "name": "due --json, 10-year journal",
            "budget": 8,
            "argv": adherelog(ten, "due", "--json"),
        },
        {"name": "summary 30 days, 1-year journal", "budget": 8, "argv": adherelog(one, "summary")},
        {
            "name": "summary 30 days, 10-year journal",
            "budget": 8,
            "argv": adherelog(ten, "summary"),
        },
        {
            "name": "summary 30 days --json, 10 years",
            "budget": 8,
            "argv": adherelog(ten, "summary", "--json"),
        },
        {"name": "streak, 1-year journal", "budget": 8, "argv": adherelog(one, "streak")},
        {"name": "streak, 10-year journal", "budget": 8, "argv": adherelog(ten, "streak")},
        {
            "name": "summary --since start, 10 years x 10 meds x 4/day",
            "budget": 12,
            "argv": adherelog(big, "summary", "--since", "1990-01-01"),
            "before": keep_streaks(big),
        },
        {
            "name": "  same, streak state dropped before each run",
            "budget": 12,
            "argv": adherelog(big, "summary", "--since", "1990-01-01"),
            "before": forget_streaks(big),
        },
        {
            "name": "summary --since start, 1,000,000 dose records",
            "budget": 30,
            "argv": adherelog(million, "summary", "--since", "1990-01-01"),
            "before": keep_streaks(million),
        },
        {
            "name": "  same, streak state dropped before each run",
            "budget": 30,
            "argv": adherelog(million, "summary", "--since", "1990-01-01"),
            "before": forget_streaks(million),
        },
        {
            "name": "summary 30 days, 1,000,000 dose records",
            "budget": 8,
            "argv": adherelog(million, "summary"),
            "before": keep_streaks(million),
        },
        {"name": "history, 10-year journal", "budget": 6, "argv": adherelog(ten, "history")},
        {"name": "tip list, 10-year journal", "budget": 6, "argv": adherelog(ten, "tip", "list")},
        {"name": "med list, 10-year journal", "budget": 6, "argv": adherelog(ten, "med", "list")},
        {
            "name": "effect list, 10-year journal",
            "budget": 6,
            "argv": adherelog(ten, "effect", "list"),
        },
        {"name": "help (--help)", "budget": 6, "argv": adherelog(ten, "--help")},
        {
            "name": "remind, nothing to send, 1-year journal",
            "budget": 5,
            "argv": adherelog(reminded(one), "remind"),
            "before": once(lambda: remind_once(one)),
            "needs": [str(one)],
        },
        {
            "name": "remind, nothing to send, 1-year journal with buddies",
            "budget": 5,
            "argv": adherelog(with_buddies(one), "remind"),
            "before": once(lambda: remind_once(one, with_buddies(one))),
            "needs": [str(one)],
        },
        {
            "name": "remind, nothing to send, 10-year journal",
            "budget": 5,
            "argv": adherelog(reminded(ten), "remind"),
            "before": once(lambda: remind_once(ten)),
            "needs": [str(ten)],
        },
        {
            "name": "export, 10 years x 10 meds x 4/day",
            "budget": 60,
            "argv": adherelog(big, "export", "-o", str(work / "export.json"), "--force"),
            "runs": 5,
        },
        big_import(
            "import of that export, into an empty journal", target, big_export, empty_target
        ),
        {
            # No budget: SQLite's own part of the import above (floor.py), for comparison.
            "name": "  SQLite alone: the same rows copied by SQL",
            "budget": float("inf"),
            "argv": [
                sys.executable,
                str(Path(__file__).with_name("floor.py")),
                str(target),
                str(copied),
            ],
            "before": no_copy,
            "needs": [str(big)],
            "runs": 3,
        },
        big_import(
            "import of that export with random record ids, as older journals have",
            older_target,
            older_export,
            empty_older_target,
        ),
        big_import(
            "import of that export again (nothing to add)", target, big_export, imported_target
        ),
        {
            # SPEC §10 sets no time for it: the budget is its peak memory.
            "name": "import of 1,000,000 records (peak memory)",
            "budget": float("inf"),
            "argv": adherelog(million_target, "import", str(million_export)),
            "before": empty_million_target,
            "needs": [str(million)],
            "runs": 1,
            "memory_budget_mib": 200,
        },
        {
            "name": "tip import, signed 500 tips into 10,000 from 200",
            "budget": 15,
            "argv": adherelog(tips_scratch, "tip", "import", str(tip_bundle)),
            "before": fresh_tips,
            "runs": 7,
        },
        {
            "name": "tip digest, 1,000 signed bundles of 50 tips",
            "budget": 150,
            "argv": adherelog(
                tips_scratch,
                "tip",
                "digest",
                str(group),
                "-o",
                str(work / "digest.json"),
                "--force",
            ),
            "before": fresh_tips,
            "runs": 3,
        },
    ]
