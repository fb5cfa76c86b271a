"""Hardening of typed and peer text: import labels that pass ``check``, names redacted under
full case folding, Markdown that no forum can turn into a link, and invisible letters
refused like zero-width characters."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

from adherelog import card, text, tipfile
from adherelog.errors import InvalidFileError, UsageError
from adherelog.text import check_text, is_forbidden_char, one_line, printable
from adherelog.tipfile import BundleTip, md_escape, parse_bundle, render_markdown
from adherelog.tips import import_label
from helpers import connect, count, data, invoke, journal, ok, one_error_line, sha256

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bundle(*texts: str) -> bytes:
    tips = [{"text": text} for text in texts]
    return json.dumps({"format": "adherelog-tips", "version": 1, "tips": tips}).encode()


# ------------------------------------------------------- 5. import labels from file names


def _import_then_round_trip(tmp_path: Path, name: str) -> str:
    """Import a bundle from a file called ``name``; ``check`` must pass, and the journal's
    export must import into a fresh journal. Returns the label the tip was given."""
    source = tmp_path / name
    source.write_bytes(bundle("Walk after lunch"))
    ok("tip", "import", str(source))
    label = data("tip", "list")["tips"][0]["from"]
    checked = invoke("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    exported = tmp_path / "export.json"
    assert invoke("export", "-o", str(exported)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    again = invoke("--db", str(fresh), "import", str(exported))
    assert again.exit_code == 0, again.stderr
    assert count("tips", path=fresh) == 1
    # The peer counts (tip_peers, tip_ratings) are not yet carried by a full export: see
    # test_peer_counts.test_a_full_export_carries_the_peer_counts.
    return str(label)


def test_label_from_a_decomposed_file_name_is_composed(tmp_path: Path) -> None:
    label = _import_then_round_trip(tmp_path, "Cafe\u0301 group.json")
    assert label == "Caf\u00e9 group.json"


def test_label_cut_at_80_characters_does_not_end_in_a_space(tmp_path: Path) -> None:
    name = "a" * 79 + " tips from the tuesday group.json"
    label = _import_then_round_trip(tmp_path, name)
    assert label == "a" * 79
    assert len(label) <= tipfile.MAX_LABEL


def test_label_from_a_name_with_an_invisible_letter_passes_check(tmp_path: Path) -> None:
    label = _import_then_round_trip(tmp_path, "group\u3164tips.json")
    assert label == "group\\u3164tips.json"


@FAST
@given(st.text(max_size=120))
def test_a_label_made_from_any_file_name_satisfies_the_label_rule(name: str) -> None:
    label = import_label(None, name)
    assert check_text(label, "label", max_len=tipfile.MAX_LABEL) == label


@FAST
@given(st.text(max_size=120), st.integers(min_value=1, max_value=90))
def test_fit_text_gives_what_check_text_accepts_unchanged(value: str, limit: int) -> None:
    fitted = text.fit_text(value, limit)
    assert len(fitted) <= limit
    if fitted:
        assert check_text(fitted, "text", max_len=limit) == fitted


# ------------------------------------------------------------ 11. --no-names redaction


def card_out(*args: str) -> str:
    result = invoke("share", "card", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _helpful_tip(words: str, med: str) -> None:
    tip_id = data("tip", "add", words, "--med", med)["id"]
    ok("tip", "rate", tip_id, "--helped")


def test_no_names_card_hides_a_name_that_matches_only_under_full_case_folding() -> None:
    ok("med", "add", "Straße", "--time", "08:00", "--start", "2026-11-20")
    _helpful_tip("STRASSE works best with food", "Straße")
    doc = json.loads(card_out("--no-names", "--format", "json"))
    assert doc["tips_that_helped"] == [
        {
            "text": "medication A works best with food",
            "medication": "medication A",
            "side_effect": None,
        }
    ]
    md = card_out("--no-names")
    for shown in (json.dumps(doc, ensure_ascii=False), md):
        assert "strasse" not in shown.casefold()
        assert "straße" not in shown.casefold()
    assert "medication A works best with food" in md


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@st.composite
def spellings(draw: st.DrawFn) -> str:
    """'Straße' as a reader would still recognise it: any casing, ß or SS or ẞ, fullwidth
    letters, decomposed or not, with invisible characters slipped in."""
    letters = [draw(st.sampled_from([ch.lower(), ch.upper()])) for ch in "stra"]
    sharp = draw(st.sampled_from(["ß", "ẞ", "ss", "SS", "Ss", "sS"]))
    word = "".join(letters) + sharp + draw(st.sampled_from(["e", "E"]))
    if draw(st.booleans()):
        word = _fullwidth(word)
    hidden = draw(
        st.lists(st.sampled_from("\u200b\u00ad\u2060\u3164\u115f\ufe0f\u034f"), max_size=2)
    )
    for ch in hidden:
        at = draw(st.integers(min_value=1, max_value=len(word) - 1))
        word = word[:at] + ch + word[at:]
    return word


@FAST
@given(spellings(), st.sampled_from(["Straße", "STRASSE", "strasse", "Stra\u00dfe"]))
def test_redactor_matches_every_spelling_of_a_name(spelled: str, name: str) -> None:
    redact = card.Redactor({name: "medication A"}, [])
    assert redact.text(f"{spelled} works best with food") == "medication A works best with food"
    assert redact.text(f"Food helps ({spelled}).") == "Food helps (medication A)."
    assert redact.label(spelled) == "medication A"


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Crème", "Cre\u0300me"),  # decomposed
        ("Cre\u0300me", "CRÈME"),
        ("Vitamin D", "ＶＩＴＡＭＩＮ　Ｄ"),  # fullwidth, ideographic space
        ("Vitamin D", "vitamin\u00a0d"),
        ("ﬁlgrastim", "FILGRASTIM"),  # a ligature in the name
        ("Sertraline", "Sert\u200braline"),
    ],
)
def test_redactor_sees_equivalent_forms(name: str, written: str) -> None:
    redact = card.Redactor({name: "medication A"}, [])
    assert redact.text(f"I take {written} at night.") == "I take medication A at night."


def test_redactor_hides_words_that_begin_with_a_long_name() -> None:
    # A name of five letters or more also hides the words it begins: plurals, inflections
    # and compounds ("Lithiumcarbonat") name the medication as plainly as the name itself.
    redact = card.Redactor({"Lithium": "medication A", "Iron": "medication B"}, ["Zinc"])
    assert redact.text("lithiums help; Lithiumcarbonat too") == (
        "medication A help; medication A too"
    )
    # Shorter names are hidden as whole words only, so ordinary words stay readable.
    assert redact.text("ironing with IRON; ZINC helps, zincite not") == (
        "ironing with medication B; a medication helps, zincite not"
    )
    # Never inside a word.
    assert redact.text("antilithium") == "antilithium"
    assert redact.text("no names here") == "no names here"


def test_redactor_ignores_accents_and_special_case_mappings() -> None:
    redact = card.Redactor(
        {"Café": "medication A", "İbuprofen": "medication B", "Σίσυφος": "medication C"}, []
    )
    assert redact.text("Cafe plain, CAFÉ, cafe\u0301") == (
        "medication A plain, medication A, medication A"
    )
    assert redact.text("ibuprofen or IBUPROFEN") == "medication B or medication B"
    assert redact.text("σισυφος και ΣΙΣΥΦΟΣ") == "medication C και medication C"


# ------------------------------------------------------------------ 12. Markdown links

HOSTILE_LINKS = [
    "https://evil.example/pharma",
    "HTTPS://EVIL.EXAMPLE/PHARMA",
    "http://evil.example",
    "ftp://files.evil.example/list",
    "mailto:someone@evil.example",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "www.evil.example",
    "www.evil.com/pharma?x=1",
    "someone@evil.example",
    "write to someone@evil.com now",
    "buy at evil.com today",
    "cheap-pills.shop/now",
    "пример.рф",
    "münchen.de",
    "xn--e1afmkfd.xn--p1ai",
    "evil\u3002com",
    "ｗｗｗ．ｅｖｉｌ．ｃｏｍ",
    "//evil.example/x",
    "http://192.168.0.1/x",
    "//192.168.0.1",
    "<https://evil.example>",
    "[click](https://evil.example)",
    "see (www.evil.example).",
    "evil.example:8080/p",
]
ORDINARY = [
    "e.g. take it 2.5 h later",
    "Dr. Smith said so.",
    "i.e. after 08:00, not before",
    "Take 1.5 tablets, then rest. It helped.",
    "Note: with food",
]

MARKDOWN = MarkdownIt("gfm-like")
LINKS = LinkifyIt()


def rendered(markdown: str) -> str:
    """The HTML a linkifying forum renderer makes of ``markdown``."""
    page: str = MARKDOWN.render(markdown)
    return page


def visible(page: str) -> str:
    """The text a reader sees in ``page``: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", page))


