"""``adherelog med ...`` through the Typer app: add, edit, stop, resume, list, show, rm, refill."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import count, data, invoke, journal, ok, one_error_line, sha256

MED_KEYS = {"name", "dose", "as_needed", "grace", "supply", "active", "schedules"}
SCHEDULE_KEYS = {"from", "until", "times", "every", "on", "zone", "dose"}


def fail(code: int, *args: str) -> str:
    """Run a command that must fail with ``code``; return its one stderr line."""
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


def slot_times(doc: dict[str, Any], med: str) -> list[str]:
    return [s["scheduled_for"] for s in doc["slots"] if s["med"] == med]


# --- add ----------------------------------------------------------------------------------


def test_add_with_every_option_prints_the_spec_shape() -> None:
    doc = data(
        "med",
        "add",
        "Metformin",
        "--dose",
        "500 mg",
        "--time",
        "20:00",
        "--time",
        "8am",
        "--every",
        "2",
        "--start",
        "2026-11-01",
        "--end",
        "2026-12-31",
        "--grace",
        "30",
        "--supply",
        "60",
        "--per-dose",
        "2",
        "--tz",
        "America/New_York",
        "--note",
        "with food",
    )
    assert set(doc) >= MED_KEYS
    assert {k: doc[k] for k in MED_KEYS - {"schedules"}} == {
        "name": "Metformin",
        "dose": "500 mg",
        "as_needed": False,
        "grace": 30,
        "supply": 60,
        "active": True,
    }
    assert doc["per_dose"] == 2
    assert doc["note"] == "with food"
    assert len(doc["schedules"]) == 1
    (version,) = doc["schedules"]
    assert set(version) >= SCHEDULE_KEYS
    assert {k: version[k] for k in SCHEDULE_KEYS} == {
        "from": "2026-11-01T00:00:00-04:00",
        "until": "2027-01-01T00:00:00-05:00",
        "times": ["08:00", "20:00"],
        "every": 2,
        "on": None,
        "zone": "America/New_York",
        "dose": "500 mg",
    }


def test_add_on_weekdays_and_as_needed() -> None:
    weekly = data("med", "add", "Methotrexate", "--time", "09:00", "--on", "fri,MON")
    assert weekly["schedules"][0]["on"] == ["mon", "fri"]
    assert weekly["schedules"][0]["every"] is None
    assert weekly["schedules"][0]["zone"] == "Europe/London"
    assert weekly["grace"] == 60
    prn = data("med", "add", "Ibuprofen", "--as-needed", "--dose", "200 mg")
    assert prn["as_needed"] is True
    assert prn["supply"] is None
    assert prn["schedules"][0]["times"] == []
    assert prn["schedules"][0]["from"] == "2026-11-22T09:10:00+00:00"


def test_add_human_output_names_the_schedule() -> None:
    out = ok("med", "add", "Sertraline", "--dose", "50 mg", "--time", "08:00").stdout
    assert out.splitlines()[0] == "Sertraline  50 mg"
    assert "schedule: daily at 08:00 (Europe/London), grace 60 min" in out


def test_add_at_14_00_creates_no_missed_morning_dose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-22T14:00:00")
    ok("med", "add", "Sertraline", "--time", "08:00", "--time", "20:00")
    due = data("due")
    assert [(s["scheduled_for"], s["status"]) for s in due["slots"]] == [
        ("2026-11-22T20:00:00+00:00", "upcoming")
    ]
    assert data("history", "--since", "today")["records"] == []


@pytest.mark.parametrize("other", ["sertraline", "SERTRALINE", "  Sertraline ", "Sertraline"])
def test_a_name_is_unique_case_insensitively(other: str) -> None:
    ok("med", "add", "Sertraline", "--time", "08:00")
    line = fail(1, "med", "add", other, "--time", "09:00")
    assert "already exists" in line
    assert count("meds") == 1


@pytest.mark.parametrize(
    ("args", "quoted"),
    [
        (("med", "add", "X"), "--time"),
        (("med", "add", "X", "--every", "0", "--time", "08:00"), "--every"),
        (("med", "add", "X", "--time", "25:00"), "'25:00'"),
        (("med", "add", "X", "--time", "8"), "'8'"),
        (("med", "add", "X", "--every", "2", "--on", "mon", "--time", "08:00"), "--on"),
        (("med", "add", "X", "--tz", "Mars/Olympus", "--time", "08:00"), "'Mars/Olympus'"),
        (("med", "add", "X", "--tz", "../../etc/passwd", "--time", "08:00"), "'../../etc"),
        (("med", "add", "X", "--tz", "", "--time", "08:00"), "Unknown time zone ''"),
        (("med", "add", "X", "--on", "funday", "--time", "08:00"), "'funday'"),
        (("med", "add", "X", "--as-needed", "--time", "08:00"), "--as-needed"),
        (("med", "add", "X", "--grace", "-5", "--time", "08:00"), "-5"),
        (("med", "add", "X", "--time", "08:00", "--start", "01/02/2025"), "'01/02/2025'"),
        (("med", "add", "", "--time", "08:00"), "empty"),
        (("med", "add", "x" * 81, "--time", "08:00"), "81"),
        (("med", "add", "Bad\x1bName", "--time", "08:00"), "U+001B"),
        (("med", "add", "Bad\u202eName", "--time", "08:00"), "U+202E"),
        (("med", "add", "Bad\u200bName", "--time", "08:00"), "U+200B"),
        (("med", "add", "Bad\x9bName", "--time", "08:00"), "U+009B"),
        (("med", "add", "Two\nLines", "--time", "08:00"), "U+000A"),
        (("med", "add", "X", "--dose", "5\x07mg", "--time", "08:00"), "U+0007"),
        (("med", "add", "X", "--time", "08:00", "--end", "2026-11-01"), "2026-11-01"),
        (("med", "add", "X", "--time", "08:00", "--supply", "-1"), "-1"),
        (("med", "add", "X", "--time", "08:00", "--per-dose", "0"), "0"),
        (("med", "add", "X", "--time", "08:00", "--per-dose", "nan"), "not nan"),
        (("med", "add", "X", "--time", "08:00", "--supply", "inf"), "not inf"),
    ],
)
def test_add_usage_errors_exit_2_and_write_nothing(args: tuple[str, ...], quoted: str) -> None:
    ok("med", "add", "Existing", "--time", "07:00")
    before = sha256(journal())
    line = fail(2, *args)
    assert quoted in line
    assert "\x1b" not in line
    assert "\u202e" not in line
    assert sha256(journal()) == before
    assert count("meds") == 1


def test_add_a_bad_name_on_a_new_journal_records_nothing() -> None:
    line = fail(2, "med", "add", "Bad\x1bName", "--time", "08:00")
    assert "control or invisible character U+001B" in line
    assert not journal().exists() or count("meds") == 0


# --- edit ---------------------------------------------------------------------------------


def test_edit_from_today_keeps_yesterday_on_the_old_time() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-15", "--dose", "1 g")
    doc = data("med", "edit", "metformin", "--time", "09:00", "--dose", "500 mg")
    assert [(v["from"], v["until"], v["times"], v["dose"]) for v in doc["schedules"]] == [
        ("2026-11-15T00:00:00+00:00", "2026-11-22T00:00:00+00:00", ["08:00"], "1 g"),
        ("2026-11-22T00:00:00+00:00", None, ["09:00"], "500 mg"),
    ]
    assert doc["dose"] == "500 mg"
    record = data("take", "metformin", "--at", "yesterday 08:20")
    assert record["scheduled_for"] == "2026-11-21T08:00:00+00:00"
    assert record["late_minutes"] == 20
    today = data("take", "metformin")
    assert today["scheduled_for"] == "2026-11-22T09:00:00+00:00"
    assert today["late_minutes"] == 10


def test_edit_from_a_future_date_is_a_taper() -> None:
    ok("med", "add", "Prednisolone", "--time", "08:00", "--dose", "20 mg", "--start", "2026-11-01")
    ok("med", "edit", "prednisolone", "--dose", "10 mg", "--from", "2026-11-29")
    doc = data("med", "edit", "prednisolone", "--dose", "5 mg", "--from", "2026-12-06")
    assert [(v["from"][:10], v["dose"], v["times"]) for v in doc["schedules"]] == [
        ("2026-11-01", "20 mg", ["08:00"]),
        ("2026-11-29", "10 mg", ["08:00"]),
        ("2026-12-06", "5 mg", ["08:00"]),
    ]
    assert doc["dose"] == "20 mg"


def test_edit_every_counts_from_the_new_versions_start(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "X", "--time", "08:00", "--start", "2026-11-01")
    ok("med", "edit", "x", "--every", "3", "--from", "2026-11-23")
    days = []
    for day in range(23, 30):
        monkeypatch.setenv("ADHERELOG_NOW", f"2026-11-{day}T07:00:00")
        days += [s[:10] for s in slot_times(data("due"), "X")]
    assert days == ["2026-11-23", "2026-11-26", "2026-11-29"]


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("med", "edit", "nosuch", "--time", "08:00"), 1, "'nosuch'"),
        (("med", "edit", "x"), 2, "Nothing to change"),
        (("med", "edit", "x", "--time", "24:00"), 2, "'24:00'"),
        (("med", "edit", "x", "--every", "0"), 2, "--every"),
        (("med", "edit", "x", "--tz", "Mars/Olympus"), 2, "Unknown time zone 'Mars/Olympus'"),
        (("med", "edit", "x", "--tz", "../x", "--from", "2026-12-01"), 2, "'../x'"),
        (("med", "edit", "x", "--supply", "nan"), 2, "not nan"),
        (("med", "edit", "x", "--per-dose", "-1"), 2, "not -1"),
        (("med", "edit", "x", "--from", "tomorrow", "--time", "09:00"), 2, "'tomorrow'"),
    ],
)
def test_edit_errors(args: tuple[str, ...], code: int, text: str) -> None:
    ok("med", "add", "X", "--time", "08:00")
    line = fail(code, *args)
    assert text in line
    assert count("schedules") == 1


# --- stop, resume -------------------------------------------------------------------------


def test_stop_and_resume(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "Ibuprofen", "--time", "20:00", "--start", "2026-11-20")
    ok("med", "add", "Other", "--time", "21:00", "--start", "2026-11-20")
    stopped = data("med", "stop", "ibuprofen")
    assert stopped["active"] is False
    assert [v["until"] for v in stopped["schedules"]] == ["2026-11-22T09:10:00+00:00", None]
    assert [s["med"] for s in data("due")["slots"]] == ["Other"]
    assert "Ibuprofen" not in ok("due").stdout
    line = fail(1, "take", "ibuprofen")
    assert "Ibuprofen is stopped" in line
    assert "--extra" in line
    assert fail(1, "med", "stop", "ibuprofen").endswith("already stopped at that time.")

    assert [m["name"] for m in data("med", "list")["meds"]] == ["Other"]
    assert [(m["name"], m["active"]) for m in data("med", "list", "--all")["meds"]] == [
        ("Ibuprofen", False),
        ("Other", True),
    ]

    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-25T10:00:00")
    history = data("history", "--since", "2026-11-21", "--med", "ibuprofen")["records"]
    assert [r["scheduled_for"] for r in history] == ["2026-11-21T20:00:00+00:00"]

    resumed = data("med", "resume", "ibuprofen")
    assert resumed["active"] is True
    assert resumed["schedules"][-1]["times"] == ["20:00"]
    assert resumed["schedules"][-1]["from"] == "2026-11-25T10:00:00+00:00"
    assert slot_times(data("due"), "Ibuprofen") == ["2026-11-25T20:00:00+00:00"]
    assert fail(1, "med", "resume", "ibuprofen").endswith("is not stopped at that time.")


def test_stop_from_a_date_keeps_the_days_before(monkeypatch: pytest.MonkeyPatch) -> None:
    ok("med", "add", "X", "--time", "08:00", "--start", "2026-11-20")
    ok("med", "stop", "x", "--from", "2026-11-24")
    ok("med", "resume", "x", "--from", "2026-11-27")
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-29T12:00:00")
    missed = data("history", "--since", "2026-11-22")["records"]
    assert [r["scheduled_for"][:10] for r in missed] == [
        "2026-11-22",
        "2026-11-23",
        "2026-11-27",
        "2026-11-28",
    ]
    assert {r["kind"] for r in missed} == {"missed"}


# --- list, show ---------------------------------------------------------------------------


def test_list_human_and_json() -> None:
    assert "No medications yet" in ok("med", "list").stdout
    ok("med", "add", "Zinc", "--time", "08:00", "--supply", "30")
    ok("med", "add", "aspirin", "--as-needed", "--dose", "75 mg")
    out = ok("med", "list").stdout.splitlines()
    assert out[0].split() == ["name", "dose", "schedule", "supply", "state"]
    assert out[1].split() == ["aspirin", "75", "mg", "as", "needed", "active"]
    assert out[2].split() == ["Zinc", "daily", "at", "08:00", "30", "active"]
    doc = data("med", "list")
    assert [m["name"] for m in doc["meds"]] == ["aspirin", "Zinc"]
    assert all(set(m) >= MED_KEYS for m in doc["meds"])


def test_list_when_every_medication_is_stopped_points_to_all() -> None:
    ok("med", "add", "Zinc", "--time", "08:00")
    ok("med", "stop", "zinc", "--from", "today")
    out = ok("med", "list").stdout
    assert "No medications yet" not in out
    assert "--all" in out
    assert "Zinc" in ok("med", "list", "--all").stdout


def test_show_has_the_schedule_history() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-11-01", "--dose", "1 g")
    ok("med", "edit", "metformin", "--time", "09:00", "--from", "2026-11-10")
    out = ok("med", "show", "METFORMIN").stdout
    assert "Sun 1 Nov 00:00   Tue 10 Nov 00:00  daily at 08:00  1 g" in out
    assert "Tue 10 Nov 00:00                    daily at 09:00  1 g" in out
    doc = data("med", "show", "metformin")
    assert set(doc) >= MED_KEYS
    assert [v["times"] for v in doc["schedules"]] == [["08:00"], ["09:00"]]


def test_show_unknown_suggests_close_names() -> None:
    ok("med", "add", "Sertraline", "--time", "08:00")
    line = fail(1, "med", "show", "sertralin")
    assert line == "adherelog: No medication named 'sertralin'. Did you mean 'Sertraline'?"


# --- rm, refill ---------------------------------------------------------------------------


def test_rm_refused_with_records_and_allowed_without() -> None:
    ok("med", "add", "Used", "--time", "08:00", "--start", "2026-11-20")
    ok("med", "add", "Unused", "--time", "08:00")
    ok("take", "used")
    line = fail(1, "med", "rm", "used")
    assert "med stop" in line
    assert count("meds") == 2
    assert data("med", "rm", "UNUSED") == {"removed": "Unused"}
    assert count("meds") == 1
    assert count("schedules") == 1
    assert fail(1, "med", "rm", "unused").startswith("adherelog: No medication named 'unused'")


def test_rm_after_undo_of_the_only_record() -> None:
    ok("med", "add", "X", "--time", "08:00", "--start", "2026-11-20")
    ok("take", "x")
    ok("undo")
    assert ok("med", "rm", "x").stdout == "Removed X\n"
    assert count("meds") == 0


def test_refill_adds_and_undo_restores_the_supply() -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--supply", "10", "--start", "2026-11-20")
    assert data("med", "refill", "metformin", "60")["supply"] == 70
    assert (
        ok("med", "refill", "metformin", "2.5").stdout == "Refilled Metformin: +2.5, 72.5 on hand\n"
    )
    assert count("refills") == 2
    undone = data("undo")
    assert undone == {
        "undone": {
            "id": undone["undone"]["id"],
            "kind": "refill",
            "med": "Metformin",
            "count": 2.5,
        },
        "kind": "refill",
    }
    assert ok("undo").stdout == "Removed refill of 60 Metformin\n"
    assert count("refills") == 0
    assert data("med", "show", "metformin")["supply"] == 10


def test_refill_starts_tracking_and_undo_stops_it() -> None:
    ok("med", "add", "Zinc", "--time", "08:00")
    assert data("med", "refill", "zinc", "30")["supply"] == 30
    ok("undo")
    assert data("med", "show", "zinc")["supply"] is None


@pytest.mark.parametrize(
    ("value", "code"), [("0", 2), ("-3", 2), ("lots", 2), ("nan", 2), ("inf", 2)]
)
def test_refill_count_must_be_positive(value: str, code: int) -> None:
    ok("med", "add", "Zinc", "--time", "08:00")
    result = invoke("med", "refill", "zinc", "--", value)
    assert result.exit_code == code
    one_error_line(result.stderr)
    assert count("refills") == 0


# --- help ---------------------------------------------------------------------------------


def _walk(command: Any, path: str) -> list[tuple[str, Any]]:
    """Every command under ``command`` (groups included), with its command path."""
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _walk(sub, f"{path} {name}")
    return found


def test_every_command_has_help_ending_with_an_example() -> None:
    import typer

    from adherelog.cli.app import app

    root = typer.main.get_command(app)
    commands = _walk(root, "adherelog")
    names = {path for path, _ in commands}
    verbs = ("add", "edit", "stop", "resume", "list", "show", "rm", "refill")
    assert {f"adherelog med {verb}" for verb in verbs} <= names
    assert {"adherelog take", "adherelog skip", "adherelog undo", "adherelog due"} <= names
    assert "adherelog history" in names
    for path, command in commands:
        if hasattr(command, "commands") and path != "adherelog":
            continue  # a noun group (med, ...) lists its commands; each is checked below
        text = "\n".join(part for part in (command.help, command.epilog) if part)
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        assert lines, f"{path} has no help"
        assert lines[-1].startswith("Example: adherelog "), f"{path}: {lines[-1]!r}"
        result = invoke(*path.split()[1:], "--help")
        assert result.exit_code == 0
        assert "Example: adherelog " in result.stdout, path


def test_json_output_is_one_document() -> None:
    out = ok("med", "add", "X", "--time", "08:00", "--json").stdout
    assert json.loads(out)["name"] == "X"
    assert out.endswith("}\n")
