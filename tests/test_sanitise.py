"""Text people typed reaches the terminal as plain, visible text: no markup, no escapes."""

from __future__ import annotations

import re

import pytest

from adherelog import output
from adherelog.errors import UsageError
from adherelog.text import check_text, name_key, one_line, printable
from helpers import connect, count, invoke, ok, one_error_line

# Each hostile text, and how it must appear on the terminal.
PIECES = {
    "[link=http://x]a[/link]": "[link=http://x]a[/link]",
    "[/]": "[/]",
    "[bold red]loud[/bold red]": "[bold red]loud[/bold red]",
    ":smile:": ":smile:",
    "\x1b[31mred\x1b[0m": "\\x1b[31mred\\x1b[0m",
    "\x1b]8;;x\x07a": "\\x1b]8;;x\\x07a",
    "\x9b31m": "\\x9b31m",
    "\u202eevil\u202c": "\\u202eevil\\u202c",
    "zero\u200bwidth": "zero\\u200bwidth",
    "\x07bell \x7fdel": "\\x07bell \\x7fdel",
}
SGR = re.compile(rb"\x1b\[[0-9;]*m")
TIMES = [f"0{n // 2}:{'30' if n % 2 else '00'}" for n in range(1, len(PIECES) + 1)]


def _plant(notes: list[str], name: str | None = None) -> None:
    """A journal whose skips carry ``notes`` (and the medication ``name``), written
    directly, as another program or an old version might have left them."""
    times = [arg for t in TIMES[: len(notes)] for arg in ("--time", t)]
    ok("med", "add", "Sertraline", *times, "--start", "2026-11-20")
    for clock in TIMES[: len(notes)]:
        ok("skip", "sertraline", "--at", clock)
    conn = connect()
    ids = [row[0] for row in conn.execute("SELECT id FROM records ORDER BY slot_at")]
    for record_id, note in zip(ids, notes, strict=True):
        conn.execute("UPDATE records SET note = ? WHERE id = ?", (note, record_id))
    if name is not None:
        conn.execute("UPDATE meds SET name = ?, name_key = ?", (name, name_key(name)))
    conn.close()


def _assert_safe(raw: bytes, *, colour: bool) -> str:
    rest = SGR.sub(b"", raw) if colour else raw
    assert b"\x1b" not in rest
    assert b"\x9b" not in rest
    assert b"\x07" not in rest
    assert b"\x7f" not in rest
    assert b"\x1b]8;;" not in raw
    text = raw.decode("utf-8")
    for ch in ("\u202e", "\u202c", "\u200b", "\x9b", "😄"):
        assert ch not in text
    return SGR.sub(b"", raw).decode("utf-8")


def _colour_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(output, "colour_wanted", lambda stream: True)


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("command", [("history",), ("due",)])
def test_hostile_notes_are_printed_as_visible_text(
    monkeypatch: pytest.MonkeyPatch, colour: bool, command: tuple[str, ...]
) -> None:
    _plant(list(PIECES))
    if colour:
        _colour_on(monkeypatch)
    result = ok(*command)
    raw = result.stdout_bytes
    if colour:
        assert SGR.search(raw), "colour was asked for, so Rich styles the output"
    shown = _assert_safe(raw, colour=colour)
    for piece, visible in PIECES.items():
        assert visible in shown, piece


def test_hostile_medication_name_in_every_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "S\x1b[2J\u202e[b]x[/b]"
    _plant(["fine"], name=name)
    _colour_on(monkeypatch)
    for args in (("due",), ("history",), ("med", "list"), ("med", "show", name)):
        shown = _assert_safe(ok(*args).stdout_bytes, colour=True)
        assert "S\\x1b[2J\\u202e[b]x[/b]" in shown, args
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-22T20:30:00")
    shown = _assert_safe(ok("take", name, "--extra").stdout_bytes, colour=True)
    assert shown.startswith("Took S\\x1b[2J\\u202e[b]x[/b] today 20:30")
    shown = _assert_safe(ok("undo").stdout_bytes, colour=True)
    assert "S\\x1b[2J\\u202e[b]x[/b]" in shown


def test_multi_line_note_stays_on_its_row() -> None:
    _plant(["first line\nsecond line"])
    lines = ok("history", "--since", "today").stdout.splitlines()
    assert len(lines) == 2
    assert lines[1].endswith("the 00:30 dose: first line ⏎ second line")


def test_names_with_controls_are_refused_and_nothing_is_written() -> None:
    ok("med", "add", "Good", "--time", "08:00")
    for bad in ("Bad\x1bName", "Bad\u202eName", "Bad\u200bName", "Bad\x9bName", "Bad\x00Name"):
        result = invoke("med", "add", bad, "--time", "08:00")
        assert result.exit_code == 2
        line = one_error_line(result.stderr)
        assert "control or invisible character U+" in line
        assert bad not in line
    assert count("meds") == 1


@pytest.mark.parametrize("bad", ["\x1b[31m", "\x9b", "\u202e", "\u200b", "\x07", "\r"])
def test_notes_with_controls_are_refused(bad: str) -> None:
    ok("med", "add", "A", "--time", "08:00")
    result = invoke("take", "a", "--note", f"fine {bad} text")
    assert result.exit_code == 2
    assert "note contains a control or invisible character" in one_error_line(result.stderr)
    assert count("records") == 0


def test_check_text_rules_for_notes() -> None:
    assert check_text("two\nlines", "note", max_len=100, allow_newline=True) == "two\nlines"
    assert check_text("  [link=x]ok[/link] :smile:  ", "note", max_len=100) == (
        "[link=x]ok[/link] :smile:"
    )
    with pytest.raises(UsageError, match="U\\+000A"):
        check_text("two\nlines", "medication name", max_len=100)
    with pytest.raises(UsageError, match="U\\+001B"):
        check_text("a\x1bb", "note", max_len=100, allow_newline=True)
    with pytest.raises(UsageError, match="U\\+2028"):
        check_text("a\u2028b", "note", max_len=100, allow_newline=True)


def test_unknown_hostile_name_in_an_error_is_escaped() -> None:
    ok("med", "add", "A", "--time", "08:00")
    result = invoke("take", "\x1b[31mX\u202e")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert (
        line
        == "adherelog: No medication named '\\x1b[31mX\\u202e'; 'adherelog med list' shows them."
    )


def test_printable_and_one_line() -> None:
    assert printable("a\x1bb\u202ec\nd") == "a\\x1bb\\u202ec\nd"
    assert one_line("a\nb") == "a ⏎ b"
    assert one_line("[red]x[/red]") == "[red]x[/red]"


def test_json_escapes_c0_controls_in_stored_notes() -> None:
    _plant(["a\x1b[31mb"])
    raw = ok("history", "--json").stdout_bytes
    assert b"\x1b" not in raw
    assert b"a\\u001b[31mb" in raw
