"""Coping tips (SPEC §7): add, list and its filters, show, rate, rm, undo and short ids."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog.tips import short_ids
from helpers import connect, count, data, invoke, ok, one_error_line

TIP_KEYS = {
    "id",
    "text",
    "medication",
    "side_effect",
    "tags",
    "source",
    "from",
    "worked",
    "peers_worked",
}
SNACK = "Take it with a small snack; nausea stopped after a week"


def fail(code: int, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


def add(text: str, *args: str) -> dict[str, object]:
    doc: dict[str, object] = data("tip", "add", text, *args)
    return doc


def texts(*args: str) -> list[str]:
    return [t["text"] for t in data("tip", "list", *args)["tips"]]


def import_peer_bundle(tmp_path: Path, tips: list[dict[str, object]], label: str) -> None:
    path = tmp_path / f"{label}.json"
    path.write_text(json.dumps({"format": "adherelog-tips", "version": 1, "tips": tips}))
    ok("tip", "import", str(path), "--from", label)


# --- add --------------------------------------------------------------------------------


def test_add_prints_the_tip() -> None:
    doc = add(SNACK, "--med", "sertraline", "--effect", "nausea", "--tag", "food")
    assert set(doc) >= TIP_KEYS
    assert doc == {
        "id": doc["id"],
        "short_id": str(doc["id"])[:8],
        "text": SNACK,
        "medication": "sertraline",
        "side_effect": "nausea",
        "tags": ["food"],
        "source": "mine",
        "from": None,
        "imported_at": None,
        "worked": None,
        "peers_worked": 0,
        "peers_tried": 0,
        "peers_shared": 0,
        "group": None,
        "group_worked": None,
        "group_tried": None,
    }
    assert uuid.UUID(str(doc["id"])).version == 4


def test_add_human_output_keeps_line_breaks() -> None:
    out = ok("tip", "add", "First line\nsecond line", "--tag", "Sleep").stdout
    lines = out.splitlines()
    assert lines[0].startswith("tip ")
    assert len(lines[0]) == len("tip ") + 8
    assert lines[1:] == ["  First line", "  second line", "  #Sleep · mine"]


def test_the_same_tip_twice_is_a_conflict_naming_the_held_tip() -> None:
    first = add(SNACK, "--med", "Sertraline", "--effect", "nausea")
    line = fail(
        1,
        "tip",
        "add",
        "  take IT with a small   snack; NAUSEA stopped after a week ",
        "--med",
        "sertraline",
        "--effect",
        "Nausea",
    )
    assert f"already holds this tip as {first['short_id']}" in line
    assert count("tips") == 1
    # Another medication or side effect makes another tip.
    add(SNACK, "--med", "Sertraline")
    add(SNACK)
    assert count("tips") == 3


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["tip", "add", ""], "tip must not be empty"),
        (["tip", "add", " \n "], "tip must not be empty"),
        (["tip", "add", "x" * 1001], "limit is 1000"),
        (["tip", "add", "hidden\u200bspace"], "U+200B"),
        (["tip", "add", "tab\there"], "U+0009"),
        (["tip", "add", "ok", "--med", "x" * 81], "medication is 81 characters"),
        (["tip", "add", "ok", "--effect", "a\u202eb"], "side effect contains"),
        (["tip", "add", "ok", "--tag", "t" * 33], "tag is 33 characters"),
        (["tip", "add", "ok", *[a for n in range(11) for a in ("--tag", f"t{n}")]], "at most 10"),
    ],
)
def test_bad_input_is_a_usage_error(args: list[str], what: str) -> None:
    assert what in fail(2, *args)
    assert count("tips") == 0


def test_text_of_1000_characters_and_ten_tags_are_fine() -> None:
    tags = [a for n in range(10) for a in ("--tag", f"t{n}")]
    doc = add("y" * 1000, *tags, "--tag", "T0")
    assert len(str(doc["text"])) == 1000
    assert doc["tags"] == [f"t{n}" for n in range(10)]


# --- list -------------------------------------------------------------------------------


@pytest.fixture
def several(tmp_path: Path) -> None:
    add(SNACK, "--med", "Sertraline", "--effect", "nausea", "--tag", "food")
    add("Ginger tea in the morning", "--effect", "Nausea", "--tag", "Food", "--tag", "drink")
    add("Keep a water bottle by the bed", "--med", "lithium", "--tag", "drink")
    import_peer_bundle(
        tmp_path,
        [
            {"text": "Peppermint sweets", "side_effect": "NAUSEA", "tags": ["food"]},
            {"text": "Take it at night", "medication": "sertraline", "worked": True},
        ],
        "Tuesday group",
    )


def test_list_shape_and_order(several: None) -> None:
    tips = data("tip", "list")["tips"]
    assert [t["text"] for t in tips] == [
        SNACK,
        "Ginger tea in the morning",
        "Keep a water bottle by the bed",
        "Peppermint sweets",
        "Take it at night",
    ]
    assert all(set(t) >= TIP_KEYS for t in tips)
    peer = tips[4]
    assert peer["source"] == "peer"
    assert peer["from"] == "Tuesday group"
    assert peer["imported_at"] == "2026-11-22T09:10:00+00:00"
    assert peer["worked"] is None
    assert peer["peers_worked"] == 1
    assert tips[3]["peers_worked"] == 0


def test_list_filters(several: None) -> None:
    assert texts("--med", "SERTRALINE") == [SNACK, "Take it at night"]
    assert texts("--effect", "nausea") == [SNACK, "Ginger tea in the morning", "Peppermint sweets"]
    assert texts("--tag", "FOOD") == [SNACK, "Ginger tea in the morning", "Peppermint sweets"]
    assert texts("--tag", "food", "--tag", "drink") == ["Ginger tea in the morning"]
    assert texts("--search", "the MORNING") == ["Ginger tea in the morning"]
    assert texts("--search", "take") == [SNACK, "Take it at night"]
    assert texts("--search", "take night") == ["Take it at night"]
    assert texts("--mine", "--effect", "nausea") == [SNACK, "Ginger tea in the morning"]
    assert texts("--peer") == ["Peppermint sweets", "Take it at night"]
    assert texts("--med", "metformin") == []


def test_mine_and_peer_together_is_a_usage_error() -> None:
    assert "--mine or --peer, not both" in fail(2, "tip", "list", "--mine", "--peer")


def test_list_human_output(several: None) -> None:
    out = ok("tip", "list", "--med", "sertraline").stdout.splitlines()
    assert len(out) == 4
    assert out[0].endswith("  " + SNACK)
    assert out[1].split(" · ") == ["          Sertraline", "nausea", "#food", "mine"]
    assert out[2].endswith("  Take it at night")
    assert out[3].strip().split(" · ") == [
        "sertraline",
        "from 'Tuesday group', imported Sun 22 Nov 2026",
        "helped 1 of 1 peer",
    ]
    assert ok("tip", "list", "--tag", "none").stdout.startswith("No tips match.")


# --- short ids, show, rate, rm ----------------------------------------------------------


def plant_ids(*ids: str) -> None:
    conn = connect()
    try:
        rows = conn.execute("SELECT id FROM tips ORDER BY created_at, rowid").fetchall()
        for (old,), new in zip(rows, ids, strict=True):
            conn.execute("UPDATE tips SET id = ? WHERE id = ?", (new, old))
    finally:
        conn.close()


def test_short_ids_resolve_by_unique_prefix() -> None:
    add("one")
    add("two")
    add("three")
    plant_ids(
        "3f2a1111-0000-4000-8000-000000000001",
        "3f2a2222-0000-4000-8000-000000000002",
        "abcdef12-0000-4000-8000-000000000003",
    )
    assert data("tip", "show", "3f2a1")["text"] == "one"
    assert data("tip", "show", "3F2A2222")["text"] == "two"
    assert data("tip", "show", "abcd")["text"] == "three"
    assert data("tip", "show", "abcdef12-0000-4000-8000-000000000003")["text"] == "three"
    line = fail(1, "tip", "show", "3f2a")
    assert "ambiguous" in line
    assert "3f2a1111, 3f2a2222" in line
    assert "No tip with id '9999'" in fail(1, "tip", "show", "9999")
    assert "at least 4" in fail(2, "tip", "show", "3f2")
    assert "is not a tip id" in fail(2, "tip", "show", "3f2g")
    assert "is not a tip id" in fail(2, "tip", "show", "%%%%")


def test_shown_ids_grow_until_unique() -> None:
    add("one")
    add("two")
    plant_ids(
        "3f2a1111-0000-4000-8000-000000000001",
        "3f2a1111-1000-4000-8000-000000000002",
    )
    assert [t["short_id"] for t in data("tip", "list")["tips"]] == ["3f2a11110", "3f2a11111"]


@given(st.lists(st.uuids(), max_size=30), st.integers(0, 2**32 - 1))
def test_short_ids_are_unique_prefixes(ids: list[uuid.UUID], seed: int) -> None:
    # Force shared prefixes: half of the ids start like the first one.
    texts_ = [str(u) for u in ids]
    if texts_:
        head = texts_[0][: seed % 12]
        texts_ = [head + t[len(head) :] if n % 2 else t for n, t in enumerate(texts_)]
    shorts = short_ids(texts_)
    hexes = {t: t.replace("-", "") for t in texts_}
    assert set(shorts) == set(texts_)
    for tip_id, short in shorts.items():
        assert len(short) >= 8 or short == hexes[tip_id]
        assert hexes[tip_id].startswith(short)
        others = [h for t, h in hexes.items() if h != hexes[tip_id]]
        assert not any(h.startswith(short) for h in others)


def test_show_json_and_text() -> None:
    tip = add("Line one\nline two", "--med", "lithium")
    assert data("tip", "show", str(tip["short_id"])) == tip
    out = ok("tip", "show", str(tip["short_id"])).stdout
    assert out == f"tip {tip['short_id']}\n  Line one\n  line two\n  lithium · mine\n"


def test_rate() -> None:
    tip = add(SNACK)
    short = str(tip["short_id"])
    assert data("tip", "rate", short, "--helped")["worked"] is True
    assert ok("tip", "rate", short, "--not-helped").stdout == f"Rated {short}: did not help me\n"
    assert data("tip", "show", short)["worked"] is False
    assert "--helped or --not-helped" in fail(2, "tip", "rate", short)
    assert "--helped or --not-helped" in fail(2, "tip", "rate", short, "--helped", "--not-helped")
    assert data("tip", "show", short)["worked"] is False


def test_rm_deletes_for_real_and_is_not_undone(tmp_path: Path) -> None:
    tip = add(SNACK, "--effect", "nausea")
    import_peer_bundle(
        tmp_path, [{"text": SNACK, "side_effect": "nausea", "worked": True}], "group"
    )
    assert data("tip", "show", str(tip["short_id"]))["peers_worked"] == 1
    removed = data("tip", "rm", str(tip["short_id"]))["removed"]
    assert removed["text"] == SNACK
    assert count("tips") == 0
    assert count("tip_bundle_worked") == 0
    assert count("undo_log") == 0
    assert "Nothing to undo" in fail(1, "undo")


def test_undo_removes_the_last_tip_added() -> None:
    add("first")
    ok("effect", "add", "rash")
    second = add("second")
    undone = data("undo")
    assert undone["kind"] == "tip"
    assert undone["undone"]["id"] == second["id"]
    assert texts() == ["first"]
    assert data("undo")["kind"] == "effect"
    out = ok("undo").stdout
    assert out.startswith("Removed tip ")
    assert out.endswith(" 'first'\n")
    assert count("tips") == 0


def test_undo_does_not_undo_an_import(tmp_path: Path) -> None:
    add("mine")
    import_peer_bundle(tmp_path, [{"text": "theirs"}], "group")
    assert data("undo")["kind"] == "tip"
    assert texts() == ["theirs"]
    assert "Nothing to undo" in fail(1, "undo")


def test_migration_creates_the_tip_tables() -> None:
    ok("tip", "add", "seed")
    conn = connect()
    try:

        def columns(table: str) -> list[str]:
            return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]

        assert columns("tips") == [
            "id",
            "text",
            "identity",
            "medication",
            "side_effect",
            "tags",
            "source",
            "from_label",
            "imported_at",
            "worked",
            "created_at",
        ]
        assert columns("tip_bundles") == ["fingerprint", "label", "imported_at", "tip_count"]
        assert columns("tip_bundle_worked") == ["fingerprint", "identity"]
    finally:
        conn.close()
