"""``remind``: one reminder pass, meant to run every few minutes from a timer (SPEC §13),
and the channels and discreet switch ``remind config`` keeps in the journal.

A pass asks each *notification source* (:data:`SOURCES`: today's due and overdue doses,
low supplies, buddy nudges, buddies' weekly cards) what it wants sent now, decides per
channel with :mod:`adherelog.remind_rules` what is owed, and then:

1. reads only, while nothing is owed (the common case: it costs no write and imports no
   Apprise);
2. else, in one write transaction, asks the sources again, claims what is owed (a row per
   notification and channel), gives up on claims dead passes left twice, and commits;
3. sends each claimed notification, and records right after each whether it went, in a
   short write transaction of its own, so a pass killed midway leaves at most the one
   notification it was sending claimed (tried again once by the next pass).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from adherelog import remind_rules
from adherelog.clock import from_utc_text, to_utc_text
from adherelog.model import SlotStatus
from adherelog.remind_rules import Channel, Held, Message
from adherelog.session import Session, new_id
from adherelog.storage import reminders as stored

DEFAULT_REPEAT = 30  # minutes between repeats of a dose reminder
DEFAULT_MAX = 3  # reminders of one dose at most
KEEP = timedelta(days=2)  # how long what was sent is kept (it decides nothing after a day)
LEASE_SECONDS = 120.0  # a claim's lease, plus this per notification claimed
NOT_TRIED = "the pass stopped before sending it"


class Wanted:
    """A notification a source wants sent now: what it is about (``kind``, ``subject``),
    what it says, and how often it may repeat. (The classes here are plain: a dataclass
    costs a pass a millisecond and more of start-up, and a pass has a budget.)"""

    __slots__ = (
        "after_sent",
        "buddy",
        "channels",
        "kind",
        "limit",
        "med",
        "message",
        "repeat",
        "scheduled_for",
        "subject",
    )

    def __init__(
        self,
        kind: str,  # dose, supply, buddy, card
        subject: str,  # a dose's medication and slot; a supply's or a buddy's id and day
        med: str | None,
        scheduled_for: datetime | None,  # aware, in the schedule's zone
        message: Message,
        limit: int = 1,  # rounds at most
        repeat: timedelta = timedelta(days=1),
        buddy: str | None = None,  # the buddy a nudge or a card is about
        channels: list[Channel] | None = None,  # its own channels (None: the pass's)
        after_sent: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self.kind, self.subject, self.med = kind, subject, med
        self.scheduled_for, self.message = scheduled_for, message
        self.limit, self.repeat = limit, repeat
        self.buddy, self.channels, self.after_sent = buddy, channels, after_sent


class Options:
    """A pass's options: the channels (None: the ones kept, else the desktop)."""

    __slots__ = ("discreet", "dry_run", "limit", "repeat", "via")

    def __init__(
        self,
        via: Sequence[Channel] | None = None,
        discreet: bool = False,
        repeat: int = DEFAULT_REPEAT,
        limit: int = DEFAULT_MAX,
        dry_run: bool = False,
    ) -> None:
        self.via, self.discreet, self.repeat = via, discreet, repeat
        self.limit, self.dry_run = limit, dry_run


class Delivery:
    """A notification on a channel: sent (or, on a dry run, to be sent), or failed."""

    __slots__ = ("channel", "error", "round", "wanted")

    def __init__(
        self,
        wanted: Wanted,
        round: int,
        channel: Channel,
        error: str | None = None,
    ) -> None:
        self.wanted, self.round, self.channel, self.error = wanted, round, channel, error


class PassResult:
    __slots__ = ("dry_run", "failed", "sent")

    def __init__(
        self,
        sent: list[Delivery] | None = None,
        failed: list[Delivery] | None = None,
        dry_run: bool = False,
    ) -> None:
        self.sent: list[Delivery] = sent or []
        self.failed: list[Delivery] = failed or []
        self.dry_run = dry_run


Source = Callable[[Session, Options, bool], list[Wanted]]


# --------------------------------------------------------------------------- sources


