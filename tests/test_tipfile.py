"""The peer-tip bundle, version 1 (SPEC §7): the file a stranger hands us."""

from __future__ import annotations

import contextlib
import json
import re
import string
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from adherelog.errors import InvalidFileError
from adherelog.text import BIDI, INVISIBLE, ZERO_WIDTH, forbidden_char, is_forbidden_char
from adherelog.tipfile import (
    FORMAT,
    MAX_BYTES,
    MAX_LABEL,
    MAX_TAG,
    MAX_TAGS,
    MAX_TEXT,
    MAX_TIPS,
    TIP_KEYS,
    TOP_KEYS,
    VERSION,
    BundleTip,
    build_bundle,
    bundle_fingerprint,
    dumps_bundle,
    json_schema,
    parse_bundle,
    render_markdown,
    tip_identity,
)

GOOD_TIP: dict[str, Any] = {"text": "Take it with a small snack."}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def doc(**top: Any) -> dict[str, Any]:
    """A valid bundle with ``top`` replacing (or, for a value of ``...``, removing) keys."""
    base: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "language": "en",
        "license": "CC0-1.0",
        "tips": [dict(GOOD_TIP)],
    }
    for key, value in top.items():
        if value is ...:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def with_tip(**fields: Any) -> dict[str, Any]:
    """A valid bundle whose third tip (``tips[2]``) has ``fields`` changed."""
    third: dict[str, Any] = {"text": "Set an alarm.", "medication": "metformin"}
    for key, value in fields.items():
        if value is ...:
            third.pop(key, None)
        else:
            third[key] = value
    return doc(tips=[dict(GOOD_TIP), dict(GOOD_TIP), third])


