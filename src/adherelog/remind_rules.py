"""The rules of a reminder pass, as plain values (pure): channels and how they are shown,
what a notification says, which round of a reminder is due, and what a pass does with each
notification on each channel given what the journal holds (SPEC §13).

**Nothing sent twice.** A pass claims a notification on a channel in a write transaction
before sending it and marks it sent (or failed) after. Another pass skips a notification
that is sent or claimed by a pass that is still running. A failed send is tried again by
the next pass. A claim whose pass died (killed mid-send: it may or may not have reached the
channel) is tried again **once**; a second dead claim of the same notification is given up
and never sent again. So a notification arrives once, and at most twice after a crash in
the middle of sending it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from adherelog.errors import UsageError
from adherelog.text import one_line

DESKTOP = "desktop"
MASK = "****"
APP_NAME = "adherelog"
DISCREET_TITLE = "Reminder"
DISCREET_DOSE = "A dose is due"
DISCREET_SUPPLY = "Time to order a refill"

# What a pass does with one notification on one channel.
SEND = "send"  # nothing held yet, or the last try failed: claim it and send it
RETRY_DEAD = "retry"  # claimed by a pass that died: claim it again, once
GIVE_UP = "give up"  # claimed by dead passes twice: never send it again
SKIP = "skip"  # sent, given up, or being sent by a running pass

_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")


class Channel:
    """Where notifications go: the desktop (``notify-send``) or an Apprise URL. (The
    classes of this module are plain: a dataclass costs a reminder pass start-up time.)"""

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Channel) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    def __repr__(self) -> str:
        return f"Channel({self.shown!r})"

    @property
    def is_desktop(self) -> bool:
        return self.url == DESKTOP

    @property
    def key(self) -> str:
        """How the journal names this channel: its masked form and a checksum of the URL, so
        that no secret is stored twice and two URLs that mask alike stay apart."""
        if self.is_desktop:
            return DESKTOP
        return f"{masked(self.url)} {checksum(self.url)}"

    @property
    def shown(self) -> str:
        return masked(self.url)


def checksum(text: str) -> str:
    """A 64-bit FNV-1a checksum of ``text`` in hex: tells channels apart, keeps no secret
    readable (and needs no hashing module loaded at start-up)."""
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def parse_channel(text: str) -> Channel:
    """``desktop`` or ``SCHEME://…``; anything else is a usage error naming it. (Whether
    Apprise knows the scheme is checked when the channel is kept or used.)"""
    value = text.strip()
    if value.casefold() == DESKTOP:
        return Channel(DESKTOP)
    scheme, sep, rest = value.partition("://")
    if (
        not sep
        or not rest
        or not scheme
        or not scheme[0].isalpha()
        or not set(scheme.lower()) <= _SCHEME_CHARS
        or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
    ):
        shown = masked(value) if any(ch in value for ch in ":/@?") else value
        raise UsageError(
            f"--via '{one_line(shown)}' is not a channel: give 'desktop' or an "
            "Apprise URL such as 'ntfy://ntfy.sh/your-topic'."
        )
    return Channel(value)


def masked(url: str) -> str:
    """``url`` as it may be printed: the scheme, and the host when it is a host name or an
    address; user names, passwords, paths, queries and token-like hosts become ``****``."""
    if url == DESKTOP:
        return url
    scheme, sep, _ = url.partition("://")
    if not sep:
        return MASK
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return f"{scheme}://{MASK}"
    if host and _looks_like_host(host):
        shown = f"[{host}]" if ":" in host else host
        if port is not None:
            shown += f":{port}"
    else:
        shown = MASK
    if "@" in parts.netloc:
        shown = f"{MASK}@{shown}"
    if parts.path.strip("/"):
        shown += f"/{MASK}"
    if parts.query or parts.fragment:
        shown += f"?{MASK}"
    return f"{scheme}://{shown}"


def _looks_like_host(host: str) -> bool:
    """A DNS name with a dot, ``localhost`` or an IP address: not a token in the host slot
    (``tgram://BOTTOKEN/…``)."""
    if host == "localhost" or ":" in host:
        return True
    labels = host.split(".")
    return len(labels) >= 2 and all(
        label and all(ch.isalnum() or ch == "-" for ch in label) for label in labels
    )


# ----------------------------------------------------------------- what a notification says


class Message:
    __slots__ = ("body", "title")

    def __init__(self, title: str, body: str) -> None:
        self.title, self.body = title, body

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (other.title, other.body) == (self.title, self.body)

    def __repr__(self) -> str:
        return f"Message({self.title!r}, {self.body!r})"


def dose_message(
    name: str, dose: str | None, at: datetime, overdue: bool, *, discreet: bool
) -> Message:
    """A dose reminder; discreet: no name, no dose, no count."""
    if discreet:
        return Message(DISCREET_TITLE, DISCREET_DOSE)
    what = one_line(name) + (f" {one_line(dose)}" if dose else "")
    when = at.strftime("%H:%M")
    body = f"{what} was due at {when}." if overdue else f"{what} is due at {when}."
    return Message(f"Time for {one_line(name)}", body)


def supply_message(name: str, left: float, until: str, *, discreet: bool) -> Message:
    """A low-supply warning; discreet: no name and no count."""
    if discreet:
        return Message(DISCREET_TITLE, DISCREET_SUPPLY)
    return Message(
        f"{one_line(name)} is running low",
        f"{left:g} left, enough until {until}. Time to order a refill.",
    )


CARD_TITLE = "Check-in card"


def buddy_message(name: str, days: int | None) -> Message:
    """A buddy nudge, for the user (SPEC §12): who, and how long since we were in touch. It
    holds no health data, so it reads the same when reminders are discreet."""
    who = one_line(name)
    if days is None:
        body = f"You and {who} have not been in touch yet; time for a check-in."
    else:
        since = "a day" if days == 1 else f"{days} days"
        body = f"It's {since} since you and {who} checked in."
    return Message(f"Check in with {who}", body)


def card_message(markdown: str) -> Message:
    """The weekly check-in card, for the buddy: its Markdown text as it is."""
    return Message(CARD_TITLE, markdown)


# ----------------------------------------------------------------- rounds and claims


def round_due(
    started: dict[int, datetime], now: datetime, repeat: timedelta, limit: int
) -> int | None:
    """The round of a reminder to send at ``now``: 1 when none has started; the next one
    when the latest started ``repeat`` or more ago and fewer than ``limit`` have started;
    else the latest (still owed to the channels that have not had it). ``started`` maps each
    round to when it started. None when ``limit`` is 0."""
    if limit < 1:
        return None
    if not started:
        return 1
    latest = max(started)
    if latest < limit and now >= started[latest] + repeat:
        return latest + 1
    return latest


class Held:
    """What the journal holds of one notification on one channel."""

    __slots__ = ("lease_until", "owner", "reclaimed", "state")

    def __init__(
        self, state: str, owner: str | None, lease_until: float | None, reclaimed: bool
    ) -> None:
        self.state = state  # claimed, sent, failed, lost
        self.owner, self.lease_until, self.reclaimed = owner, lease_until, reclaimed


def decide(held: Held | None, owner_alive: bool, clock: float) -> str:
    """What this pass does with a notification on a channel (see the module's rules).

    ``owner_alive``: whether the pass that holds the claim is still running; ``clock``:
    the real time (seconds), against which a claim's lease runs out."""
    if held is None or held.state == "failed":
        return SEND
    if held.state != "claimed":
        return SKIP
    expired = held.lease_until is not None and clock > held.lease_until
    if owner_alive and not expired:
        return SKIP
    return GIVE_UP if held.reclaimed else RETRY_DEAD


def reclaimed_after(action: str, held: Held | None) -> bool:
    """Whether a claim made for ``action`` counts as the one retry after a dead pass: it is
    that retry, or the notification had it already (a later clean failure does not earn
    another)."""
    return action == RETRY_DEAD or (held is not None and held.reclaimed)