def due_doses(session: Session, options: Options, discreet: bool) -> list[Wanted]:
    """A reminder for each of today's slots that is due or overdue."""
    from adherelog.due import due  # a feature of its own; imported when a pass runs

    wanted: list[Wanted] = []
    for item in due(session).slots:
        if item.status not in (SlotStatus.DUE, SlotStatus.OVERDUE):
            continue
        version = item.med.version_at(item.slot.scheduled)
        message = remind_rules.dose_message(
            item.med.name,
            None if version is None else version.dose,
            item.slot.scheduled,
            item.status == SlotStatus.OVERDUE,
            discreet=discreet,
        )
        wanted.append(
            Wanted(
                kind="dose",
                subject=f"{item.med.id} {to_utc_text(item.slot.scheduled)}",
                med=item.med.name,
                scheduled_for=item.slot.scheduled,
                message=message,
                limit=options.limit,
                repeat=timedelta(minutes=options.repeat),
            )
        )
    return wanted


def low_supplies(session: Session, options: Options, discreet: bool) -> list[Wanted]:
    """Once a day, a warning for each medication with 7 days of supply or less left."""
    meds = [med for med in session.meds() if med.supply is not None]
    if not meds:
        return []
    from adherelog.supply import LOW_SUPPLY_DAYS, has_future, runs_out

    today = session.now.astimezone(session.zone).date()
    wanted: list[Wanted] = []
    for med in meds:
        if med.supply is None or not has_future(med, session.now):
            continue
        # At most this many doses a day: a supply for longer than a week needs no schedule.
        most = max((len(v.times) for v in med.versions), default=0) * med.per_dose
        if most and med.supply >= most * (LOW_SUPPLY_DAYS + 2):
            continue
        end = runs_out(med, session.now)
        if end is None or (end - today).days >= LOW_SUPPLY_DAYS:
            continue
        until = f"{end.strftime('%a')} {end.day} {end.strftime('%b')}"
        wanted.append(
            Wanted(
                kind="supply",
                subject=f"{med.id} {today.isoformat()}",
                med=med.name,
                scheduled_for=None,
                message=remind_rules.supply_message(med.name, med.supply, until, discreet=discreet),
            )
        )
    return wanted


def buddy_nudges(session: Session, options: Options, discreet: bool) -> list[Wanted]:
    """Once a day, on the user's channels, a nudge for each buddy whose last contact is at
    least their ``every`` days ago (the rule of ``due``, SPEC §12)."""
    from adherelog.due import contact_due, days_since
    from adherelog.storage import contacts

    today = session.now.astimezone(session.zone).date()
    wanted: list[Wanted] = []
    for buddy in contacts.for_reminders(session.conn):
        days = days_since(buddy.last_contact, today, session.zone)
        if not contact_due(days, buddy.every):
            continue
        wanted.append(
            Wanted(
                kind="buddy",
                subject=f"{buddy.id} {today.isoformat()}",
                med=None,
                scheduled_for=None,
                message=remind_rules.buddy_message(buddy.name, days),
                buddy=buddy.name,
            )
        )
    return wanted


def weekly_cards(session: Session, options: Options, discreet: bool) -> list[Wanted]:
    """On the ``--send-via`` channel of each buddy who has one, the user's check-in card
    (Markdown) when no card was sent to them in the last ``every`` days (local calendar
    days, ``share card --to`` included; the first one at once): weekly with the default
    ``every`` of 7. The card covers those days; it names no medication unless the user
    set ``buddy set NAME --card-names``, and never on a discreet pass. Once sent it counts
    as contact, like ``share card --to``."""
    from adherelog.due import contact_due, days_since
    from adherelog.storage import contacts

    today = session.now.astimezone(session.zone).date()
    owed = [
        buddy
        for buddy in contacts.for_reminders(session.conn)
        if buddy.send_via
        and contact_due(days_since(buddy.last_card_sent, today, session.zone), buddy.every)
    ]
    if not owed:
        return []
    named = set() if discreet else stored.card_names(session.conn)
    wanted: list[Wanted] = []
    for buddy in owed:
        assert buddy.send_via is not None
        wanted.append(
            Wanted(
                kind="card",
                subject=f"{buddy.id} {today.isoformat()}",
                med=None,
                scheduled_for=None,
                message=_card(session, buddy.every, names=buddy.id in named),
                buddy=buddy.name,
                channels=[Channel(buddy.send_via)],
                after_sent=_card_sent(session, buddy.id),
            )
        )
    return wanted


