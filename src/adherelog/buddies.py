"""Buddies (SPEC §12): importing a buddy's signed card, keeping cards and contacts,
check-ins, settings, and who is due a check-in. No printing here.

Trust works like SSH host keys: the first card from a key needs a name (``--as``); later
cards from the same key update that buddy whatever their file name; a card for a known name
signed by another key is refused unless ``--replace-key``. A card whose serial is not newer
than the last one held from that key changes nothing.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from adherelog import agefile, cardfile, identity, infile, rules, signing
from adherelog.cardfile import ReceivedCard
from adherelog.errors import AdherelogError, ConflictError, NotFoundError, UsageError
from adherelog.session import Session, new_id
from adherelog.storage import buddies as stored
from adherelog.storage import reminders as stored_reminders
from adherelog.storage.buddies import BuddyRow
from adherelog.text import check_text, name_key, one_line
from adherelog.valueclass import dataclass

STDIN = "-"
MAX_NAME = rules.MAX_NAME
MAX_NOTE = rules.MAX_BUDDY_NOTE
MAX_URL = rules.MAX_URL
DEFAULT_EVERY = 7
MAX_EVERY = rules.MAX_BUDDY_EVERY
# An age file of a card at the size limit: the card's 1 MiB, armored (4/3) with room for
# the header. A larger file is refused before it is decrypted.
MAX_FILE_BYTES = rules.MAX_CARD_BYTES


@dataclass(frozen=True)
class BuddyView:
    """A buddy as ``buddy list`` shows them; adherence and streak from their latest card."""

    name: str
    fingerprint: str
    last_card: datetime | None
    last_contact: datetime | None
    every: int
    adherence: float | None
    current_streak: int | None
    send_via: str | None = None  # with its secrets masked: this is for showing
    card_names: bool = False  # the weekly card reminders send names the medications


@dataclass(frozen=True)
class TrendPoint:
    period_from: str
    period_to: str
    adherence: float | None
    current_streak: int | None
    serial: int


@dataclass(frozen=True)
class BuddyDetail:
    buddy: BuddyView
    card: ReceivedCard | None
    trend: list[TrendPoint]


@dataclass(frozen=True)
class ImportOutcome:
    name: str
    fingerprint: str
    action: str  # "added", "updated", "key_replaced", "unchanged"
    serial: int
    card: ReceivedCard


# ----------------------------------------------------------------------------- reading


def read_source(source: str, stdin_read: Callable[[int], bytes]) -> bytes:
    """The bytes of ``source`` (a path, or ``-`` for standard input), at most
    :data:`MAX_FILE_BYTES`. A path that is not a regular file is refused at once, so a
    device or a FIFO nobody writes to never hangs the command."""
    shown = "The input" if source == STDIN else one_line(source)
    if source == STDIN:
        data = stdin_read(MAX_FILE_BYTES + 1)
    else:
        if not source:
            raise infile.empty_name()
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            raise NotFoundError(f"There is no file {shown}.") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise AdherelogError(f"{shown} is a symbolic link; give the card file.") from None
            raise AdherelogError(
                f"Cannot read {shown} ({exc.strerror or type(exc).__name__})."
            ) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise AdherelogError(f"{shown} is not a regular file; give the card file.")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise AdherelogError(
            f"{shown} is larger than 2 MiB, far more than a buddy's card; nothing was imported."
        )
    return data


def _fingerprint(contributor: str) -> str:
    key = signing.contributor_key(contributor)
    return "?" if key is None else signing.fingerprint(key)


def check_name(name: str) -> str:
    return check_text(name, "buddy name", max_len=MAX_NAME)


def _find(session: Session, name: str) -> BuddyRow:
    found = stored.by_name(session.conn, name_key(name))
    if found is None:
        names = [b.name for b in stored.all_buddies(session.conn)]
        hint = (
            "'adherelog buddy list' shows them"
            if names
            else "import their card first with 'adherelog buddy import FILE --as NAME'"
        )
        raise NotFoundError(f"No buddy named '{one_line(name)}'; {hint}.")
    return found


# ------------------------------------------------------------------------------ import


def decrypt_if_age(
    conn: sqlite3.Connection,
    data: bytes,
    *,
    what: str = "The file",
    passphrase: agefile.PassphraseSource | None = None,
) -> bytes:
    """``data`` itself, or when it is an age file its plaintext: decrypted with this
    journal's own age identity (read from ``conn``, never made) or with a passphrase
    (``passphrase``, by default ``ADHERELOG_PASSPHRASE`` or the terminal). For ``buddy
    import`` here, and for ``restore``, ``import`` and ``tip import``."""

    def own_identity() -> str | None:
        held = identity.held(conn)
        return None if held is None else held.age_identity

    return agefile.decrypt_if_age(data, identity=own_identity, passphrase=passphrase, what=what)


def _decrypted(session: Session, data: bytes, what: str) -> bytes:
    return decrypt_if_age(session.conn, data, what=what)


def import_card(
    session: Session,
    data: bytes,
    *,
    source: str,
    as_name: str | None,
    replace_key: bool,
) -> ImportOutcome:
    """``buddy import``: check the card (decrypting it first when it is an age file),
    decide whose it is and keep it, all in one write transaction."""
    what = "The input" if source == STDIN else one_line(source)
    name = None if as_name is None else check_name(as_name)
    plain = _decrypted(session, data, what)
    try:
        card = cardfile.parse_card(plain, what)
    except AdherelogError as exc:
        text = str(exc)
        if text.startswith(what):
            raise
        raise type(exc)(f"{what} was not imported: {text}") from None
    with session.store.write() as conn:
        if card.contributor == identity.own_contributor(conn):
            raise ConflictError(f"{what} is your own card; nothing was imported.")
        fingerprint = _fingerprint(card.contributor)
        by_key = stored.by_contributor(conn, card.contributor)
        by_name = None if name is None else stored.by_name(conn, name_key(name))
        action = "updated"
        if by_key is not None:
            if (by_name is not None and by_name.id != by_key.id) or (
                name is not None and by_name is None
            ):
                raise ConflictError(
                    f"{what} is signed by the key of your buddy '{one_line(by_key.name)}'"
                    f" ({fingerprint}), not '{one_line(name or '')}'; nothing was imported."
                )
            buddy = by_key
        elif by_name is not None:
            if not replace_key:
                raise ConflictError(
                    f"{what} is signed by another key ({fingerprint}) than the one held for"
                    f" '{one_line(by_name.name)}' ({_fingerprint(by_name.contributor)});"
                    " if they made new keys, check the fingerprint with them and import with"
                    " --replace-key."
                )
            stored.update_key(
                conn, by_name.id, contributor=card.contributor, reply_to=card.reply_to
            )
            buddy, action = by_name, "key_replaced"
        elif name is None:
            raise ConflictError(
                f"{what} comes from a key this journal does not know ({fingerprint}); name"
                " the buddy with --as NAME the first time."
            )
        else:
            buddy_id = new_id()
            stored.insert_buddy(
                conn,
                buddy_id,
                name=name,
                name_key=name_key(name),
                contributor=card.contributor,
                reply_to=card.reply_to,
                created_at=session.now,
            )
            found = stored.by_name(conn, name_key(name))
            assert found is not None  # just inserted, in this transaction
            buddy, action = found, "added"
        held = stored.highest_serial(conn, buddy.id, card.contributor)
        if held is not None and card.serial <= held:
            if action == "key_replaced":  # cannot be: a new key has no cards held
                raise AssertionError
            return ImportOutcome(buddy.name, fingerprint, "unchanged", card.serial, card)
        stored.insert_card(
            conn,
            new_id(),
            buddy_id=buddy.id,
            contributor=card.contributor,
            serial=card.serial,
            period_from=card.period_from.isoformat(),
            period_to=card.period_to.isoformat(),
            adherence=card.overall.adherence,
            current_streak=card.overall.current_streak,
            document=json.dumps(card.document, ensure_ascii=False),
            received_at=session.now,
        )
        stored.update_key(conn, buddy.id, contributor=card.contributor, reply_to=card.reply_to)
        stored.insert_contact(
            conn,
            new_id(),
            buddy_id=buddy.id,
            kind="card_received",
            at=session.now,
            zone=session.zone.key,
        )
    return ImportOutcome(buddy.name, fingerprint, action, card.serial, card)


# ------------------------------------------------------------------------ list and show


def _view(session: Session, row: BuddyRow) -> BuddyView:
    latest = stored.latest_card(session.conn, row.id)
    return BuddyView(
        name=row.name,
        fingerprint=_fingerprint(row.contributor),
        last_card=row.last_card,
        last_contact=row.last_contact,
        every=row.every,
        adherence=None if latest is None else latest.adherence,
        current_streak=None if latest is None else latest.current_streak,
        send_via=None if row.send_via is None else mask_url(row.send_via),
        card_names=row.id in stored_reminders.card_names(session.conn),
    )


def list_buddies(session: Session) -> list[BuddyView]:
    return [_view(session, row) for row in stored.all_buddies(session.conn)]


def show(session: Session, name: str) -> BuddyDetail:
    """A buddy's latest card and their adherence per card over time."""
    row = _find(session, name)
    kept = stored.cards(session.conn, row.id)
    latest = None
    if kept:
        latest = cardfile.parse_card(kept[-1].document.encode("utf-8"), verify=False)
    trend = [
        TrendPoint(c.period_from, c.period_to, c.adherence, c.current_streak, c.serial)
        for c in kept
    ]
    return BuddyDetail(_view(session, row), latest, trend)


