"""Every command's ``--json`` document, pinned by a golden file under ``tests/golden/``.

Each command in the dispatch table runs on a journal the test builds, at the fixed clock;
ids, short ids and paths become placeholders before the comparison. A command without a
golden fails. ``ADHERELOG_UPDATE_GOLDEN=1 pytest tests/test_jsonshape.py`` rewrites the
goldens (review the diff before committing it).
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from adherelog import session
from adherelog.cli.dispatch_table import COMMANDS
from adherelog.views import severity_word
from helpers import data, invoke, ok, use_fixed_keys

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ADHERELOG_UPDATE_GOLDEN") == "1"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Commands whose document is not JSON even with --json: their golden holds the text.
TEXT_DOCUMENTS = {("calendar",), ("report",)}

# A buddy's journal writes a card; this journal imports it as ana's.
_ANA: tuple[tuple[str, ...], ...] = (
    ("--db", "{tmp}/ana.db", "share", "card", "--format", "json", "-o", "{tmp}/ana.json"),
    ("buddy", "import", "{tmp}/ana.json", "--as", "ana"),
)

# What each command runs: the commands before the last prepare for it, the last prints the
# document. ``{tmp}`` is the test's folder, ``{tip}`` the id of the tip the journal holds.
RUNS: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {
    ("backup",): (("backup", "{tmp}/backup.db"),),
    ("buddy", "checkin"): (
        *_ANA,
        ("buddy", "checkin", "ana", "--at", "2026-11-22 08:00", "--note", "talked"),
    ),
    ("buddy", "import"): (_ANA[0], ("buddy", "import", "{tmp}/ana.json", "--as", "ana")),
    ("buddy", "list"): (*_ANA, ("buddy", "list")),
    ("buddy", "rm"): (*_ANA, ("buddy", "rm", "ana")),
    ("buddy", "set"): (
        *_ANA,
        ("buddy", "set", "ana", "--every", "5", "--send-via", "ntfy://user:pw@ntfy.sh/topic"),
    ),
    ("buddy", "show"): (*_ANA, ("buddy", "show", "ana")),
    ("goal", "add"): (
        ("goal", "add", "Evening dose on time", "--med", "Sertraline", "--target", "90"),
    ),
    ("goal", "done"): (("goal", "add", "Walk daily"), ("goal", "done", "1")),
    ("goal", "list"): (
        ("goal", "add", "Evening dose on time", "--med", "Sertraline", "--target", "90"),
        ("goal", "list"),
    ),
    ("goal", "rm"): (("goal", "add", "Walk daily"), ("goal", "rm", "1")),
    ("calendar",): (("calendar", "--days", "2"),),
    ("check",): (("check",),),
    ("due",): (("due",),),
    ("effect", "add"): (
        ("effect", "add", "headache", "--severity", "3", "--med", "Sertraline", "--note", "dull"),
    ),
    ("effect", "list"): (("effect", "list"),),
    ("export",): (("export",),),
    ("fhir",): (("fhir",),),
    ("history",): (("history",),),
    ("identity",): (("identity",),),
    ("identity", "new"): (("identity",), ("identity", "new", "--yes")),
    ("import",): (("export", "-o", "{tmp}/export.json"), ("import", "{tmp}/export.json")),
    ("med", "add"): (("med", "add", "Metformin", "--time", "08:00", "--on", "mon,wed,fri"),),
    ("med", "edit"): (("med", "edit", "Sertraline", "--time", "09:00", "--from", "2026-11-24"),),
    ("med", "list"): (("med", "stop", "Ibuprofen"), ("med", "list", "--all")),
    ("med", "refill"): (("med", "refill", "Sertraline", "28"),),
    ("med", "resume"): (("med", "stop", "Sertraline"), ("med", "resume", "Sertraline")),
    ("med", "rm"): (("med", "add", "Aspirin", "--as-needed"), ("med", "rm", "Aspirin")),
    ("med", "show"): (("med", "show", "Sertraline"),),
    ("med", "stop"): (("med", "stop", "Sertraline", "--from", "2026-11-25"),),
    ("remind",): (("remind", "--dry-run"),),
    ("remind", "config"): (
        ("remind", "config", "--via", "ntfy://ntfy.example/my-secret-topic", "--discreet"),
    ),
    ("remind", "install"): (("remind", "install", "--every", "10"),),
    ("remind", "uninstall"): (("remind", "install"), ("remind", "uninstall")),
    ("med", "taper"): (
        ("med", "taper", "Sertraline", "--step", "2026-11-29 25 mg", "--stop", "2026-12-06"),
    ),
    ("report",): (("report",),),
    ("restore",): (("backup", "{tmp}/backup.db"), ("restore", "{tmp}/backup.db")),
    ("sample",): (("--db", "{tmp}/sample.db", "sample", "--days", "7"),),
    ("share", "card"): (("share", "card"),),
    ("skip",): (("skip", "Sertraline", "--at", "2026-11-22 08:00", "--reason", "nausea"),),
    ("streak",): (("streak",),),
    ("summary",): (("summary", "--explain"),),
    ("take",): (("take", "Sertraline", "Ibuprofen", "--note", "with breakfast"),),
    ("tip", "add"): (("tip", "add", "A cold flannel helps", "--effect", "headache"),),
    ("tip", "export"): (("tip", "export"),),
    ("tip", "import"): (
        ("tip", "export", "-o", "{tmp}/tips.json"),
        ("tip", "rm", "{tip}"),
        # Another journal imports it: the journal's own bundle would change nothing.
        ("--db", "{tmp}/peer.db", "tip", "import", "{tmp}/tips.json", "--from", "Sam"),
    ),
    ("tip", "edit"): (("tip", "edit", "{tip}", "Ginger tea settles it, sipped slowly"),),
    ("tip", "digest"): (
        ("tip", "export", "-o", "{tmp}/bundles/a.json"),
        ("--db", "{tmp}/b.db", "tip", "import", "{tmp}/bundles/a.json"),
        ("--db", "{tmp}/b.db", "tip", "export", "-o", "{tmp}/bundles/b.json"),
        ("tip", "digest", "{tmp}/bundles", "--group", "Tuesday group", "--min-peers", "2"),
    ),
    ("tip", "list"): (("tip", "list"),),
    ("tip", "rate"): (("tip", "rate", "{tip}", "--helped"),),
    ("tip", "rm"): (("tip", "rm", "{tip}"),),
    ("tip", "schema"): (("tip", "schema"),),
    ("tip", "show"): (("tip", "show", "{tip}"),),
    ("undo",): (("undo",),),
}


@pytest.fixture(autouse=True)
def fixed_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal's keys (SPEC §11) are random; here each new pair is the next fixed one."""
    use_fixed_keys(monkeypatch)


