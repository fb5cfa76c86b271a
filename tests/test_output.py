"""JSON output carries user text unchanged but never writes invisible characters raw."""

from __future__ import annotations

import json

import pytest

from adherelog.output import json_text, pad, table, truncate


@pytest.mark.parametrize("char", ["\x7f", "\x9b", "\u202e", "\u200b", "\u2066", "\ufeff", "\u00ad"])
def test_json_escapes_invisible_characters_and_keeps_the_data(char: str) -> None:
    document = {"note": f"a{char}b", "name": "Sertralin é 中"}
    text = json_text(document)
    assert char not in text
    assert f"\\u{ord(char):04x}" in text
    assert "é 中" in text  # ordinary non-ASCII text stays readable
    assert json.loads(text) == document


def test_json_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON"):
        json_text({"x": float("nan")})


def test_table_pads_by_display_width_and_leaves_no_trailing_spaces() -> None:
    lines = table(["name", "n"], [[("中文", None), ("1", None)], [("abcd", None), ("", None)]])
    texts = ["".join(chunk for chunk, _ in line) for line in lines]
    assert texts == ["  name  n", "  中文  1", "  abcd"]


def test_truncate_and_pad() -> None:
    assert truncate("Sertraline hydrochloride", 10) == "Sertralin…"
    assert pad("ab", 4, ">") == "  ab"
