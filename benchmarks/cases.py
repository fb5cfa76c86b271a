"""The timed cases and their SPEC §10 budgets (ratios to ``python -c pass``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from journals import JOURNALS, forget_streaks, journal, keep_streaks


def cases(work: Path) -> list[dict[str, Any]]:
    """Build (or reuse) the journals in ``work`` and list the cases to time."""
    from bench import adherelog

    dbs = {spec.name: journal(work, spec) for spec in JOURNALS}
    for db in dbs.values():  # migrate, and keep the streak state once, before timing
        keep_streaks(db)()
    one, ten, big, million = (dbs[spec.name] for spec in JOURNALS)
    scratch = work / "scratch.db"

    def fresh_copy() -> None:
        shutil.copyfile(one, scratch)

    def reminded(source: Path) -> Path:
        """A copy of ``source`` whose reminders due now a pass has already sent (through a
        stand-in ``notify-send``): the next pass, the one timed, has nothing to send."""
        from bench import ENV

        db = work / f"reminded-{source.name}"
        shutil.copyfile(source, db)
        stub = work / "stub-bin"
        stub.mkdir(exist_ok=True)
        (stub / "notify-send").write_text("#!/bin/sh\nexit 0\n")
        (stub / "notify-send").chmod(0o755)
        env = {**ENV, "PATH": f"{stub}{os.pathsep}{ENV.get('PATH', '')}"}
        subprocess.run(adherelog(db, "remind"), env=env, check=True, stdout=subprocess.DEVNULL)
        return db

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
        },
        {
            "name": "remind, nothing to send, 10-year journal",
            "budget": 5,
            "argv": adherelog(reminded(ten), "remind"),
        },
    ]
