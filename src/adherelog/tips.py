"""Coping tips (SPEC §7): mine and peers', short ids, ratings and the peer-tip exchange.

A tip is either mine (typed with ``tip add``) or a peer's (read from a bundle with ``tip
import``, labelled with where it came from and when). Two tips are the same when their
identity (:func:`adherelog.tipfile.tip_identity`) is equal, so the journal holds each tip
once. Peers are counted as people (SPEC §7): for each contributor, the journal keeps the
highest serial imported and that contributor's latest rating of each tip it listed; a
version 1 bundle, which names nobody, counts as one contributor of its own. A bundle from
this journal, or not newer than one already imported from its contributor, changes
nothing. A group's digest adds its figures apart from the individual peers'. The formats
live in :mod:`adherelog.tipfile`; signing in :mod:`adherelog.identity`. No printing here.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
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
from adherelog.valueclass import dataclass, field, replace

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
    peers_worked: int  # peers whose latest rating is "worked"
    created_at: datetime  # UTC
    identity: str
    peers_tried: int = 0  # peers whose latest rating is "worked" or "did not work"
    peers_shared: int = 0  # peers whose bundles listed it, rated or not
    group: str | None = None  # the group of the digest whose figures are shown
    group_worked: int | None = None
    group_tried: int | None = None

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


def short_ids(ids: Iterable[str], only: Iterable[str] | None = None) -> dict[str, str]:
    """For each id (or each of ``only``, which must be among ``ids``), its shortest hex
    prefix of at least 8 characters that no other id shares (like git's abbreviated
    hashes)."""
    ordered = sorted(set(ids), key=_hex)
    hexes = [_hex(i) for i in ordered]
    result: dict[str, str] = {}
    if only is None:
        wanted: Iterable[int] = range(len(ordered))
    else:
        position = {tip_id: n for n, tip_id in enumerate(ordered)}
        wanted = sorted({position[tip_id] for tip_id in only})
    for n in wanted:
        tip_id, value = ordered[n], hexes[n]
        length = SHORT_ID
        for other in (hexes[n - 1] if n else None, hexes[n + 1] if n + 1 < len(hexes) else None):
            # Ids that differ in their first SHORT_ID - 1 digits need no more than SHORT_ID.
            if other is None or other[: SHORT_ID - 1] != value[: SHORT_ID - 1]:
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
        peers_tried=int(row["peers_tried"]),
        peers_shared=int(row["peers_shared"]),
        group=row["group_label"],
        group_worked=row["group_worked"],
        group_tried=row["group_tried"],
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


def edit_tip(journal: Session, tip_id: str, text: str) -> Tip:
    """``tip edit``: change the text of one of my own tips (to take out an e-mail address
    before sharing it, say). Its ratings and counts stay with it."""
    clean_text = check_text(text, "tip", max_len=tipfile.MAX_TEXT, allow_newline=True)
    with journal.store.write() as conn:
        tip = _tip_by_id(conn, _resolve(conn, tip_id))
        if tip.source != "mine":
            raise ConflictError(
                f"Tip {tip.short_id} came from a peer; only your own tips can be edited "
                "(add your own wording with 'adherelog tip add')."
            )
        identity = tipfile.tip_identity(clean_text, tip.medication, tip.side_effect)
        other = stored_tips.id_of_identity(conn, identity)
        if other is not None and other != tip.id:
            raise ConflictError(
                f"The journal already holds this text as tip {_short_map(conn)[other]}."
            )
        stored_tips.set_text(conn, tip.id, clean_text, tip.identity, identity)
    return _tip_by_id(journal.conn, tip.id)


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


@dataclass(frozen=True)
class Withheld:
    """A tip kept out of an export, and why (SPEC §7 "What leaves")."""

    tip: Tip
    reason: str


# The heading of a Markdown export, by the tips it holds (``--mine``, ``--peer``, all).
MD_TITLES = {
    "mine": "My coping tips",
    "peer": "Coping tips from peers",
    None: "Coping tips",
}


@dataclass(frozen=True)
class Export:
    """A document ready to be written, how many tips it holds, and what was kept out."""

    document: str
    count: int
    withheld: tuple[Withheld, ...] = ()
    dry_run: bool = False


def _bundle_json(tips: Sequence[BundleTip]) -> str:
    return tipfile.dumps_bundle(tipfile.build_bundle(tips))


EXPORTERS: dict[str, Callable[[Sequence[BundleTip]], str]] = {
    "json": _bundle_json,
    "md": tipfile.render_markdown,
}


def _shareable(
    tips: Sequence[Tip], allow_links: bool
) -> tuple[list[BundleTip], tuple[Withheld, ...]]:
    kept: list[BundleTip] = []
    withheld: list[Withheld] = []
    for tip in tips:
        reason = tipfile.private_detail(tip.bundle_tip(), allow_links=allow_links)
        if reason is None:
            kept.append(tip.bundle_tip())
        else:
            withheld.append(Withheld(tip, reason))
    return kept, tuple(withheld)


def export_tips(
    journal: Session,
    filters: TipFilter | None = None,
    fmt: str = "json",
    *,
    allow_links: bool = False,
    dry_run: bool = False,
    publish: Callable[[Export], None] | None = None,
) -> Export:
    """``tip export``: the matching tips as a signed version 2 bundle (``json``) or a forum
    post (``md``).

    Only the bundle's fields leave the journal: text, medication, side effect, tags and my
    own rating. A tip holding an e-mail address, a phone number, an @handle or (unless
    ``allow_links``) a link is withheld and listed in the result. A JSON export is signed
    inside a write transaction (it uses up the next serial) and read back with the
    importer's own rules, so adherelog never writes a bundle that adherelog would refuse;
    ``publish`` is called inside that transaction, so a document that cannot be written
    uses up no serial. ``dry_run`` signs nothing and uses no serial: the document shows the
    contributor and the serial it would have, without a signature.
    """
    if fmt not in EXPORTERS:
        raise UsageError(f"Unknown format '{one_line(fmt)}'; use json or md.")
    kept, withheld = _shareable(list_tips(journal, filters), allow_links)
    if fmt == "md" or (fmt == "json" and len(kept) > tipfile.MAX_TIPS):
        if fmt == "json":
            raise ConflictError(
                f"{len(kept)} tips match, but a bundle holds at most {tipfile.MAX_TIPS}; "
                "choose some with --med, --effect, --tag, --search or --id."
            )
        if fmt == "md":
            source = None if filters is None else filters.source
            text = tipfile.render_markdown(kept, title=MD_TITLES.get(source, "Coping tips"))
        else:
            text = EXPORTERS[fmt](kept)
        result = Export(text, len(kept), withheld, dry_run)
        if publish is not None and not dry_run:
            publish(result)
        return result
    from adherelog import identity  # imported here: signing loads cryptography

    unsigned = tipfile.build_bundle(kept, version=tipfile.SIGNED_VERSION)
    if dry_run:
        preview = identity.preview(journal.conn, unsigned)
        return Export(tipfile.dumps_bundle(preview), len(kept), withheld, True)
    with journal.store.write() as conn:
        signed = identity.sign(conn, unsigned, journal.now)
        document = tipfile.dumps_bundle(signed)
        try:
            tipfile.read_bundle(document.encode("utf-8"))
        except InvalidFileError as exc:
            raise ConflictError(
                f"These tips do not make a valid bundle ({exc}); choose fewer with --id or "
                "the filters."
            ) from None
        result = Export(document, len(kept), withheld)
        if publish is not None:
            publish(result)
    return result


# ------------------------------------------------------------------------------- import


_BUNDLE_KINDS = frozenset({filekind.Kind.TIP_BUNDLE, filekind.Kind.TIP_DIGEST})


def read_source(
    source: str, stdin: BinaryIO, unseal: Callable[[bytes], bytes] | None = None
) -> bytes:
    """The bytes of ``source`` (a path, or ``-`` for ``stdin``), reading at most one byte
    more than a bundle may hold; a larger file is refused before it is parsed. An age file
    is decrypted by ``unseal`` (SPEC §8) and its plaintext held to the same limit."""
    shown = one_line(source) if source != STDIN else "The input"
    if source != STDIN:
        kind = filekind.detect(infile.head(source))
        if kind is filekind.Kind.AGE and unseal is not None:
            from adherelog import agefile

            sealed = infile.read_all(
                source, agefile.sealed_limit(tipfile.MAX_BYTES), "an encrypted tip bundle"
            )
            data = unseal(sealed)
            if len(data) > tipfile.MAX_BYTES:
                raise InvalidFileError(
                    f"{shown} holds more than 1 MiB, the most a tip bundle may be; nothing"
                    " was imported."
                )
            kind = filekind.detect(data[: infile.HEAD_BYTES])
            filekind.expect(kind, _BUNDLE_KINDS, shown, "a tip bundle")
            return data
        filekind.expect(kind, _BUNDLE_KINDS, shown, "a tip bundle")
    return infile.read_all(source, tipfile.MAX_BYTES, "a tip bundle", stdin=stdin)


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
    """A peer's file, checked: a bundle's tips (with its signer and serial for version 2),
    or a group's digest."""

    tips: list[BundleTip]
    fingerprint: str  # the version 1 fingerprint older adherelog remembered bundles by
    version: int = tipfile.VERSION
    contributor: str | None = None
    serial: int | None = None
    digest: tipfile.Digest | None = None

    def counted_as(self) -> tuple[str, int, tuple[str, ...]]:
        """Who this bundle counts as, its serial, and other names the same version 1
        bundle was remembered by before (older journals' fingerprints)."""
        if self.contributor is not None and self.serial is not None:
            return self.contributor, self.serial, ()
        distinct = "v1:" + tipfile.distinct_bundle_key(self.tips)
        return distinct, 1, ("v1:" + self.fingerprint,)


