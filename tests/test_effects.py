"""Side effects (SPEC §7): ``effect add``, ``effect list``, history, undo and counting."""

from __future__ import annotations

import pytest

from adherelog.effects import parse_severity
from adherelog.errors import UsageError
from adherelog.views import SEVERITY_WORDS, severity_word
from helpers import count, data, invoke, ok, one_error_line

EFFECT_KEYS = {"id", "name", "severity", "med", "at", "note"}


def fail(code: int, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


@pytest.fixture
def sertraline() -> None:
    ok("med", "add", "Sertraline", "--dose", "50 mg", "--time", "08:00", "--start", "2026-11-15")


def test_add_prints_a_record_with_name_and_severity(sertraline: None) -> None:
    doc = data(
        "effect", "add", "nausea", "--severity", "3", "--med", "sertraline", "--note", "after food"
    )
    assert doc["kind"] == "effect"
    assert doc["name"] == "nausea"
    assert doc["severity"] == 3
    assert doc["med"] == "Sertraline"
    assert doc["at"] == "2026-11-22T09:10:00+00:00"
    assert doc["note"] == "after food"
    assert doc["scheduled_for"] is None
    assert doc["amount"] is None
    assert len(doc["id"]) == 36


def test_add_human_output_echoes_the_moment_and_the_severity_word(sertraline: None) -> None:
    out = ok("effect", "add", "Nausea", "--severity", "4", "--at", "yesterday 21:30").stdout
    assert out == "Recorded side effect Nausea, severity 4 (strong), yesterday 21:30\n"


@pytest.mark.parametrize(
    ("given_value", "stored"),
    [("1", 1), ("mild", 1), ("Noticeable", 2), ("moderate", 3), ("4", 4), (" SEVERE ", 5)],
)
def test_severity_accepts_numbers_and_words(given_value: str, stored: int) -> None:
    assert data("effect", "add", "headache", "--severity", given_value)["severity"] == stored


@pytest.mark.parametrize("bad", ["0", "6", "3.5", "-1", "awful", "", "٣"])
def test_severity_outside_1_to_5_is_a_usage_error(bad: str) -> None:
    line = fail(2, "effect", "add", "headache", "--severity", bad)
    assert "severity" in line
    assert "1 to 5" in line
    assert count("records") == 0


def test_severity_is_optional() -> None:
    doc = data("effect", "add", "dizziness")
    assert doc["severity"] is None
    listed = data("effect", "list")["effects"]
    assert listed[0]["severity"] is None
    assert listed[0]["severity_word"] is None


def test_backdated_effect_and_future_effect() -> None:
    doc = data("effect", "add", "insomnia", "--at", "2026-11-20 23:40")
    assert doc["at"] == "2026-11-20T23:40:00+00:00"
    line = fail(1, "effect", "add", "insomnia", "--at", "today 11:00")
    assert "Today 11:00 is in the future" in line
    assert count("records") == 1


def test_unknown_medication_is_refused_and_nothing_is_written() -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    line = fail(1, "effect", "add", "nausea", "--med", "metfromin")
    assert "No medication named 'metfromin'. Did you mean 'Metformin'?" in line
    assert count("records") == 0


@pytest.mark.parametrize("name", ["", "   ", "naus\u202eea", "bad\x1bname", "x" * 81])
def test_bad_names_are_usage_errors(name: str) -> None:
    line = fail(2, "effect", "add", name)
    assert "side effect name" in line


def test_list_shape_order_and_filters(sertraline: None) -> None:
    ok("med", "add", "Metformin", "--time", "08:00")
    ok("effect", "add", "nausea", "--severity", "2", "--med", "sertraline", "--at", "2h ago")
    ok("effect", "add", "Headache", "--at", "yesterday 10:00", "--note", "mild, went away")
    ok("effect", "add", "NAUSEA", "--severity", "5", "--med", "metformin", "--at", "3d ago")
    effects = data("effect", "list")["effects"]
    assert [e["name"] for e in effects] == ["NAUSEA", "Headache", "nausea"]
    assert all(set(e) >= EFFECT_KEYS for e in effects)
    assert effects[0] == {
        "id": effects[0]["id"],
        "name": "NAUSEA",
        "severity": 5,
        "severity_word": "severe",
        "med": "Metformin",
        "at": "2026-11-19T09:10:00+00:00",
        "note": None,
    }
    by_name = data("effect", "list", "--name", "Nausea")["effects"]
    assert [e["name"] for e in by_name] == ["NAUSEA", "nausea"]
    by_med = data("effect", "list", "--med", "SERTRALINE")["effects"]
    assert [(e["name"], e["med"]) for e in by_med] == [("nausea", "Sertraline")]
    recent = data("effect", "list", "--since", "yesterday")["effects"]
    assert [e["name"] for e in recent] == ["Headache", "nausea"]
    until = data("effect", "list", "--until", "2026-11-21")["effects"]
    assert [e["name"] for e in until] == ["NAUSEA", "Headache"]


def test_list_human_output() -> None:
    ok("effect", "add", "nausea", "--severity", "3", "--at", "yesterday 08:30", "--note", "mild")
    out = ok("effect", "list").stdout.splitlines()
    assert out[0].split() == ["when", "side", "effect", "severity", "medication", "note"]
    assert out[1].split() == ["Sat", "21", "Nov", "08:30", "nausea", "3", "(moderate)", "mild"]
    assert ok("effect", "list", "--name", "rash").stdout == "No side effects recorded.\n"


def test_effects_show_in_history_and_undo_removes_them(sertraline: None) -> None:
    ok("effect", "add", "nausea", "--severity", "3", "--med", "sertraline", "--at", "1h ago")
    records = data("history")["records"]
    effects = [r for r in records if r["kind"] == "effect"]
    assert len(effects) == 1
    assert effects[0]["name"] == "nausea"
    assert effects[0]["severity"] == 3
    assert effects[0]["med"] == "Sertraline"
    assert "nausea (Sertraline)" in ok("history").stdout
    undone = data("undo")
    assert undone["kind"] == "effect"
    assert undone["undone"]["name"] == "nausea"
    assert data("effect", "list")["effects"] == []


def test_severity_words() -> None:
    assert [severity_word(n) for n in range(0, 7)] == [None, *SEVERITY_WORDS, None]
    assert SEVERITY_WORDS[0] == "mild"
    assert SEVERITY_WORDS[-1] == "severe"
    assert parse_severity(None) is None
    with pytest.raises(UsageError):
        parse_severity("²")


def test_effect_list_loads_no_tip_code() -> None:
    import subprocess
    import sys

    ok("effect", "add", "headache", "--severity", "2")
    code = (
        "import sys; from adherelog.cli import main; main(['effect', 'list']);"
        "sys.stderr.write(str(sorted(m for m in sys.modules if m in"
        " ('adherelog.tips', 'adherelog.tipfile'))))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    ).stderr
    assert found.endswith("[]"), found