# What GitHub-flavoured Markdown turns into a link in plain text (its "extended
# autolinks"): www. or a scheme before a host, and e-mail addresses (also after mailto:).
GFM_AUTOLINK = re.compile(
    r"(?i)(?:www\.|https?://|ftp://)[^\W_]|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W_]"
)


def assert_no_link(markdown: str) -> None:
    page = rendered(markdown)
    assert "<a " not in page, page
    # The text as shown holds nothing that another linkifier would pick up either.
    shown = visible(page)
    assert LINKS.match(shown) is None, shown
    assert GFM_AUTOLINK.search(shown) is None, shown


@pytest.mark.parametrize("hostile", HOSTILE_LINKS)
def test_tip_export_markdown_has_no_link(hostile: str) -> None:
    ok(
        "tip",
        "add",
        f"Read {hostile} first",
        "--med",
        hostile,
        "--effect",
        hostile,
        "--tag",
        hostile[:32],
    )
    result = invoke("tip", "export", "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert_no_link(result.stdout)


@pytest.mark.parametrize("hostile", HOSTILE_LINKS)
def test_escaped_text_is_never_a_link(hostile: str) -> None:
    assert_no_link(md_escape(hostile))
    assert_no_link(render_markdown([BundleTip(hostile, hostile, hostile, (hostile,))]))


def test_defanged_links_still_read_as_what_they_were() -> None:
    page = visible(rendered(md_escape("https://evil.example/pharma and www.evil.example")))
    assert page.strip() == "https[://]evil[.]example/pharma and www[.]evil[.]example"
    assert visible(rendered(md_escape("someone@evil.example"))).strip() == (
        "someone[@]evil[.]example"
    )


@pytest.mark.parametrize("plain", ORDINARY)
def test_ordinary_text_reads_naturally(plain: str) -> None:
    assert visible(rendered(md_escape(plain))).strip() == plain


def test_card_and_report_markdown_have_no_link() -> None:
    ok(
        "med",
        "add",
        "www.evil.example",
        "--time",
        "08:00",
        "--start",
        "2026-11-20",
        "--dose",
        "see https://evil.example/dose",
    )
    _helpful_tip("Ask at https://evil.example/pharma or someone@evil.com", "www.evil.example")
    for args in (["share", "card"], ["share", "card", "--no-names"], ["report"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.stderr
        assert_no_link(result.stdout)


fragments = st.sampled_from(
    [
        "http",
        "https",
        "ftp",
        "mailto",
        "www",
        "://",
        ":",
        "//",
        ".",
        "。",
        "．",
        "@",
        "com",
        "example",
        "evil",
        "xn--p1ai",
        "рф",
        "/",
        "-",
        " ",
        "(",
        ")",
        "<",
        ">",
        "[",
        "]",
        "\\",
        "&",
        "1",
        "192.168.0.1",
    ]
)


@FAST
@given(st.lists(st.one_of(fragments, st.text(max_size=3)), max_size=25).map("".join))
def test_no_text_becomes_a_link(value: str) -> None:
    assert_no_link(md_escape(value))


# ------------------------------------------------------------------ 13. invisible letters

INVISIBLE_LETTERS = [
    "\u3164",  # HANGUL FILLER
    "\u115f",  # HANGUL CHOSEONG FILLER
    "\u1160",  # HANGUL JUNGSEONG FILLER
    "\uffa0",  # HALFWIDTH HANGUL FILLER
    "\u2800",  # BRAILLE PATTERN BLANK
    "\u180e",  # MONGOLIAN VOWEL SEPARATOR
    "\u034f",  # COMBINING GRAPHEME JOINER
    "\u17b4",  # KHMER VOWEL INHERENT AQ
    "\u180b",  # MONGOLIAN FREE VARIATION SELECTOR ONE
    "\ufe0f",  # VARIATION SELECTOR-16
    "\U000e0100",  # VARIATION SELECTOR-17
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A
]

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1).
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
]


def test_every_default_ignorable_code_point_is_forbidden() -> None:
    for low, high in DEFAULT_IGNORABLE:
        for code in range(low, high + 1):
            assert is_forbidden_char(chr(code)), f"U+{code:04X}"
            assert printable(chr(code)) != chr(code), f"U+{code:04X}"
    assert is_forbidden_char("\u2800")


def test_ordinary_letters_are_still_accepted() -> None:
    for word in ("Café", "한글", "ﾊﾝｶｸ", "Σερτραλίνη", "✓ done", "日本語"):
        assert check_text(word, "name", max_len=80) == unicodedata.normalize("NFC", word)


@pytest.mark.parametrize("ch", INVISIBLE_LETTERS)
def test_check_text_refuses_an_invisible_letter_like_a_zero_width_one(ch: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_text("Take it with food" + ch, "tip", max_len=1000)
    assert str(caught.value) == (
        f"The tip contains a control or invisible character U+{ord(ch):04X} "
        f"({unicodedata.name(ch)})."
    )
    with pytest.raises(UsageError):
        check_text(ch * 3, "tip", max_len=1000)


def test_a_tip_of_only_invisible_letters_is_refused_and_nothing_is_written() -> None:
    ok("tip", "add", "Take it with food")
    before = sha256(journal())
    blank = invoke("tip", "add", "\u3164\u115f\uffa0")
    assert blank.exit_code == 2
    assert "U+3164 (HANGUL FILLER)" in one_error_line(blank.stderr)
    twin = invoke("tip", "add", "Take it with food\u3164")
    assert twin.exit_code == 2
    assert "U+3164 (HANGUL FILLER)" in one_error_line(twin.stderr)
    assert [t["text"] for t in data("tip", "list")["tips"]] == ["Take it with food"]
    assert sha256(journal()) == before


@pytest.mark.parametrize("field", ["text", "medication", "side_effect"])
def test_a_bundle_with_an_invisible_letter_is_refused(field: str) -> None:
    tip: dict[str, Any] = {"text": "Take it with food"}
    tip[field] = "\u3164" if field != "text" else "Take it with food\u3164"
    raw = json.dumps({"format": "adherelog-tips", "version": 1, "tips": [tip]}).encode()
    with pytest.raises(InvalidFileError) as caught:
        parse_bundle(raw)
    assert str(caught.value) == f"tips[0].{field}: contains U+3164 (HANGUL FILLER)."


def test_a_medication_name_with_an_invisible_letter_is_handled_like_zero_width() -> None:
    zero = invoke("med", "add", "Vit\u200bD", "--time", "08:00")
    filler = invoke("med", "add", "Vit\u3164D", "--time", "08:00")
    assert filler.exit_code == zero.exit_code == 2
    assert one_error_line(filler.stderr) == one_error_line(zero.stderr).replace(
        "U+200B (ZERO WIDTH SPACE)", "U+3164 (HANGUL FILLER)"
    )
    ok("med", "add", "VitD", "--time", "08:00")
    for ch in ("\u200b", "\u3164"):
        taken = invoke("take", f"Vit{ch}D")
        assert taken.exit_code == 1
        assert f"Vit\\u{ord(ch):04x}D" in one_error_line(taken.stderr)


@pytest.mark.parametrize(
    "args", [["take", "vitd", "--note"], ["effect", "add", "nausea", "--note"]]
)
def test_notes_and_effects_refuse_invisible_letters(args: list[str]) -> None:
    ok("med", "add", "VitD", "--time", "08:00", "--start", "2026-11-20")
    result = invoke(*args, "fine\uffa0")
    assert result.exit_code == 2
    assert "U+FFA0 (HALFWIDTH HANGUL FILLER)" in one_error_line(result.stderr)
    named = invoke("effect", "add", "nau\u2800sea")
    assert named.exit_code == 2
    assert "U+2800 (BRAILLE PATTERN BLANK)" in one_error_line(named.stderr)


def test_stored_invisible_letters_are_escaped_in_json_output() -> None:
    ok("tip", "add", "placeholder", "--med", "x")
    conn = connect()
    try:
        conn.execute(
            "UPDATE tips SET text = ?, medication = ?", ("food\u3164\ufe0f", "x\U000e0041")
        )
    finally:
        conn.close()
    shown = ok("tip", "list", "--json").stdout
    assert "\u3164" not in shown
    assert "\ufe0f" not in shown
    assert "\U000e0041" not in shown
    assert "food\\u3164\\ufe0f" in shown
    assert "x\\udb40\\udc41" in shown  # JSON writes a character beyond U+FFFF as a pair
    document = json.loads(shown)
    assert document["tips"][0]["text"] == "food\u3164\ufe0f"
    assert document["tips"][0]["medication"] == "x\U000e0041"


def test_stored_invisible_letters_are_shown_as_escapes() -> None:
    ok("tip", "add", "placeholder", "--med", "x")
    conn = connect()
    try:
        conn.execute("UPDATE tips SET text = ?, medication = ?", ("food\u3164", "x\u115f"))
    finally:
        conn.close()
    shown = ok("tip", "list").stdout
    assert "\u3164" not in shown
    assert "\u115f" not in shown
    assert "food\\u3164" in shown
    assert "x\\u115f" in shown
    assert one_line("a\u3164b\ufe0f") == "a\\u3164b\\ufe0f"
    assert printable("tag\U000e0041") == "tag\\U000e0041"