def enc(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def rejects(data: bytes) -> str:
    with pytest.raises(InvalidFileError) as info:
        parse_bundle(data)
    assert type(info.value) is InvalidFileError
    message = str(info.value)
    assert "\n" not in message
    assert forbidden_char(message) is None
    return message


# --------------------------------------------------------------------------- accepted


def test_spec_example_is_read() -> None:
    data = b"""{
      "format": "adherelog-tips",
      "version": 1,
      "language": "en",
      "license": "CC0-1.0",
      "tips": [
        {"text": "Take it with a small snack; the nausea stopped after a week.",
         "medication": "sertraline", "side_effect": "nausea", "tags": ["food"], "worked": true}
      ]
    }"""
    assert parse_bundle(data) == [
        BundleTip(
            text="Take it with a small snack; the nausea stopped after a week.",
            medication="sertraline",
            side_effect="nausea",
            tags=("food",),
            worked=True,
        )
    ]


def test_minimal_bundle_and_optional_fields() -> None:
    data = enc({"format": FORMAT, "version": 1, "tips": [{"text": "x"}]})
    assert parse_bundle(data) == [BundleTip(text="x")]
    assert parse_bundle(enc({"format": FORMAT, "version": 1, "tips": []})) == []
    nulls: dict[str, Any] = {
        "text": "y",
        "medication": None,
        "side_effect": None,
        "worked": None,
        "tags": [],
    }
    assert parse_bundle(enc(doc(tips=[nulls]))) == [BundleTip(text="y")]


def test_utf8_bom_is_skipped() -> None:
    assert parse_bundle(b"\xef\xbb\xbf" + enc(doc())) == [BundleTip(text=GOOD_TIP["text"])]


def test_strings_are_stripped_nfc_and_tags_deduplicated() -> None:
    tip = {
        "text": "  Cafe\u0301 helps\nin the morning \n",
        "medication": " Sertraline ",
        "side_effect": "nause\u0301a",
        "tags": ["Food", " food", "FOOD ", "sleep", "Sleep"],
        "worked": False,
    }
    [parsed] = parse_bundle(enc(doc(tips=[tip])))
    assert parsed == BundleTip(
        text="Café helps\nin the morning",
        medication="Sertraline",
        side_effect="nauséa",
        tags=("Food", "sleep"),
        worked=False,
    )


def test_lengths_count_after_nfc() -> None:
    decomposed = "e\u0301" * MAX_TEXT  # 2000 code points, 1000 after NFC
    [parsed] = parse_bundle(enc(doc(tips=[{"text": decomposed}])))
    assert parsed.text == "é" * MAX_TEXT


def test_limits_themselves_are_accepted() -> None:
    tip = {
        "text": "t" * MAX_TEXT,
        "medication": "m" * MAX_LABEL,
        "side_effect": "s" * MAX_LABEL,
        "tags": [f"{i}" * MAX_TAG for i in range(MAX_TAGS)],
    }
    tips = parse_bundle(enc(doc(tips=[tip] * MAX_TIPS)))
    assert len(tips) == MAX_TIPS
    assert tips[0].tags[9] == "9" * MAX_TAG


# --------------------------------------------------------------------------- refused

DUP_TOP = b'{"format": "adherelog-tips", "format": "adherelog-tips", "version": 1, "tips": []}'
DUP_TIP = (
    b'{"format": "adherelog-tips", "version": 1, "tips": [{"text": "a"}, {"text": "b"},'
    b' {"text": "c", "worked": true, "text": "c"}]}'
)
DUP_DEEP = (
    b'{"format": "adherelog-tips", "version": 1, "tips": [{"text": "a"}, {"text": "b"},'
    b' {"text": "c", "tags": ["ok", {"x": 1, "x": 2}]}]}'
)


def constant_in(where: str, constant: str) -> bytes:
    text = enc(with_tip()).decode()
    if where == "version":
        return text.replace('"version": 1', f'"version": {constant}').encode()
    if where == "worked":
        return text.replace('"metformin"', f'"metformin", "worked": {constant}').encode()
    return text.replace('"metformin"', f'"metformin", "tags": ["a", {constant}]').encode()


FILE_CASES: list[tuple[bytes, str]] = [
    (b" " * (MAX_BYTES + 1), "at most 1048576 bytes"),
    (b'{"format": "\xffadherelog"}', "not UTF-8 text: byte 0xFF at byte offset 12"),
    (b"\xef\xbb\xbf" + b'{"a": "\xc3("}', "byte offset 10"),
    (b'{"format": }', "not valid JSON: Expecting value at line 1, column 12"),
    (b'{\n  "format": "adherelog-tips",\n  oops\n}', "line 3, column 3"),
    (b"", "not valid JSON"),
    (b"\xef\xbb\xbf\xef\xbb\xbf{}", "not valid JSON"),
    (b"[" * 100_000, "too deeply"),
    (b"{" + b'"a":{' * 50_000, "too deeply"),
    (b'{"format": "adherelog-tips", "version": ' + b"1" * 5000 + b', "tips": []}', "version:"),
    (b"[]", "JSON object at the top level"),
    (b'"adherelog-tips"', "JSON object at the top level"),
    (b"null", "JSON object at the top level"),
    (b"1", "JSON object at the top level"),
    (DUP_TOP, 'The key "format" appears twice at the top level'),
    (DUP_TIP, 'tips[2]: the key "text" appears twice'),
    (DUP_DEEP, "tips[2].tags[1]:"),
    (constant_in("version", "NaN"), "version: NaN is not allowed"),
    (constant_in("worked", "Infinity"), "tips[2].worked: Infinity is not allowed"),
    (constant_in("tags", "-Infinity"), "tips[2].tags[1]: -Infinity is not allowed"),
]


@pytest.mark.parametrize(("data", "expected"), FILE_CASES)
def test_file_level_refusals(data: bytes, expected: str) -> None:
    assert expected in rejects(data)


TOP_CASES: list[tuple[dict[str, Any], str]] = [
    (doc(id=7), 'The key "id" is not allowed at the top level'),
    (doc(exported_at="2024-05-01"), 'The key "exported_at" is not allowed'),
    (doc(format=...), "format: is missing"),
    (doc(format="adherelog-notes"), "format: must be"),
    (doc(format="ADHERELOG-TIPS"), "format: must be"),
    (doc(format=1), "format: must be"),
    (doc(format=None), "format: must be"),
    (doc(version=...), "version: is missing"),
    (doc(version=3), "version: 3 is not supported"),
    (doc(version=2), "contributor: is missing"),
    (doc(version=0), "version: 0 is not supported"),
    (doc(version="1"), "version: must be the integer 1 or 2"),
    (doc(version=True), "version: must be the integer 1 or 2"),
    (doc(version=1.0), "version: must be the integer 1 or 2"),
    (doc(version=None), "version: must be the integer 1 or 2"),
    (doc(version=[1]), "version: must be the integer 1 or 2"),
    (doc(language=5), "language:"),
    (doc(language=None), "language:"),
    (doc(language=""), "language:"),
    (doc(language="en_US"), "language:"),
    (doc(language="en-"), "language:"),
    (doc(language="a" * 36), "language:"),
    (doc(language="en\u202e"), "language: contains U+202E (RIGHT-TO-LEFT OVERRIDE)."),
    (doc(language="en\n"), "language: contains U+000A"),
    (doc(license=5), "license:"),
    (doc(license=None), "license:"),
    (doc(license=""), "license:"),
    (doc(license="   "), "license:"),
    (doc(license="x" * 65), "license:"),
    (doc(license="CC0\x1b[2J"), "license: contains U+001B"),
    (doc(tips=...), "tips: is missing"),
    (doc(tips={}), "tips: must be a list"),
    (doc(tips="Take it with food."), "tips: must be a list"),
    (doc(tips=None), "tips: must be a list"),
    (doc(tips=[GOOD_TIP] * (MAX_TIPS + 1)), "tips: holds 501 tips; the limit is 500."),
]


@pytest.mark.parametrize(("document", "expected"), TOP_CASES)
def test_top_level_refusals(document: dict[str, Any], expected: str) -> None:
    assert expected in rejects(enc(document))


HIDDEN = [
    "\x00",
    "\x07",
    "\t",
    "\r",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u00ad",
    "\u061c",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u202a",
    "\u202e",
    "\u2028",
    "\u2066",
    "\u2069",
    "\u2060",
    "\ufeff",
    "\ud800",
    "\U000e0041",
]

TIP_CASES: list[tuple[dict[str, Any], str]] = [
    (doc(tips=[GOOD_TIP, GOOD_TIP, "Take it with food."]), "tips[2]: must be an object"),
    (doc(tips=[GOOD_TIP, GOOD_TIP, None]), "tips[2]: must be an object"),
    (doc(tips=[GOOD_TIP, GOOD_TIP, [GOOD_TIP]]), "tips[2]: must be an object"),
    (with_tip(id=12), 'tips[2]: the key "id" is not allowed'),
    (with_tip(created_at="2024-05-01T08:00:00Z"), 'tips[2]: the key "created_at"'),
    (with_tip(note="my own note"), 'tips[2]: the key "note"'),
    (with_tip(Text="x"), 'tips[2]: the key "Text"'),
    (with_tip(**{"\x1b[31mred": 1}), 'tips[2]: the key "\\x1b[31mred" is not allowed'),
    (with_tip(text=...), "tips[2].text: is missing"),
    (with_tip(text=None), "tips[2].text: must be a string"),
    (with_tip(text=5), "tips[2].text: must be a string"),
    (with_tip(text=["a"]), "tips[2].text: must be a string"),
    (with_tip(text=""), "tips[2].text: must not be empty"),
    (with_tip(text="  "), "tips[2].text: must not be empty"),
    (with_tip(text="\n\n"), "tips[2].text: must not be empty"),
    (with_tip(text="x" * 1001), "tips[2].text: is 1001 characters long; the limit is 1000."),
    (with_tip(text=" " + "x" * 1001 + " "), "tips[2].text: is 1001 characters"),
    (with_tip(medication=5), "tips[2].medication: must be a string of at most 80"),
    (with_tip(medication=True), "tips[2].medication: must be a string of at most 80"),
    (with_tip(medication=["a"]), "tips[2].medication: must be a string"),
    (with_tip(medication=""), "tips[2].medication: must not be empty"),
    (with_tip(medication="   "), "tips[2].medication: must not be empty"),
    (with_tip(medication="m" * 81), "tips[2].medication: is 81 characters long"),
    (with_tip(medication="met\nformin"), "tips[2].medication: contains U+000A"),
    (with_tip(side_effect=0), "tips[2].side_effect: must be a string of at most 80"),
    (with_tip(side_effect={}), "tips[2].side_effect: must be a string"),
    (with_tip(side_effect=""), "tips[2].side_effect: must not be empty"),
    (with_tip(side_effect="s" * 81), "tips[2].side_effect: is 81 characters long"),
    (with_tip(side_effect="naus\u200bea"), "tips[2].side_effect: contains U+200B"),
    (with_tip(tags="food"), "tips[2].tags: must be a list"),
    (with_tip(tags=None), "tips[2].tags: must be a list"),
    (with_tip(tags={"food": 1}), "tips[2].tags: must be a list"),
    (with_tip(tags=[str(i) for i in range(11)]), "tips[2].tags: holds 11 tags; the limit is 10"),
    (with_tip(tags=["a"] * 11), "tips[2].tags: holds 11 tags"),
    (with_tip(tags=["ok", 5]), "tips[2].tags[1]: must be a string"),
    (with_tip(tags=["ok", None]), "tips[2].tags[1]: must be a string"),
    (with_tip(tags=["ok", ["x"]]), "tips[2].tags[1]: must be a string"),
    (with_tip(tags=["ok", ""]), "tips[2].tags[1]: must not be empty"),
    (with_tip(tags=["ok", " "]), "tips[2].tags[1]: must not be empty"),
    (with_tip(tags=["ok", "t" * 33]), "tips[2].tags[1]: is 33 characters long"),
    (with_tip(tags=["ok", "fo\u202eod"]), "tips[2].tags[1]: contains U+202E"),
    (with_tip(tags=["ok", "a\nb"]), "tips[2].tags[1]: contains U+000A"),
    (with_tip(worked=1), "tips[2].worked: must be true, false or null."),
    (with_tip(worked=0), "tips[2].worked: must be true, false or null."),
    (with_tip(worked="true"), "tips[2].worked: must be true, false or null."),
    (with_tip(worked=[]), "tips[2].worked: must be true, false or null."),
    (with_tip(worked={}), "tips[2].worked: must be true, false or null."),
    *[
        (with_tip(text=f"Take it{ch}with food"), f"tips[2].text: contains U+{ord(ch):04X}")
        for ch in HIDDEN
    ],
    *[
        (with_tip(medication=f"met{ch}formin"), f"tips[2].medication: contains U+{ord(ch):04X}")
        for ch in HIDDEN
    ],
]


@pytest.mark.parametrize(("document", "expected"), TIP_CASES)
def test_tip_refusals(document: dict[str, Any], expected: str) -> None:
    assert expected in rejects(enc(document))


def test_message_names_the_character() -> None:
    data = enc(doc(tips=[{"text": "Never \u202eevil"}]))
    assert rejects(data) == "tips[0].text: contains U+202E (RIGHT-TO-LEFT OVERRIDE)."


def test_example_message_for_a_bad_medication() -> None:
    bad = doc(tips=[GOOD_TIP, GOOD_TIP, GOOD_TIP, {"text": "x", "medication": 3}])
    assert rejects(enc(bad)) == (
        "tips[3].medication: must be a string of at most 80 characters or null."
    )


def test_newline_only_inside_text() -> None:
    [tip] = parse_bundle(enc(doc(tips=[{"text": "one\ntwo"}])))
    assert tip.text == "one\ntwo"
    assert "tips[0].tags[0]: contains U+000A" in rejects(
        enc(doc(tips=[{"text": "x", "tags": ["a\nb"]}]))
    )


def test_first_problem_is_reported() -> None:
    tips = [GOOD_TIP, {"text": "x", "worked": 1, "medication": 2}, {"text": 5}]
    assert rejects(enc(doc(tips=tips))).startswith("tips[1].medication:")
    fields = {"worked": "yes", "tags": 1, "side_effect": 1, "medication": 1, "text": 1}
    assert rejects(enc(doc(tips=[fields]))).startswith("tips[0].text:")
    assert rejects(enc(doc(version=3, tips=None, extra=1))).startswith("version:")
    assert rejects(enc(doc(language=1, tips=None))).startswith("language:")


def test_unknown_key_message_is_short_and_safe() -> None:
    message = rejects(enc(with_tip(**{"k" * 5000 + "\u202e": 1})))
    assert len(message) < 300
    assert "\u202e" not in message


# --------------------------------------------------------------------------- strategies

SAFE = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"),
    exclude_characters="".join(BIDI | ZERO_WIDTH | INVISIBLE),
).filter(lambda ch: not is_forbidden_char(ch))
READABLE = st.one_of(st.sampled_from(string.ascii_letters + string.digits + " .,;!?'-"), SAFE)
READABLE_NL = st.one_of(READABLE, st.just("\n"))