# ----------------------------------------------------------------- contacts and settings


def checkin(session: Session, name: str, *, at: datetime | None, note: str | None) -> BuddyView:
    """``buddy checkin``: we talked (the note stays in this journal, never on a card)."""
    moment = at or session.now
    session.check_not_future(moment, "a check-in")
    cleaned = (
        None if note is None else check_text(note, "note", max_len=MAX_NOTE, allow_newline=True)
    )
    row = _find(session, name)
    with session.store.write() as conn:
        stored.insert_contact(
            conn,
            new_id(),
            buddy_id=row.id,
            kind="checkin",
            at=moment,
            zone=session.zone.key,
            note=cleaned,
        )
    return _view(session, _find(session, name))


def record_card_sent(session: Session, buddy: BuddyRow) -> None:
    """A card written for ``buddy`` counts as contact (inside the caller's transaction)."""
    stored.insert_contact(
        session.conn,
        new_id(),
        buddy_id=buddy.id,
        kind="card_sent",
        at=session.now,
        zone=session.zone.key,
    )


def recipient_of(session: Session, name: str) -> BuddyRow:
    """The buddy ``name``, who must have sent a card with an age recipient."""
    row = _find(session, name)
    if not row.reply_to:
        raise ConflictError(
            f"'{one_line(row.name)}' has no age key on file; import a card from them first."
        )
    return row


