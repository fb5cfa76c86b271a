"""Coping tips (SPEC §7): mine and peers', short ids, ratings and the peer-tip exchange.

A tip is either mine (typed with ``tip add``) or a peer's (read from a bundle with ``tip
import``, labelled with where it came from and when). Two tips are the same when their
identity (:func:`adherelog.tipfile.tip_identity`) is equal, so the journal holds each tip
once. How many peers a tip worked for is not stored as a number but derived from the
``tip_bundle_worked`` table: one row per imported bundle that said the tip worked. Importing
a bundle twice changes nothing because every imported bundle is remembered by its
fingerprint. The bundle format itself lives in :mod:`adherelog.tipfile`. No printing here.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from adherelog import filekind, infile, tipfile, undo
from adherelog.clock import from_utc_text
from adherelog.errors import (
    ConflictError,
    InvalidFileError,
    NotFoundError,
    UsageError,
)
from adherelog.session import Session, new_id
from adherelog.storage import tips as stored_tips
from adherelog.storage import undo as undo_log
from adherelog.text import check_text, fit_text, one_line
from adherelog.tipfile import BundleTip

SHORT_ID = 8
MIN_PREFIX = 4
SOURCES = ("mine", "peer")
STDIN = "-"


@dataclass(frozen=True)
class Tip:
    """A tip as the journal holds it."""

    id: str
    short_id: str
    text: str
    medication: str | None
    side_effect: str | None
    tags: tuple[str, ...]
    source: str  # "mine" or "peer"
    from_label: str | None  # the import label of a peer's tip
    imported_at: datetime | None  # UTC
    worked: bool | None  # my own rating
    peers_worked: int  # peer bundles that said it worked
    created_at: datetime  # UTC
    identity: str

    def bundle_tip(self) -> BundleTip:
        """The tip as a bundle carries it: the shareable fields and my own rating only."""
        return BundleTip(
            text=self.text,
            medication=self.medication,
            side_effect=self.side_effect,
            tags=self.tags,
            worked=self.worked,
        )


@dataclass(frozen=True)
class TipFilter:
    """The filters of ``tip list`` and ``tip export``; every one given must match."""

    med: str | None = None
    effect: str | None = None
    tags: tuple[str, ...] = ()
    search: str | None = None
    source: str | None = None  # "mine", "peer" or None for both
    ids: tuple[str, ...] = ()  # id prefixes


def fold(value: str) -> str:
    """How tip labels, tags and search words compare: NFC, casefolded, whitespace
    collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


# ----------------------------------------------------------------------------- short ids


def _hex(tip_id: str) -> str:
    return tip_id.replace("-", "").lower()


def short_ids(ids: Iterable[str]) -> dict[str, str]:
    """For each id, its shortest hex prefix of at least 8 characters that no other id
    shares (like git's abbreviated hashes)."""
    ordered = sorted(set(ids), key=_hex)
    hexes = [_hex(i) for i in ordered]
    result: dict[str, str] = {}
    for n, (tip_id, value) in enumerate(zip(ordered, hexes, strict=True)):
        length = SHORT_ID
        for other in (hexes[n - 1] if n else None, hexes[n + 1] if n + 1 < len(hexes) else None):
            if other is None:
                continue
            common = 0
            while common < min(len(value), len(other)) and value[common] == other[common]:
                common += 1
            length = max(length, common + 1)
        result[tip_id] = value[: min(length, len(value))]
    return result


def _prefix(text: str) -> str:
    value = text.strip().lower().replace("-", "")
    if len(value) < MIN_PREFIX or any(ch not in "0123456789abcdef" for ch in value):
        raise UsageError(
            f"'{one_line(text)}' is not a tip id; give at least {MIN_PREFIX} of the hex "
            "characters 'adherelog tip list' shows, e.g. 3f2a."
        )
    return value


def _resolve(conn: sqlite3.Connection, text: str) -> str:
    """The full id of the one tip whose id starts with ``text``."""
    prefix = _prefix(text)
    rows = stored_tips.ids_starting(conn, prefix)
    if not rows:
        raise NotFoundError(f"No tip with id '{one_line(text)}'; 'adherelog tip list' shows them.")
    if len(rows) > 1:
        shown = _short_map(conn)
        candidates = ", ".join(shown[r] for r in rows[:10])
        more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        raise ConflictError(
            f"The tip id '{one_line(text)}' is ambiguous: it could be {candidates}{more}. "
            "Give more characters."
        )
    return rows[0]


