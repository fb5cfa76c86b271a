"""fhir: a FHIR R4 Bundle of MedicationAdministration resources (SPEC §8)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adherelog.fhir import dose_quantity, parse_dose
from helpers import invoke, ok

UCUM = "http://unitsofmeasure.org"

# FHIR R4 value sets and formats this export must respect.
ADMIN_STATUS = {
    "in-progress",
    "not-done",
    "on-hold",
    "completed",
    "entered-in-error",
    "stopped",
    "unknown",
}
BUNDLE_TYPES = {
    "document",
    "message",
    "transaction",
    "transaction-response",
    "batch",
    "batch-response",
    "history",
    "searchset",
    "collection",
}
URN_UUID = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# A dateTime with a time must carry a zone offset (or Z).
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
PERSONAL = {"name", "telecom", "address", "birthDate", "gender", "identifier", "photo", "contact"}


def structure_problems(bundle: Any) -> list[str]:
    """What breaks the R4 rules this export relies on: the Bundle's required fields, each
    MedicationAdministration's required fields (status, medication[x], subject,
    effective[x]), the status value set, mad-1 and references that resolve in the bundle."""
    problems: list[str] = []
    if bundle.get("resourceType") != "Bundle":
        problems.append("resourceType is not Bundle")
    if bundle.get("type") not in BUNDLE_TYPES:
        problems.append("type is not a Bundle type")
    urls: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(bundle.get("entry", [])):
        where = f"entry[{index}]"
        url = entry.get("fullUrl", "")
        resource = entry.get("resource")
        if not URN_UUID.fullmatch(url):
            problems.append(f"{where}.fullUrl {url!r} is not a urn:uuid")
        if url in urls:
            problems.append(f"{where}.fullUrl repeats")
        if not isinstance(resource, dict) or "resourceType" not in resource:
            problems.append(f"{where}.resource has no resourceType")
            continue
        urls[url] = resource
        if "id" in resource and not FHIR_ID.fullmatch(resource["id"]):
            problems.append(f"{where}.resource.id is not a FHIR id")
    for index, entry in enumerate(bundle.get("entry", [])):
        resource = entry["resource"]
        where = f"entry[{index}].resource"
        if resource["resourceType"] == "Patient":
            if PERSONAL & set(resource):
                problems.append(f"{where} carries personal data")
            continue
        if resource["resourceType"] != "MedicationAdministration":
            problems.append(f"{where} is a {resource['resourceType']}")
            continue
        if resource.get("status") not in ADMIN_STATUS:
            problems.append(f"{where}.status is not in the value set")
        medications = [k for k in resource if k.startswith("medication")]
        if medications != ["medicationCodeableConcept"] or not resource[medications[0]].get("text"):
            problems.append(f"{where} needs exactly one medication[x] with a text")
        effective = [k for k in resource if k.startswith("effective")]
        if effective != ["effectiveDateTime"] or not DATE_TIME.fullmatch(
            resource["effectiveDateTime"]
        ):
            problems.append(f"{where} needs effectiveDateTime with an offset")
        subject = resource.get("subject", {}).get("reference")
        if subject not in urls or urls[subject]["resourceType"] != "Patient":
            problems.append(f"{where}.subject does not resolve to a Patient in the bundle")
        dosage = resource.get("dosage")
        if (
            dosage is not None
            and "dose" not in dosage
            and not any(k.startswith("rate") for k in dosage)
        ):
            problems.append(f"{where}.dosage breaks mad-1 (dose or rate)")
        if resource.get("status") == "not-done" and not resource.get("statusReason"):
            problems.append(f"{where} is not-done without a statusReason")
        if "statusReason" in resource and not all(
            isinstance(r, dict) and r.get("text") for r in resource["statusReason"]
        ):
            problems.append(f"{where}.statusReason must be CodeableConcepts with text")
    return problems


def bundle(*args: str) -> Any:
    return json.loads(ok("fhir", *args).stdout)


def administrations(doc: Any) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in doc["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
    ]


@pytest.fixture
def doses() -> dict[str, Any]:
    ok("med", "add", "Sertraline", "--dose", "50 mg", "--time", "08:00", "--start", "2026-10-01")
    ok("med", "add", "Ibuprofen", "--as-needed", "--start", "2026-10-01")
    taken = json.loads(
        ok("take", "sertraline", "--at", "2026-11-20 08:20", "--note", "private", "--json").stdout
    )
    skipped = json.loads(
        ok("skip", "sertraline", "--at", "2026-11-21 08:30", "--reason", "nausea", "--json").stdout
    )
    bare = json.loads(ok("skip", "sertraline", "--at", "08:30", "--json").stdout)
    extra = json.loads(
        ok("take", "ibuprofen", "--at", "2026-11-19 14:00", "--amount", "2", "--json").stdout
    )
    old = json.loads(ok("take", "sertraline", "--at", "2026-10-10 08:00", "--json").stdout)
    return {"taken": taken, "skipped": skipped, "bare": bare, "extra": extra, "old": old}


def test_doses_and_skips_become_a_valid_collection(doses: dict[str, Any]) -> None:
    doc = bundle()
    assert structure_problems(doc) == []
    assert doc["resourceType"] == "Bundle"
    assert doc["type"] == "collection"
    assert doc["timestamp"] == "2026-11-22T09:10:00+00:00"
    patient = doc["entry"][0]
    assert patient["resource"] == {"resourceType": "Patient", "id": patient["resource"]["id"]}
    assert patient["fullUrl"] == "urn:uuid:" + patient["resource"]["id"]
    by_id = {r["id"]: r for r in administrations(doc)}
    # The default period is the last 30 days: the dose of 10 October is left out.
    assert set(by_id) == {doses[k]["id"] for k in ("taken", "skipped", "bare", "extra")}
    for entry in doc["entry"][1:]:
        assert entry["fullUrl"] == "urn:uuid:" + entry["resource"]["id"]
    taken = by_id[doses["taken"]["id"]]
    assert taken == {
        "resourceType": "MedicationAdministration",
        "id": doses["taken"]["id"],
        "identifier": [
            {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + doses["taken"]["id"]}
        ],
        "status": "completed",
        "medicationCodeableConcept": {"text": "Sertraline"},
        "subject": {"reference": patient["fullUrl"]},
        "effectiveDateTime": "2026-11-20T08:20:00+00:00",
        "dosage": {
            "text": "50 mg",
            "dose": {"value": 50, "unit": "mg", "system": UCUM, "code": "mg"},
        },
    }
    skipped = by_id[doses["skipped"]["id"]]
    assert skipped["status"] == "not-done"
    assert skipped["statusReason"] == [{"text": "nausea"}]
    assert skipped["effectiveDateTime"] == "2026-11-21T08:00:00+00:00"  # the dose not taken
    assert "dosage" not in skipped
    assert by_id[doses["bare"]["id"]]["statusReason"] == [{"text": "skipped"}]
    extra = by_id[doses["extra"]["id"]]
    # No dose text: the units taken, still with a unit.
    assert extra["dosage"] == {
        "dose": {"value": 2, "unit": "unit", "system": UCUM, "code": "{unit}"}
    }
    assert "private" not in json.dumps(doc)  # notes stay in the journal


def test_an_id_tells_no_time_but_the_one_the_resource_shows(doses: dict[str, Any]) -> None:
    """Record ids are version 7 UUIDs that hold a time: the one shown next to them. A skip
    recorded at 08:30 is shown as of its 08:00 slot, and its id says 08:00 too."""
    resources = administrations(bundle())
    assert len(resources) == 4
    for resource in resources:
        held = uuid.UUID(resource["id"]).int >> 80  # milliseconds since 1970
        shown = datetime.fromisoformat(resource["effectiveDateTime"])
        assert datetime.fromtimestamp(held / 1000, UTC) == shown, resource["id"]


def test_since_widens_the_period_and_times_keep_their_offset(doses: dict[str, Any]) -> None:
    ok("med", "add", "Metformin", "--time", "08:00", "--start", "2026-07-01")
    ok("take", "metformin", "--at", "2026-07-15 08:10")
    doc = bundle("--since", "2026-07-01")
    assert structure_problems(doc) == []
    times = {r["medicationCodeableConcept"]["text"]: r for r in administrations(doc)}
    assert times["Metformin"]["effectiveDateTime"] == "2026-07-15T08:10:00+01:00"
    assert len(administrations(doc)) == 6
    until = bundle("--since", "2026-07-01", "--until", "2026-10-31")
    assert len(administrations(until)) == 2


def test_an_empty_journal_gives_a_bundle_with_only_the_patient() -> None:
    doc = bundle()
    assert structure_problems(doc) == []
    assert [e["resource"]["resourceType"] for e in doc["entry"]] == ["Patient"]


def test_the_validator_catches_what_it_checks(doses: dict[str, Any]) -> None:
    doc = bundle()
    broken = json.loads(json.dumps(doc))
    first = broken["entry"][1]["resource"]
    first["status"] = "done"
    first["subject"] = {"reference": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    first["effectiveDateTime"] = "2026-11-20T08:20:00"
    first["dosage"] = {"text": "50 mg"}
    broken["entry"][0]["resource"]["name"] = [{"text": "Jane"}]
    assert len(structure_problems(broken)) == 5


def test_fhir_writes_with_o_and_json_changes_nothing(tmp_path: Path, doses: dict[str, Any]) -> None:
    assert ok("fhir", "--json").stdout == ok("fhir").stdout
    target = tmp_path / "doses.fhir.json"
    result = invoke("fhir", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Wrote the FHIR bundle to {target}.\n"
    assert json.loads(target.read_text(encoding="utf-8")) == bundle()


@pytest.mark.parametrize(
    ("text", "amount", "per_dose", "expected"),
    [
        ("1000 mg", 1.0, 1.0, {"value": 1000, "unit": "mg", "system": UCUM, "code": "mg"}),
        ("500 mg", 2.0, 1.0, {"value": 1000, "unit": "mg", "system": UCUM, "code": "mg"}),
        ("2 tablets", 2.0, 2.0, {"value": 2, "unit": "tablet", "system": UCUM, "code": "{tablet}"}),
        ("0,5 mL", 1.0, 1.0, {"value": 0.5, "unit": "mL", "system": UCUM, "code": "mL"}),
        (
            "one in the evening",
            2.0,
            1.0,
            {"value": 2, "unit": "unit", "system": UCUM, "code": "{unit}"},
        ),
        (None, 1.0, 1.0, {"value": 1, "unit": "unit", "system": UCUM, "code": "{unit}"}),
    ],
)
def test_a_dose_always_carries_its_unit(
    text: str | None, amount: float, per_dose: float, expected: dict[str, Any]
) -> None:
    assert dose_quantity(text, amount, per_dose) == expected


def test_dose_text_that_is_not_a_number_and_a_unit_is_not_parsed() -> None:
    assert parse_dose("1-2 tablets") is None
    assert parse_dose("500 furlongs") is None
    assert parse_dose("500 mg") == (500.0, "mg", "mg")
