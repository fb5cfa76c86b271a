"""Doses as a FHIR R4 Bundle of MedicationAdministration resources (SPEC §8).

The bundle is of type ``collection``. Each dose is a ``completed`` administration and each
skip a ``not-done`` one whose ``statusReason`` is the reason given (or "skipped"). Every
administration refers to one placeholder Patient in the bundle that carries no personal
data. Records are addressed as ``urn:uuid:<record id>``, so the same dose has the same
address in every export. Notes are not written. Nothing here prints.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from adherelog.clock import local_iso
from adherelog.journal import Journal
from adherelog.model import Med, Record
from adherelog.views import iso_in, number

DEFAULT_DAYS = 30
# The placeholder patient: the same id in every export, derived from nothing personal.
PATIENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "urn:adherelog:patient"))
STATUS = {"dose": "completed", "skip": "not-done"}


def _urn(value: str) -> str:
    return f"urn:uuid:{value}"


UCUM = "http://unitsofmeasure.org"
# Dose units people type → (unit shown, UCUM code). Counted forms are UCUM annotations.
UNITS = {
    "mg": ("mg", "mg"),
    "g": ("g", "g"),
    "mcg": ("µg", "ug"),
    "µg": ("µg", "ug"),
    "μg": ("µg", "ug"),
    "ug": ("µg", "ug"),
    "ml": ("mL", "mL"),
    "l": ("L", "L"),
    "iu": ("IU", "[iU]"),
    "ie": ("IU", "[iU]"),
    "unit": ("unit", "[U]"),
    "units": ("unit", "[U]"),
    "tablet": ("tablet", "{tablet}"),
    "tablets": ("tablet", "{tablet}"),
    "tab": ("tablet", "{tablet}"),
    "tabs": ("tablet", "{tablet}"),
    "capsule": ("capsule", "{capsule}"),
    "capsules": ("capsule", "{capsule}"),
    "caps": ("capsule", "{capsule}"),
    "drop": ("drop", "[drp]"),
    "drops": ("drop", "[drp]"),
    "puff": ("puff", "{puff}"),
    "puffs": ("puff", "{puff}"),
}
_DOSE_TEXT = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*([^\d\s]+)\s*")


def parse_dose(text: str | None) -> tuple[float, str, str] | None:
    """``"500 mg"`` → (500.0, "mg", "mg"); ``"2 tablets"`` → (2.0, "tablet", "{tablet}");
    None when the text is not one number and a known unit."""
    if not text:
        return None
    found = _DOSE_TEXT.fullmatch(text)
    if found is None:
        return None
    unit = UNITS.get(found.group(2).casefold())
    if unit is None:
        return None
    return float(found.group(1).replace(",", ".")), unit[0], unit[1]


def dose_quantity(text: str | None, amount: float, per_dose: float) -> dict[str, Any]:
    """A dose as a FHIR SimpleQuantity that always carries its unit: from the dose text
    when it is a number and a unit (scaled when a dose of other than the usual units was
    taken), else the units taken."""
    parsed = parse_dose(text)
    if parsed is not None:
        value, unit, code = parsed
        if per_dose > 0 and amount != per_dose:
            value = value * amount / per_dose
        return {"value": number(value), "unit": unit, "system": UCUM, "code": code}
    return {"value": number(amount), "unit": "unit", "system": UCUM, "code": "{unit}"}


def administration(record: Record, med: Med | None) -> dict[str, Any]:
    """One MedicationAdministration for a dose or a skip."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": record.id,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": _urn(record.id)}],
        "status": STATUS[record.kind],
    }
    if record.kind == "skip":
        resource["statusReason"] = [{"text": record.note or "skipped"}]
    resource["medicationCodeableConcept"] = {"text": record.med_name or "unknown medication"}
    resource["subject"] = {"reference": _urn(PATIENT_ID)}
    if record.kind == "skip" and record.slot_at is not None:
        # What was not done is the scheduled dose.
        resource["effectiveDateTime"] = iso_in(record.slot_at, record.slot_zone)
    else:
        resource["effectiveDateTime"] = iso_in(record.at, record.zone)
    if record.kind == "dose":
        version = med.version_at(record.slot_at or record.at) if med else None
        dosage: dict[str, Any] = {}
        if version is not None and version.dose:
            dosage["text"] = version.dose
        if record.amount is not None:
            per_dose = med.per_dose if med is not None else 1.0
            dosage["dose"] = dose_quantity(
                version.dose if version else None, record.amount, per_dose
            )
            resource["dosage"] = dosage  # FHIR mad-1: a dosage needs a dose or a rate
    return resource


def build_bundle(journal: Journal, since: datetime, until: datetime | None) -> dict[str, Any]:
    """The doses and skips recorded in ``[since, until)`` (``until`` None: up to now),
    oldest first."""
    records = [r for r in journal.history(since=since, until=until) if r.kind in ("dose", "skip")]
    meds = {m.id: m for m in journal.meds()}
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": _urn(PATIENT_ID),
            "resource": {"resourceType": "Patient", "id": PATIENT_ID},
        }
    ]
    for record in records:
        entries.append(
            {
                "fullUrl": _urn(record.id),
                "resource": administration(record, meds.get(record.med_id or "")),
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": local_iso(journal.now, journal.zone),
        "entry": entries,
    }