def _short_map(conn: sqlite3.Connection) -> dict[str, str]:
    return short_ids(stored_tips.tip_ids(conn))


# ------------------------------------------------------------------------------- reading


def _tip_from_row(row: sqlite3.Row, shorts: dict[str, str]) -> Tip:
    tip_id = str(row["id"])
    worked = row["worked"]
    return Tip(
        id=tip_id,
        short_id=shorts.get(tip_id, _hex(tip_id)[:SHORT_ID]),
        text=row["text"],
        medication=row["medication"],
        side_effect=row["side_effect"],
        tags=tuple(str(t) for t in json.loads(row["tags"] or "[]")),
        source=row["source"],
        from_label=row["from_label"],
        imported_at=None if row["imported_at"] is None else from_utc_text(row["imported_at"]),
        worked=None if worked is None else bool(worked),
        peers_worked=int(row["peers_worked"]),
        created_at=from_utc_text(row["created_at"]),
        identity=row["identity"],
    )


def _all_tips(conn: sqlite3.Connection) -> list[Tip]:
    shorts = _short_map(conn)
    return [_tip_from_row(row, shorts) for row in stored_tips.all_tips(conn)]


def _tip_by_id(conn: sqlite3.Connection, tip_id: str) -> Tip:
    row = stored_tips.tip_by_id(conn, tip_id)
    if row is None:
        raise NotFoundError(f"No tip with id '{one_line(tip_id)}'.")
    return _tip_from_row(row, _short_map(conn))


def get_tip(journal: Session, tip_id: str) -> Tip:
    """``tip show``: the tip whose id starts with ``tip_id`` (at least 4 hex characters)."""
    return _tip_by_id(journal.conn, _resolve(journal.conn, tip_id))


def _matches(tip: Tip, filters: TipFilter, ids: set[str] | None) -> bool:
    if ids is not None and tip.id not in ids:
        return False
    if filters.source is not None and tip.source != filters.source:
        return False
    if filters.med is not None and fold(tip.medication or "") != fold(filters.med):
        return False
    if filters.effect is not None and fold(tip.side_effect or "") != fold(filters.effect):
        return False
    if filters.tags:
        held = {fold(tag) for tag in tip.tags}
        if not all(fold(tag) in held for tag in filters.tags):
            return False
    if filters.search:
        text = fold(tip.text)
        if not all(word in text for word in fold(filters.search).split()):
            return False
    return True


def list_tips(journal: Session, filters: TipFilter | None = None) -> list[Tip]:
    """``tip list``: the tips that match every filter, oldest first."""
    filters = filters or TipFilter()
    if filters.source is not None and filters.source not in SOURCES:
        raise UsageError(f"The source must be 'mine' or 'peer', not '{one_line(filters.source)}'.")
    ids = {_resolve(journal.conn, text) for text in filters.ids} if filters.ids else None
    return [tip for tip in _all_tips(journal.conn) if _matches(tip, filters, ids)]


# ------------------------------------------------------------------------------- writing


