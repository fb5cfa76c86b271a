"""Side effects (SPEC §7): recording and listing them.

A side effect is a record of kind ``effect`` with a name, an optional severity from 1 (mild)
to 5 (severe) and an optional medication. Names are stored as typed and compared
case-insensitively ("Nausea" and "nausea" are one side effect; :mod:`adherelog.summary`
counts them that way). No printing here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adherelog import doses, undo
from adherelog.errors import UsageError
from adherelog.model import Record
from adherelog.rules import MAX_NAME, MAX_NOTE, MAX_SEVERITY, MIN_SEVERITY
from adherelog.session import Session, new_record_id
from adherelog.storage import records as stored_records
from adherelog.text import check_text, name_key, one_line
from adherelog.views import SEVERITY_WORDS


def parse_severity(text: str | None) -> int | None:
    """A severity given as ``1``–``5`` or as its word (``moderate``); None stays None."""
    if text is None:
        return None
    value = text.strip().casefold()
    if value in SEVERITY_WORDS:
        return SEVERITY_WORDS.index(value) + 1
    if value.isascii() and value.isdigit() and MIN_SEVERITY <= int(value) <= MAX_SEVERITY:
        return int(value)
    words = ", ".join(f"{i} {w}" for i, w in enumerate(SEVERITY_WORDS, start=1))
    raise UsageError(
        f"The severity '{one_line(text)}' is not understood; "
        f"give {MIN_SEVERITY} to {MAX_SEVERITY} or a word ({words})."
    )


def add_effect(
    journal: Session,
    name: str,
    *,
    severity: int | None = None,
    med: str | None = None,
    at: datetime | None = None,
    note: str | None = None,
) -> Record:
    """``effect add``: record a side effect, linked to a medication or not, at ``at``
    (default now; backdating is allowed, the future is not)."""
    clean = check_text(name, "side effect name", max_len=MAX_NAME)
    if severity is not None and not MIN_SEVERITY <= severity <= MAX_SEVERITY:
        raise UsageError(
            f"The severity must be from {MIN_SEVERITY} to {MAX_SEVERITY}, not {severity}."
        )
    clean_note = None
    if note is not None:
        clean_note = (
            check_text(note, "note", max_len=MAX_NOTE, min_len=0, allow_newline=True) or None
        )
    moment = (at or journal.now).astimezone(UTC)
    journal.check_not_future(moment, "a side effect")
    record_id = new_record_id(moment)
    with journal.store.write() as conn:
        med_id = journal.med(med).id if med is not None else None
        made = doses.new_record(
            journal,
            record_id,
            "effect",
            med_id,
            moment,
            None,
            note=clean_note,
            effect=clean,
            severity=severity,
        )
        doses.write_record(journal, conn, made)
        undo.log_change(journal, conn, "effect", record_id, med_id, None)
    return doses.record(journal, record_id)


def list_effects(
    journal: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    med: str | None = None,
    name: str | None = None,
) -> list[Record]:
    """``effect list``: side effects in time order, optionally within ``[since, until)``,
    for one medication, or with one name (any case)."""
    if since is not None and until is not None and since >= until:
        raise UsageError("--since must be before --until.")
    med_id = journal.med(med).id if med is not None else None
    records = stored_records.records_between(
        journal.conn, since, until, med_id=med_id, kind="effect"
    )
    if name is not None:
        key = name_key(name)
        records = [r for r in records if name_key(r.effect or "") == key]
    return records


undo.register("effect", doses.undo_record)