def _settled(limit: int, *, newline: bool = False) -> Any:
    """Strings that parse_bundle returns unchanged: stripped, NFC, within ``limit``."""

    def ok(value: str) -> bool:
        return (
            0 < len(value) <= limit
            and unicodedata.normalize("NFC", value.strip()) == value
            and forbidden_char(value, allow_newline=newline) is None
        )

    alphabet = READABLE_NL if newline else READABLE
    return (
        st.text(alphabet, min_size=1, max_size=min(limit, 60))
        .map(lambda s: unicodedata.normalize("NFC", s).strip())
        .filter(ok)
    )


def tag_key(tag: str) -> str:
    return unicodedata.normalize("NFC", tag.casefold())


valid_tips = st.builds(
    BundleTip,
    text=_settled(MAX_TEXT, newline=True),
    medication=st.none() | _settled(MAX_LABEL),
    side_effect=st.none() | _settled(MAX_LABEL),
    tags=st.lists(_settled(MAX_TAG), max_size=MAX_TAGS, unique_by=tag_key).map(tuple),
    worked=st.none() | st.booleans(),
)
tip_lists = st.lists(valid_tips, max_size=6)
languages = st.sampled_from(["en", "pt-BR", "zh-Hant-TW", "fr"])

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "\u202e", "x" * 1001, FORMAT, "\n"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


