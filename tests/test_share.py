"""The buddy check-in card (SPEC §7): ``share card``."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from adherelog.card import alias
from adherelog.text import is_forbidden_char
from helpers import connect, invoke, ok, one_error_line

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CLOCK = re.compile(r"\d{1,2}:\d{2}")
UUID_PART = re.compile(r"[0-9a-f]{8}")
SECRETS = ["NOTE-MED-private", "NOTE-DOSE-private", "REASON-SKIP-private", "NOTE-EFFECT-private"]


def card(*args: str) -> str:
    result = invoke("share", "card", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def card_json(*args: str) -> Any:
    return json.loads(card("--format", "json", *args))


@pytest.fixture
def week() -> None:
    """Sertraline taken every day of the last week; Vitamin D missed once, skipped once;
    ibuprofen as needed; two side effects; tips, one rated helpful."""
    ok(
        "med",
        "add",
        "Sertraline",
        "--dose",
        "50 mg",
        "--time",
        "08:00",
        "--start",
        "2026-11-01",
        "--note",
        "NOTE-MED-private",
        "--supply",
        "60",
    )
    ok("med", "add", "Vitamin D", "--time", "09:00", "--start", "2026-11-01")
    ok("med", "add", "Ibuprofen", "--as-needed")
    for day in range(16, 23):
        ok(
            "take",
            "sertraline",
            "--at",
            f"2026-11-{day} 08:05",
            "--note",
            "NOTE-DOSE-private",
            "--amount",
            "1.5",
        )
    for day in (17, 18, 20, 21):
        ok("take", "vitamin d", "--at", f"2026-11-{day} 09:20")
    ok("skip", "vitamin d", "--at", "2026-11-19 09:00", "--reason", "REASON-SKIP-private")
    ok("take", "ibuprofen", "--at", "yesterday 14:00")
    ok("take", "ibuprofen", "--at", "2026-11-18 14:00")
    ok(
        "effect",
        "add",
        "nausea",
        "--severity",
        "3",
        "--med",
        "sertraline",
        "--at",
        "1h ago",
        "--note",
        "NOTE-EFFECT-private",
    )
    ok("effect", "add", "Nausea", "--at", "2d ago")
    ok("effect", "add", "Sertraline headache", "--at", "3d ago")
    ok("effect", "add", "rash", "--at", "2026-11-01 10:00")  # before the period
    ok(
        "tip",
        "add",
        "Take SERTRALINE with a small snack",
        "--med",
        "sertraline",
        "--effect",
        "nausea",
    )
    ok("tip", "add", "Not rated")
    ok("tip", "add", "Did not help", "--effect", "rash")
    tips = json.loads(invoke("tip", "list", "--json").stdout)["tips"]
    ok("tip", "rate", tips[0]["short_id"], "--helped")
    ok("tip", "rate", tips[2]["short_id"], "--not-helped")


def test_json_card(week: None) -> None:
    doc = card_json()
    assert doc["format"] == "adherelog-card"
    assert doc["version"] == 2
    assert doc["days"] == 7
    assert doc["period"] == {"from": "2026-11-16", "to": "2026-11-22"}
    assert doc["goals"] == []
    assert doc["reply_to"].startswith("age1")
    assert doc["serial"] == 1
    assert doc["overall"] == {
        "adherence": round(11 / 13, 3),
        "taken": 11,
        "skipped": 1,
        "missed": 1,
        "pending": 1,
        "current_streak": 2,  # the 20th and 21st; today is still open
    }
    by_name = {m["name"]: m for m in doc["meds"]}
    assert list(by_name) == ["Ibuprofen", "Sertraline", "Vitamin D"]
    assert by_name["Sertraline"]["adherence"] == 1.0
    assert by_name["Sertraline"]["taken"] == 7
    assert by_name["Sertraline"]["current_streak"] == 7
    assert by_name["Vitamin D"]["taken"] == 4
    assert by_name["Vitamin D"]["missed"] == 1
    assert by_name["Vitamin D"]["skipped"] == 1
    assert by_name["Vitamin D"]["current_streak"] == 2
    assert by_name["Ibuprofen"]["as_needed"] is True
    assert by_name["Ibuprofen"]["as_needed_doses"] == 2
    assert doc["side_effects"] == [
        {"name": "Nausea", "count": 2},  # the first spelling, as in 'summary'
        {"name": "Sertraline headache", "count": 1},
    ]
    assert doc["tips_that_helped"] == [
        {
            "text": "Take SERTRALINE with a small snack",
            "medication": "sertraline",
            "side_effect": "nausea",
        }
    ]


def test_markdown_card(week: None) -> None:
    result = invoke("share", "card")
    assert result.stderr == "Wrote a 7-day check-in card to stdout.\n"
    lines = result.stdout.splitlines()
    assert lines[0] == "# Check-in: the last 7 days"
    assert "- **All medications**: 85% of doses taken (11 of 13); streak 2 days" in lines
    assert "- **Ibuprofen**: as needed, taken twice" in lines
    assert "- **Sertraline**: 100% of doses taken (7 of 7); streak 7 days" in lines
    assert "- **Vitamin D**: 67% of doses taken (4 of 6); streak 2 days" in lines
    assert "- Sertraline headache: once" in lines
    assert "- Take SERTRALINE with a small snack (sertraline, nausea)" in lines
    assert "Not rated" not in result.stdout
    assert "Did not help" not in result.stdout
    assert "rash" not in result.stdout  # recorded before the period
    assert lines[-1] == "*From adherelog: no notes, times or doses are included.*"


@pytest.mark.parametrize("fmt", ["md", "json"])
@pytest.mark.parametrize("extra", [[], ["--no-names"], ["--days", "30"]])
def test_card_carries_no_private_detail(week: None, fmt: str, extra: list[str]) -> None:
    text = card("--format", fmt, *extra)
    if fmt == "json":  # the signature, keys and period are the card's own, not the journal's
        doc = json.loads(text)
        for key in ("period", "reply_to", "contributor", "serial", "signature"):
            doc.pop(key)
        text = json.dumps(doc)
    else:
        text = re.sub(r"From \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\.", "", text)
    for secret in SECRETS:
        assert secret not in text
    assert not ISO_DATE.search(text)
    assert not CLOCK.search(text)
    assert "50 mg" not in text
    assert "1.5" not in text
    assert "60" not in text  # the supply
    assert not UUID_PART.search(text)
    if "--no-names" in extra:
        for name in ("sertraline", "vitamin", "ibuprofen"):
            assert name not in text.casefold()


def test_no_names_uses_letters_everywhere(week: None) -> None:
    doc = card_json("--no-names")
    assert [m["name"] for m in doc["meds"]] == ["medication A", "medication B", "medication C"]
    assert {"name": "medication B headache", "count": 1} in doc["side_effects"]
    assert doc["tips_that_helped"] == [
        {
            "text": "Take medication B with a small snack",
            "medication": "medication B",
            "side_effect": "nausea",
        }
    ]
    md = card("--no-names")
    assert "- **medication B**: 100% of doses taken (7 of 7)" in md


def test_an_empty_journal_gives_an_empty_card() -> None:
    doc = card_json()
    assert doc["meds"] == []
    assert doc["overall"]["adherence"] is None
    assert doc["side_effects"] == []
    assert doc["tips_that_helped"] == []
    md = card()
    assert "No medications were scheduled." in md
    assert "None recorded." in md
    assert "None rated yet." in md


def test_json_flag_and_format(week: None) -> None:
    assert json.loads(card("--json"))["format"] == "adherelog-card"
    assert card("--json", "--format", "md").startswith("# Check-in")
    assert card("--days", "1").startswith("# Check-in: today")
    result = invoke("share", "card", "--format", "pdf")
    assert result.exit_code == 2
    assert "Unknown format 'pdf'" in one_error_line(result.stderr)
    for bad in ("0", "367", "-3"):
        result = invoke("share", "card", "--days", bad)
        assert result.exit_code == 2
        assert "--days must be from 1 to 366" in one_error_line(result.stderr)


def test_card_to_a_file(week: None, tmp_path: Path) -> None:
    target = tmp_path / "card.md"
    result = invoke("share", "card", "-o", str(target), "--no-names")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Wrote a 7-day check-in card to {target}.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("# Check-in: the last 7 days")
    again = invoke("share", "card", "-o", str(target))
    assert again.exit_code == 1
    assert "already exists; use --force" in one_error_line(again.stderr)
    assert invoke("share", "card", "-o", str(target), "--force", "--format", "json").exit_code == 0
    assert json.loads(target.read_text())["meds"][1]["name"] == "Sertraline"


def test_hostile_names_in_the_card_are_inert(week: None) -> None:
    conn = connect()
    try:
        conn.execute(
            "UPDATE meds SET name = ? WHERE name = 'Vitamin D'",
            ("[evil](https://x) \x1b[2J\u202e <b>",),
        )
        conn.execute(
            "UPDATE records SET effect = ? WHERE effect = 'Nausea'", ("# head \x9b\u200b",)
        )
    finally:
        conn.close()
    md = card()
    assert not any(ch != "\n" and is_forbidden_char(ch) for ch in md)
    assert "\\[evil\\]\\(https\\[://\\]x\\) \\\\x1b\\[2J\\\\u202e &lt;b&gt;" in md
    assert "](" not in md
    assert "<b>" not in md


def test_alias_letters() -> None:
    assert [alias(i) for i in (0, 1, 25, 26, 27, 51, 52)] == [
        "medication A",
        "medication B",
        "medication Z",
        "medication AA",
        "medication AB",
        "medication AZ",
        "medication BA",
    ]