def load_bundle(data: bytes, source: str = "The file") -> Bundle:
    """Check ``data`` against every rule of its format (a bundle, version 1 or 2, or a
    digest); :class:`InvalidFileError` (naming ``source``, the tip index and the field) at
    the first problem, nothing else."""
    try:
        if tipfile.file_format(data) == tipfile.DIGEST_FORMAT:
            digest = tipfile.read_digest(data)
            tips = [BundleTip(t.text, t.medication, t.side_effect, t.tags) for t in digest.tips]
            return Bundle(
                tips,
                tipfile.bundle_fingerprint(tips),
                contributor=digest.contributor,
                serial=digest.serial,
                digest=digest,
            )
        parsed = tipfile.read_bundle(data)
    except InvalidFileError as exc:
        shown = "The input" if source == STDIN else one_line(source)
        raise InvalidFileError(f"{shown} was not imported: {exc}") from None
    return Bundle(
        parsed.tips,
        tipfile.bundle_fingerprint(parsed.tips),
        parsed.version,
        parsed.contributor,
        parsed.serial,
    )


@dataclass(frozen=True)
class ImportItem:
    """What happens to one tip of a bundle."""

    index: int
    tip: BundleTip
    action: str  # "add", "held", or "skip" (not held, and the file changes nothing)
    raised: bool  # the count of peers for whom it worked goes up by one
    existing: str | None = None  # short id of the tip already held
    lowered: bool = False  # that count goes down: the peer's newer rating is not "worked"


