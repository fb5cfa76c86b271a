"""The peer-tip exchange (SPEC §7): export, import of a stranger's file, counting, privacy."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from adherelog import tips
from adherelog.cli.common import Settings, open_journal
from adherelog.errors import ConflictError, InvalidFileError, UsageError
from adherelog.journal import Journal
from adherelog.text import is_forbidden_char
from adherelog.tipfile import FORMAT, MAX_BYTES, MAX_TIPS, json_schema
from helpers import connect, count, data, invoke, ok, one_error_line, run

SCHEMA = Draft202012Validator(json_schema())
TABLES = ("tips", "tip_peers", "tip_ratings", "undo_log", "records")
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
UUID_PART = re.compile(r"[0-9a-f]{8}")


def bundle(*tip_list: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"format": FORMAT, "version": 1, "tips": list(tip_list), **top}


def write_bundle(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def fail(code: int, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import could touch."""
    return {
        table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in TABLES
    }


@contextlib.contextmanager
def fresh_journal(folder: Path) -> Iterator[Journal]:
    with open_journal(Settings(db=str(folder / "journal.db")), write=True) as journal:
        yield journal


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with fresh_journal(tmp_path) as opened:
        tips.add_tip(opened, "Take it with food", medication="Sertraline", side_effect="nausea")
        tips.add_tip(opened, "Walk after lunch", tags=["exercise"])
        yield opened


# --- any bytes: imported, or refused with InvalidFileError and nothing changed -----------

HOSTILE = ["\x00", "\x1b[31m", "\x9b", "\u202e", "\u200b", "\ufeff", "\ud800", "\n", "\t", "é"]
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["Take it with food", "take IT with  food", "nausea", "Sertraline", ""]),
    st.lists(st.sampled_from([*HOSTILE, "a", " ", "tip"]), max_size=6).map("".join),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
tip_docs = st.fixed_dictionaries(
    {"text": texts},
    optional={
        "medication": st.none() | texts,
        "side_effect": st.none() | texts,
        "tags": st.lists(texts, max_size=12) | values,
        "worked": st.none() | st.booleans() | values,
        "note": values,
    },
)
bundle_docs = st.fixed_dictionaries(
    {
        "format": st.just(FORMAT) | texts,
        "version": st.just(1) | values,
        "tips": st.lists(tip_docs | values, max_size=5) | values,
    },
    optional={"language": st.just("en") | texts, "license": texts, "id": values},
)


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["raw", "doc", "mutated"]))
    if kind == "raw":
        return draw(st.binary(max_size=300))
    doc = draw(bundle_docs)
    raw = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    data_ = raw.encode("utf-8", errors="surrogatepass")
    if kind == "mutated" and data_:
        at = draw(st.integers(0, len(data_) - 1))
        insert = draw(st.sampled_from([b"", b",", b'"', b"}", b"\xff", b"NaN", b'"text":"x",']))
        data_ = data_[:at] + insert + data_[at + draw(st.integers(0, 2)) :]
    return data_


def _attempt(journal: Journal, data_: bytes, dry_run: bool) -> tips.ImportResult | None:
    try:
        bundle_ = tips.load_bundle(data_, "peer.json")
    except InvalidFileError as exc:
        message = str(exc)
    else:
        return tips.import_bundle(journal, bundle_, label="peer", dry_run=dry_run)
    assert message.startswith("peer.json was not imported: ")
    return None


@PROPERTY
@given(data_=hostile_bytes(), dry_run=st.booleans())
def test_any_bytes_import_fully_or_not_at_all(
    journal: Journal, data_: bytes, dry_run: bool
) -> None:
    before = dump(journal.conn)
    result = _attempt(journal, data_, dry_run)
    after = dump(journal.conn)
    if result is None or dry_run or result.previous_label is not None:
        assert after == before
        return
    assert len(after["tips"]) == len(before["tips"]) + result.added
    assert len(after["tip_peers"]) == len(before["tip_peers"]) + 1
    assert after["undo_log"] == before["undo_log"]
    assert after["records"] == before["records"]
    # Everything imported obeys the format's rules.
    for row in after["tips"]:
        assert not any(is_forbidden_char(ch, allow_newline=True) for ch in row[1])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_=hostile_bytes())
