"""Doses as a FHIR R4 Bundle of MedicationAdministration resources (SPEC §8).

The bundle is of type ``collection``. Each dose is a ``completed`` administration and each
skip a ``not-done`` one whose ``statusReason`` is the reason given (or "skipped"). Every
administration refers to one placeholder Patient in the bundle that carries no personal
data. Records are addressed as ``urn:uuid:<record id>``, so the same dose has the same
address in every export. Notes are not written. Nothing here prints.
"""

from __future__ import annotations

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
            dosage["dose"] = {"value": number(record.amount)}
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