@dataclass(frozen=True)
class ImportResult:
    label: str
    dry_run: bool
    items: list[ImportItem] = field(default_factory=list)
    previous_label: str | None = None  # set when the file changes nothing: imported before
    previous_at: datetime | None = None
    own: bool = False  # this journal's own bundle: nothing changes
    contributor: str | None = None  # who signed it (None for version 1)
    kind: str = "bundle"  # or "digest"
    group: str | None = None  # a digest's group
    serial: int | None = None
    held_serial: int | None = None  # the serial already imported from this contributor

    @property
    def added(self) -> int:
        return sum(1 for item in self.items if item.action == "add")

    @property
    def already_held(self) -> int:
        return sum(1 for item in self.items if item.action == "held")

    @property
    def peers_worked_raised(self) -> int:
        return sum(1 for item in self.items if item.raised)

    @property
    def peers_worked_lowered(self) -> int:
        return sum(1 for item in self.items if item.lowered)

    @property
    def changes_nothing(self) -> bool:
        return self.own or self.previous_label is not None


def _unchanged(
    result: ImportResult, bundle: Bundle, held: dict[str, str], previous: sqlite3.Row | None
) -> ImportResult:
    items = []
    for index, tip in enumerate(bundle.tips):
        existing = held.get(tipfile.tip_identity(tip.text, tip.medication, tip.side_effect))
        items.append(ImportItem(index, tip, "held" if existing else "skip", False, existing))
    if previous is None:
        return replace(result, items=items)
    return replace(
        result,
        items=items,
        previous_label=str(previous["label"]),
        previous_at=from_utc_text(previous["imported_at"]),
        held_serial=int(previous["serial"]),
    )