def _card(session: Session, days: int, *, names: bool) -> Message:
    from adherelog import card
    from adherelog.journal import Journal

    journal = Journal(session.store, session.now, session.zone)
    built = card.build_card(journal, days=min(days, card.MAX_DAYS), names=names)
    return remind_rules.card_message(card.card_markdown(built))


def _card_sent(session: Session, buddy_id: str) -> Callable[[sqlite3.Connection], None]:
    """Records, with the card's ``sent`` mark, that it counts as contact."""

    def record(conn: sqlite3.Connection) -> None:
        from adherelog.storage import contacts

        contacts.record_card_sent(
            conn, new_id(), buddy_id, to_utc_text(session.now), session.zone.key
        )

    return record


# Where notifications come from, in the order a pass sends them.
SOURCES: list[Source] = [due_doses, low_supplies, buddy_nudges, weekly_cards]


# --------------------------------------------------------------------------- config


class Config:
    __slots__ = ("channels", "discreet")

    def __init__(self, channels: list[Channel], discreet: bool) -> None:
        self.channels = channels  # empty: the desktop
        self.discreet = discreet


def config(session: Session) -> Config:
    """The channels and the discreet switch kept in the journal."""
    urls, discreet = stored.config(session.conn)
    return Config([remind_rules.parse_channel(url) for url in urls], discreet)


def set_config(session: Session, via: Sequence[Channel] | None, discreet: bool | None) -> Config:
    """Keep ``via`` (replacing the channels kept; ``desktop`` alone means the default) and
    ``discreet`` when given; Apprise must be able to use every URL."""
    if via is not None:
        from adherelog import channels  # imports Apprise: only to check new channels

        channels.check(via)
    with session.store.write() as conn:
        if via is not None:
            kept = [] if [c.url for c in via] == [remind_rules.DESKTOP] else via
            stored.set_channels(conn, [c.url for c in kept])
        if discreet is not None:
            stored.set_discreet(conn, discreet)
    return config(session)


# --------------------------------------------------------------------------- the pass


def _proc_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), None when it is not running
    (or is a zombie). On systems without ``/proc`` an empty string: it is running."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[-1].split()
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    except OSError:
        return ""
    if len(fields) < 20 or fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode()


def this_pass() -> str:
    """The owner of this pass's claims: its process id and start time."""
    pid = os.getpid()
    return f"{pid}:{_proc_start(pid) or ''}"


def running(owner: str | None) -> bool:
    """Whether the pass that made a claim is still running."""
    if not owner:
        return False
    pid_text, _, started = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    found = _proc_start(pid)
    return found is not None and (not started or not found or found == started)


class _Step:
    __slots__ = ("action", "channel", "reclaimed", "round", "round_at", "wanted")

    def __init__(
        self,
        wanted: Wanted,
        round: int,
        round_at: datetime,
        channel: Channel,
        action: str,
        reclaimed: bool,  # this claim is, or comes after, the one retry of a dead claim
    ) -> None:
        self.wanted, self.round, self.round_at = wanted, round, round_at
        self.channel, self.action, self.reclaimed = channel, action, reclaimed