def check_url(url: str) -> str:
    cleaned = check_text(url, "--send-via URL", max_len=MAX_URL)
    if "://" not in cleaned:
        raise UsageError(
            "--send-via must be a URL such as ntfy://my-topic or mailto://me@example.org,"
            f" not '{mask_url(cleaned)}'."
        )
    return cleaned


_SECRET_WORDS = ("token", "key", "secret", "pass", "auth", "sig", "code")


def mask_url(url: str) -> str:
    """``url`` with what may be a secret replaced by ``***``: a password, query values
    named like secrets, and long path parts (the tokens many push services put there)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = parts.netloc
        if parts.password is not None:
            user = parts.username or ""
            port = f":{parts.port}" if parts.port else ""
            netloc = f"{user}:***@{host}{port}"
        path = "/".join("***" if len(piece) >= 16 else piece for piece in parts.path.split("/"))
        query = urlencode(
            [
                (k, "***" if any(w in k.lower() for w in _SECRET_WORDS) else v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
            ],
            safe="*",
        )
        if len(host) >= 16 and "." not in host:
            netloc = netloc.replace(host, "***")
        return urlunsplit((parts.scheme, netloc, path, query, ""))
    except ValueError:
        return "***"


def configure(
    session: Session,
    name: str,
    *,
    every: int | None,
    send_via: str | None,
    card_names: bool | None = None,
) -> BuddyView:
    """``buddy set``: how often we mean to talk, the channel on which reminders send this
    buddy the weekly card, and whether that card names the medications (not by default)."""
    if every is not None and not 1 <= every <= MAX_EVERY:
        raise UsageError(f"--every must be from 1 to {MAX_EVERY} days, not {every}.")
    url = None if send_via is None else check_url(send_via)
    row = _find(session, name)
    with session.store.write() as conn:
        stored.update_settings(
            conn,
            row.id,
            every=row.every if every is None else every,
            send_via=row.send_via if url is None else url,
        )
        if card_names is not None:
            stored_reminders.set_card_names(conn, row.id, card_names)
    return _view(session, _find(session, name))


def remove(session: Session, name: str) -> BuddyView:
    """``buddy rm``: the buddy, their cards and the contacts with them."""
    row = _find(session, name)
    view = _view(session, row)
    with session.store.write() as conn:
        stored.delete_buddy(conn, row.id)
        stored_reminders.set_card_names(conn, row.id, False)
    return view