def _label(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    return check_text(value, what, max_len=tipfile.MAX_LABEL)


def _clean_tags(tags: Sequence[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        value = check_text(tag, "tag", max_len=tipfile.MAX_TAG)
        if fold(value) not in seen:
            seen.add(fold(value))
            cleaned.append(value)
    if len(cleaned) > tipfile.MAX_TAGS:
        raise UsageError(f"A tip has at most {tipfile.MAX_TAGS} tags, not {len(cleaned)}.")
    return tuple(cleaned)


def add_tip(
    journal: Session,
    text: str,
    *,
    medication: str | None = None,
    side_effect: str | None = None,
    tags: Sequence[str] = (),
) -> Tip:
    """``tip add``: one of my own tips. A tip the journal already holds (same identity) is
    refused with its id."""
    clean_text = check_text(text, "tip", max_len=tipfile.MAX_TEXT, allow_newline=True)
    med = _label(medication, "medication")
    effect = _label(side_effect, "side effect")
    clean_tags = _clean_tags(tags)
    identity = tipfile.tip_identity(clean_text, med, effect)
    tip_id = new_id()
    with journal.store.write() as conn:
        held = stored_tips.id_of_identity(conn, identity)
        if held is not None:
            short = _short_map(conn)[held]
            raise ConflictError(
                f"The journal already holds this tip as {short}; "
                f"'adherelog tip rate {short} --helped' rates it."
            )
        stored_tips.insert_tip(
            conn,
            tip_id,
            text=clean_text,
            identity=identity,
            medication=med,
            side_effect=effect,
            tags=clean_tags,
            source="mine",
            from_label=None,
            imported_at=None,
            created_at=journal.now,
        )
        undo.log_change(journal, conn, "tip", tip_id, None, None)
    return _tip_by_id(journal.conn, tip_id)


def rate_tip(journal: Session, tip_id: str, *, helped: bool) -> Tip:
    """``tip rate``: my own rating, which ``tip export`` passes on as ``worked``."""
    with journal.store.write() as conn:
        full = _resolve(conn, tip_id)
        stored_tips.set_worked(conn, full, helped)
    return _tip_by_id(journal.conn, full)


def _delete(conn: sqlite3.Connection, tip: Tip) -> None:
    stored_tips.delete_tip(conn, tip.id, tip.identity)
    undo_log.forget_ref(conn, "tip", tip.id)


def remove_tip(journal: Session, tip_id: str) -> Tip:
    """``tip rm``: delete a tip for good, with the peer counts that belonged to it."""
    with journal.store.write() as conn:
        tip = _tip_by_id(conn, _resolve(conn, tip_id))
        _delete(conn, tip)
    return tip


def summary_text(tip: Tip, width: int = 50) -> str:
    """The start of the tip's text on one line, for messages."""
    flat = " ".join(tip.text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def undo_tip(journal: Session, conn: sqlite3.Connection, ref_id: str) -> undo.Undone:
    """``undo`` of ``tip add``: the tip is deleted (imports are not undone)."""
    try:
        tip = _tip_by_id(conn, ref_id)
    except NotFoundError:
        return undo.Undone("tip", "a tip that was already removed", ref_id, None)
    _delete(conn, tip)
    return undo.Undone("tip", f"tip {tip.short_id} '{summary_text(tip)}'", tip.id, tip)


undo.register("tip", undo_tip)


# ------------------------------------------------------------------------------- export

EXPORTERS: dict[str, Callable[[Sequence[BundleTip]], str]] = {
    "json": lambda tips: tipfile.dumps_bundle(tipfile.build_bundle(tips)),
    "md": tipfile.render_markdown,
}


@dataclass(frozen=True)
class Export:
    """A document ready to be written, and how many tips it holds."""

    document: str
    count: int


def export_tips(journal: Session, filters: TipFilter | None = None, fmt: str = "json") -> Export:
    """``tip export``: the matching tips as a bundle (``json``) or a forum post (``md``).

    Only the bundle's fields leave the journal: text, medication, side effect, tags and my
    own rating. A JSON export is read back with the importer's own rules before it is
    returned, so adherelog never writes a bundle that adherelog would refuse.
    """
    writer = EXPORTERS.get(fmt)
    if writer is None:
        raise UsageError(f"Unknown format '{one_line(fmt)}'; use json or md.")
    tips = [tip.bundle_tip() for tip in list_tips(journal, filters)]
    if fmt == "json" and len(tips) > tipfile.MAX_TIPS:
        raise ConflictError(
            f"{len(tips)} tips match, but a bundle holds at most {tipfile.MAX_TIPS}; "
            "choose some with --med, --effect, --tag, --search or --id."
        )
    document = writer(tips)
    if fmt == "json":
        try:
            tipfile.parse_bundle(document.encode("utf-8"))
        except InvalidFileError as exc:
            raise ConflictError(
                f"These tips do not make a valid bundle ({exc}); choose fewer with --id or "
                "the filters."
            ) from None
    return Export(document, len(tips))


# ------------------------------------------------------------------------------- import


def read_source(source: str, stdin: BinaryIO) -> bytes:
    """The bytes of ``source`` (a path, or ``-`` for ``stdin``), reading at most one byte
    more than a bundle may hold; a larger file is refused before it is parsed."""
    shown = one_line(source) if source != STDIN else "The input"
    if source != STDIN:
        kind = filekind.detect(infile.head(source))
        filekind.expect(kind, frozenset({filekind.Kind.TIP_BUNDLE}), shown, "a tip bundle")
    data = infile.read_all(source, tipfile.MAX_BYTES, "a tip bundle", stdin=stdin)
    return data


def import_label(label: str | None, source: str) -> str:
    """The import label: ``--from`` checked like any typed name, else the file's name made
    to follow the same rule (printable, NFC, cut then stripped; ``stdin`` for ``-``), so
    ``check`` and a later import of the journal's export accept it."""
    if label is not None:
        return check_text(label, "--from label", max_len=tipfile.MAX_LABEL)
    if source == STDIN:
        return "stdin"
    return fit_text(Path(source).name, tipfile.MAX_LABEL) or "file"


@dataclass(frozen=True)
class Bundle:
    """A peer's bundle, checked: its tips and its fingerprint."""

    tips: list[BundleTip]
    fingerprint: str


def load_bundle(data: bytes, source: str = "The file") -> Bundle:
    """Check ``data`` against every rule of the format; :class:`InvalidFileError` (naming
    ``source``, the tip index and the field) at the first problem, nothing else."""
    try:
        tips = tipfile.parse_bundle(data)
    except InvalidFileError as exc:
        shown = "The input" if source == STDIN else one_line(source)
        raise InvalidFileError(f"{shown} was not imported: {exc}") from None
    return Bundle(tips, tipfile.bundle_fingerprint(tips))


@dataclass(frozen=True)
class ImportItem:
    """What happens to one tip of a bundle."""

    index: int
    tip: BundleTip
    action: str  # "add" or "held"
    raised: bool  # the count of peers for whom it worked goes up by one
    existing: str | None = None  # short id of the tip already held


@dataclass(frozen=True)
class ImportResult:
    label: str
    dry_run: bool
    items: list[ImportItem] = field(default_factory=list)
    previous_label: str | None = None  # set when this very bundle was imported before
    previous_at: datetime | None = None

    @property
    def added(self) -> int:
        return sum(1 for item in self.items if item.action == "add")

    @property
    def already_held(self) -> int:
        return sum(1 for item in self.items if item.action == "held")

    @property
    def peers_worked_raised(self) -> int:
        return sum(1 for item in self.items if item.raised)


def _plan(
    conn: sqlite3.Connection, tips: Sequence[BundleTip], fingerprint: str, label: str, dry: bool
) -> ImportResult:
    previous = stored_tips.bundle_imported(conn, fingerprint)
    shorts = _short_map(conn)
    held = {
        identity: shorts[tip_id] for identity, tip_id in stored_tips.ids_by_identity(conn).items()
    }
    items: list[ImportItem] = []
    added: set[str] = set()
    vouched: set[str] = set()
    for index, tip in enumerate(tips):
        identity = tipfile.tip_identity(tip.text, tip.medication, tip.side_effect)
        if previous is not None:
            items.append(ImportItem(index, tip, "held", False, held.get(identity)))
            continue
        vouch = tip.worked is True and identity not in vouched
        if vouch:
            vouched.add(identity)
        if identity in held or identity in added:
            items.append(ImportItem(index, tip, "held", vouch, held.get(identity)))
        else:
            added.add(identity)
            items.append(ImportItem(index, tip, "add", False))
    return ImportResult(
        label=label,
        dry_run=dry,
        items=items,
        previous_label=None if previous is None else str(previous["label"]),
        previous_at=None if previous is None else from_utc_text(previous["imported_at"]),
    )


def import_bundle(
    journal: Session, bundle: Bundle, *, label: str, dry_run: bool = False
) -> ImportResult:
    """``tip import``: every tip of a peer's bundle that the journal does not hold yet.

    All of it is imported or nothing is (one transaction). A tip already held gains one
    "worked for" peer when the bundle says it worked, once per bundle; a bundle imported
    before (same fingerprint) changes nothing. ``dry_run`` reports the same without writing.
    """
    tips, fingerprint = bundle.tips, bundle.fingerprint
    if dry_run:
        return _plan(journal.conn, tips, fingerprint, label, True)
    with journal.store.write() as conn:
        result = _plan(conn, tips, fingerprint, label, False)
        if result.previous_label is not None:
            return result
        stored_tips.insert_bundle(conn, fingerprint, label, journal.now, len(tips))
        worked: set[str] = set()
        for item in result.items:
            tip = item.tip
            identity = tipfile.tip_identity(tip.text, tip.medication, tip.side_effect)
            if item.action == "add":
                stored_tips.insert_tip(
                    conn,
                    new_id(),
                    text=tip.text,
                    identity=identity,
                    medication=tip.medication,
                    side_effect=tip.side_effect,
                    tags=tip.tags,
                    source="peer",
                    from_label=label,
                    imported_at=journal.now,
                    created_at=journal.now,
                )
            if tip.worked is True and identity not in worked:
                worked.add(identity)
                stored_tips.insert_worked(conn, fingerprint, identity)
    return result