def _plan(conn: sqlite3.Connection, bundle: Bundle, label: str, dry: bool) -> ImportResult:
    from adherelog import identity  # only the keys' table: no cryptography unless keys exist

    # Only the tips this file lists are looked up: a journal may hold ten thousand.
    listed = {tipfile.tip_identity(t.text, t.medication, t.side_effect) for t in bundle.tips}
    found = stored_tips.ids_of_identities(conn, listed)
    shorts = short_ids(stored_tips.tip_ids(conn), only=found.values()) if found else {}
    held = {identity_: shorts[tip_id] for identity_, tip_id in found.items()}
    who, serial, alternates = bundle.counted_as()
    result = ImportResult(
        label=label,
        dry_run=dry,
        contributor=bundle.contributor,
        serial=bundle.serial,
        kind="digest" if bundle.digest is not None else "bundle",
        group=None if bundle.digest is None else bundle.digest.group,
    )
    if bundle.digest is not None:
        previous = stored_tips.digest(conn, who)
        if previous is not None and int(previous["serial"]) >= serial:
            return _unchanged(result, bundle, held, previous)
        before: dict[str, bool | None] = {}
    else:
        if bundle.contributor is not None and bundle.contributor == identity.own_contributor(conn):
            return _unchanged(replace(result, own=True), bundle, held, None)
        previous = None
        for name in (who, *alternates):
            previous = stored_tips.peer(conn, name)
            if previous is not None:
                break
        if previous is not None and int(previous["serial"]) >= serial:
            return _unchanged(result, bundle, held, previous)
        before = stored_tips.ratings_of(conn, who) if previous is not None else {}
    ratings = tipfile.bundle_ratings(bundle.tips)
    items: list[ImportItem] = []
    added: set[str] = set()
    seen: set[str] = set()
    for index, tip in enumerate(bundle.tips):
        key = tipfile.tip_identity(tip.text, tip.medication, tip.side_effect)
        raised = lowered = False
        if bundle.digest is None and key not in seen:
            rating, old = ratings[key][1], before.get(key)
            raised = rating is True and old is not True
            lowered = old is True and rating is not True
        seen.add(key)
        if key in held or key in added:
            items.append(ImportItem(index, tip, "held", raised, held.get(key), lowered))
        else:
            # A new tip's count starts with this peer: ``raised`` speaks of tips held before.
            added.add(key)
            items.append(ImportItem(index, tip, "add", False, None, False))
    return replace(result, items=items)


def import_bundle(
    journal: Session, bundle: Bundle, *, label: str, dry_run: bool = False
) -> ImportResult:
    """``tip import``: every tip of a peer's bundle (or a group's digest) that the journal
    does not hold yet, and the contributor's ratings (or the group's figures).

    All of it is imported or nothing is (one transaction). A contributor counts once per
    tip, by its latest rating (highest serial); a file from this journal, or one not newer
    than what was imported from its contributor, changes nothing. ``dry_run`` reports
    exactly the same without writing.
    """
    if dry_run:
        return _plan(journal.conn, bundle, label, True)
    with journal.store.write() as conn:
        result = _plan(conn, bundle, label, False)
        if result.changes_nothing:
            return result
        for item in result.items:
            tip = item.tip
            if item.action == "add":
                stored_tips.insert_tip(
                    conn,
                    new_id(),
                    text=tip.text,
                    identity=tipfile.tip_identity(tip.text, tip.medication, tip.side_effect),
                    medication=tip.medication,
                    side_effect=tip.side_effect,
                    tags=tip.tags,
                    source="peer",
                    from_label=label,
                    imported_at=journal.now,
                    created_at=journal.now,
                )
        who, serial, _ = bundle.counted_as()
        if bundle.digest is not None:
            digest = bundle.digest
            stored_tips.keep_digest(
                conn,
                who,
                serial=serial,
                group_label=digest.group,
                label=label,
                peers=digest.peers,
                imported_at=journal.now,
                counts={
                    tipfile.tip_identity(t.text, t.medication, t.side_effect): (
                        t.shared_by,
                        t.tried,
                        t.worked,
                    )
                    for t in digest.tips
                },
            )
        else:
            ratings = {
                key: rating for key, (_, rating) in tipfile.bundle_ratings(bundle.tips).items()
            }
            stored_tips.keep_peer(conn, who, serial, label, journal.now, ratings)
    return result
