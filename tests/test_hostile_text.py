"""Hostile text in side effects, tips and peer bundles reaches the terminal harmlessly.

The CLI refuses control, bidi and zero-width characters on input, so these tests plant them
straight into the journal (as a damaged file or another program might) and inspect the raw
bytes each command writes.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from adherelog import output, render_tips, tips
from adherelog.cli.common import Settings, open_journal
from adherelog.text import is_forbidden_char
from helpers import connect, invoke, ok

MARKUP = "[link=https://evil.example]click[/link] [/] [bold red]loud[/] :smile: :thumbs_up:"
HOSTILE = (
    "A\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example\x07osc\x1b]8;;\x07 \x9b2J \x85next "
    "\u202eevil\u202c zero\u200bwidth \ufeffbom \x07bell " + MARKUP
)
SGR = re.compile(r"\x1b\[[0-9;]*m")


def assert_harmless(raw: bytes) -> str:
    """``raw`` decodes as UTF-8 and holds no control, bidi or zero-width character except
    line breaks; returns the text."""
    text = raw.decode("utf-8")
    bad = sorted({f"U+{ord(ch):04X}" for ch in text if ch != "\n" and is_forbidden_char(ch)})
    assert bad == [], bad
    for raw_form in ("\x1b", "\x9b", "\x85", "\u202e", "\u200b", "\ufeff", "\x07"):
        assert raw_form not in text
    return text


def assert_visible(text: str) -> None:
    """The planted characters show as escapes and the markup as literal text."""
    assert "\\x1b[31mRED\\x1b[0m" in text
    assert "\\x1b]8;;https://evil.example\\x07osc" in text
    assert "\\x9b2J" in text
    assert "\\u202eevil\\u202c" in text
    assert "zero\\u200bwidth" in text
    assert MARKUP in text


@pytest.fixture
def planted() -> str:
    """A journal with a medication, a side effect and a tip whose texts are hostile."""
    ok("med", "add", "Sertraline", "--time", "08:00", "--start", "2026-11-20")
    ok("effect", "add", "nausea", "--severity", "2", "--med", "sertraline", "--at", "1h ago")
    ok("tip", "add", "placeholder", "--med", "x", "--effect", "y", "--tag", "z")
    conn = connect()
    try:
        conn.execute("UPDATE meds SET name = ?", ("Sert " + HOSTILE,))
        conn.execute("UPDATE records SET effect = ?, note = ?", (HOSTILE, HOSTILE))
        conn.execute(
            "UPDATE tips SET text = ?, medication = ?, side_effect = ?, tags = ?",
            (HOSTILE, HOSTILE, HOSTILE, json.dumps([HOSTILE])),
        )
        short = str(conn.execute("SELECT substr(id, 1, 8) FROM tips").fetchone()[0])
    finally:
        conn.close()
    return short


@pytest.mark.parametrize(
    "args",
    [
        ("tip", "list"),
        ("tip", "list", "--search", "evil"),
        ("effect", "list"),
        ("history",),
    ],
)
def test_listings_show_hostile_text_as_visible_escapes(planted: str, args: tuple[str, ...]) -> None:
    result = invoke(*[planted if a == "PLANTED" else a for a in args])
    assert result.exit_code == 0, result.stderr
    text = assert_harmless(result.stdout_bytes)
    if args[0] == "tip" and args[1] == "list":
        assert_visible(text)
    else:  # tables shorten long cells; the start of each hostile text still shows
        assert "\\x1b[31mRED\\x1b[0m" in text


@pytest.mark.parametrize("command", ["effect list", "history", "tip list"])
def test_short_markup_is_printed_literally_in_tables(command: str) -> None:
    ok("effect", "add", "[link=x]a[/]", "--note", ":smile: [b]")
    ok("tip", "add", "[link=x]a[/] :smile:")
    result = invoke(*command.split())
    text = assert_harmless(result.stdout_bytes)
    assert "[link=x]a[/]" in text
    assert ":smile:" in text


def test_tip_show_and_undo_output(planted: str) -> None:
    shown = invoke("tip", "show", planted)
    assert_visible(assert_harmless(shown.stdout_bytes))
    undone = invoke("undo")
    assert undone.exit_code == 0
    text = assert_harmless(undone.stdout_bytes)
    assert text.startswith("Removed tip ")
    assert "\\x1b[31mRED" in text


def test_markdown_export_is_inert(planted: str) -> None:
    # --allow-links: the planted tip holds a link, which export withholds by default.
    result = invoke("tip", "export", "--format", "md", "--allow-links")
    assert result.exit_code == 0
    text = assert_harmless(result.stdout_bytes)
    assert "\\x1b" in text
    assert "\\\\u202eevil" in text  # the visible escape, its backslash escaped for Markdown
    assert "[link=" not in text.replace("\\[link=", "")
    assert "\\[link=https\\[://\\]evil\\[.\\]example\\]click\\[/link\\]" in text
    assert "](" not in text


def test_json_export_of_a_damaged_journal_is_refused(planted: str) -> None:
    result = invoke("tip", "export", "--allow-links")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "do not make a valid bundle" in result.stderr
    assert_harmless(result.stderr_bytes)


def test_dry_run_shows_peer_text_and_file_names_harmlessly(tmp_path: Path) -> None:
    ok("tip", "add", MARKUP, "--effect", "nausea")
    path = tmp_path / "evil\x1b[2J\u202e.json"
    path.write_text(
        json.dumps(
            {
                "format": "adherelog-tips",
                "version": 1,
                "tips": [
                    {"text": MARKUP, "side_effect": "nausea", "worked": True},
                    {"text": "Ginger [b]tea[/b] :tea:", "medication": "[red]x[/red]"},
                ],
            }
        )
    )
    result = invoke("tip", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    text = assert_harmless(result.stdout_bytes)
    assert "from 'evil\\x1b[2J\\u202e.json'" in text
    assert f"  = tips[0] {MARKUP} (nausea)" in text
    assert "  + tips[1] Ginger [b]tea[/b] :tea: ([red]x[/red])" in text
    real = invoke("tip", "import", str(path))
    assert_harmless(real.stdout_bytes)
    listing = assert_harmless(invoke("tip", "list", "--peer").stdout_bytes)
    assert "from 'evil\\x1b[2J\\u202e.json'" in listing


def test_refused_bundles_name_characters_without_printing_them(tmp_path: Path) -> None:
    path = tmp_path / "bad\x1b]0;title\x07.json"
    path.write_text(
        '{"format": "adherelog-tips", "version": 1, "tips": [{"text": "x\\u202ey"}], '
        '"\\u001b[2J": 1}'
    )
    result = invoke("tip", "import", str(path))
    assert result.exit_code == 1
    line = assert_harmless(result.stderr_bytes)
    assert "bad\\x1b]0;title\\x07.json" in line
    assert 'The key "\\x1b[2J" is not allowed' in line


def test_the_colour_path_prints_no_planted_sequence(
    planted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    with open_journal(Settings(), write=False) as journal:
        found = tips.list_tips(journal)
        lines = render_tips.tip_list_lines(found, journal.zone)
        lines += render_tips.tip_lines(found[0], journal.zone)
    stream = Terminal()
    output.write_lines(lines, stream)
    coloured = stream.getvalue()
    assert SGR.search(coloured)  # Rich did colour it
    plain = SGR.sub("", coloured)
    assert_harmless(plain.encode("utf-8"))
    assert "\x1b]8" not in coloured  # no hyperlink was made of [link=...]
    assert "[link=https://evil.example]click[/link]" in plain
    assert ":smile:" in plain