@pytest.fixture(autouse=True)
def ids_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """New ids count up, so rows sorted by id (as ``export`` sorts them) keep one order."""
    counter = itertools.count(1)

    def counted() -> str:
        return str(uuid.UUID(int=next(counter), version=4))

    # Every module that makes records holds its own reference to session.new_id.
    for name in ("doses", "effects", "meds", "tips"):
        importlib.import_module(f"adherelog.{name}")
    real = session.new_id
    for name, module in list(sys.modules.items()):
        if name.startswith("adherelog") and getattr(module, "new_id", None) is real:
            monkeypatch.setattr(module, "new_id", counted)


def _journal() -> str:
    """A small journal of two weeks: a scheduled and an as-needed medication, doses, a skip,
    a side effect and a rated tip. Returns the tip's id."""
    ok(
        "med",
        "add",
        "Sertraline",
        "--dose",
        "50 mg",
        "--time",
        "08:00",
        "--time",
        "20:00",
        "--start",
        "2026-11-08",
        "--supply",
        "30",
        "--per-dose",
        "1",
        "--note",
        "with food",
    )
    ok("med", "add", "Ibuprofen", "--dose", "200 mg", "--as-needed", "--start", "2026-11-08")
    for day in range(8, 22):
        ok("take", "Sertraline", "--at", f"2026-11-{day:02} 08:05")
        if day != 20:
            ok("take", "Sertraline", "--at", f"2026-11-{day:02} 20:40")
    ok("skip", "Sertraline", "--at", "2026-11-20 20:00", "--reason", "felt sick")
    ok("take", "Ibuprofen", "--at", "2026-11-21 13:00", "--amount", "2")
    ok(
        "effect",
        "add",
        "nausea",
        "--severity",
        "2",
        "--med",
        "Sertraline",
        "--at",
        "2026-11-20 19:00",
        "--note",
        "after lunch",
    )
    tip = data(
        "tip",
        "add",
        "Ginger tea settles it",
        "--med",
        "Sertraline",
        "--effect",
        "nausea",
        "--tag",
        "food",
    )
    ok("tip", "rate", tip["id"], "--helped")
    return str(tip["id"])