def test_any_bytes_through_the_cli_exit_0_or_1_with_one_plain_line(data_: bytes) -> None:
    from adherelog.cli.app import app

    db = Path(os.environ["ADHERELOG_DB"])
    result = CliRunner().invoke(app, ["tip", "import", "-", "--json"], input=data_)
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code == 1:
        line = one_error_line(result.stderr)
        assert line.startswith("adherelog: The input was not imported: ")
        assert "internal error" not in line
        assert not any(is_forbidden_char(ch) for ch in result.stderr.rstrip("\n"))
        assert result.stdout == ""
    else:
        doc = json.loads(result.stdout)
        assert set(doc) >= {"added", "already_held", "peers_worked_raised", "dry_run"}
        assert count("tips", db) >= doc["added"]


# --- export → import round trip ----------------------------------------------------------

ALLOWED = st.characters(
    blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters="\x85"
).filter(lambda ch: not is_forbidden_char(ch))
tip_texts = st.text(ALLOWED, min_size=1, max_size=60).filter(lambda s: s.strip() != "")
labels = st.none() | st.text(ALLOWED, min_size=1, max_size=20).filter(lambda s: s.strip() != "")
new_tips = st.lists(
    st.tuples(
        tip_texts,
        labels,
        labels,
        st.lists(st.text(ALLOWED, min_size=1, max_size=8).filter(str.strip), max_size=4),
        st.none() | st.booleans(),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(new_tips)
def test_export_then_import_into_a_fresh_journal_round_trips(
    items: list[tuple[str, str | None, str | None, list[str], bool | None]],
) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        with fresh_journal(Path(one)) as alice:
            for text, med, effect, tag_list, worked in items:
                try:
                    tip = tips.add_tip(
                        alice, text, medication=med, side_effect=effect, tags=tag_list
                    )
                except ConflictError:
                    continue  # the same identity twice
                if worked is not None:
                    tips.rate_tip(alice, tip.id, helped=worked)
            held = tips.list_tips(alice)
            document = tips.export_tips(alice).document
        SCHEMA.validate(json.loads(document))
        with fresh_journal(Path(two)) as bob:
            result = tips.import_bundle(
                bob, tips.load_bundle(document.encode("utf-8")), label="Alice"
            )
            got = tips.list_tips(bob)
    assert result.added == len(held)
    assert [(t.text, t.medication, t.side_effect, t.tags) for t in got] == [
        (t.text, t.medication, t.side_effect, t.tags) for t in held
    ]
    assert [t.peers_worked for t in got] == [1 if t.worked else 0 for t in held]
    assert {t.source for t in got} <= {"peer"}
    assert {t.from_label for t in got} <= {"Alice"}
    assert all(t.worked is None for t in got)


def test_schema_validates_exports_with_every_kind_of_field(tmp_path: Path) -> None:
    ok("tip", "add", "x" * 1000, *[a for n in range(10) for a in ("--tag", "t" * 31 + str(n))][:20])
    ok("tip", "add", "Line one\nLine two — ünïcödé 漢字 🙂", "--med", "m" * 80, "--effect", "e")
    ok("tip", "add", "[link=https://x]click[/link] :smile: <b>&amp;</b>")
    tip_id = data("tip", "list")["tips"][1]["short_id"]
    ok("tip", "rate", tip_id, "--not-helped")
    document = invoke("tip", "export").stdout
    SCHEMA.validate(json.loads(document))
    assert json.loads(document)["tips"][1]["worked"] is False
    SCHEMA.validate(json.loads(invoke("tip", "export", "--id", tip_id).stdout))
    SCHEMA.validate(json.loads(invoke("tip", "export", "--search", "nothing-matches").stdout))


# --- import rules through the command line ------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            '{"format": "adherelog-tips", "version": 1, "tips": [], "tips": []}',
            '"tips" appears twice',
        ),
        (
            '{"format": "adherelog-tips", "version": 1, "tips": [{"text": "a", "text": "b"}]}',
            'tips[0]: the key "text" appears twice',
        ),
        (
            '{"format": "adherelog-tips", "version": 1, "tips": [{"text": "a", "worked": NaN}]}',
            "tips[0].worked: NaN is not allowed",
        ),
        (
            '{"format": "adherelog-tips", "version": 1, "tips": [{"text": "a"}, '
            '{"text": "b", "id": 3}]}',
            'tips[1]: the key "id" is not allowed',
        ),
        (
            '{"format": "adherelog-tips", "version": 1, "tips": [{"text": "a", "worked": 1}]}',
            "tips[0].worked: must be true, false or null",
        ),
        (
            '{"format": "adherelog-tips", "version": 1, "tips": [{"text": "ok"}, '
            '{"text": "b", "tags": ["\\u200b"]}]}',
            "tips[1].tags[0]: contains U+200B",
        ),
        (
            '{"format": "adherelog-tips", "version": 1, "tips": '
            '[{"text": "a", "medication": "\\u001b[2J"}]}',
            "tips[0].medication: contains U+001B",
        ),
        ('{"format": "adherelog-tips", "version": 3, "tips": []}', "version: 3 is not supported"),
        ('{"format": "adherelog-tips", "version": 2, "tips": []}', "contributor: is missing"),
        ('{"format": "other", "version": 1, "tips": []}', "not an adherelog tip bundle"),
        ('{"format": "adherelog-tips", "version": true, "tips": []}', "must be the integer 1"),
        ("\xff", "not UTF-8"),
    ],
)
def test_bad_bundles_are_refused_naming_the_place(tmp_path: Path, raw: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(raw.encode("utf-8") if raw != "\xff" else b"\xff")
    ok("tip", "add", "mine")
    before = dump(connect())
    line = fail(1, "tip", "import", str(path), "--from", "group")
    assert line.startswith(f"adherelog: {path} was not imported: ")
    assert message in line
    assert dump(connect()) == before


def test_all_or_nothing_when_the_last_tip_is_bad(tmp_path: Path) -> None:
    good = [{"text": f"tip {n}", "worked": True} for n in range(5)]
    path = write_bundle(tmp_path / "b.json", bundle(*good, {"text": "bad", "tags": "food"}))
    assert "tips[5].tags: must be a list" in fail(1, "tip", "import", path)
    assert not Path(os.environ["ADHERELOG_DB"]).exists()  # not even an empty journal
    ok("tip", "add", "tip 1")
    before = dump(connect())
    assert "tips[5].tags: must be a list" in fail(1, "tip", "import", path)
    assert dump(connect()) == before


def test_size_and_count_caps(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    payload = json.dumps(bundle({"text": "x"}))
    big.write_bytes(payload.encode() + b" " * (MAX_BYTES + 1 - len(payload)))
    assert "larger than 1 MiB" in fail(1, "tip", "import", str(big))
    exact = tmp_path / "exact.json"
    exact.write_bytes(payload.encode() + b" " * (MAX_BYTES - len(payload)))
    assert data("tip", "import", str(exact))["added"] == 1
    many = write_bundle(
        tmp_path / "many.json", bundle(*[{"text": f"t{n}"} for n in range(MAX_TIPS + 1)])
    )
    assert "holds 501 tips; the limit is 500" in fail(1, "tip", "import", many)
    enough = write_bundle(
        tmp_path / "enough.json", bundle(*[{"text": f"t{n}"} for n in range(MAX_TIPS)])
    )
    assert data("tip", "import", enough)["added"] == MAX_TIPS


def test_text_is_nfc_normalised_and_stripped(tmp_path: Path) -> None:
    path = write_bundle(
        tmp_path / "b.json",
        bundle(
            {
                "text": "  Cafe\u0301 helps  ",
                "medication": " Sertrali\u0301ne ",
                "tags": ["cafe\u0301"],
            }
        ),
    )
    ok("tip", "import", path)
    tip = data("tip", "list")["tips"][0]
    assert tip["text"] == "Café helps"
    assert tip["medication"] == "Sertralíne"
    assert tip["tags"] == ["café"]


def test_import_from_stdin_and_labels(tmp_path: Path) -> None:
    from adherelog.cli.app import app

    raw = json.dumps(bundle({"text": "from stdin"})).encode()
    result = CliRunner().invoke(app, ["tip", "import", "-"], input=raw)
    assert result.exit_code == 0, result.stderr
    assert data("tip", "list")["tips"][0]["from"] == "stdin"
    path = write_bundle(tmp_path / "group tips.json", bundle({"text": "from a file"}))
    ok("tip", "import", path)
    assert data("tip", "list")["tips"][1]["from"] == "group tips.json"
    assert "--from label" in fail(2, "tip", "import", path, "--from", "bad\u202elabel")
    assert "There is no file" in fail(1, "tip", "import", str(tmp_path / "missing.json"))


# --- identity and "worked for N peers" -----------------------------------------------------


def test_counting_peers_once_per_bundle(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food", "--med", "sertraline", "--effect", "nausea")
    first = write_bundle(
        tmp_path / "a.json",
        bundle(
            {
                "text": "take it  WITH food",
                "medication": "Sertraline",
                "side_effect": "Nausea",
                "worked": True,
            },
            {
                "text": "Take it with food",
                "medication": "sertraline",
                "side_effect": "nausea",
                "worked": True,
            },
            {"text": "New tip", "worked": True},
            {"text": "Other tip", "worked": False},
        ),
    )
    doc = data("tip", "import", first, "--from", "Alice")
    assert (doc["added"], doc["already_held"], doc["peers_worked_raised"]) == (2, 2, 1)
    assert not doc["dry_run"]
    by_text = {t["text"]: t for t in data("tip", "list")["tips"]}
    assert by_text["Take it with food"]["peers_worked"] == 1
    assert by_text["Take it with food"]["source"] == "mine"
    assert by_text["New tip"]["peers_worked"] == 1
    assert by_text["Other tip"]["peers_worked"] == 0
    # The same file again, and the same content reordered and re-cased: nothing changes.
    before = dump(connect())
    again = data("tip", "import", first, "--from", "Alice again")
    assert (again["added"], again["already_held"], again["peers_worked_raised"]) == (0, 4, 0)
    assert again["already_imported"] is True
    # The same tips in another order (and another language) are the same version 1 bundle.
    same = write_bundle(
        tmp_path / "same.json",
        bundle(
            {"text": "Other tip", "worked": False},
            {"text": "New tip", "worked": True},
            {
                "text": "Take it with food",
                "medication": "sertraline",
                "side_effect": "nausea",
                "worked": True,
            },
            {
                "text": "take it  WITH food",
                "medication": "Sertraline",
                "side_effect": "Nausea",
                "worked": True,
            },
            language="fr",
        ),
    )
    assert data("tip", "import", same)["already_imported"] is True
    assert dump(connect()) == before
    # Another spelling is another version 1 bundle: an unnamed peer of its own (SPEC §7).
    recased = write_bundle(tmp_path / "recased.json", bundle({"text": "NEW tip", "worked": True}))
    assert data("tip", "import", recased)["peers_worked_raised"] == 1
    by_text = {t["text"]: t for t in data("tip", "list")["tips"]}
    assert by_text["New tip"]["peers_worked"] == 2
    # Another bundle that says it worked: one more peer.
    second = write_bundle(
        tmp_path / "b.json",
        bundle(
            {
                "text": "Take it with food",
                "medication": "sertraline",
                "side_effect": "nausea",
                "worked": True,
            }
        ),
    )
    assert data("tip", "import", second, "--from", "Bob")["peers_worked_raised"] == 1
    by_text = {t["text"]: t for t in data("tip", "list")["tips"]}
    assert by_text["Take it with food"]["peers_worked"] == 2


def test_dry_run_reports_the_same_and_writes_nothing(tmp_path: Path) -> None:
    db = Path(os.environ["ADHERELOG_DB"])
    path = write_bundle(
        tmp_path / "b.json",
        bundle({"text": "one", "worked": True}, {"text": "two"}, {"text": "ONE"}),
    )
    dry = data("tip", "import", path, "--dry-run", "--from", "group")
    assert not db.exists()  # a dry run does not even create the journal
    assert dry["dry_run"] is True
    assert [t["action"] for t in dry["tips"]] == ["add", "add", "held"]
    real = data("tip", "import", path, "--from", "group")
    assert {k: real[k] for k in ("added", "already_held", "peers_worked_raised")} == {
        k: dry[k] for k in ("added", "already_held", "peers_worked_raised")
    }
    out = ok("tip", "import", path, "--dry-run").stdout
    assert (
        out == "This bundle was already imported (from 'group' on Sun 22 Nov 2026);"
        " nothing would change.\n"
    )


def test_dry_run_human_output_lists_added_and_held(tmp_path: Path) -> None:
    short = data("tip", "add", "Ginger tea", "--effect", "nausea")["short_id"]
    path = write_bundle(
        tmp_path / "b.json",
        bundle(
            {"text": "ginger  TEA", "side_effect": "Nausea", "worked": True},
            {"text": "Peppermint", "medication": "sertraline", "side_effect": "nausea"},
        ),
    )
    before = dump(connect())
    out = ok("tip", "import", path, "--dry-run", "--from", "Tuesday group").stdout.splitlines()
    assert out == [
        "Would add 1 tip from 'Tuesday group'; 1 already held; 1 tip would count one more peer "
        "it helped.",
        "Would be added:",
        "  + tips[1] Peppermint (sertraline, nausea)",
        "Already held:",
        f"  = tips[0] ginger  TEA (Nausea) — held as {short} — helped one more peer",
        "Dry run: nothing was written.",
    ]
    assert dump(connect()) == before


# --- export -------------------------------------------------------------------------------


def test_export_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    ok("tip", "add", "Take it with food", "--med", "sertraline", "--tag", "food")
    ok("tip", "add", "Walk", "--med", "metformin")
    result = invoke("tip", "export", "--med", "sertraline")
    assert result.exit_code == 0
    assert result.stderr == "Wrote 1 tip to stdout.\n"
    doc = json.loads(result.stdout)
    signer = {key: doc.pop(key) for key in ("contributor", "serial", "signature")}
    assert signer["serial"] == 1
    assert doc == {
        "format": "adherelog-tips",
        "version": 2,
        "language": "en",
        "license": "CC0-1.0",
        "tips": [
            {
                "text": "Take it with food",
                "medication": "sertraline",
                "side_effect": None,
                "tags": ["food"],
                "worked": None,
            }
        ],
    }
    # --json changes nothing: the document is the bundle, signed with the next serial.
    again = json.loads(invoke("tip", "export", "--med", "sertraline", "--json").stdout)
    assert again["serial"] == 2
    assert again["contributor"] == signer["contributor"]
    assert {k: v for k, v in again.items() if k not in ("serial", "signature")} == {
        **doc,
        "contributor": signer["contributor"],
    }
    target = tmp_path / "tips.json"
    written = invoke("tip", "export", "-o", str(target))
    assert written.exit_code == 0
    assert written.stdout == ""
    assert written.stderr == f"Wrote 2 tips to {target}.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(json.loads(target.read_text())["tips"]) == 2
    assert "already exists; use --force" in fail(1, "tip", "export", "-o", str(target))
    assert (
        invoke("tip", "export", "--med", "metformin", "-o", str(target), "--force").exit_code == 0
    )
    assert json.loads(target.read_text())["tips"][0]["text"] == "Walk"
    assert "does not exist" in fail(1, "tip", "export", "-o", str(tmp_path / "no" / "t.json"))
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert "symbolic link" in fail(1, "tip", "export", "-o", str(link), "--force")


def test_export_by_id_and_markdown() -> None:
    ok("tip", "add", "First *bold* tip", "--effect", "nausea")
    second = data("tip", "add", "Second tip", "--tag", "sleep")["short_id"]
    ok("tip", "rate", second, "--helped")
    one = json.loads(invoke("tip", "export", "--id", second).stdout)
    assert [t["text"] for t in one["tips"]] == ["Second tip"]
    assert one["tips"][0]["worked"] is True
    md = invoke("tip", "export", "--format", "md")
    assert md.stderr == "Wrote 2 tips to stdout.\n"
    lines = md.stdout.splitlines()
    assert "- First \\*bold\\* tip (side effect: nausea)" in lines
    assert "- Second tip (tags: sleep; worked for me)" in lines
    assert lines[-1].startswith("*These are peers' experiences, not medical advice.")
    assert "Unknown format 'csv'" in fail(2, "tip", "export", "--format", "csv")


def test_export_refuses_more_tips_than_a_bundle_holds() -> None:
    ok("tip", "add", "seed")
    conn = connect()
    try:
        conn.executemany(
            "INSERT INTO tips (id, text, identity, tags, source, created_at)"
            " VALUES (?, ?, ?, '[]', 'mine', '2026-11-01T00:00:00Z')",
            [
                (f"{n:08x}-0000-4000-8000-000000000000", f"tip {n}", f"i{n}")
                for n in range(MAX_TIPS)
            ],
        )
    finally:
        conn.close()
    assert "501 tips match, but a bundle holds at most 500" in fail(1, "tip", "export")
    assert invoke("tip", "export", "--format", "md").exit_code == 0


# --- privacy --------------------------------------------------------------------------------

SECRETS = [
    "NOTE-MED-private",
    "NOTE-DOSE-private",
    "REASON-SKIP-private",
    "NOTE-EFFECT-private",
    "50 mg",
]


def build_private_journal() -> None:
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
        "30",
    )
    for day in range(15, 22):
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
    ok("skip", "sertraline", "--at", "today 08:00", "--reason", "REASON-SKIP-private")
    ok(
        "effect",
        "add",
        "nausea",
        "--severity",
        "3",
        "--med",
        "sertraline",
        "--note",
        "NOTE-EFFECT-private",
    )
    ok(
        "tip",
        "add",
        "Take it with food",
        "--med",
        "sertraline",
        "--effect",
        "nausea",
        "--tag",
        "food",
    )
    short = data("tip", "list")["tips"][0]["short_id"]
    ok("tip", "rate", short, "--helped")


def test_exports_carry_only_the_bundle_fields() -> None:
    build_private_journal()
    ids = [t["id"] for t in data("tip", "list")["tips"]]
    ids += [r["id"] for r in data("history", "--since", "2026-11-01")["records"] if r["id"]]
    for fmt in ("json", "md"):
        text = invoke("tip", "export", "--format", fmt).stdout
        for secret in SECRETS:
            assert secret not in text
        assert not ISO_DATE.search(text)
        assert "08:05" not in text
        for full in ids:
            assert full[:8] not in text
    doc = json.loads(invoke("tip", "export").stdout)
    assert set(doc) == {
        "format",
        "version",
        "language",
        "license",
        "tips",
        "contributor",
        "serial",
        "signature",
    }
    assert [set(t) for t in doc["tips"]] == [
        {"text", "medication", "side_effect", "tags", "worked"}
    ]


# --- two people swapping files --------------------------------------------------------------


def test_two_people_swap_tips_end_to_end(tmp_path: Path) -> None:
    alice = {"ADHERELOG_DB": str(tmp_path / "alice.db")}
    bob = {"ADHERELOG_DB": str(tmp_path / "bob.db")}

    def cli(env: dict[str, str], *args: str) -> str:
        done = run(*args, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli(
        alice,
        "tip",
        "add",
        "Take it with a small snack",
        "--med",
        "sertraline",
        "--effect",
        "nausea",
        "--tag",
        "food",
    )
    cli(alice, "tip", "add", "Set two alarms")
    short = json.loads(cli(alice, "tip", "list", "--json"))["tips"][0]["short_id"]
    cli(alice, "tip", "rate", short, "--helped")
    alice_file = tmp_path / "from-alice.json"
    done = run("tip", "export", "-o", str(alice_file), env=alice)
    assert done.returncode == 0
    assert done.stderr == f"Wrote 2 tips to {alice_file}.\n"

    dry = json.loads(
        cli(bob, "tip", "import", str(alice_file), "--from", "Alice", "--dry-run", "--json")
    )
    assert (dry["added"], dry["dry_run"]) == (2, True)
    cli(bob, "tip", "import", str(alice_file), "--from", "Alice")
    bob_tips = json.loads(cli(bob, "tip", "list", "--json"))["tips"]
    assert [(t["text"], t["source"], t["from"], t["peers_worked"]) for t in bob_tips] == [
        ("Take it with a small snack", "peer", "Alice", 1),
        ("Set two alarms", "peer", "Alice", 0),
    ]
    cli(bob, "tip", "rate", bob_tips[0]["short_id"], "--helped")
    cli(bob, "tip", "rate", bob_tips[1]["short_id"], "--helped")
    cli(bob, "tip", "add", "Ginger tea", "--effect", "nausea")
    bob_file = tmp_path / "from-bob.json"
    cli(bob, "tip", "export", "-o", str(bob_file))

    result = json.loads(cli(alice, "tip", "import", str(bob_file), "--from", "Bob", "--json"))
    assert (result["added"], result["already_held"], result["peers_worked_raised"]) == (1, 2, 2)
    again = json.loads(cli(alice, "tip", "import", str(bob_file), "--from", "Bob", "--json"))
    assert (again["added"], again["peers_worked_raised"]) == (0, 0)
    alice_tips = json.loads(cli(alice, "tip", "list", "--json"))["tips"]
    assert [(t["text"], t["source"], t["worked"], t["peers_worked"]) for t in alice_tips] == [
        ("Take it with a small snack", "mine", True, 1),
        ("Set two alarms", "mine", None, 1),
        ("Ginger tea", "peer", None, 0),
    ]
    listing = cli(alice, "tip", "list", "--effect", "nausea")
    assert "helped 1 of 1 peer" in listing
    assert "from 'Bob', imported Sun 22 Nov 2026" in listing


def test_usage_errors_in_import_and_export_exit_2() -> None:
    with pytest.raises(UsageError):
        tips.import_label("", "x.json")
    assert tips.import_label(None, "peers/x\x1b[31m.json") == "x\\x1b[31m.json"
    assert tips.import_label(None, "-") == "stdin"
    assert "--mine or --peer" in fail(2, "tip", "export", "--mine", "--peer")