def _plan(
    session: Session, options: Options, channels: Sequence[Channel], discreet: bool
) -> list[_Step]:
    """What a pass does now, notification by notification and channel by channel."""
    now = session.now
    rows = stored.recent(session.conn, to_utc_text(now - KEEP))
    by_subject: dict[tuple[str, str], list[stored.Row]] = {}
    for found in rows:
        by_subject.setdefault((found.kind, found.subject), []).append(found)
    clock = time.time()
    steps: list[_Step] = []
    for source in SOURCES:
        for wanted in source(session, options, discreet):
            held_rows = by_subject.get((wanted.kind, wanted.subject), [])
            started: dict[int, datetime] = {}
            for found in held_rows:
                at = from_utc_text(found.round_at)
                started[found.round] = min(at, started.get(found.round, at))
            number = remind_rules.round_due(started, now, wanted.repeat, wanted.limit)
            if number is None:
                continue
            held_on = {found.via: found for found in held_rows if found.round == number}
            for channel in wanted.channels or channels:
                row = held_on.get(channel.key)
                held = (
                    None
                    if row is None
                    else Held(row.state, row.owner, row.lease_until, row.reclaimed)
                )
                alive = row is not None and row.state == "claimed" and running(row.owner)
                action = remind_rules.decide(held, alive, clock)
                if action != remind_rules.SKIP:
                    steps.append(
                        _Step(
                            wanted,
                            number,
                            started.get(number, now),
                            channel,
                            action,
                            remind_rules.reclaimed_after(action, held),
                        )
                    )
    return steps


def _row(step: _Step, owner: str | None = None, lease: float | None = None) -> stored.Row:
    return stored.Row(
        kind=step.wanted.kind,
        subject=step.wanted.subject,
        round=step.round,
        via=step.channel.key,
        state="claimed",
        round_at=to_utc_text(step.round_at),
        owner=owner,
        lease_until=lease,
        reclaimed=step.reclaimed,
    )


def channels_for(session: Session, options: Options) -> tuple[list[Channel], bool]:
    """The channels a pass uses (given, else kept, else the desktop) and whether it is
    discreet (asked for now, or kept)."""
    kept = config(session)
    chosen = list(options.via) if options.via else kept.channels
    unique: dict[str, Channel] = {}
    for channel in chosen or [Channel(remind_rules.DESKTOP)]:
        unique.setdefault(channel.key, channel)
    return list(unique.values()), options.discreet or kept.discreet


def run_pass(session: Session, options: Options) -> PassResult:
    """One reminder pass (see the module's docstring); ``dry_run`` sends and records
    nothing."""
    channels, discreet = channels_for(session, options)
    steps = _plan(session, options, channels, discreet)
    sending = [s for s in steps if s.action != remind_rules.GIVE_UP]
    if options.dry_run:
        if options.via and sending:
            from adherelog import channels as channel_io  # imports Apprise

            channel_io.check(options.via)
        return PassResult(
            sent=[Delivery(s.wanted, s.round, s.channel) for s in sending], dry_run=True
        )
    if not steps:
        return PassResult()
    from adherelog import channels as channel_io  # imports Apprise only to send through it

    if options.via:
        channel_io.check(options.via)
    owner = this_pass()
    with session.store.write() as conn:
        steps = _plan(session, options, channels, discreet)  # again, under the write lock
        sending = [s for s in steps if s.action != remind_rules.GIVE_UP]
        lease = time.time() + LEASE_SECONDS * (1 + len(sending))
        stored.forget_before(conn, to_utc_text(session.now - KEEP))
        stored.give_up(conn, [_row(s) for s in steps if s.action == remind_rules.GIVE_UP])
        stored.claim(conn, [_row(s, owner, lease) for s in sending])
    result = PassResult()
    waiting = list(sending)
    try:
        while waiting:
            step = waiting[0]
            error = channel_io.send(step.channel, step.wanted.message)
            waiting.pop(0)
            _finish(session, step, owner, error)
            delivery = Delivery(step.wanted, step.round, step.channel, error)
            (result.sent if error is None else result.failed).append(delivery)
    finally:
        if waiting:  # stopped (Ctrl-C, SIGTERM) or failed: what was not tried yet is free
            with contextlib.suppress(Exception):
                for step in waiting[1:]:
                    _finish(session, step, owner, NOT_TRIED)
    return result


def _finish(session: Session, step: _Step, owner: str, error: str | None) -> None:
    with session.store.write() as conn:
        mine = stored.finish(conn, _row(step), owner, sent_at=to_utc_text(session.now), error=error)
        if mine and error is None and step.wanted.after_sent is not None:
            step.wanted.after_sent(conn)
