"""The timed cases and their SPEC §10 budgets (ratios to ``python -c pass``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from journals import JOURNALS, forget_streaks, journal, keep_streaks, tip_exchange


def cases(work: Path) -> list[dict[str, Any]]:
    """Build (or reuse) the journals in ``work`` and list the cases to time."""
    from bench import adherelog

    dbs = {spec.name: journal(work, spec) for spec in JOURNALS}
    for db in dbs.values():  # migrate, and keep the streak state once, before timing
        keep_streaks(db)()
    one, ten, big, million = (dbs[spec.name] for spec in JOURNALS)
    scratch = work / "scratch.db"
    tips_db, tip_bundle, group = tip_exchange(work)
    keep_streaks(tips_db)()  # as the other journals: the day's first write has been made
    tips_scratch = work / "tips-scratch.db"

    def fresh_tips() -> None:
        shutil.copyfile(tips_db, tips_scratch)

    def fresh_copy() -> None:
        shutil.copyfile(one, scratch)

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