# --------------------------------------------------------------------------- properties


@FAST
@given(st.binary(max_size=600))
def test_any_bytes_give_tips_or_invalid_file(data: bytes) -> None:
    try:
        result = parse_bundle(data)
    except InvalidFileError:
        return
    assert isinstance(result, list)


@FAST
@given(tip_lists, st.data())
def test_mutated_bytes_give_tips_or_invalid_file(
    tips: list[BundleTip], data: st.DataObject
) -> None:
    raw = bytearray(dumps_bundle(build_bundle(tips)).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        insert = data.draw(st.binary(min_size=0, max_size=3))
        cut = data.draw(st.integers(0, 3))
        raw[at : at + cut] = insert
    with contextlib.suppress(InvalidFileError):
        parse_bundle(bytes(raw))


@FAST
@given(tip_lists, json_values, st.data())
def test_near_valid_documents_give_tips_or_invalid_file(
    tips: list[BundleTip], value: Any, data: st.DataObject
) -> None:
    document: dict[str, Any] = build_bundle(tips)
    where = data.draw(st.sampled_from(["top", "tip", "tag", "drop"]))
    tip_list: list[dict[str, Any]] = document["tips"]
    if where == "top" or not tip_list:
        document[data.draw(st.sampled_from([*TOP_KEYS, "id"]))] = value
    elif where == "drop":
        document.pop(data.draw(st.sampled_from(TOP_KEYS)))
    else:
        target = tip_list[data.draw(st.integers(0, len(tip_list) - 1))]
        if where == "tag":
            target["tags"] = [*target["tags"], value]
        else:
            target[data.draw(st.sampled_from([*TIP_KEYS, "id", "date"]))] = value
    ascii_only = data.draw(st.booleans())
    text = json.dumps(document, ensure_ascii=ascii_only)
    with contextlib.suppress(InvalidFileError):
        parse_bundle(text.encode("utf-8", errors="surrogatepass"))


@FAST
@given(tip_lists, languages)
def test_build_dump_parse_round_trip(tips: list[BundleTip], language: str) -> None:
    assert parse_bundle(dumps_bundle(build_bundle(tips, language)).encode("utf-8")) == tips


@FAST
@given(tip_lists, languages)
def test_built_bundles_validate_against_schema(tips: list[BundleTip], language: str) -> None:
    bundle = json.loads(dumps_bundle(build_bundle(tips, language)))
    Draft202012Validator(json_schema()).validate(bundle)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    json.dumps(schema)  # a plain JSON document


def test_bundle_holds_only_contract_fields() -> None:
    tip = BundleTip("Walk after lunch.", "metformin", None, ("walk",), None)
    bundle = build_bundle([tip])
    assert list(bundle) == ["format", "version", "language", "license", "tips"]
    assert bundle["license"] == "CC0-1.0"
    assert bundle["tips"] == [
        {
            "text": "Walk after lunch.",
            "medication": "metformin",
            "side_effect": None,
            "tags": ["walk"],
            "worked": None,
        }
    ]
    text = dumps_bundle(bundle)
    assert text.endswith("}\n")
    assert json.loads(text) == bundle


def test_dump_keeps_non_ascii_readable() -> None:
    assert "Café" in dumps_bundle(build_bundle([BundleTip("Café au lait")]))


def test_long_text_round_trips() -> None:
    tips = [BundleTip("é" * MAX_TEXT, "m" * MAX_LABEL, "s" * MAX_LABEL, ("t" * MAX_TAG,), True)]
    assert parse_bundle(dumps_bundle(build_bundle(tips)).encode()) == tips


# --------------------------------------------------------------------------- schema


SCHEMA_BAD: list[tuple[str, dict[str, Any]]] = [
    ("unknown top key", doc(id=1)),
    ("unknown tip key", with_tip(id=1)),
    ("version 2", doc(version=2)),
    ("version true", doc(version=True)),
    ("format", doc(format="other")),
    ("no tips", doc(tips=...)),
    ("501 tips", doc(tips=[GOOD_TIP] * 501)),
    ("text 1001", with_tip(text="x" * 1001)),
    ("empty text", with_tip(text="")),
    ("blank text", with_tip(text="   ")),
    ("medication 81", with_tip(medication="m" * 81)),
    ("11 tags", with_tip(tags=[str(i) for i in range(11)])),
    ("tag 33", with_tip(tags=["t" * 33])),
    ("bidi in text", with_tip(text="a\u202eb")),
    ("zero width in tag", with_tip(tags=["a\u200bb"])),
    ("escape in text", with_tip(text="a\x1b[2Jb")),
    ("newline in medication", with_tip(medication="a\nb")),
    ("trailing newline in tag", with_tip(tags=["ab\n"])),
    ("worked 1", with_tip(worked=1)),
    ("language", doc(language="en\n")),
]


@pytest.mark.parametrize(("why", "document"), SCHEMA_BAD, ids=[c[0] for c in SCHEMA_BAD])
def test_schema_rejects_what_parse_rejects(why: str, document: dict[str, Any]) -> None:
    rejects(enc(document))
    assert not Draft202012Validator(json_schema()).is_valid(document), why


def _patterns() -> tuple[str, str]:
    schema: Any = json_schema()
    tip = schema["properties"]["tips"]["items"]["properties"]
    return tip["text"]["pattern"], tip["medication"]["pattern"]


def test_schema_pattern_forbids_only_what_parse_forbids() -> None:
    text_pattern, line_pattern = map(re.compile, _patterns())
    for code in range(0x10000):
        ch = chr(code)
        if line_pattern.search("a" + ch + "b") is None:
            assert is_forbidden_char(ch), f"U+{code:04X}"
        if text_pattern.search("a" + ch + "b") is None:
            assert is_forbidden_char(ch, allow_newline=True), f"U+{code:04X}"


def test_schema_pattern_forbids_controls_bidi_and_zero_width() -> None:
    text_pattern, line_pattern = map(re.compile, _patterns())
    named = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + sorted(BIDI | ZERO_WIDTH)
    for ch in named:
        assert line_pattern.search("a" + ch + "b") is None, f"U+{ord(ch):04X}"
        if ch != "\n":
            assert text_pattern.search("a" + ch + "b") is None, f"U+{ord(ch):04X}"
    assert text_pattern.search("a\nb") is not None
    assert line_pattern.search("a\nb") is None


# --------------------------------------------------------------------------- identity

WORD = st.text(st.sampled_from(string.ascii_letters + "éßÅø"), min_size=1, max_size=8)
SPACE = st.sampled_from([" ", "  ", "\t", "\n", " \n "])


def _respell(words: list[str], data: st.DataObject) -> str:
    """The same words in other case and with other whitespace around and between them."""
    cased = [
        data.draw(st.sampled_from([w, w.upper(), w.lower(), w.swapcase(), w.title()]))
        for w in words
    ]
    out = data.draw(st.sampled_from(["", " ", "\n "]))
    for i, word in enumerate(cased):
        out += word + (data.draw(SPACE) if i < len(cased) - 1 else "")
    return out + data.draw(st.sampled_from(["", " ", "\t\n"]))


@FAST
@given(st.lists(WORD, min_size=1, max_size=6), st.none() | WORD, st.none() | WORD, st.data())
def test_identity_ignores_case_and_whitespace(
    words: list[str], med: str | None, effect: str | None, data: st.DataObject
) -> None:
    first = tip_identity(" ".join(words), med, effect)
    other_med = None if med is None else data.draw(st.sampled_from([med.upper(), f" {med} "]))
    other_effect = None if effect is None else effect.swapcase()
    assert tip_identity(_respell(words, data), other_med, other_effect) == first
    assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_identity_details() -> None:
    base = tip_identity("Take it with food", "Sertraline", None)
    assert tip_identity("take  IT\nwith food ", "sertraline", None) == base
    assert tip_identity("Take it with food", "Sertraline", "") == base
    assert tip_identity("Take it with food", None, "Sertraline") != base
    assert tip_identity("Take it with food", "Sertraline", "nausea") != base
    assert tip_identity("Take it with foods", "Sertraline", None) != base
    assert tip_identity("Cafe\u0301", None, None) == tip_identity("CAFÉ", None, None)
    # Joining is unambiguous: moving text between fields changes the identity.
    assert tip_identity("a", "b c", None) != tip_identity("a b", "c", None)


@FAST
@given(tip_lists, st.data())
def test_fingerprint_ignores_order(tips: list[BundleTip], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(tips))
    assert bundle_fingerprint(shuffled) == bundle_fingerprint(tips)


def test_fingerprint_ignores_case_and_whitespace_but_not_worked() -> None:
    one = [BundleTip("Walk after lunch", "metformin", worked=True), BundleTip("Nap")]
    two = [BundleTip("nap "), BundleTip("walk  after\nLunch", "Metformin", worked=True)]
    assert bundle_fingerprint(one) == bundle_fingerprint(two)
    three = [BundleTip("Walk after lunch", "metformin", worked=False), BundleTip("Nap")]
    assert bundle_fingerprint(three) != bundle_fingerprint(one)
    assert bundle_fingerprint([]) != bundle_fingerprint(one)


# --------------------------------------------------------------------------- Markdown

DISCLAIMER_WORDS = ("peers' experiences", "not medical advice", "clinician")


def test_markdown_lists_tips_and_ends_with_disclaimer() -> None:
    tips = [
        BundleTip("Take it with a small snack.", "sertraline", "nausea", ("food",), True),
        BundleTip("Set a second alarm.", worked=False),
        BundleTip("Keep a spare pack at work."),
    ]
    out = render_markdown(tips)
    lines = out.rstrip("\n").splitlines()
    assert lines[0].startswith("# ")
    bullets = [line for line in lines if line.startswith("- ")]
    assert len(bullets) == 3
    assert "sertraline" in bullets[0]
    assert "nausea" in bullets[0]
    assert "food" in bullets[0]
    assert "worked for me" in bullets[0]
    assert "did not work for me" in bullets[1]
    assert "work for me" not in bullets[2]
    assert all(word in lines[-1] for word in DISCLAIMER_WORDS)
    assert out.endswith("\n")


def test_markdown_without_tips_still_has_disclaimer() -> None:
    lines = render_markdown([]).rstrip("\n").splitlines()
    assert all(word in lines[-1] for word in DISCLAIMER_WORDS)


HOSTILE = (
    "[click](http://evil) <script>alert(1)</script> ![x](y)\n"
    "# heading\x1b[31m red \u202eevil `code` *bold* _it_ | a | b | <img src=x> &lt;b&gt;"
)


def test_markdown_makes_hostile_text_inert() -> None:
    tip = BundleTip(HOSTILE, "<b>med</b>", "[x](y)", ("# tag", "![i](j)", "\x1b]8;;x\x07"), True)
    out = render_markdown([tip, BundleTip("# heading"), BundleTip("1. list"), BundleTip("- x")])
    assert "<script" not in out.lower()
    assert "<img" not in out
    assert "<b>" not in out
    assert "&amp;lt;b&amp;gt;" in out  # a typed entity is shown, not decoded into a tag
    assert "](" not in out
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\u202e" not in out
    assert "\n#" not in out.split("\n", 1)[1]  # only the title is a heading
    lines = out.rstrip("\n").splitlines()
    bullets = [line for line in lines if line.startswith("- ")]
    assert len(bullets) == 4  # the newline in the hostile text did not start a new line
    assert bullets[1] == "- \\# heading"
    assert bullets[2] == "- 1\\. list"
    assert bullets[3] == "- \\- x"
    assert all(word in lines[-1] for word in DISCLAIMER_WORDS)
    for line in lines:
        assert forbidden_char(line) is None


any_tip = st.builds(
    BundleTip,
    text=st.text(max_size=40),
    medication=st.none() | st.text(max_size=10),
    side_effect=st.none() | st.text(max_size=10),
    tags=st.lists(st.text(max_size=8), max_size=3).map(tuple),
)


@FAST
@given(st.lists(any_tip, max_size=4))
def test_markdown_never_emits_raw_hidden_characters(tips: list[BundleTip]) -> None:
    out = render_markdown(tips)
    assert forbidden_char(out, allow_newline=True) is None
    assert "](" not in out
    assert "<" not in out
    assert out.rstrip("\n").splitlines()[-1].startswith("*These are peers' experiences")