def _stable(value: Any, ids: dict[str, str], tmp: str) -> Any:
    """``value`` with each id as ``<id-N>`` (numbered in order of appearance), short ids as
    ``<short-id>`` and the test's folder as ``{tmp}``."""
    if isinstance(value, dict):
        return {
            k: "<short-id>" if k == "short_id" and v else _stable(v, ids, tmp)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_stable(v, ids, tmp) for v in value]
    if isinstance(value, str):
        value = UUID.sub(lambda m: ids.setdefault(m.group(), f"<id-{len(ids) + 1}>"), value)
        # The folder of this interpreter's scripts (``remind install`` names adherelog's).
        return value.replace(tmp, "{tmp}").replace(str(Path(sys.executable).parent), "{bin}")
    return value


def _golden_name(command: tuple[str, ...]) -> Path:
    return GOLDEN / ("-".join(command) + ".json")


def test_every_command_has_a_golden() -> None:
    assert sorted(RUNS) == sorted(COMMANDS)
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == sorted(
        _golden_name(c).name for c in RUNS
    )


@pytest.mark.parametrize("command", sorted(RUNS), ids="-".join)
def test_json_document_matches_its_golden(command: tuple[str, ...], tmp_path: Path) -> None:
    tip = _journal()
    (tmp_path / "bundles").mkdir()
    steps = [[a.format(tmp=tmp_path, tip=tip) for a in step] for step in RUNS[command]]
    for step in steps[:-1]:
        assert invoke(*step).exit_code == 0, step
    result = invoke(*steps[-1], "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    printed = result.stdout if command in TEXT_DOCUMENTS else json.loads(result.stdout)
    document = _stable(printed, {}, str(tmp_path))
    golden = _golden_name(command)
    if UPDATE:
        golden.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    assert golden.exists(), f"no golden for {command}; set ADHERELOG_UPDATE_GOLDEN=1"
    assert document == json.loads(golden.read_text())


def test_stable_numbers_ids_in_order_and_hides_paths() -> None:
    a, b = "0" * 8 + "-0000-4000-8000-" + "0" * 12, "1" * 8 + "-1111-4111-8111-" + "1" * 12
    document = {"id": b, "short_id": "1111", "refs": [a, b], "path": "/t/x/backup.db"}
    assert _stable(document, {}, "/t/x") == {
        "id": "<id-1>",
        "short_id": "<short-id>",
        "refs": ["<id-2>", "<id-1>"],
        "path": "{tmp}/backup.db",
    }


def test_effect_add_prints_every_field_effect_list_prints() -> None:
    _journal()
    added = data("effect", "add", "headache", "--severity", "4", "--at", "2026-11-22 08:30")
    [listed] = [e for e in data("effect", "list")["effects"] if e["id"] == added["id"]]
    assert added == {**added, **listed}
    assert added["severity_word"] == severity_word(4) == "strong"


def test_effect_add_prints_the_record_history_prints() -> None:
    _journal()
    added = data("effect", "add", "headache", "--severity", "4", "--at", "2026-11-22 08:30")
    [record] = data("history", "--since", "2026-11-22 08:00", "--until", "2026-11-22 09:00")[
        "records"
    ]
    assert record == {k: v for k, v in added.items() if k != "severity_word"}
